"""Sentences into words: the units the viewer reads and attention runs over.

A *word* is a run of letters, marks and digits (any script: Latin, Devanagari, CJK ...),
with inner apostrophes and hyphens kept (``don't``, ``well-known``). Every other visible
character (punctuation, symbols, emoji) is a token of its own. Matching the target is
case-insensitive; the surface form is kept for display.

Text is checked before it is split: characters that are not text (control characters, lone
surrogates left by bytes that were not UTF-8, direction overrides that would reorder what
the viewer reads) and words too long to be words are refused with one line that names the
sentence and the position. Errors quote text only as a short, escaped excerpt (`excerpt`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from attention_math.data import ASSETS
from attention_math.errors import InputError, about

# Characters that may join two word characters into one word.
_JOINERS = frozenset("'’-_")  # a lone '_' is a symbol; snake_case stays one word

# why: the longest words in English dictionaries have 45 letters
# (pneumonoultramicroscopicsilicovolcanoconiosis) and long German compounds about as many;
# a word chip wider than that no longer fits the frame at a readable size, and BERT's word
# piece tokenizer gives up ([UNK]) at 100. A longer "word" is pasted data, refused at once
# instead of after minutes of layout.
MAX_WORD_CHARS = 48

# how long a quoted piece of the user's text may be in an error message
EXCERPT_CHARS = 40

# what to do when the target occurs more than once in the main sentence
REPEAT_HINT = "choose one with {target_index}"

# Whitespace control characters that separate words like a space; every other Cc is refused.
_SPACE_CONTROLS = frozenset("\t\n\r")
# Embedding / override / isolate controls reorder the text around them on screen.
_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_CONTROL_NAMES = {"\x00": "NUL", "\x07": "BEL", "\x08": "BS", "\x1b": "ESC", "\x7f": "DEL"}


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


# --------------------------------------------------------------------------------------------
# quoting the user's text in messages


def escape(text: str) -> str:
    """`text` with every character that is not printable written as an escape (\\x1b,
    \\u202e ...; a byte that was not UTF-8, kept by surrogateescape as U+DC80..U+DCFF, as
    that byte: \\xe9), so that a message never carries a raw control character."""
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            code = ord(ch)
            if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the undecodable byte itself
                code -= 0xDC00
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """A short, escaped quotation of `text` for a message: “first limit characters…”."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"“{escape(short)}”"


def excerpt_at(text: str, index: int, limit: int = EXCERPT_CHARS) -> str:
    """Like `excerpt`, but around character `index` (so that it is always shown)."""
    if len(text) <= limit:
        return excerpt(text, limit)
    start = max(0, min(index - limit // 3, len(text) - limit))
    short = text[start : start + limit]
    return f"“{'…' if start else ''}{escape(short)}{'…' if start + limit < len(text) else ''}”"


def sentence_label(index: int, text: str, n_sentences: int = 1) -> str:
    """How messages name sentence `index` of a render (0 the main one, then the compared).

    "the sentence" when it is alone, "the main sentence", "compare sentence 2 (“…”)".
    """
    if index == 0:
        return "the sentence" if n_sentences <= 1 else "the main sentence"
    return (
        f"compare sentence {index} ({excerpt(text)})"
        if text.strip()
        else f"compare sentence {index}"
    )


# --------------------------------------------------------------------------------------------
# checking text


def _bad_character(ch: str) -> tuple[str, str] | None:
    """What is wrong with one character and what to do, or None when it may be in text."""
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: an undecodable byte of the input
            return f"a byte that is not UTF-8 (0x{code - 0xDC00:02X})", "give the text as UTF-8"
        return f"a lone surrogate (U+{code:04X})", "give the text as UTF-8"
    if unicodedata.category(ch) == "Cc" and ch not in _SPACE_CONTROLS:
        name = _CONTROL_NAMES.get(ch, "")
        return f"the control character {name + ' ' if name else ''}(U+{code:04X})", "remove it"
    if ch in _DIRECTION_CONTROLS:
        return f"a direction control (U+{code:04X})", "remove it: it reorders the text around it"
    return None


def check_text(text: str, what: str) -> None:
    """Refuse text that is not plain text: InputError naming `what` and the position.

    `what` is how the message names the text ("the sentence", "the target").
    """
    for i, ch in enumerate(text):
        bad = _bad_character(ch)
        if bad is not None:
            problem, todo = bad
            raise InputError(
                f"{what} has {problem} at character {i + 1} ({excerpt_at(text, i)}); {todo}"
            )


def _check_word_length(word: str, what: str) -> None:
    if len(word) > MAX_WORD_CHARS:
        raise InputError(
            f"{what} has a word of {len(word)} characters ({excerpt(word, 24)}); a word may "
            f"have at most {MAX_WORD_CHARS}: shorten it"
        )


# --------------------------------------------------------------------------------------------
# splitting


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def _is_regional_indicator(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def tokenize(sentence: str, what: str = "the sentence") -> list[Token]:
    """Split a sentence into words and single punctuation / symbol tokens.

    The text is checked first (`check_text`), and every word against MAX_WORD_CHARS; `what`
    names the sentence in the message (see `sentence_label`).
    """
    check_text(sentence, what)
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
            _check_word_length(word, what)
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


# The languages with a shipped stop-word list (assets/stopwords/<code>.txt, generated from
# maintained lists by assets/stopwords/make_lists.py: Snowball's, stopwords-iso's for hi).
LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "hi")
LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German",
    "pt": "Portuguese", "it": "Italian", "hi": "Hindi",
}  # fmt: skip


@cache
def stopwords(language: str = "en") -> frozenset[str]:
    """The shipped stop-word list of `language` (a code of LANGUAGES), case-folded."""
    lines = (ASSETS / "stopwords" / f"{language}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip() for s in lines if s.strip() and not s.startswith("#"))


@cache
def stopword_source(language: str) -> str:
    """Where the list of `language` comes from and its licence (its file's header line)."""
    lines = (ASSETS / "stopwords" / f"{language}.txt").read_text(encoding="utf-8").splitlines()
    head = " ".join(s.lstrip("# ") for s in lines[:2])
    return head.split("Source: ", 1)[-1].rstrip(".")


# The letters with a diacritic each Latin-script language writes; a sentence with one it
# never writes is not in it ("à" is not Spanish, "ñ" not French). English's are its loanwords'
# (café, naïve, façade, señor).
ACCENTS = {
    "en": "àâçéèêëîïñôöûü", "es": "áéíóúñü", "fr": "àâæçéèêëîïôœùûüÿ", "de": "äöüß",
    "pt": "áâãàçéêíóôõúü", "it": "àèéìíîòóùú",
}  # fmt: skip


def detect_language(toks: Iterable[Token]) -> str:
    """The language of a sentence, from its words: Devanagari letters are Hindi; otherwise,
    of the languages that write every accented letter it has (`ACCENTS`), the one whose
    stop-word list holds most of its words (English on a tie with it, or when none does).
    A guess from a handful of function words: the `language` option overrides it."""
    words = [t.norm for t in toks if t.is_word]
    if any("\u0900" <= ch <= "\u097f" for w in words for ch in w):
        return "hi"
    accented = {ch for w in words for ch in w if ch.isalpha() and not ch.isascii()}
    fits = [code for code in ACCENTS if accented <= set(ACCENTS[code])] or list(ACCENTS)
    counts = {code: sum(w in stopwords(code) for w in words) for code in fits}
    best = max(fits, key=lambda code: counts[code])  # the first of equals
    return best if counts[best] > counts.get("en", 0) else "en"


# --------------------------------------------------------------------------------------------
# near matches


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    two neighbouring characters ("bnak" -> "bank" is 1). With `limit`, any distance above it
    may be returned as limit + 1 (the search stops early)."""
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if limit is not None and min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def allowed_typos(word: str) -> int:
    """How many edits still count as a misspelling of `word`: 1 up to 5 characters, 2 up to
    8, then 3 (a third of a short word changed is a different word: "money" is not "on")."""
    n = len(word)
    return 1 if n <= 5 else 2 if n <= 8 else 3


def closest(word: str, candidates: Iterable[str], n: int = 1) -> list[str]:
    """Up to `n` candidates that are plausible misspellings of `word` (case-insensitive),
    nearest first; an empty list when none is close (see `allowed_typos`)."""
    want = word.casefold()
    scored: dict[str, int] = {}
    for cand in candidates:
        key = cand.casefold()
        if key in scored or key == want:
            continue
        limit = min(allowed_typos(want), allowed_typos(key))
        d = edit_distance(want, key, limit)
        if d <= limit:
            scored[key] = d
    return sorted(scored, key=lambda k: (scored[k], abs(len(k) - len(want)), k))[:n]


# --------------------------------------------------------------------------------------------
# the target


def check_target(target: str) -> str:
    """The target as a case-folded word; InputError for text that cannot be a target
    (empty, not text, too long, punctuation, several words)."""
    check_text(target, "the target")
    want = unicodedata.normalize("NFC", target.strip())
    if not want:
        raise InputError("the target word is empty; give the word to follow with {target}")
    parts = tokenize(want, "the target")
    words = [t for t in parts if t.is_word]
    if not words:
        raise InputError(
            f"the target {excerpt(want)} is punctuation, not a word; give a word of the "
            f"sentence with {{target}}"
        )
    if len(words) > 1:
        raise InputError(
            f"the target {excerpt(want)} is more than one word; give one word of the sentence"
        )
    return want.casefold()


def find_target(
    tokens: list[Token],
    target: str,
    target_index: int | None = None,
    what: str = "the sentence",
    repeat_hint: str = REPEAT_HINT,
) -> int:
    """Index of the target word in `tokens` (the tokens of the sentence `what` names).

    `target_index` (0-based, counting tokens as `tokenize` returns them) picks one occurrence
    when the word occurs more than once; it is required then. `repeat_hint` says what to do
    when the word occurs twice and no index is given (a compared sentence has none).
    """
    want = check_target(target)
    shown = escape(target.strip())
    if target_index is not None:
        if not 0 <= target_index < len(tokens):
            raise InputError(
                f"{{target_index}} {target_index} is outside {what} "
                f"(it has {len(tokens)} tokens, counted from 0)"
            )
        if tokens[target_index].norm != want:
            raise InputError(
                f"token {target_index} is {tokens[target_index].text!r}, not {shown!r}; "
                f"{_occurrences_hint(tokens, want)}"
            )
        return target_index
    hits = [i for i, t in enumerate(tokens) if t.norm == want]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        where = "" if what == "the sentence" else f" in {what}"
        raise InputError(
            f"{shown!r} occurs {len(hits)} times (tokens {', '.join(map(str, hits))}){where}; "
            f"{repeat_hint}"
        )
    near = closest(want, [t.norm for t in tokens if t.is_word])
    inside = [t.text for t in tokens if t.is_word and want in t.norm and t.norm != want]
    if near:
        hint = f'; closest: "{near[0]}"'
    elif inside:  # a language written without spaces ("我在河边的银行")
        hint = (
            f'; it is part of "{escape(inside[0])}": words are split at spaces and '
            f"punctuation, so write the words with spaces between them"
        )
    else:
        hint = f"; no word of {_short(what)} is close"
    raise InputError(f'"{shown}" is not a word of {what}{hint}')


def _short(what: str) -> str:
    """ "compare sentence 2 (“…”)" -> "compare sentence 2", for a second mention."""
    return what.split(" (", 1)[0]


def _occurrences_hint(tokens: list[Token], want: str) -> str:
    hits = [i for i, t in enumerate(tokens) if t.norm == want]
    if hits:
        return f"it occurs at token {', '.join(map(str, hits))}"
    return "it does not occur in the sentence"


MAX_WORDS = 40  # beyond this the chips no longer fit a 16:9 frame at a readable size


def check_length(toks: list[Token], what: str = "the sentence") -> None:
    """Refuse a sentence with more words than fit on screen readably."""
    n_words = sum(t.is_word for t in toks)
    if n_words > MAX_WORDS:
        raise InputError(
            f"{what} has {n_words} words; at most {MAX_WORDS} fit on screen readably "
            f"(split it, or shorten it)"
        )


def locate(
    text: str, target: str, target_index: int | None, index: int = 0, n_sentences: int = 1
) -> tuple[list[Token], int]:
    """The tokens of sentence `index` of `n_sentences` (0 the main one) and where its target
    is: every check a sentence passes before a vector is read (empty, no words, too long, the
    target not there or there twice)."""
    what = sentence_label(index, text, n_sentences)
    quoted = f"{what} {text!r}" if index == 0 else what  # the label of a compared one quotes it
    if not text.strip():
        raise InputError(f"{what} is empty; give a sentence in quotes")
    toks = tokenize(text, what)
    if not any(t.is_word for t in toks):
        raise InputError(f"{quoted} has no words")
    check_length(toks, what)
    with about("target_index" if target_index is not None else "target"):
        ti = find_target(
            toks,
            target,
            target_index,
            what,
            REPEAT_HINT if index == 0 else "a compared sentence needs it once",
        )
    return toks, ti


def check_sentences(
    sentence: str, target: str, compare: Iterable[str] = (), target_index: int | None = None
) -> None:
    """Every sentence of a request located (`locate`), no vector read: a spec checks all its
    entries so before it builds any plan. Errors name the sentence's field, as `build_plan`'s."""
    texts = [sentence, *compare]
    for i, text in enumerate(texts):
        with about("sentence" if i == 0 else f"compare[{i - 1}]", override=i > 0):
            locate(text, target, target_index if i == 0 else None, i, len(texts))
