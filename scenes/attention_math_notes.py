"""AttentionMathScene's words: the formulas, and each beat's presenter notes and caption.

Plain text: the numbers are the plan's (the final drift step and the lecture
section's weighted sum), written as the screen writes them (`fmt`).
"""

from __future__ import annotations

from attention_math.lecture_data import Group as Terms
from attention_math.lecture_data import WeightedSum
from attention_math.plan import Plan, Sentence
from scenes.components import fmt
from scenes.figure.names import TARGET_CUT, cut, scale_text


def group_name(s: Sentence, g: Terms) -> str:
    """A chain arrow's word (cut after 12 characters), or "(N more)" for the rest."""
    if len(g.words) > 1:
        return f"({len(g.words)} more)"
    word = s.words[g.words[0]].text
    return cut(word, 12)


def formula_lines(plan: Plan, s: Sentence) -> dict[str, list[str]]:
    """The formula shown at each step (scores, scaled, weights, values, sum), its lines."""
    c = fmt(s.scale, 3)
    rule = plan.attention.scale_rule
    if rule == "auto":
        c_def = f"c = 1 / (q · q) = {c}"
    elif rule == "1/sqrt(d)":
        c_def = f"c = 1 / √{plan.embedding.dim} = {c}"
    else:
        c_def = f"c = {c}"
    t = cut(s.target.text, TARGET_CUT)
    return {
        "scores": ["s = q · k, for every word"],
        "scaled": [f"c · s, with {c_def}"],
        "weights": ["w = softmax(c · s)", "= exp(c · s) / Σ exp(c · s)"],
        "values": ["v = x: a word's value is its vector"],
        "sum": [f"{t}′ = Σ w · v"],
    }


def notes_sentence(s: Sentence) -> str:
    used = ", ".join(s.words[i].text for i in s.final.words)
    left = [w.text for w in s.words if w.is_word and not w.included]
    return f"“{s.text}” — target “{s.target.text}”; attending over: {used}" + (
        f"; left out: {', '.join(left)}" if left else ""
    )


def notes_column(s: Sentence, name: str, values: tuple[float, ...]) -> str:
    pairs = ", ".join(
        f"{s.words[i].text} {fmt(v)}" for i, v in zip(s.final.words, values, strict=True)
    )
    return f"{name}: {pairs}" if name else pairs


def notes_sum(s: Sentence) -> str:
    terms = " + ".join(
        f"{fmt(w)}·{s.words[i].text}" for i, w in zip(s.final.words, s.final.weights, strict=True)
    )
    return f"{s.target.text}′ = {terms}"


def notes_of(plan: Plan, s: Sentence, step: str) -> str:
    """The presenter notes of a step's beat: the numbers it shows."""
    final = s.final
    if step == "sentence":
        return notes_sentence(s)
    if step == "scores":
        return notes_column(s, "q·k", final.scores)
    if step == "scaled":
        return f"× scale ({scale_text(plan, s)}): " + notes_column(s, "", final.scaled_scores)
    if step == "weights":
        return "softmax → weights (sum 1): " + notes_column(s, "", final.weights)
    if step == "values":
        return "values v = x: each word's static vector, drawn in 2-D (PCA)"
    return notes_sum(s)


def caption_of(s: Sentence, ws: WeightedSum, step: str) -> str:
    t, n = s.target.text, len(s.final.words)
    top = ws.chain[0]
    return {
        "sentence": f"“{t}” attends to {n} words of the sentence (itself included)",
        "scores": f"Scores: the dot product of “{t}”'s query with each word's key",
        "scaled": f"Each score times c = {fmt(s.scale, 3)}",
        "weights": "Softmax turns the scaled scores into weights that sum to 1",
        "values": "Values: each word's static vector, an arrow from the origin",
        "sum": f"{t}′: the weighted values tip to tail; the largest, "
        f"{fmt(top.weight)}·{group_name(s, top)}, first",
    }[step]
