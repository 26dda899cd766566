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

Layer and head indices are 0-based everywhere in this package (the checkpoint's
``encoder.layer.0`` is layer 0). Add 1 only when printing for people.

The package, in the order a student reads it: `config` (config.json, strictly), `tokenizer`,
`checkpoint` (the folder, the loader, `Model`), `forward` (the forward pass: small pure
functions with shapes), `words` (pieces merged to words), `heads` (heads ranked by where a
word's attention goes). Loading (`checkpoint`) and computing (`forward`) stay apart: the
forward pass takes a `Model` and never reads a file. Every public name is importable from
`attention_math.model` itself.
"""

from __future__ import annotations

from attention_math.attention import softmax
from attention_math.model.checkpoint import (
    KEY_PREFIX_RENAMES,
    KEY_SUFFIX_RENAMES,
    TASK_HEAD_PREFIXES,
    Model,
    canonical_key,
    check_header,
    check_params,
    check_shapes,
    checkpoint_folder,
    default_model_dir,
    expected_shapes,
    header_shapes,
    is_task_head,
    load_model,
    model_name,
    read_checked_config,
    task_head_note,
)
from attention_math.model.config import (
    BOTH_OR_NEITHER,
    DEFAULT_MODEL_NAME,
    EXACT_GELU,
    FOLDER_FILES,
    INSTALL_HINT,
    MAX_JSON_BYTES,
    MAX_TOKENIZER_BYTES,
    SENTENCE_MAX_LENGTH,
    SIZE_LIMITS,
    SUPPORTED_SETTINGS,
    BertConfig,
    CheckpointError,
    ModelNotFoundError,
    check_size,
    read_config,
)
from attention_math.model.forward import (
    ForwardOutput,
    attention_mask_bias,
    embed,
    encoder_layer,
    erf,
    forward,
    gelu,
    layer_norm,
    layer_params,
    linear,
    merge_heads,
    self_attention,
    sentence_embedding,
    split_heads,
)
from attention_math.model.heads import HeadRank, rank_heads
from attention_math.model.tokenizer import (
    Encoding,
    encode,
    load_tokenizer,
    tokenizer_from_vocab,
)
from attention_math.model.words import (
    WordAttention,
    drop_specials,
    merge_pieces,
    merge_to_words,
    word_matrix,
)

__all__ = [
    "BOTH_OR_NEITHER",
    "DEFAULT_MODEL_NAME",
    "EXACT_GELU",
    "FOLDER_FILES",
    "INSTALL_HINT",
    "KEY_PREFIX_RENAMES",
    "KEY_SUFFIX_RENAMES",
    "MAX_JSON_BYTES",
    "MAX_TOKENIZER_BYTES",
    "SENTENCE_MAX_LENGTH",
    "SIZE_LIMITS",
    "SUPPORTED_SETTINGS",
    "TASK_HEAD_PREFIXES",
    "BertConfig",
    "CheckpointError",
    "Encoding",
    "ForwardOutput",
    "HeadRank",
    "Model",
    "ModelNotFoundError",
    "WordAttention",
    "attention_mask_bias",
    "canonical_key",
    "check_header",
    "check_params",
    "check_shapes",
    "check_size",
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
    "header_shapes",
    "is_task_head",
    "layer_norm",
    "layer_params",
    "linear",
    "load_model",
    "load_tokenizer",
    "merge_heads",
    "merge_pieces",
    "merge_to_words",
    "model_name",
    "rank_heads",
    "read_checked_config",
    "read_config",
    "self_attention",
    "sentence_embedding",
    "softmax",
    "split_heads",
    "task_head_note",
    "tokenizer_from_vocab",
    "word_matrix",
]
