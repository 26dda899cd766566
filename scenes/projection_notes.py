"""ProjectionScene's words: the head's name and each beat's presenter notes and caption,
from the plan's head comparison (`attention_math.lecture.head_comparison`)."""

from __future__ import annotations

from attention_math.lecture_data import HeadComparison
from scenes.components import fmt


def head_name(h: HeadComparison) -> str:
    return f"layer {h.layer + 1}, head {h.head + 1}"


def notes_weights(h: HeadComparison, simple: bool) -> str:
    """Every row's weight, simple or learned (the rows simple attention leaves out: none)."""
    pairs = []
    for r in range(len(h.rows)):
        w = h.simple_weights[r] if simple else h.learned_weights[r]
        if w is not None:
            pairs.append(f"{h.labels[r]} {fmt(w)}")
    return ", ".join(pairs)


def words(h: HeadComparison, beat: str) -> tuple[str, str]:
    """The notes and the caption of a beat: simple, learned, values or move."""
    if beat == "simple":
        return (
            "simple attention (q = k = v = x): " + notes_weights(h, simple=True),
            "Simple attention: the weights of the words taking part",
        )
    if beat == "learned":
        return (
            f"{head_name(h)} ({h.head_choice}): " + notes_weights(h, simple=False),
            f"{head_name(h)}: learned q, k, v give every token a weight",
        )
    if beat == "values":
        x, y = h.output_simple_point
        return (
            f"the head's values v in 2-D; mixed with the simple weights the output is at "
            f"({fmt(x)}, {fmt(y)})",
            "The head's values; mixed with the simple weights they give this output",
        )
    x2, y2 = h.output_learned_point
    return (
        f"with the learned weights the output moves to ({fmt(x2)}, {fmt(y2)})",
        "The same values mixed with the learned weights: the output moves",
    )
