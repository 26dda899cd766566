"""The layout holds whatever the fonts measure.

- The label placer keeps the layout check's clearance (`scenes.layout.CLEARANCE`) from every
  obstacle it is given, so a label it calls free passes the check (before, it kept none
  round an obstacle given without a margin: the output's ring, 0.018 from its label with
  Noto Sans, failed the check that DejaVu Sans passed).
- Every scene lays out over the shipped corpus (assets/corpus/corpus.toml) and the hostile
  sentences (tests/test_hostile.py, tests/test_lecture.py) with every text measured 15 %
  wider or narrower than the installed fonts make it (`text_scale` stretches what
  `scenes.texts.text` returns), so the layout does not depend on this machine's fonts.
  Without rendering: a scene's setup builds every mobject and runs the check. The figure
  and the hostile sentence are the fast subset; the rest is slow.
"""

from __future__ import annotations

import dataclasses
import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from attention_math.request import PlanRequest, make_plan
from scenes.layout import CLEARANCE, _place, box_at
from tests.test_figure import ENTRIES
from tests.test_hostile import HINDI, HOSTILE
from tests.test_lecture import HOSTILE as LECTURE_HOSTILE

REPO = Path(__file__).resolve().parent.parent

BOUNDS = (-4.0, -3.0, 4.0, 3.0)


def _gap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """How far apart two boxes are along the axis that separates them most (< 0: they
    overlap), written here, not taken from scenes.layout."""
    return max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])


def test_a_label_placed_free_keeps_the_checks_clearance_from_every_obstacle() -> None:
    """Random rings round random anchors (an obstacle with no margin, as a ring is given):
    every label the placer calls free is at least CLEARANCE from every obstacle and every
    other label."""
    rng = np.random.default_rng(18)
    nearest = np.inf
    for _ in range(60):
        n = int(rng.integers(2, 7))
        anchors = [tuple(a) for a in rng.uniform([-3.0, -2.2], [3.0, 2.2], size=(n, 2))]
        sizes = [tuple(s) for s in rng.uniform([0.3, 0.2], [1.6, 0.35], size=(n, 2))]
        radius = rng.uniform(0.1, 0.3, size=n)
        rings = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(anchors, radius, strict=True)]
        centres, stuck = _place(anchors, sizes, BOUNDS, rings, spacing=0.0)
        if stuck:
            continue
        boxes = [box_at(*c, *s) for c, s in zip(centres, sizes, strict=True)]
        for i, b in enumerate(boxes):
            gaps = [_gap(b, o) for o in rings] + [_gap(b, o) for o in boxes[i + 1 :]]
            nearest = min(nearest, *gaps)
    assert CLEARANCE - 1e-9 <= nearest < CLEARANCE + 0.02  # held, and it was tight


# ---------------------------------------------------------------------------------------------
# every scene over the corpus and the hostile sentences, with text 15 % wider and narrower


SCALES = (0.85, 1.15)
HINDI_VECTORS = REPO / "assets" / "examples" / "hindi.toml"
HOSTILE_INPUTS = {  # label: (sentence, target, embeddings) from tests/test_hostile.py, test_lecture
    "hostile": (HOSTILE, "bank", None),
    "lecture-hostile": (LECTURE_HOSTILE, "bank", None),
    "hindi": (HINDI, "किनारे", HINDI_VECTORS),
}

HOSTILE_SENSES = (  # as tests/test_hostile.py's fixture writes it
    'target = "bank"\n[senses]\n'
    f'river = [{HOSTILE!r}, "The boat drifted toward the muddy bank."]\n'
    'money = ["He deposited cash at the <b>bank</b> & left.", '
    '"The bank raised its rates \\\\input{secret.txt}."]\n'
)


@pytest.fixture
def text_scale(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> float:
    """Every text measured `request.param` times as wide as the installed fonts make it: the
    one place texts are made (`scenes.texts.text`) stretches what it returns, and what the
    scenes measured from earlier texts (Counter glyphs and places, baselines) is forgotten;
    the figure model's glyph boxes (`scenes.figure.widgets.glyphs`, what the drift figure is
    laid out by without drawing) are stretched alike, about their text's middle."""
    from scenes import components, picture, texts
    from scenes.figure import widgets

    factor = float(request.param)
    real, real_glyphs = texts.text, widgets.glyphs

    def text(*args: Any, **kwargs: Any) -> Any:
        return real(*args, **kwargs).stretch(factor, 0)

    def glyphs(*args: Any, **kwargs: Any) -> tuple[Any, ...]:
        boxes = real_glyphs(*args, **kwargs)
        if not boxes:
            return boxes
        mid = (min(b[0] for b in boxes) + max(b[2] for b in boxes)) / 2
        return tuple((mid + (x0 - mid) * factor, y0, mid + (x1 - mid) * factor, y1)
                     for x0, y0, x1, y1 in boxes)  # fmt: skip

    monkeypatch.setattr(texts, "text", text)
    monkeypatch.setattr(widgets, "glyphs", glyphs)
    for module, memo in ((components, "_ATLAS"), (components, "_DESCENT"),
                         (components, "_CELLS"), (picture, "_BASELINE")):  # fmt: skip
        monkeypatch.setattr(module, memo, {})
    return factor


def sweep() -> list[Any]:
    """(scene, label, input) for every scene over the corpus (as the layout tests run them)
    and the hostile sentences; the hostile sentence, the figure (DriftScene), one analogy and
    one senses file in the fast subset."""
    from tests.test_lecture_pictures import lecture_plans

    rows: list[tuple[str, str, Any]] = [("DriftScene", e["name"], e) for e in ENTRIES]
    rows += lecture_plans()
    for label, (sentence, target, vectors) in HOSTILE_INPUTS.items():
        request = PlanRequest(sentence, target, embeddings=vectors)
        rows.append(("DriftScene", label, request))
        scenes = ["AttentionMathScene", "ProjectionScene", "AttentionMatrixScene"]
        scenes += [] if vectors else ["LayerDriftScene"]
        rows += [(scene, label, request) for scene in scenes]
    rows.append(("SenseSplitScene", "hostile", PlanRequest(HOSTILE, "bank")))
    fast = {("DriftScene", "figure"), ("SenseSplitScene", "bank")}
    fast |= {(scene, "hostile") for scene, *_ in rows}
    fast |= {("AnalogyScene", "queen - woman + man = king")}
    # Every row at both widths is 2 × 170 layouts, minutes of the suite's 8: the suite lays
    # out a third of the rows, each at one width (both chosen by a hash of the row's name, so
    # every scene meets both widths), and the fast rows at both; ATTENTION_DRIFT_FULL_SWEEP=1
    # runs every row at both (by hand, before a change to the layout lands).
    full = os.environ.get("ATTENTION_DRIFT_FULL_SWEEP") == "1"
    params = []
    for row in rows:
        draw = zlib.crc32(f"{row[0]}-{row[1]}".encode())
        if full or row[:2] in fast:
            factors = SCALES
        elif draw % 3 == 0:
            factors = (SCALES[draw // 3 % 2],)
        else:
            continue
        mark = () if row[:2] in fast else pytest.mark.slow
        params += [pytest.param(f, *row, marks=mark, id=f"x{f}-{row[0]}-{row[1]}") for f in factors]
    return params


_PLANS: dict[tuple[str, str], Any] = {}


def plan_of(
    scene: str, label: str, source: Any, request: pytest.FixtureRequest, tmp_path: Path
) -> Any:
    """The plan a row draws, built once per scene and input in this module."""
    from tests.test_figure import corpus_plan
    from tests.test_lecture_pictures import build, model_request, plan_for

    if (scene, label) not in _PLANS:
        if isinstance(source, dict):  # a corpus entry, for DriftScene
            plan = corpus_plan(source, request)
        elif scene == "LayerDriftScene" and label in HOSTILE_INPUTS:
            plan = plan_for(scene, model_request(source))
        elif scene == "SenseSplitScene" and label == "hostile":  # the hostile fixture's senses
            senses = tmp_path / "senses.toml"
            senses.write_text(HOSTILE_SENSES, encoding="utf-8")
            plan = plan_for(scene, dataclasses.replace(source, senses=senses))
        elif scene == "DriftScene":
            plan = make_plan(source)
        else:
            user = request.getfixturevalue("toml_embeddings") if scene == "AnalogyScene" else None
            plan = build(scene, source, user)
        _PLANS[(scene, label)] = plan
    return _PLANS[(scene, label)]


@pytest.mark.parametrize(("text_scale", "scene", "label", "source"), sweep(),
                         indirect=["text_scale"])  # fmt: skip
def test_the_layout_holds_with_text_15_percent_wider_or_narrower(
    scene: str, label: str, source: Any, text_scale: float, minilm_dir: Path,
    request: pytest.FixtureRequest, tmp_path: Path,
) -> None:  # fmt: skip
    """Every scene lays out (the strict check passes) with text of another width than the
    fonts here give: the layout adapts to the text as measured, on any machine's fonts."""
    from scenes.layout import check_items
    from tests.figure_reader import read_figure
    from tests.test_figure import _lay_out
    from tests.test_figure_model import deviation
    from tests.test_lecture_pictures import scene_for

    plan = plan_of(scene, label, source, request, tmp_path)
    if scene == "DriftScene":  # laid out on the model; drawn where the model says
        drift = _lay_out(plan, "dark")
        problems = check_items(drift.layout_items())
        assert problems == [], problems
        assert deviation(drift.figure, read_figure(drift)) < 1e-6
    else:
        scene_for(scene, plan, tmp_path=tmp_path)  # its setup raises LayoutError


# ---------------------------------------------------------------------------------------------
# where a layout still cannot hold


def test_a_layout_that_cannot_hold_is_one_line_for_the_user(
    toml_embeddings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A LayoutError reaching the command line is one line saying which scene, what does not
    fit and what to change, exit status 1 (before: a traceback)."""
    from click.testing import CliRunner

    import scenes.beats
    from scenes.app import cli
    from scenes.layout import Problem

    def overlapping(items: Any) -> list[Problem]:
        return [Problem("'output label' overlaps 'output'")]

    monkeypatch.setattr(scenes.beats, "check_items", overlapping)
    result = CliRunner().invoke(cli.main, [
        "render", "He sat on the river bank.", "-t", "bank", "--embeddings",
        str(toml_embeddings), "--format", "png", "--quality", "low", "--out", str(tmp_path),
    ])  # fmt: skip
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1:] == [
        "Error: DriftScene cannot lay this input out ('output label' overlaps 'output'): "
        "shorten the sentence (or --target), compare fewer sentences (--compare), or pick "
        "another --scene"
    ]
