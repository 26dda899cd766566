"""Edge darts spread apart (scenes.figure.dodge): words off view at nearly one bearing get
darts side by side along the view's edge, not one on another; each still points at its
word. Checked on the figure model alone, on a hand-made stack and over the corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.optimize import minimize

from attention_math import build_plan
from attention_math.plan import Plan
from scenes.figure import plot
from scenes.figure.build import lay_out_figure
from scenes.figure.dodge import GAP, mark_box, separated
from scenes.figure.widgets import DART, dart_points
from tests.test_figure import BY_NAME, ENTRIES, FAST, corpus_plan

MARKS = {"point", "marker", "ring", "group", "origin"}
# Four words far off the plane's view, at nearly one bearing (their dot with "bank" small,
# so the drift stays near the other words and the view leaves them out).
STACK = """bank = [1.0, 0.2]
river = [1.4, 0.6]
sat = [0.6, 0.9]
owl = [-4.0, 20.0]
elk = [-4.3, 20.6]
yak = [-3.7, 19.5]
emu = [-4.5, 21.2]
"""


def overlap(a: tuple[float, ...], b: tuple[float, ...], gap: float = 0.0) -> bool:
    """Whether boxes a and b come closer than gap (overlap for gap 0)."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def test_separated_is_the_least_squares_placement() -> None:
    """Against a general solver (scipy's SLSQP): the nearest positions to the targets, weighted,
    with the gaps kept, in order; targets already apart stay put."""
    rng = np.random.default_rng(0)
    for _ in range(20):
        n = int(rng.integers(2, 7))
        t = np.sort(rng.uniform(0, 1, n))
        w = rng.choice([1.0, 1.0, 50.0], n)
        d = rng.uniform(0.05, 0.3, n - 1)
        x = separated(t, w, d)
        assert np.all(np.diff(x) >= d - 1e-9)
        ref = minimize(
            lambda v, w=w, t=t: float(w @ (v - t) ** 2),
            x0=np.cumsum(np.concatenate([[t[0]], d])),
            constraints=[{"type": "ineq", "fun": lambda v, d=d: np.diff(v) - d}],
            method="SLSQP",
            options={"ftol": 1e-12, "maxiter": 500},
        )
        assert float(w @ (x - t) ** 2) <= ref.fun + 1e-6
        assert np.allclose(x, ref.x, atol=1e-3)
    t = np.array([0.0, 1.0, 2.0])
    assert np.array_equal(separated(t, np.ones(3), np.array([0.5, 0.5])), t)


def stack_plan(tmp_path: Path) -> Plan:
    path = tmp_path / "stack.toml"
    path.write_text(STACK, encoding="utf-8")
    return build_plan("The owl, elk, yak and emu sat by the river bank.", "bank",
                      embeddings_file=path)  # fmt: skip


def darts_of(plan: Plan) -> tuple[Any, list[dict[str, Any]]]:
    lay = lay_out_figure(plan)
    return lay, [pt for pt in lay.plot.points if pt["outside"]]


def test_darts_at_one_bearing_spread_apart_along_the_edge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four words off view at nearly one bearing: undodged, their darts stack on one spot;
    dodged, their boxes keep GAP apart, on the same edge, in the same order, within its ends,
    and each still points at its word's point (which does not move)."""
    plan = stack_plan(tmp_path)
    lay, darts = darts_of(plan)
    with monkeypatch.context() as m:
        m.setattr(plot, "spread_darts", lambda *args: None)
        _, stacked = darts_of(plan)
    assert [pt["text"] for pt in darts] == [pt["text"] for pt in stacked] == \
        ["owl", "elk", "yak", "emu"]  # fmt: skip
    boxes = [mark_box(pt) for pt in stacked]
    assert any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    boxes = [mark_box(pt) for pt in darts]
    assert not any(overlap(a, b, GAP - 1e-6) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    g = lay.plot.geometry
    inner, panel = g.inner_of(0), g.panel(0)
    words = {w.text: w for w in plan.sentences[0].words}
    for pt, was, box in zip(darts, stacked, boxes, strict=True):
        assert pt["at"][0] == pytest.approx(inner[2]) == pytest.approx(was["at"][0])  # one edge
        assert panel[1] <= box[1] and box[3] <= panel[3]  # along the edge, inside the plot
        true = g.to(0)(words[pt["text"]].point)
        assert np.allclose(pt["true"], true) and np.allclose(was["true"], true)
        assert points_at(pt)
    assert np.argsort([pt["at"][1] for pt in darts]).tolist() == \
        np.argsort([pt["at"][1] for pt in stacked]).tolist()  # fmt: skip


def points_at(pt: dict[str, Any]) -> bool:
    """Whether the dart drawn for pt (EdgeMarker's corners) points from its place at its
    word's true point."""
    tip, *_ = dart_points(pt["at"], pt["true"] - pt["at"], DART[int(pt["labelled"])])
    u, v = (tip - pt["at"])[:2], (pt["true"] - pt["at"])[:2]
    return float(u @ v) / (np.linalg.norm(u) * np.linalg.norm(v)) > 1 - 1e-9


def assert_darts_clear(plan: Plan) -> None:
    """No two marks of one figure overlap where one is a dart; each dart points at its word."""
    lay = lay_out_figure(plan)
    fig = lay.figure
    marks = [e for e in fig.elements if e.kind in MARKS]
    darts = [e for e in marks if e.kind == "marker"]
    for d in darts:
        hit = [e.name for e in marks if e is not d and overlap(d.box, e.box)]
        assert hit == [], (d.name, hit)
    g, points = lay.plot.geometry, lay.plot.points
    for (si, i), j in lay.plot.point_of.items():
        pt = points[j]
        if pt["outside"] and not pt.get("group"):
            true = g.to(si)(plan.sentences[si].words[i].point)
            assert np.allclose(pt["true"][:2], true[:2]) and points_at(pt), pt["text"]


@pytest.mark.parametrize("name", FAST)
def test_no_dart_overlaps_a_mark_fast_subset(name: str, request: pytest.FixtureRequest) -> None:
    assert_darts_clear(corpus_plan(BY_NAME[name], request))


@pytest.mark.slow
def test_no_dart_overlaps_a_mark_over_the_corpus(request: pytest.FixtureRequest) -> None:
    """The whole corpus (before the dodge: 18 pairs of darts and 8 of a dart and another
    mark overlapped by more than 10% of the smaller box, in 15 entries)."""
    for entry in ENTRIES:
        assert_darts_clear(corpus_plan(entry, request))
