"""Model mode: the plan's numbers against an independent forward pass (transformers + torch,
its numbers stored in tests/reference/) and hand-written merging loops; the layer and sense
scenes; no torch at run time."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from attention_math.lecture import layer_view
from attention_math.lecture_data import LectureData
from attention_math.model_plan import build_model_plan, build_sense_plan, load_senses
from attention_math.request import PlanRequest, make_plan
from tests import reference as ref

RIVER = "He sat on the river bank."
CASH = "He deposited cash at the bank."
SPLIT = "The unbelievably steep riverbank eroded near the bank."  # multi-piece words


@pytest.fixture(scope="module")
def plan():
    return build_model_plan(RIVER, "bank", compare=[CASH], layer=2, head=0)


@pytest.mark.parametrize("name", ["river", "split"])
def test_model_drift_matches_transformers(name, minilm_dir):
    """The plan's rows, hidden states and head output against transformers' numbers (eager
    attention, its own tokenizer), stored in tests/reference/ by make_reference.py."""
    meta, arrays = ref.minilm(minilm_dir)
    layer, head = meta["model_mode"]["layer"], meta["model_mode"]["head"]
    case = meta["model_mode"]["sentences"][name]
    assert case["text"] == {"river": RIVER, "split": SPLIT}[name]
    p = build_model_plan(
        case["text"],
        "bank",
        layer=layer,
        head=head,
        target_index=None if name == "river" else case["target_index"],
    )
    s = p.sentences[0]
    assert [w.text for w in s.words if w.reason != "special"] == case["words"]
    assert s.target_index == case["target_index"]
    wid = case["word_ids"]
    assert list(s.model.word_ids) == wid
    tp = case["target_pieces"]
    assert list(s.model.target_pieces) == tp
    # Raw rows in the plan equal transformers' rows.
    attention = arrays[f"model_mode.{name}.target_attention"]  # [L, H, p, T]
    np.testing.assert_allclose(np.array(s.model.target_attention), attention, atol=1e-4)
    # Hidden state per layer: mean over the target's pieces.
    np.testing.assert_allclose(
        np.array(s.model.target_hidden),
        arrays[f"model_mode.{name}.target_hidden"].mean(axis=1),  # [L+1, p, C] -> [L+1, C]
        atol=1e-4,
    )
    # The drift's last step, merged by hand: word weight = sum over pieces of the mean row;
    # head output = Σ_pieces w v (merging words must not change it).
    row = attention[layer, head].mean(axis=0)  # [p, T] -> [T]
    v = arrays[f"model_mode.{name}.value"]  # [T, D]
    final = s.final
    for index, weight in zip(final.words, final.weights, strict=True):
        word = s.words[index]
        pieces = (
            [t for t, w in enumerate(wid) if w is None]
            if word.reason == "special"
            else [t for t, w in enumerate(wid) if w == index]
        )
        assert weight == pytest.approx(sum(row[t] for t in pieces), abs=1e-4)
    np.testing.assert_allclose(np.array(final.output), row @ v, atol=1e-4)


def test_steps_renormalise_the_real_weights(plan):
    for s in plan.sentences:
        full = dict(zip(s.final.words, s.final.weights, strict=True))
        for step in s.steps:
            assert sum(step.weights) == pytest.approx(1.0, abs=1e-9)
            sub = np.array([full[i] for i in step.words])
            np.testing.assert_allclose(step.weights, sub / sub.sum(), atol=1e-9)
        assert s.steps[0].words == (s.target_index,)
        np.testing.assert_allclose(s.steps[0].output, s.target.vector, atol=1e-12)


def test_specials_shown_then_dropped():
    kept = build_model_plan(RIVER, "bank", layer=2, head=0)
    dropped = build_model_plan(RIVER, "bank", layer=2, head=0, drop_specials=True)
    s_kept, s_drop = kept.sentences[0], dropped.sentences[0]
    special = [w for w in s_kept.words if w.reason == "special"]
    assert len(special) == 1 and special[0].pieces == ("[CLS]", "[SEP]")
    raw = np.array(s_kept.model.target_attention)[2, 0].mean(axis=0)
    specials = [t for t, w in enumerate(s_kept.model.word_ids) if w is None]
    w_special = dict(zip(s_kept.final.words, s_kept.final.weights, strict=True))[special[0].index]
    assert w_special == pytest.approx(raw[specials].sum(), abs=1e-6)
    assert 0.05 < w_special < 0.95
    assert all(w.reason != "special" for w in s_drop.words)
    assert dropped.model.drop_specials and sum(s_drop.final.weights) == pytest.approx(1.0)


def test_layer_paths_start_together_and_separate(plan):
    a, b = plan.sentences
    cos = b.model.cosine_to_first
    assert cos[0] == pytest.approx(1.0, abs=1e-5)  # same word, same position: same start
    assert cos[-1] < 0.95  # the senses pull the last layer apart
    h0, h1 = np.array(a.model.target_hidden), np.array(b.model.target_hidden)
    mine = (h0 * h1).sum(1) / np.linalg.norm(h0, axis=1) / np.linalg.norm(h1, axis=1)
    np.testing.assert_allclose(cos, mine, atol=1e-9)


def test_auto_head_is_the_best_content_head():
    p = build_model_plan(RIVER, "bank")
    assert p.model.head_choice.startswith("auto")
    assert p.model.head_index is not None


def test_cli_layer_and_head_count_from_one():
    p = make_plan(PlanRequest(RIVER, "bank", mode="model", layer=3, head=1))
    assert (p.model.layer_index, p.model.head_index) == (2, 0)
    p = make_plan(PlanRequest(RIVER, "bank", mode="model", layer=3, head="mean"))
    assert p.model.head_index is None and p.embedding.dim == 384


def test_sense_split_separates_bank():
    from attention_math.model_plan import default_senses

    target, senses = load_senses(default_senses("bank"))
    p = build_sense_plan(target, senses)
    d = p.senses
    assert d.within_cosine > d.across_cosine
    assert d.kmeans_agreement >= 0.8
    # Independent: each sense's centroid is nearer its own sentences than the other's.
    x = np.array([q.vector for q in d.points])
    labels = np.array([q.sense for q in d.points])
    for sense in d.senses:
        c_own = x[labels == sense].mean(0)
        c_other = x[labels != sense].mean(0)
        own = np.linalg.norm(x[labels == sense] - c_own, axis=1).mean()
        other = np.linalg.norm(x[labels == sense] - c_other, axis=1).mean()
        assert own < other


def test_senses_file_errors(tmp_path):
    from attention_math.errors import InputError

    bad = tmp_path / "s.toml"
    bad.write_text('target = "bank"\n[senses]\nriver = ["He sat on the river bank."]\n')
    with pytest.raises(InputError, match="at least two senses"):
        load_senses(bad)
    bad.write_text('target = "bank"\nextra = 1\n')
    with pytest.raises(InputError, match="unknown key 'extra'"):
        load_senses(bad)
    two = tmp_path / "t.toml"
    two.write_text('target = "bank"\n[senses]\na = ["no target here"]\nb = ["the bank"]\n')
    target, senses = load_senses(two)
    with pytest.raises(InputError, match="sense 'a'"):
        build_sense_plan(target, senses)


# Make `import torch` (and transformers) fail, as on a machine without them.
BLOCK_TORCH = (
    "import sys, importlib.abc\n"
    "class Block(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path, target=None):\n"
    "        if name.split('.')[0] in ('torch', 'transformers', 'sentence_transformers'):\n"
    "            raise ImportError(name)\n"
    "sys.meta_path.insert(0, Block())\n"
)


def test_model_mode_works_without_torch(tmp_path):
    """torch is only a test reference: block it and run the model-mode CLI."""
    code = (
        BLOCK_TORCH + "from scenes.app.cli import main\n"
        "sys.argv = ['attention-drift', 'plan', " + repr(RIVER) + ", '-t', 'bank', "
        "'--mode', 'model', '--layer', '2', '--head', '7']\n"
        "main()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    data = json.loads(out.stdout)
    assert data["mode"] == "model"
    assert data["model"]["layer_index"] == 1 and data["model"]["head_index"] == 6
    heads = subprocess.run(
        [
            sys.executable,
            "-c",
            BLOCK_TORCH + "from scenes.app.cli import main\n"
            "sys.argv = ['attention-drift', 'heads', " + repr(RIVER) + ", '-t', 'bank', "
            "'--json', '--top', '3']\nmain()\n",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    rows = json.loads(heads.stdout)
    assert len(rows) == 3 and rows[0]["content"] >= rows[1]["content"] >= rows[2]["content"]


def test_cli_model_errors():
    from click.testing import CliRunner

    from scenes.app.cli import main

    r = CliRunner().invoke(main, ["plan", RIVER, "-t", "bank", "--layer", "2"])
    assert r.exit_code == 1 and "need --mode model" in r.output
    r = CliRunner().invoke(
        main, ["plan", RIVER, "-t", "bank", "--mode", "model", "--layer", "9", "--head", "1"]
    )
    assert r.exit_code == 1 and "--layer must be 1 to 6" in r.output
    r = CliRunner().invoke(
        main, ["plan", RIVER, "-t", "bank", "--mode", "model", "--layer", "2", "--head", "x"]
    )
    assert r.exit_code == 1 and "not a head number" in r.output
    r = CliRunner().invoke(main, ["render", "-t", "kiwi", "--scene", "SenseSplitScene"])
    assert r.exit_code == 1 and "--senses FILE" in r.output


@pytest.mark.render
@pytest.mark.parametrize("scene", ["LayerDriftScene", "SenseSplitScene", "DriftScene"])
def test_model_scenes_render_and_lay_out(scene, plan, tmp_path):
    from PIL import Image

    from scenes.app import render
    from scenes.app.media.passes import scene_class
    from scenes.job import job_for
    from scenes.layout import check

    if scene == "SenseSplitScene":
        from attention_math.model_plan import default_senses

        p = build_sense_plan(*load_senses(default_senses("spring")))
    else:  # LayerDriftScene draws the plan part "layers" (attention_math.lecture.layer_view)
        p = (
            replace(plan, lecture=LectureData(layers=layer_view(plan)))
            if "Layer" in scene
            else plan
        )
    for theme in ("dark", "light"):
        s = type("S", (scene_class(scene),), {"job": job_for(p, theme)})()
        s.setup()
        assert check(s.text_boxes()) == []
    png, *model = render(p, scene=scene, formats=["png"], quality="low", out_dir=tmp_path)
    assert model == ([png.with_suffix(".figure.json")] if scene == "DriftScene" else [])
    with Image.open(png) as im:
        assert im.size == (854, 480)
        assert np.asarray(im.convert("L")).std() > 10
