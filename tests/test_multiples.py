"""Small multiples (issue 19): from three sentences on, one plot panel per sentence, all on
the same axes. Checked on the figure model alone (scenes.figure.build), against what the
plan says: every panel draws the same window of the plane at the same scale, so a sentence's
static vector and arrows are its plan's points mapped into its own panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from attention_math import build_plan
from scenes.figure.build import build_figure, column_layout, small_multiples
from scenes.figure.checks import frame_leader_problems, orphan_leaders, unnamed_marks
from scenes.figure.constants import MULTIPLES_FROM
from scenes.figure.model import Element, Figure
from scenes.figure.plot import grid
from scenes.layout import check_items

PLANE = Path(__file__).resolve().parent.parent / "assets" / "corpus" / "plane.toml"
SENTENCES = [
    "He sat on the muddy river bank.",
    "He deposited cash at the bank.",
    "The bank loan.",
    "Cash at the muddy bank.",
]


def figure(n: int) -> tuple[Figure, object]:
    """The plane figure of the first n sentences, as small multiples."""
    plan = build_plan(SENTENCES[0], "bank", compare=SENTENCES[1:n], embeddings_file=PLANE)
    return small_multiples(plan).figure, plan


def inside(box: tuple[float, ...], panel: tuple[float, ...], tol: float = 1e-9) -> bool:
    return (
        box[0] >= panel[0] - tol
        and box[1] >= panel[1] - tol
        and box[2] <= panel[2] + tol
        and box[3] <= panel[3] + tol
    )


def test_small_multiples_from_three_sentences_on() -> None:
    """Two sentences share one plot; three are drawn as small multiples (they meet the
    checks); the builder keeps whichever leaves the checks less to object to."""
    assert MULTIPLES_FROM == 3
    plans = [
        build_plan(SENTENCES[0], "bank", compare=SENTENCES[1:n], embeddings_file=PLANE)
        for n in (2, 3)
    ]
    two, three = (build_figure(p) for p in plans)
    assert two.of_kind("frame") == [] and [e.name for e in two.of_kind("origin")] == ["origin"]
    assert [e.name for e in three.of_kind("origin")] == ["origin 1", "origin 2", "origin 3"]
    assert check_items(three.items()) == [] and frame_leader_problems(three) == []


@pytest.mark.parametrize("n", [3, 4])
def test_a_panel_per_sentence_on_the_same_axes(n: int) -> None:
    fig, plan = figure(n)
    frames = fig.of_kind("frame")
    assert [e.sentence for e in frames] == list(range(n))
    sizes = {(round(e.box[2] - e.box[0], 9), round(e.box[3] - e.box[1], 9)) for e in frames}
    assert len(sizes) == 1  # every panel the same size
    for a, b in zip(frames, frames[1:], strict=False):  # and apart
        assert not (a.box[0] < b.box[2] and b.box[0] < a.box[2] and a.box[1] < b.box[3]
                    and b.box[1] < a.box[3])  # fmt: skip
    origins = {e.sentence: np.array(e.anchor) for e in fig.of_kind("origin")}
    # the same scale and window: plan point p of sentence si is at origin_si + s·(p - o)
    o = np.array(plan.projection.origin)
    scales = set()
    for si, s in enumerate(plan.sentences):
        arrows = [e for e in fig.of_kind("arrow") if e.sentence == si and e.anchor is not None]
        for e, step in zip(arrows, s.steps, strict=True):
            d = np.array(step.point) - o
            got = np.array(e.anchor) - origins[si]
            k = int(np.argmax(np.abs(d)))
            scale = got[k] / d[k]
            assert got == pytest.approx(scale * d, abs=1e-9)
            scales.add(round(float(scale), 9))
    assert len(scales) == 1, scales


@pytest.mark.parametrize("n", [3, 4])
def test_each_sentence_stays_in_its_panel(n: int) -> None:
    fig, _ = figure(n)
    panel = {e.sentence: e.box for e in fig.of_kind("frame")}
    kinds = ("point", "marker", "ring", "group", "origin", "arrow", "trail", "word label",
             "end label", "start label", "badge", "static")  # fmt: skip
    own: list[Element] = [e for e in fig.of_kind(*kinds) if e.sentence in panel]
    assert {e.sentence for e in own} == set(range(n))
    for e in own:
        if e.kind == "badge" and not e.name.startswith("panel badge"):
            continue  # the header's badges
        assert inside(e.box, panel[e.sentence]), (e.name, e.box, panel[e.sentence])
    # no mark stands for two sentences: each panel has its own
    assert all(e.sentence is not None for e in fig.of_kind("point", "marker", "ring", "group"))


@pytest.mark.parametrize("n", [3, 4])
def test_every_mark_named_nothing_crossed(n: int) -> None:
    fig, _ = figure(n)
    assert unnamed_marks(fig) == [] and orphan_leaders(fig) == []
    assert frame_leader_problems(fig) == []


def test_grid_fills_the_box_row_by_row() -> None:
    panels = grid((0.0, 0.0, 10.0, 4.0), 5, 3)
    assert len(panels) == 5
    assert panels[0] == pytest.approx((0.0, 2.15, 3.1333333, 4.0), abs=1e-6)
    # the last row's two panels centred under the three above
    assert (panels[3][0] + panels[4][2]) / 2 == pytest.approx(5.0)


def test_the_static_vector_is_named_once_in_the_key() -> None:
    """Every panel draws the same static vector: the key names it (its arrow, then its
    name), and no panel carries a start label."""
    from scenes.figure.plotmodel import KEY_MARK_GAP
    from scenes.figure.widgets import KEY_ARROW, text_box
    from scenes.theme import SIZES

    fig, _ = figure(3)
    assert fig.of_kind("start label") == []
    first = fig.by_name["key 1"].box
    words = text_box("bank (static)", SIZES.small)
    assert first[2] - first[0] == pytest.approx(KEY_ARROW + KEY_MARK_GAP + words[2] - words[0])


def test_short_sentences_share_header_lines_two_by_two() -> None:
    """Five short sentences: two to a line in the header (each still shows all its words),
    which leaves the plot's panels the height saved."""
    short = ["He sat on the bank.", "The bank loan.", "Cash at the bank.", "The muddy bank.",
             "The river bank."]  # fmt: skip
    plan = build_plan(short[0], "bank", compare=short[1:], embeddings_file=PLANE)
    column = column_layout(plan)
    rows = column.sentences
    tops = [round(r.box[3], 9) for r in rows]
    assert tops[0] == tops[1] and tops[2] == tops[3] and tops[4] < tops[2] < tops[0]
    assert rows[1].box[0] > rows[0].box[2]  # side by side, apart
    for s, r in zip(plan.sentences, rows, strict=True):
        assert sorted(r.texts) == list(range(len(s.words)))  # nothing elided
    one_line = [r.box[3] - r.box[1] for r in rows]
    assert max(one_line) < 0.5  # each sentence on one line of chips


def test_a_panel_too_tall_for_the_column_sets_its_equation_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan whose five sentences take 8 steps each (as a plan written by another version
    may): each panel's 9 rows leave no room for a two-line equation, so it takes one line,
    and the column stays inside the frame's margin."""
    import math

    from attention_math import attention
    from scenes.figure.build import frame_edges

    words = [f"w{i}" for i in range(45)]
    toml = "".join(f"{w} = [{math.cos(i)}, {math.sin(i)}, {i / 10}]\n" for i, w in enumerate(words))
    path = tmp_path / "v.toml"
    path.write_text(toml + "bank = [1.0, 0.5, 0.2]\n", encoding="utf-8")
    monkeypatch.setattr(attention, "max_steps", lambda counts: attention.MAX_STEPS)
    texts = [" ".join(["bank", *words[9 * k : 9 * k + 9]]) for k in range(5)]
    plan = build_plan(texts[0], "bank", compare=texts[1:], embeddings_file=path)
    assert [len(s.steps) for s in plan.sentences] == [9] * 5
    column = column_layout(plan)
    bottom = frame_edges()[3]
    assert all(p.equation.box[1] >= bottom - 1e-9 for p in column.panels)
    assert all(len(p.equation.lines) == 1 for p in column.panels)
