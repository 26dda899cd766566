"""Manim scenes that draw a plan, and the registry of their names.

Scenes only draw: every number comes from the plan (attention_math.plan.Plan). The
application that renders them (CLI, spec files, the store, the batch) is `scenes.app`.
No manim at import time: the registry is read by `attention-drift --help` and `scenes`.
It is the one declaration of each scene: its module, its line of help and the plan parts it
draws (its NEEDS, attention_math.request.PARTS). A registered class takes its NEEDS from here
(`scenes.beats.BeatScene`); a user's own scene class (`render --scene-file`) declares its own.
"""

from __future__ import annotations

from typing import NamedTuple


class Scene(NamedTuple):
    """One registered scene: where its class is, what `attention-drift scenes` says of it,
    and the optional plan parts it draws (make_plan builds them; the pipeline checks a plan
    has them, once, before the scene is made)."""

    module: str
    summary: str
    needs: tuple[str, ...] = ()


# The built-in themes (scenes.theme's palettes): what --theme and a theme file's `base` accept.
THEMES = ("dark", "light")

# name: the scene (the class `name` in module `module`)
SCENES: dict[str, Scene] = {
    "DriftScene": Scene(
        "scenes.drift",
        "The target's static vector drifting as each context word gets its attention weight.",
        (),
    ),
    "LayerDriftScene": Scene(
        "scenes.layers",
        "The target's hidden state through the real model's layers; two senses split apart.",
        ("model", "layers"),
    ),
    "SenseSplitScene": Scene(
        "scenes.senses",
        "The last-layer vector of the target in many sentences, clustering by sense.",
        ("senses",),
    ),
    "AnalogyScene": Scene(
        "scenes.analogy",
        "queen − woman + man drawn tip to tail, and the result's true nearest words (--analogy).",
        ("analogy",),
    ),
    "AttentionMathScene": Scene(
        "scenes.attention_math_scene",
        "The computation step by step: q · k scores, scale, softmax weights, weighted sum of v.",
        ("weighted_sum",),
    ),
    "ProjectionScene": Scene(
        "scenes.projection",
        "Simple attention next to a real head's learned W_Q, W_K, W_V: new weights, new output.",
        ("head_comparison",),
    ),
    "AttentionMatrixScene": Scene(
        "scenes.matrix",
        "The word × word weight matrix as a heat map, the target's row highlighted.",
        ("matrix",),
    ),
    "ContributionScene": Scene(
        "scenes.contributions",
        "What attention moves: each word's weight next to what it adds, layer by layer.",
        ("model", "ledger"),
    ),
    "HeadsScene": Scene(
        "scenes.heads",
        "Every layer and head at once: where the target looks; the chosen head outlined.",
        ("model", "ledger"),
    ),
}


def scene_needs(name: str) -> tuple[str, ...]:
    """The plan parts registered scene `name` draws (SCENES)."""
    return SCENES[name].needs
