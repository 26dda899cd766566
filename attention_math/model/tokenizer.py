"""The checkpoint's tokenizer (tokenizer.json, or built from vocab.txt) and pre-split
sentences encoded so that every word piece points back at its word."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tokenizers import Tokenizer

from attention_math.errors import read_text
from attention_math.model import config as _config
from attention_math.model.config import BertConfig, CheckpointError, _read_json, _show, check_size


class HasTokenizer(Protocol):
    """What `encode` needs of a loaded Model (attention_math.model.checkpoint.Model)."""

    @property
    def tokenizer(self) -> Tokenizer: ...


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
    check_size(path, _config.MAX_TOKENIZER_BYTES)
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
        check_size(folder / "tokenizer.json", _config.MAX_TOKENIZER_BYTES)
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


# --------------------------------------------------------------------------------------------
# tokenization


@dataclass(frozen=True)
class Encoding:
    """Word pieces of a pre-split sentence. ``word_ids[t]`` indexes ``words``; None = special."""

    words: tuple[str, ...]
    ids: tuple[int, ...]  # T
    pieces: tuple[str, ...]  # T
    word_ids: tuple[int | None, ...]  # T


def encode(model: HasTokenizer, words: Sequence[str]) -> Encoding:
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
