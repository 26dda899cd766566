"""Any BERT checkpoint folder with --model-dir: BertModel and BertFor* checkpoints load (task
heads ignored, with a note), unsupported configurations and incomplete folders are refused in
one line that names the setting or says what to do, a folder with only vocab.txt gets its
tokenizer built from the vocabulary, and plans name the model after its folder.

Every checkpoint here is tiny and made in the test with safetensors.numpy: no torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors.numpy import save_file
from tokenizers import Tokenizer
from tokenizers.implementations import BertWordPieceTokenizer

from attention_math import model as M
from attention_math.embeddings import load_minilm
from attention_math.errors import InputError
from attention_math.model_plan import build_model_plan
from attention_math.plan import Plan
from tests.reference.make_reference import TINY_CONFIG as TINY_SHAPE

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = ["he", "He", "sat", "on", "the", "river", "bank", ".", ",", "cash", "at", "deposited"]
PIECES = ["un", "##aff", "##able", "caf", "##e", "##é", "naive", "'", "t", "don"]
VOCAB = SPECIALS + WORDS + PIECES

# A BertModel of the tiny random BERT's shape (tests/reference/make_reference.py), this vocabulary.
CONFIG: dict[str, Any] = {
    "architectures": ["BertModel"],
    "model_type": "bert",
    **TINY_SHAPE,
    "max_position_embeddings": 32,
    "vocab_size": len(VOCAB),
}

SENTENCES = [
    "He sat on the river bank.",
    "He deposited cash at the bank, unaffable.",
    "Café naïve don't 銀行 xyz",
]


def encoder_tensors(seed: int = 0) -> dict[str, np.ndarray]:
    """BertModel's keys (bare), random float32 values of the right shapes."""
    rng = np.random.default_rng(seed)
    shapes = M.expected_shapes(M.BertConfig.from_dict(CONFIG))
    return {k: (rng.standard_normal(s) * 0.5).astype(np.float32) for k, s in shapes.items()}


def head_tensors(kind: str) -> dict[str, np.ndarray]:
    """The extra keys of a BertFor* checkpoint, shaped as transformers saves them."""
    c, v = CONFIG["hidden_size"], CONFIG["vocab_size"]
    z = np.zeros
    mlm = {
        "cls.predictions.bias": z(v, np.float32),
        "cls.predictions.transform.dense.weight": z((c, c), np.float32),
        "cls.predictions.transform.dense.bias": z(c, np.float32),
        "cls.predictions.transform.LayerNorm.weight": z(c, np.float32),
        "cls.predictions.transform.LayerNorm.bias": z(c, np.float32),
        "cls.predictions.decoder.weight": z((v, c), np.float32),
        "cls.predictions.decoder.bias": z(v, np.float32),
    }
    pooler = {"bert.pooler.dense.weight": z((c, c), np.float32), "bert.pooler.dense.bias": z(c)}
    return {
        "BertForMaskedLM": mlm,
        "BertForPreTraining": {
            **mlm,
            **pooler,
            "cls.seq_relationship.weight": z((2, c), np.float32),
            "cls.seq_relationship.bias": z(2, np.float32),
        },
        "BertForSequenceClassification": {
            **pooler,
            "classifier.weight": z((3, c), np.float32),
            "classifier.bias": z(3, np.float32),
        },
        "BertForQuestionAnswering": {
            "qa_outputs.weight": z((2, c), np.float32),
            "qa_outputs.bias": z(2, np.float32),
        },
    }[kind]


def write_folder(
    folder: Path,
    tensors: dict[str, np.ndarray],
    config: dict[str, Any] | None = None,
    *,
    tokenizer_json: bool = True,
    tokenizer_config: dict[str, Any] | None = None,
) -> Path:
    """A checkpoint folder as save_pretrained writes it: config.json, model.safetensors,
    vocab.txt, and tokenizer.json (made by the tokenizers library's own BERT recipe)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config or CONFIG), encoding="utf-8")
    save_file(tensors, str(folder / "model.safetensors"))
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    if tokenizer_config is not None:
        (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config))
    if tokenizer_json:
        reference(tokenizer_config or {}).save(str(folder / "tokenizer.json"))
    return folder


def reference(settings: dict[str, Any]) -> Tokenizer:
    """The independent reference: tokenizers' BertWordPieceTokenizer on the same vocabulary."""
    vocab = {piece: i for i, piece in enumerate(VOCAB)}
    lower = settings.get("do_lower_case", True)
    return BertWordPieceTokenizer(vocab, lowercase=lower)._tokenizer


def one_line_error(call: Any, kind: type[Exception] = InputError) -> str:
    with pytest.raises(kind) as err:
        call()
    message = str(err.value)
    assert "\n" not in message
    assert isinstance(err.value, InputError)  # the CLI shows it as one line, exit status 1
    return message


# ---------------------------------------------------------------------------------------------
# BertModel and BertFor* checkpoints


def test_a_bert_model_folder_loads_and_is_named_after_its_folder(tmp_path: Path) -> None:
    tensors = encoder_tensors()
    m = M.load_model(write_folder(tmp_path / "tiny-bert", tensors))
    assert m.name == "tiny-bert"
    assert m.notes == ()
    assert set(m.params) == set(tensors)
    enc = M.encode(m, ["He", "sat", "on", "the", "bank"])
    out = M.forward(m, enc.ids)
    np.testing.assert_allclose(out.attentions.sum(-1), 1.0, atol=1e-6)


@pytest.mark.parametrize(
    ("kind", "heads", "n"),
    [
        ("BertForMaskedLM", "cls.*", 7),
        ("BertForPreTraining", "cls.*", 9),
        ("BertForSequenceClassification", "classifier.*", 2),
        ("BertForQuestionAnswering", "qa_outputs.*", 2),
    ],
)
def test_bert_for_checkpoints_load_their_encoder_and_say_the_head_is_ignored(
    tmp_path: Path, kind: str, heads: str, n: int
) -> None:
    tensors = encoder_tensors()
    bare = M.load_model(write_folder(tmp_path / "bare", tensors))
    checkpoint = {f"bert.{k}": v for k, v in tensors.items()} | head_tensors(kind)
    m = M.load_model(
        write_folder(tmp_path / "task", checkpoint, {**CONFIG, "architectures": [kind]})
    )
    assert m.notes == (f"{kind}'s task head ({heads}: {n} tensors) is ignored; only its BERT "
                       "encoder is used",)  # fmt: skip
    for key, value in tensors.items():  # the encoder is the checkpoint's, unchanged
        np.testing.assert_array_equal(m.params[key], value)
    ids = M.encode(m, ["He", "sat", "on", "the", "river", "bank", "."]).ids
    np.testing.assert_array_equal(
        M.forward(m, ids).hidden_states, M.forward(bare, ids).hidden_states
    )


def test_tensorflow_layer_norm_names_are_renamed(tmp_path: Path) -> None:
    tensors = encoder_tensors()
    tf_names = {"LayerNorm.weight": "LayerNorm.gamma", "LayerNorm.bias": "LayerNorm.beta"}
    renamed = {}
    for key, value in tensors.items():
        for old, new in tf_names.items():
            key = key.replace(old, new)
        renamed[key] = value
    assert renamed.keys() != tensors.keys()
    m = M.load_model(write_folder(tmp_path / "tf", renamed))
    for key, value in tensors.items():
        np.testing.assert_array_equal(m.params[key], value)


def test_a_key_that_is_neither_encoder_nor_task_head_is_refused(tmp_path: Path) -> None:
    tensors = encoder_tensors() | {"encoder.layer.0.crossattention.self.query.bias": np.zeros(8)}
    folder = write_folder(tmp_path / "x", tensors)
    message = one_line_error(lambda: M.load_model(folder), M.CheckpointError)
    assert message == (
        f"{folder}/model.safetensors: unexpected key in checkpoint: "
        "'encoder.layer.0.crossattention.self.query.bias' (not a BERT encoder weight)"
    )


# ---------------------------------------------------------------------------------------------
# configurations the forward pass does not compute: refused, naming the setting and value


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("hidden_act", "gelu_new", 'hidden_act = "gelu_new" is not supported: only the exact '
         'erf GELU ("gelu") is computed here'),
        ("hidden_act", "gelu_pytorch_tanh", 'hidden_act = "gelu_pytorch_tanh" is not supported'),
        ("hidden_act", "relu", 'hidden_act = "relu" is not supported'),
        ("position_embedding_type", "relative_key", 'position_embedding_type = "relative_key" '
         'is not supported (only "absolute" is computed here)'),
        ("is_decoder", True, "is_decoder = true is not supported (only false is computed here)"),
        ("add_cross_attention", True, "add_cross_attention = true is not supported"),
        ("model_type", "roberta", 'model_type = "roberta" is not supported: this loader reads '
         'BERT encoders (model_type "bert")'),
        ("hidden_size", "8", 'hidden_size = "8" is not a whole number'),
        ("layer_norm_eps", 0, "layer_norm_eps = 0.0 must be a positive number"),
        ("num_attention_heads", 3, "hidden_size=8 is not divisible by num_attention_heads=3"),
    ],
)  # fmt: skip
def test_an_unsupported_configuration_is_refused_in_one_line(
    tmp_path: Path, setting: str, value: Any, message: str
) -> None:
    folder = write_folder(tmp_path / "ckpt", encoder_tensors(), {**CONFIG, setting: value})
    got = one_line_error(lambda: M.load_model(folder), M.CheckpointError)
    assert got.startswith(f"{folder}/config.json: {message}"), got


def test_gelu_python_is_the_exact_gelu_too(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "ckpt", encoder_tensors(), {**CONFIG, "hidden_act": "gelu_python"}
    )
    assert M.load_model(folder).config.hidden_act == "gelu_python"


# ---------------------------------------------------------------------------------------------
# incomplete folders: what is missing and what to do


def _remove(folder: Path, *names: str) -> Path:
    for name in names:
        (folder / name).unlink()
    return folder


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "nope", "the model folder {d}/nope does not exist; give model_dir a "
         "folder with config.json, model.safetensors and tokenizer.json (or vocab.txt)"),
        (lambda d: write_folder(d / "c", encoder_tensors()) / "config.json",
         "{d}/c/config.json is a file; give model_dir the folder that holds config.json"),
        (lambda d: _remove(write_folder(d / "c", encoder_tensors()), "config.json"),
         "no config.json in {d}/c; a BERT checkpoint folder has config.json, model.safetensors"),
        (lambda d: _remove(write_folder(d / "c", encoder_tensors()), "model.safetensors"),
         "no model.safetensors in {d}/c; it holds the weights"),
        (lambda d: _remove(write_folder(d / "c", encoder_tensors()), "tokenizer.json",
                           "vocab.txt"),
         "no tokenizer.json or vocab.txt in {d}/c; copy the checkpoint's tokenizer files"),
    ],
)  # fmt: skip
def test_a_missing_file_says_what_to_do(tmp_path: Path, make: Any, message: str) -> None:
    folder = make(tmp_path)
    got = one_line_error(lambda: M.load_model(folder), M.ModelNotFoundError)
    assert got.startswith(message.format(d=tmp_path.resolve())), got


def test_other_weight_formats_and_shards_say_how_to_convert(tmp_path: Path) -> None:
    folder = _remove(write_folder(tmp_path / "c", encoder_tensors()), "model.safetensors")
    (folder / "pytorch_model.bin").write_bytes(b"torch")
    assert "has pytorch_model.bin but no model.safetensors; convert it" in one_line_error(
        lambda: M.load_model(folder)
    )
    (folder / "model.safetensors.index.json").write_text("{}")
    assert "holds a sharded checkpoint" in one_line_error(lambda: M.load_model(folder))


def test_a_broken_weights_file_is_one_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "c", encoder_tensors())
    (folder / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    got = one_line_error(lambda: M.load_model(folder), M.CheckpointError)
    assert got.startswith(f"{folder}/model.safetensors cannot be read (")
    assert got.endswith("is the file complete?")
    (folder / "config.json").write_text("{broken", encoding="utf-8")
    got = one_line_error(lambda: M.load_model(folder), M.CheckpointError)
    assert got.startswith(f"{folder}/config.json is not valid JSON (line 1")


# ---------------------------------------------------------------------------------------------
# a folder with only vocab.txt


@pytest.mark.parametrize("settings", [None, {"do_lower_case": True}, {"do_lower_case": False}])
def test_vocab_txt_alone_gives_bert_s_tokenizer(
    tmp_path: Path, settings: dict[str, Any] | None
) -> None:
    folder = write_folder(tmp_path / "v", encoder_tensors(), tokenizer_json=False,
                          tokenizer_config=settings)  # fmt: skip
    assert not (folder / "tokenizer.json").exists()
    m = M.load_model(folder)
    want = reference(settings or {})
    for text in SENTENCES:
        ours, ref = m.tokenizer.encode(text), want.encode(text)
        assert ours.tokens == ref.tokens, text
        assert ours.ids == ref.ids
        words = text.split()
        ours_p = m.tokenizer.encode(words, is_pretokenized=True)
        ref_p = want.encode(words, is_pretokenized=True)
        assert (ours_p.ids, ours_p.word_ids) == (ref_p.ids, ref_p.word_ids)
    lower = (settings or {}).get("do_lower_case", True)
    assert m.tokenizer.encode("He").tokens == ["[CLS]", "he" if lower else "He", "[SEP]"]
    assert m.notes == (
        f"tokenizer built from vocab.txt ({len(VOCAB)} pieces, "
        f"{'lower-cased' if lower else 'cased'} as "
        f"{'tokenizer_config.json' if settings else 'the default'} says)",
    )
    # the one setting every caller gets: no padding, truncation at the learned positions
    assert m.tokenizer.padding is None
    assert m.tokenizer.truncation["max_length"] == CONFIG["max_position_embeddings"]


def test_minilm_vocab_txt_builds_the_shipped_tokenizer(tmp_path: Path, minilm_dir: Path) -> None:
    """Against the real thing: all-MiniLM-L6-v2's own tokenizer.json."""
    folder = tmp_path / "minilm-vocab"
    folder.mkdir()
    for name in ("vocab.txt", "tokenizer_config.json"):
        (folder / name).write_bytes((minilm_dir / name).read_bytes())
    ours, _ = M.tokenizer_from_vocab(folder)
    shipped = Tokenizer.from_file(str(minilm_dir / "tokenizer.json"))
    shipped.no_padding()
    shipped.no_truncation()
    for text in [*SENTENCES, "The well-known rock'n'roll band's 3.5% ÜBER-cool naïveté, 東京!"]:
        assert ours.encode(text).ids == shipped.encode(text).ids, text
        words = text.split()
        a = ours.encode(words, is_pretokenized=True)
        b = shipped.encode(words, is_pretokenized=True)
        assert (a.ids, a.word_ids) == (b.ids, b.word_ids), text


def test_a_vocabulary_without_the_special_tokens_is_refused(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "v", encoder_tensors(), tokenizer_json=False)
    (folder / "vocab.txt").write_text("\n".join(WORDS), encoding="utf-8")
    got = one_line_error(lambda: M.load_model(folder), M.CheckpointError)
    assert got == f"{folder}/vocab.txt has no '[UNK]' entry; it is not a BERT vocabulary"


# ---------------------------------------------------------------------------------------------
# names: from the folder and config, escaped; recorded in the plan


def test_names_come_from_the_folder_the_cache_or_the_config(tmp_path: Path) -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    cached = write_folder(tmp_path / "models--acme--tiny-bert" / "snapshots" / commit,
                          encoder_tensors())  # fmt: skip
    assert M.load_model(cached).name == "acme/tiny-bert"
    bare = write_folder(tmp_path / commit, encoder_tensors(),
                        {**CONFIG, "_name_or_path": "acme/other-bert"})  # fmt: skip
    assert M.load_model(bare).name == "acme/other-bert"
    odd = write_folder(tmp_path / "my\x1b[31mbert", encoder_tensors())
    assert M.load_model(odd).name == "my\\x1b[31mbert"


def test_the_packaged_model_is_all_minilm(minilm_dir: Path) -> None:
    assert M.load_model().name == "all-MiniLM-L6-v2"
    assert M.load_model(minilm_dir).name == "all-MiniLM-L6-v2"
    assert M.load_model().notes == ()


def test_plans_name_the_checkpoint_and_carry_its_notes(tmp_path: Path) -> None:
    checkpoint = {f"bert.{k}": v for k, v in encoder_tensors().items()}
    checkpoint |= head_tensors("BertForMaskedLM")
    folder = write_folder(tmp_path / "tiny-mlm", checkpoint,
                          {**CONFIG, "architectures": ["BertForMaskedLM"]})  # fmt: skip
    plan = build_model_plan(
        "He sat on the river bank.",
        "bank",
        compare=["He deposited cash at the bank."],
        model_dir=folder,
    )
    assert plan.model is not None
    assert plan.model.name == "tiny-mlm"
    assert plan.embedding.name.startswith("tiny-mlm value vectors, layer ")
    assert plan.model.notes == (
        "BertForMaskedLM's task head (cls.*: 7 tensors) is ignored; only its BERT encoder is used",
    )
    assert "MiniLM" not in plan.to_json()
    assert Plan.from_json(plan.to_json()) == plan


def test_an_old_plan_without_notes_still_loads(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "tiny", encoder_tensors())
    data = build_model_plan("He sat on the river bank.", "bank", model_dir=folder).to_dict()
    del data["model"]["notes"]
    assert Plan.from_dict(data).model.notes == ()  # type: ignore[union-attr]


def test_the_word_piece_table_of_any_checkpoint(tmp_path: Path) -> None:
    tensors = encoder_tensors()
    checkpoint = {f"bert.{k}": v for k, v in tensors.items()} | head_tensors("BertForMaskedLM")
    folder = write_folder(tmp_path / "tiny-mlm", checkpoint, tokenizer_json=False)
    emb = load_minilm(folder)
    assert emb.name == "tiny-mlm input word-piece embeddings"
    table = tensors["embeddings.word_embeddings.weight"]
    np.testing.assert_array_equal(emb.lookup("river").vector, table[VOCAB.index("river")])
    unaffable = emb.lookup("unaffable")
    assert unaffable.pieces == ("un", "##aff", "##able")
    rows = [VOCAB.index(p) for p in unaffable.pieces]
    np.testing.assert_allclose(unaffable.vector, table[rows].astype(np.float64).mean(axis=0))
