"""LayerDriftScene's words: each beat's presenter notes and caption, from the plan's layer
view (the cosines per layer, `attention_math.lecture.layer_view`)."""

from __future__ import annotations

from attention_math.lecture_data import LayerView
from attention_math.plan import Plan
from scenes.components import fmt


def line_name(plan: Plan, a: int, b: int) -> str:
    """A chart line's name: the cosine of sentence a's target with sentence b's (a == b:
    with its own layer 0)."""
    if a == b:
        return "cosine with layer 0"
    return "cosine" if len(plan.sentences) == 2 else f"({a + 1}) · ({b + 1})"


def notes(plan: Plan, view: LayerView, layer: int, summary: bool = False) -> str:
    """The notes of a layer's beat (summary: of the last beat, from layer 0 to `layer`)."""
    parts = [f"{line_name(plan, a, b)} {fmt(vals[layer])}" for a, b, vals in view.lines]
    head = f"layer 0 → {layer}" if summary else f"layer {layer}"
    if summary:
        parts = [
            f"{line_name(plan, a, b)} {fmt(vals[0])} → {fmt(vals[layer])}"
            for a, b, vals in view.lines
        ]
    return f"{head}: " + "; ".join(parts)


def caption_of(plan: Plan, view: LayerView, n_layers: int, layer: int | None) -> str:
    """The caption of a layer's beat (None: the summary's)."""
    t, n = plan.target, len(plan.sentences)
    lines = view.lines
    if layer is None:
        if n == 1:
            v = lines[0][2]
            return (
                f"Through {n_layers} layers “{t}” turns away from its layer-0 direction "
                f"(cosine {fmt(v[-1])})"
            )
        ends = ", ".join(f"({b + 1}) {fmt(v[-1])}" for _, b, v in lines)
        return f"Layer 0 → {n_layers}: the “{t}”s split; cosine with (1): {ends}"
    if layer == 0:
        if n == 1:
            return f"Layer 0, the embedding output: “{t}” before any attention"
        v0 = ", ".join(fmt(v[0]) for _, _, v in lines)
        return f"Layer 0, the embedding output: the “{t}”s point the same way (cosine {v0})"
    if n == 1:
        return f"Layer {layer}: cosine {fmt(lines[0][2][layer])} with layer 0"
    vals = ", ".join(f"({b + 1}) {fmt(v[layer])}" for _, b, v in lines)
    return f"Layer {layer}: cosine of each “{t}” with (1): {vals}"
