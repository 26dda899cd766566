"""How the figure names things, from the plan alone (no drawing): the scale line, the
equation's terms, a word's name with its position subscript, a term's text.

Shared by every scene that names words (no scene imports another scene).
"""

from __future__ import annotations

from attention_math.plan import Plan, Sentence, Word

ELLIPSIS = "…"


TARGET_CUT = 14  # a long target is shown as its first 13 characters and "…", everywhere


def cut(text: str, most: int) -> str:
    """text, or when longer than `most` characters its start and "…" (`most` in all)."""
    return text if len(text) <= most else text[: most - 1] + ELLIPSIS


def fmt(x: float, digits: int = 2) -> str:
    """A number as shown on screen (fixed decimals; '−' for minus, as typeset)."""
    s = f"{x:.{digits}f}"
    return s.replace("-", "−")


def scale_text(plan: Plan, sentence: Sentence) -> str:
    """How the weights were made (simple mode: the scale), as shown on screen."""
    if plan.model is not None:
        m = plan.model
        head = "mean of heads" if m.head_index is None else f"head {m.head_index + 1}"
        text = f"layer {m.layer_index + 1}, {head}: softmax(q·k/√{m.d_head})"
        if m.drop_specials:
            text += "\n[CLS], [SEP] dropped; renormalised"
        return text
    rule = plan.attention.scale_rule
    dim = plan.embedding.dim
    if rule == "auto":
        return f"scale = 1/‖q‖² = {sentence.scale:.3g}"
    if rule == "1/sqrt(d)":
        return f"scale = 1/√{dim} = {sentence.scale:.3g}"
    return f"scale = {sentence.scale:.3g}"


Row = tuple[int, ...]  # the token indices of a panel row: one word, or a group that joined


def final_terms(sentence: Sentence) -> list[tuple[Row, float]]:
    """The terms of the equation, one per panel row, with their final weight: the target's
    first, then the words with a row of their own, largest first, then the group that joined
    together ("12 more"), last."""
    s = sentence
    rows = [st.joined for st in s.steps[1:]]
    singles = sorted(((r, s.final.weight_of(r)) for r in rows if len(r) == 1), key=lambda p: -p[1])
    groups = [(r, s.final.weight_of(r)) for r in rows if len(r) > 1]
    return [((s.target_index,), s.final.weight_of((s.target_index,))), *singles, *groups]


SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def word_name(s: Sentence, index: int) -> str:
    """How the figure names token `index` of sentence s: its text, with its position among
    the sentence's words as a subscript when another word taking part reads the same
    ("the₂", "the₅"; "bank₇" beside the target "bank")."""
    w = s.words[index]
    twins = [o for o in s.words if o.included and o.norm == w.norm]
    if len(twins) < 2 or index == s.target_index:
        return w.text
    position = sum(o.is_word for o in s.words[: index + 1])
    return w.text + str(position).translate(SUBSCRIPTS)


def shown_name(s: Sentence, index: int) -> str:
    """`word_name`, and a token that is not a word (model mode's ".", ",") in quotes, so that
    `0.04·“.”` and a label “.” read as a token, not as a typo or a stray mark."""
    name = word_name(s, index)
    return name if s.words[index].is_word or s.words[index].reason == "special" else f"“{name}”"


def row_text(s: Sentence, row: Row, most: int = 11) -> str:
    """A term's name: the word ("river", "bank₇", “.”), or the group's "(12 more)"."""
    return f"({len(row)} more)" if len(row) > 1 else cut(shown_name(s, row[0]), most)


def plotted_words(sentence: Sentence) -> list[tuple[Word, tuple[float, float]]]:
    """The context words with a point in the plan (the plot draws them), with it."""
    return [
        (w, w.point)
        for w in sentence.words
        if w.included and w.index != sentence.target_index and w.point is not None
    ]
