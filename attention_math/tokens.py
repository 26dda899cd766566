"""Sentences into words: the units the viewer reads and attention runs over.

A *word* is a run of letters, marks and digits (any script: Latin, Devanagari, CJK ...),
with inner apostrophes and hyphens kept (``don't``, ``well-known``). Every other visible
character (punctuation, symbols, emoji) is a token of its own. Matching the target is
case-insensitive; the surface form is kept for display.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from attention_math.errors import InputError

ASSETS = Path(__file__).resolve().parent.parent / "assets"

# Characters that may join two word characters into one word.
_JOINERS = frozenset("'’-_")  # a lone '_' is a symbol; snake_case stays one word


@dataclass(frozen=True)
class Token:
    """One token of a sentence.

    text: the surface form as typed (shown on screen).
    norm: the case-folded form used for matching and embedding look-up.
    is_word: False for punctuation, symbols and emoji.
    """

    text: str
    norm: str
    is_word: bool


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def _is_regional_indicator(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def tokenize(sentence: str) -> list[Token]:
    """Split a sentence into words and single punctuation / symbol tokens."""
    text = unicodedata.normalize("NFC", sentence)
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            i += 1
            continue
        if _is_word_char(ch):
            j = i + 1
            while j < n:
                if _is_word_char(text[j]):
                    j += 1
                elif text[j] in _JOINERS and j + 1 < n and _is_word_char(text[j + 1]):
                    j += 2
                else:
                    break
            word = text[i:j]
            tokens.append(Token(word, word.casefold(), True))
            i = j
        else:
            # One symbol (keep an emoji with its modifiers / joiners together, and a flag's
            # two regional-indicator letters).
            j = i + 1
            if _is_regional_indicator(ch) and j < n and _is_regional_indicator(text[j]):
                j += 1
            while j < n and (
                unicodedata.category(text[j]) in ("Mn", "Me", "Sk")
                or text[j] in "\u200d\ufe0f"
                or (text[j - 1] == "\u200d")
            ):
                j += 1
            tokens.append(Token(text[i:j], text[i:j], False))
            i = j
    return tokens


@cache
def stopwords() -> frozenset[str]:
    """The shipped English stop-word list (assets/stopwords.txt)."""
    lines = (ASSETS / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip() for s in lines if s.strip() and not s.startswith("#"))


def find_target(tokens: list[Token], target: str, target_index: int | None = None) -> int:
    """Index of the target word in `tokens`.

    `target_index` (0-based, counting tokens as `tokenize` returns them) picks one occurrence
    when the word occurs more than once; it is required then.
    """
    want = unicodedata.normalize("NFC", target.strip()).casefold()
    if not want:
        raise InputError("the target word is empty; give the word to follow with --target")
    if target_index is not None:
        if not 0 <= target_index < len(tokens):
            raise InputError(
                f"--target-index {target_index} is outside the sentence "
                f"(it has {len(tokens)} tokens, counted from 0)"
            )
        if tokens[target_index].norm != want:
            raise InputError(
                f"token {target_index} is {tokens[target_index].text!r}, not {target!r}; "
                f"{_occurrences_hint(tokens, want)}"
            )
        return target_index
    hits = [i for i, t in enumerate(tokens) if t.norm == want]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise InputError(
            f"{target!r} occurs {len(hits)} times (tokens {', '.join(map(str, hits))}); "
            f"choose one with --target-index"
        )
    words = [t.norm for t in tokens if t.is_word]
    close = difflib.get_close_matches(want, words, n=1, cutoff=0.5)
    hint = f'; closest: "{close[0]}"' if close else ""
    raise InputError(f'"{target}" is not a word of the sentence{hint}')


def _occurrences_hint(tokens: list[Token], want: str) -> str:
    hits = [i for i, t in enumerate(tokens) if t.norm == want]
    if hits:
        return f"it occurs at token {', '.join(map(str, hits))}"
    return "it does not occur in the sentence"
