"""HeadsScene and ContributionScene: the layout check over the corpus (model mode), every beat
a one-line caption, text contrast in both themes, and the numbers on screen are the plan's
ledger (checked here against the ledger's own definition where it matters)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from attention_math.plan import Plan
from attention_math.request import PlanRequest
from tests.test_lecture_pictures import (
    CORPUS_REQUESTS,
    FAST,
    captions,
    model_request,
    plan_for,
    scene_for,
)

SCENES = ("HeadsScene", "ContributionScene")
RIVER = "He sat on the river bank."
CASH = "He deposited cash at the bank."


@pytest.fixture(scope="module")
def figure_plan(minilm_dir):
    """The post's figure in model mode, with what both scenes need."""
    return plan_for("HeadsScene", PlanRequest(RIVER, "bank", compare=(CASH,), mode="model"))


_PLANS: dict[tuple[frozenset[str], str], Plan] = {}


def corpus_plan(scene: str, label: str) -> Plan:
    """The corpus input `label` in model mode with the parts `scene` needs (`plan_for`), built
    once for every scene that needs the same parts: a plan is the request and the needs, and
    both scenes need the model and the ledger (the test below), so the second scene's case
    reuses the first one's plan (frozen) instead of running the model again."""
    from scenes import scene_needs

    key = (frozenset(scene_needs(scene)), label)
    if key not in _PLANS:
        _PLANS[key] = plan_for(scene, model_request(CORPUS_REQUESTS[label]))
    return _PLANS[key]


def test_both_scenes_declare_the_model_and_its_ledger():
    from scenes import SCENES as REGISTRY
    from scenes import scene_needs
    from scenes.app.media.passes import scene_class

    for name in SCENES:
        assert name in REGISTRY
        assert scene_needs(name) == ("model", "ledger") == scene_class(name).NEEDS


@pytest.mark.parametrize(
    ("scene", "label"),
    [
        pytest.param(scene, label, marks=() if label in FAST else pytest.mark.slow)
        for scene in SCENES
        for label in CORPUS_REQUESTS
    ],
)
def test_layout_over_the_corpus(minilm_dir, scene, label, tmp_path):
    """scene_for runs the strict layout check (LayoutError otherwise)."""
    plan = corpus_plan(scene, label)
    s = scene_for(scene, plan, tmp_path=tmp_path)
    assert len({round(e.size, 1) for e in s.registry if e.kind == "text"}) <= 3


@pytest.mark.parametrize("name", SCENES)
def test_captions_and_contrast_in_both_themes(figure_plan, name, tmp_path):
    from scenes.theme import contrast

    for theme in ("light", "dark"):
        scene = scene_for(name, figure_plan, theme, tmp_path)
        low = [
            (text, ink)
            for text, inks in scene.text_inks()
            for ink in inks
            if contrast(ink, scene.pal.background) < 4.5
        ]
        assert not low, low
    lines = captions(scene)
    assert lines and all(c and "\n" not in c for c in lines), lines
    assert len(lines) == len(scene.beat_notes)


def test_heads_scene_draws_every_head_and_reads_out_the_chosen_one(figure_plan, tmp_path):
    scene = scene_for("HeadsScene", figure_plan, tmp_path=tmp_path)
    m, ledger = figure_plan.model, figure_plan.lecture.ledger
    assert len(scene.panels) == m.n_layers and all(len(r) == m.n_heads for r in scene.panels)
    # the outline is around the chosen head's panel
    left, bottom, w, h = scene.panel_box(m.layer_index, m.head_index)
    centre = scene.outline.get_center()[:2]
    assert centre == pytest.approx((left + w / 2, bottom + h / 2), abs=1e-6)
    # the read-out counts to the chosen head's weights, in sentence order
    row = ledger.layers[m.layer_index].weights[m.head_index]
    assert [w for *_, w in scene.read_rows] == list(row)
    assert [name.full_text for name, *_ in scene.read_rows] == list(ledger.labels)
    # a panel's bars are as long as the weights (weight 1 = the panel's width)
    _, _, width, _ = scene.panel_box(0, 0)
    bars = scene.panels[0][0][1]
    drawn = sorted(b.width / width for b in bars)
    expected = sorted(x for x in ledger.layers[0].weights[0] if x * width >= 0.004)
    assert drawn == pytest.approx(expected, abs=1e-6)
    assert "most weight on other content words" in scene.reason_line.full_text
    assert scene.reason_line.text == scene.reason_line.full_text  # not cut


def test_contribution_scene_numbers_are_the_ledgers(figure_plan, tmp_path):
    scene = scene_for("ContributionScene", figure_plan, tmp_path=tmp_path)
    ledger = figure_plan.lecture.ledger
    first = ledger.layers[0]
    for r, _w_bar, w_num, _n_bar, n_num in scene.rows:
        assert w_num.value == pytest.approx(first.word_weights[r])
        assert n_num.value == pytest.approx(first.word_norms[r])
    # the drift: every layer's bar is as long as its step's parts, on one scale for all
    scales = [
        sum(seg.width for seg in row) / sum(abs(p) for p in [*layer.along, layer.bias_along])
        for layer, row in zip(ledger.layers, scene.drift_rows, strict=True)
    ]
    assert max(scales) == pytest.approx(min(scales), rel=0.01)


def test_a_large_weight_that_moves_little_is_in_the_caption(figure_plan, tmp_path):
    """The post's sentence: in some layer [CLS]+[SEP] gets most of the weight while another
    word moves the target more; the caption of that layer says both."""
    scene = scene_for("ContributionScene", figure_plan, tmp_path=tmp_path)
    ledger = figure_plan.lecture.ledger
    lines = captions(scene)
    special = len(ledger.labels) - 1
    for i, layer in enumerate(ledger.layers):
        weights, norms = np.array(layer.word_weights), np.array(layer.word_norms)
        if weights.argmax() == special and norms.argmax() != special:
            mover = ledger.labels[int(norms.argmax())]
            assert lines[i].startswith(f"Layer {i + 1}: “[CLS]+[SEP]” gets")
            assert f"“{mover}”" in lines[i]
            break
    else:
        pytest.fail("no layer where [CLS]+[SEP] has the most weight but moves least")


def test_both_scenes_render_stills_from_a_working_folder(minilm_dir, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from scenes.app.cli import main

    monkeypatch.chdir(tmp_path)
    for name in SCENES:
        result = CliRunner().invoke(
            main,
            ["render", RIVER, "--target", "bank", "--scene", name, "--format", "png",
             "--stills", "--quality", "low", "--name", name.lower()],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        stills = sorted(Path("out").glob(f"{name.lower()}.beat-*.png"))
        assert len(stills) == {"HeadsScene": 2, "ContributionScene": 7}[name]
        assert Path("out", f"{name.lower()}.png").is_file()


def test_a_simple_plan_is_refused_in_one_line():
    from attention_math.errors import InputError
    from attention_math.request import make_plan

    request = PlanRequest(RIVER, "bank", needs=frozenset({"ledger"}))
    with pytest.raises(InputError, match="add mode model"):
        make_plan(dataclasses.replace(request))
