"""What each beat of the drift figure says: presenter notes and one-line captions, from the
plan's numbers; and the beats in order.
"""

from __future__ import annotations

import numpy as np

from attention_math.plan import Plan, Sentence
from scenes.figure.names import final_terms, fmt, row_text, word_name


def joined_text(s: Sentence, k: int) -> str:
    joined = s.steps[k].joined
    if len(joined) == 1:
        return f"“{word_name(s, joined[0])}”"
    return f"{len(joined)} more words"


def start_name(plan: Plan) -> str:
    """What the target's arrow starts as, in words: its static vector, or in model mode the
    target's value vector (the head's v, which the weights mix)."""
    if plan.mode == "model":
        return f"the value vector v({plan.target})"
    return f"the static vector of “{plan.target}”"


def verb(s: Sentence, k: int) -> str:
    return "joins" if len(s.steps[k].joined) == 1 else "join together"


STILL = 0.03  # a step that moves the output by less than this share of the drift's reach


def still_note(plan: Plan, si: int, k: int) -> str:
    """ "": the step moves the output visibly; else why it hardly moves, in a few words (the
    word's point is where the output already is: the target's other occurrence, say)."""
    s = plan.sentences[si]
    o = np.array(plan.projection.origin)
    reach = max(
        float(np.linalg.norm(np.array(st.point) - o)) for t in plan.sentences for st in t.steps
    )
    move = float(np.linalg.norm(np.array(s.steps[k].point) - np.array(s.steps[k - 1].point)))
    if move >= STILL * max(reach, 1e-12):
        return ""
    joined = s.steps[k].joined
    if len(joined) == 1 and s.words[joined[0]].norm == s.target.norm:
        return f": same vector as “{s.target.text}”, no move"
    if s.steps[k].weight_of(joined) < 0.05:
        return ": too light to move it"
    return ": already where the output is"


def drift_notes(plan: Plan, what: str, si: int = 0, k: int = 0) -> str:
    """Notes for a DriftScene beat: "poster", "sentences", "space", "static", "panel", "step",
    "formula", "summary"."""
    if what in ("poster", "sentences"):
        texts = " / ".join(f"“{s.text}”" for s in plan.sentences)
        return f"{texts} — the target “{plan.target}”"
    if what == "space":
        ev = plan.projection.explained_variance_ratio
        return (
            f"the words as points: 2-D PCA of {plan.embedding.dim}-d vectors "
            f"(PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%} of the variance)"
        )
    if what == "summary":
        return " | ".join(drift_notes(plan, "formula", i) for i in range(len(plan.sentences)))
    s = plan.sentences[si]
    if what == "static":
        return f"“{s.target.text}” alone: its own vector, weight 1.00"
    if what == "panel":
        return f"sentence {si + 1}: “{s.text}”"
    step = s.steps[k]
    pairs = ", ".join(
        f"{s.words[i].text} {fmt(w)}" for i, w in zip(step.words, step.weights, strict=True)
    )
    if what == "step":
        return f"{joined_text(s, k)} {verb(s, k)}; the weights renormalise: {pairs}"
    terms = " + ".join(
        f"{fmt(w)}·{s.words[i].text}" for i, w in zip(s.final.words, s.final.weights, strict=True)
    )
    return f"{s.target.text}′ = {terms}"


def drift_caption(plan: Plan, what: str, si: int = 0, k: int = 0) -> str:
    """One line saying what a beat shows (for stills, slides, subtitles). Short enough to
    read in the beat's time (subtitle guides: about 17-20 characters a second); the
    sentence itself is on screen, so captions name it by number."""
    t = plan.target
    if what == "poster":
        return f"How attention moves “{t}”"
    if what == "summary":
        if len(plan.sentences) == 1:
            return drift_caption(plan, "formula", 0)
        return f"One word, {len(plan.sentences)} contexts, {len(plan.sentences)} places"
    s = plan.sentences[si]
    if what == "panel":
        if len(plan.sentences) == 1:
            return f"“{s.target.text}” alone: weight 1.00"
        return f"Sentence {si + 1}: “{s.target.text}” alone"
    if what == "step":
        step = s.steps[k]
        joined = f"{joined_text(s, k)} {verb(s, k)} with weight {fmt(step.weight_of(step.joined))}"
        return joined + still_note(plan, si, k)
    pairs = final_terms(s)
    top = pairs[:3]  # the target's and the two largest
    more = " + …" if len(pairs) > len(top) else ""
    terms = " + ".join(f"{fmt(w)}·{row_text(s, row, 40)}" for row, w in top)
    return f"{s.target.text}′ = {terms}{more}"


def beat_plan(plan: Plan) -> list[tuple[str, int | None, int | None]]:
    """DriftScene's beats in order, as (what, sentence, step): the poster, then per sentence
    its panel (step 0), each word joining (step k) and its formula; the summary."""
    out: list[tuple[str, int | None, int | None]] = [("poster", None, None)]
    for si, s in enumerate(plan.sentences):
        out.append(("panel", si, 0))
        out += [("step", si, k) for k in range(1, len(s.steps))]
        out.append(("formula", si, len(s.steps) - 1))
    return [*out, ("summary", None, None)]
