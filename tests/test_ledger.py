"""The contribution ledger (attention_math.model_ledger) against transformers' numbers stored
by tests/reference/make_reference.py (hooks on each layer's value projection and attention
output dense; no torch here), on the post's two sentences and the tiny random BERT; and
against a loop written here from the checkpoint's own weights."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from attention_math import model as M
from attention_math import model_ledger as ML
from attention_math import tokens
from attention_math.request import PlanRequest, make_plan
from tests import reference as ref

TOL = 1e-4


@pytest.fixture(scope="module")
def minilm(minilm_dir: Path):
    meta, arrays = ref.minilm(minilm_dir)
    return M.load_model(minilm_dir), meta["ledger"], arrays


@pytest.mark.parametrize("name", ["river", "cash"])
def test_the_ledger_matches_transformers_on_the_posts_sentences(minilm, name: str) -> None:
    m, meta, arrays = minilm
    case = meta["sentences"][name]
    assert [t.text for t in tokens.tokenize(case["text"])] == case["words"]
    s = ML.sentence_ledger(m, case["words"], case["target_index"])
    key = f"ledger.{name}"
    # the attention sublayer's output for the target, and the ledger's sum, equal transformers'
    ref.assert_max_abs(s.output, arrays[f"{key}.output"], TOL, "sublayer output")
    total = s.contributions.sum(axis=(1, 2)) + s.bias  # [L, H, R, C] -> [L, C]
    ref.assert_max_abs(total, arrays[f"{key}.output"], TOL, "Σ contributions + b_O")
    ref.assert_max_abs(s.weights, arrays[f"{key}.weights"], TOL, "weights per head and word")
    # per head: the norms of every layer, the vectors of one layer, the per-word sums
    norms = np.linalg.norm(s.contributions, axis=-1)  # [L, H, R]
    ref.assert_max_abs(norms, arrays[f"{key}.head_norms"], TOL, "per-head norms")
    layer = meta["layer"]
    ref.assert_max_abs(
        s.contributions[layer], arrays[f"{key}.layer_contributions"], TOL, "per-head vectors"
    )
    ref.assert_max_abs(
        s.contributions.sum(axis=1), arrays[f"{key}.word_contributions"], TOL, "per-word sums"
    )


def test_the_ledger_matches_transformers_on_the_tiny_bert(tmp_path: Path) -> None:
    """A target of several pieces: its row is the mean of theirs (as model mode merges)."""
    from safetensors.numpy import save_file

    meta, arrays = ref.load("tiny-bert")
    weights = ref.tiny_weights(meta["shapes"], meta["seed"])
    directory = tmp_path / "tiny-bert"
    shutil.copytree(ref.HERE / "tiny-bert", directory)
    save_file({k: weights[k] for k in meta["keys"]}, str(directory / "model.safetensors"))
    m = M.load_model(directory)
    target = meta["ledger_target"]
    assert sum(w == target for w in meta["word_ids"]) > 1
    s = ML.sentence_ledger(m, meta["words"], target)
    ref.assert_max_abs(s.output, arrays["ledger.output"], TOL, "sublayer output")
    ref.assert_max_abs(s.contributions, arrays["ledger.contributions"], TOL, "per head")
    ref.assert_max_abs(s.contributions.sum(axis=(1, 2)) + s.bias, arrays["ledger.output"], TOL, "Σ")
    ref.assert_max_abs(s.weights, arrays["ledger.weights"], TOL, "weights")


def test_one_head_s_contribution_is_weight_times_value_times_its_output_slice(minilm) -> None:
    """A loop over one head and one token, from the checkpoint's tensors and the forward pass's
    value vectors: α · (v W_O[:, h·D:(h+1)·D]ᵀ)."""
    m, meta, _ = minilm
    case = meta["sentences"]["river"]
    words, ti = case["words"], case["target_index"]
    enc = M.encode(m, words)
    out = M.forward(m, enc.ids)
    s = ML.sentence_ledger(m, words, ti, out)
    layer, head, d = 4, 7, m.config.d_head
    wo = m.params[f"encoder.layer.{layer}.attention.output.dense.weight"].astype(np.float64)
    target_piece = enc.word_ids.index(ti)
    for r in range(len(words)):
        expected = np.zeros(m.config.hidden_size)
        for t, w in enumerate(enc.word_ids):
            if w == r:
                alpha = float(out.attentions[layer, head, target_piece, t])
                value = out.v[layer, head, t].astype(np.float64)  # [D]
                expected += alpha * (wo[:, head * d : (head + 1) * d] @ value)
        np.testing.assert_allclose(s.contributions[layer, head, r], expected, atol=1e-9)


def test_the_plans_ledger_states_its_own_sums(minilm_dir: Path) -> None:
    plan = make_plan(
        PlanRequest("He sat on the river bank.", "bank", mode="model", needs=frozenset({"ledger"}))
    )
    ledger = plan.lecture.ledger
    assert ledger.labels == ("He", "sat", "on", "the", "river", "bank", ".", "[CLS]+[SEP]")
    assert ledger.target_row == 5 and len(ledger.layers) == 6
    for layer in ledger.layers:
        assert layer.sum_gap < 1e-6
        assert len(layer.weights) == 12 and len(layer.norms) == 12
        np.testing.assert_allclose(np.sum(layer.weights, axis=1), 1.0, atol=1e-6)
        np.testing.assert_allclose(np.mean(layer.weights, axis=0), layer.word_weights, atol=1e-9)
        # the step's length, split along its direction, adds up
        assert sum(layer.along) + layer.bias_along == pytest.approx(layer.output_norm, rel=1e-9)
        # a part along the step is never longer than the part itself
        assert all(a <= n + 1e-9 for a, n in zip(layer.along, layer.word_norms, strict=True))
    again = type(plan).from_json(plan.to_json())
    assert again.lecture.ledger == ledger


def test_the_ledger_command_prints_what_each_word_moves(minilm) -> None:
    from click.testing import CliRunner

    from scenes.app.cli import main

    m, meta, _ = minilm
    case = meta["sentences"]["river"]
    result = CliRunner().invoke(main, ["ledger", case["text"], "--target", "bank", "--top", "3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    s = ML.sentence_ledger(m, case["words"], case["target_index"])
    norms = np.linalg.norm(s.contributions.sum(axis=1), axis=-1)  # [L, R]
    # layer 1's first row is the word that moves most, with its mean weight and its norm
    top = int(np.argmax(norms[0]))
    first = lines[lines.index(next(x for x in lines if x.startswith("layer 1:"))) + 2].split()
    assert first[0] == s.labels[top]
    assert float(first[1]) == pytest.approx(s.weights[0, :, top].mean(), abs=0.006)
    assert float(first[2]) == pytest.approx(norms[0, top], abs=0.006)
    assert sum(x.startswith("layer ") for x in lines) == 6

    as_json = CliRunner().invoke(main, ["ledger", case["text"], "-t", "bank", "--json"])
    assert as_json.exit_code == 0 and '"word_norms"' in as_json.output


def test_the_ledger_command_refuses_a_missing_target_in_one_line() -> None:
    from click.testing import CliRunner

    from scenes.app.cli import main

    result = CliRunner().invoke(main, ["ledger", "He sat on the river bank.", "-t", "cash"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert "not a word of the sentence" in result.output


def test_the_value_bias_moves_the_target_whatever_the_weights(minilm) -> None:
    """Each head's weights sum to 1, so with the values' bias taken out of every word's part,
    the parts plus b_V W_Oᵀ plus b_O still give the sublayer output (the bias from the
    checkpoint, the output from transformers)."""
    m, meta, arrays = minilm
    case = meta["sentences"]["cash"]
    enc = M.encode(m, case["words"])
    out = M.forward(m, enc.ids)
    s = ML.sentence_ledger(m, case["words"], case["target_index"], out)
    n_head, d = m.config.num_attention_heads, m.config.d_head
    for layer in range(m.config.num_hidden_layers):
        p = f"encoder.layer.{layer}.attention."
        bv = m.params[p + "self.value.bias"].astype(np.float64).reshape(n_head, d)  # [H, D]
        v = out.v[layer].astype(np.float64) - bv[:, None, :]  # values without their bias
        wo = m.params[p + "output.dense.weight"].astype(np.float64)
        member = ML.membership(enc.word_ids, len(case["words"]))
        pieces = [t for t, w in enumerate(enc.word_ids) if w == case["target_index"]]
        row = out.attentions[layer][:, pieces].astype(np.float64).mean(axis=1)  # [H, T]
        without = ML.to_members(ML.head_contributions(row, v, wo), member)  # [H, R, C]
        total = without.sum(axis=(0, 1)) + s.value_bias[layer] + s.bias[layer]
        ref.assert_max_abs(total, arrays["ledger.cash.output"][layer], TOL, f"layer {layer}")
        np.testing.assert_allclose(s.value_bias[layer], wo @ bv.reshape(-1), atol=1e-12)
