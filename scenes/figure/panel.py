"""What a sentence's panel and equation say (no drawing): its rows (the target, then the
words in the order they join, a group as one row), each row's name and weight at a step,
the equation's strings. The drift scene draws them (scenes.drift.panels); the figure builder
measures them (scenes.figure.build).
"""

from __future__ import annotations

from attention_math.plan import Plan, Sentence
from scenes.figure.names import TARGET_CUT, Row, cut, final_terms, fmt, row_text, word_name


def panel_rows(s: Sentence) -> list[Row]:
    """The rows of a sentence's panel: token indices (one, or the group that joined together
    in one step), target first, then in the order they join."""
    return [(s.target_index,), *(st.joined for st in s.steps[1:])]


def word_rows(s: Sentence) -> list[int]:
    """The context words with a panel row of their own (not in a group), in the order they
    join."""
    return [r[0] for r in panel_rows(s)[1:] if len(r) == 1]


def row_weights(s: Sentence, k: int) -> list[float | None]:
    """Each panel row's weight at step k (a group's: the sum of its words' weights); None
    for rows not joined yet."""
    step = s.steps[k]
    return [step.weight_of(row) if row[0] in step.words else None for row in panel_rows(s)]


def row_name(s: Sentence, row: Row) -> str:
    """A panel row's name: the word ("bank (target)" when the target's word comes twice), or
    "N more, Σ" for a group."""
    if len(row) > 1:
        return f"{len(row)} more, Σ"
    w = s.words[row[0]]
    twice = any(
        o.norm == s.target.norm and o.index != s.target_index and o.included for o in s.words
    )
    if w.index == s.target_index and twice:
        return f"{cut(w.text, 6)} (target)"
    return word_name(s, w.index)


def special_rows(s: Sentence) -> list[bool]:
    """Rows of a special token ([CLS], [SEP]): their bar is drawn in the special colour."""
    return [s.words[r[0]].reason == "special" and len(r) == 1 for r in panel_rows(s)]


def equation_strings(s: Sentence, lhs: bool) -> tuple[list[str], list[str], bool]:
    """An equation's strings: its left side (["bank′ ="], or none: the summary's title has
    it), its terms (one per panel row, final_terms: "0.56·bank", "+ 0.26·river", ...) and
    whether the last (a group's) is always shown."""
    pairs = final_terms(s)
    first = [f"{cut(s.target.text, TARGET_CUT)}′ ="] if lhs else []
    labels = [f"{'+ ' if j else ''}{fmt(w)}·{row_text(s, row)}" for j, (row, w) in enumerate(pairs)]
    group = len(pairs) > 1 and len(pairs[-1][0]) > 1
    return first, labels, group


def shown_terms(s: Sentence, shown: int, group: bool) -> list[tuple[Row, float]]:
    """The (row, weight) pairs an equation that fits `shown` terms shows."""
    pairs = final_terms(s)
    return pairs[:shown] + (pairs[-1:] if group else [])


def source_name(plan: Plan) -> str:
    """What the plot's points are, for its caption."""
    e = plan.embedding
    if e.kind == "model":
        return "MiniLM value vectors"
    return "MiniLM embeddings" if e.kind == "minilm" else f"vectors from {e.name}"


def caption_text(plan: Plan) -> str:
    """The plot's caption: the projection and how much of the variance it keeps."""
    ev = plan.projection.explained_variance_ratio
    return f"PCA of {plan.embedding.dim}-d {source_name(plan)} (PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%})"


def title_text(plan: Plan, whole: bool = True) -> str:
    """The figure's title (not `whole`: the target cut to TARGET_CUT)."""
    where = "each sentence's context" if len(plan.sentences) > 1 else "its context"
    target = plan.target if whole else cut(plan.target, TARGET_CUT)
    return f"Attention pulls “{target}” towards {where}"


def panel_title(s: Sentence) -> str:
    """A sentence's panel's title."""
    return f"weights of “{cut(s.target.text, TARGET_CUT)}”"
