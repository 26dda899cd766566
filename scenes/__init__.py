"""Manim scenes that draw a plan, and the registry of their names.

Scenes only draw: every number comes from the plan (attention_math.plan.Plan). The
application that renders them (CLI, spec files, the store, the batch) is `scenes.app`.
No manim at import time: the registry is read by `attention-drift --help` and `scenes`.
"""

from __future__ import annotations

import functools

# name: (module, one line for `attention-drift scenes`)
SCENES: dict[str, tuple[str, str]] = {
    "DriftScene": (
        "scenes.drift",
        "The target's static vector drifting as each context word gets its attention weight.",
    ),
    "LayerDriftScene": (
        "scenes.layers",
        "The target's hidden state through the real model's layers; two senses split apart.",
    ),
    "SenseSplitScene": (
        "scenes.senses",
        "The last-layer vector of the target in many sentences, clustering by sense.",
    ),
    "AnalogyScene": (
        "scenes.analogy",
        "queen − woman + man drawn tip to tail, and the result's true nearest words (--analogy).",
    ),
    "AttentionMathScene": (
        "scenes.attention_math_scene",
        "The computation step by step: q · k scores, scale, softmax weights, weighted sum of v.",
    ),
    "ProjectionScene": (
        "scenes.projection",
        "Simple attention next to a real head's learned W_Q, W_K, W_V: new weights, new output.",
    ),
    "AttentionMatrixScene": (
        "scenes.matrix",
        "The word × word weight matrix as a heat map, the target's row highlighted.",
    ),
    "ContributionScene": (
        "scenes.contributions",
        "What attention moves: each word's weight next to what it adds, layer by layer.",
    ),
    "HeadsScene": (
        "scenes.heads",
        "Every layer and head at once: where the target looks; the chosen head outlined.",
    ),
}


def scene_needs(name: str) -> tuple[str, ...]:
    """The plan parts scene `name` declares in its class attribute NEEDS (a tuple literal;
    attention_math.request.PARTS), read from its source so that no manim is imported. A
    test checks it against the class itself."""
    import importlib.util
    import os

    spec = importlib.util.find_spec(SCENES[name][0])
    assert spec is not None and spec.origin is not None, name
    return _needs_in(spec.origin, os.stat(spec.origin).st_mtime_ns, name)


@functools.cache
def _needs_in(path: str, mtime_ns: int, name: str) -> tuple[str, ...]:
    """scene_needs, read from the file at `path` (cached while the file is unchanged: a spec
    of thousands of entries asks for every one)."""
    import ast

    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == name:
            for stmt in node.body:
                target: ast.expr | None = stmt.target if isinstance(stmt, ast.AnnAssign) else None
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                    target = stmt.targets[0]
                value = getattr(stmt, "value", None)
                if isinstance(target, ast.Name) and target.id == "NEEDS" and value is not None:
                    return tuple(ast.literal_eval(value))
    return ()
