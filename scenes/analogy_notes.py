"""AnalogyScene's words: the terms as written, the verdict on the expected word, and each
beat's presenter notes and caption, from the plan's analogy."""

from __future__ import annotations

from attention_math.lecture_data import Analogy
from scenes.components import fmt


def term_text(a: Analogy, k: int) -> str:
    """Term k as the expression writes it: "queen", "− woman", "+ man"."""
    t = a.terms[k]
    if k == 0:
        return t.word if t.sign > 0 else f"−{t.word}"
    return ("+ " if t.sign > 0 else "− ") + t.word


def is_expected(a: Analogy, word: str) -> bool:
    e = a.expected
    return e is not None and word.casefold() == e.casefold()


def verdict_lines(a: Analogy) -> list[str]:
    """Where the expected word ranks, and its cosine (none without an expected word)."""
    if a.expected is None:
        return []
    if a.expected_rank is None:
        return [f"“{a.expected}”", "is not in the vocabulary searched"]
    where = "first" if a.expected_rank == 1 else f"rank {a.expected_rank}"
    return [
        f"“{a.expected}”: {where} of {a.n_candidates} words",
        f"cosine {fmt(a.expected_cosine or 0.0)}",
    ]


def notes_words(a: Analogy) -> str:
    words = ", ".join(f"{t.word} ({' '.join(t.pieces)})" for t in a.terms)
    kept = ", ".join(f"{t.word} {k:.0%}" for t, k in zip(a.terms, a.kept, strict=True))
    return f"{a.expression}: static vectors of {words}; length kept by the picture: {kept}"


def caption_words(a: Analogy) -> str:
    words = ", ".join(t.word for t in a.terms)
    return f"{words}: each word's static vector, an arrow from the origin"


def notes_term(a: Analogy, k: int) -> str:
    x, y = a.path[k + 1]
    return f"{term_text(a, k)}: the sum so far is at ({fmt(x)}, {fmt(y)}) in the picture"


def caption_term(a: Analogy, k: int) -> str:
    t = a.terms[k]
    if k == 0:
        return f"Start from “{t.word}”"
    verb = "add" if t.sign > 0 else "subtract"
    end = ": the result" if k == len(a.terms) - 1 else ""
    return f"{term_text(a, k)}: {verb} its vector, tip to tail{end}"


def notes_neighbours(a: Analogy) -> str:
    near = ", ".join(f"{n.word} {fmt(n.cosine)}" for n in a.neighbours)
    verdict = " ".join(verdict_lines(a))
    return f"nearest to {a.expression}: {near}" + (f"; {verdict}" if verdict else "")


def caption_neighbours(a: Analogy) -> str:
    if not a.neighbours:
        return "No other word of the vocabulary to compare with"
    n = a.neighbours[0]
    return (
        f"Nearest to the result by cosine: “{n.word}” ({fmt(n.cosine)}), the input words left out"
    )
