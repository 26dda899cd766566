"""Manim scenes that draw a plan, and `render()` that turns a plan into media files.

Scenes only draw: every number comes from the plan (attention_math.plan.Plan).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attention_math.plan import Plan

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
}

FORMATS = ("gif", "mp4", "png", "webm", "mov", "html")
QUALITIES = ("low", "medium", "high", "4k")
THEMES = ("dark", "light")


def render(
    plan: Plan,
    *,
    scene: str = "DriftScene",
    formats: Sequence[str] = ("gif", "mp4"),
    quality: str = "medium",
    theme: str = "dark",
    out_dir: str | Path = "out",
    name: str | None = None,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
    slides: bool = False,
    stills: bool = False,
) -> list[Path]:
    """Render `scene` for `plan` into `out_dir`; return the written files, one per format.

    name: file stem (default: derived from the target and sentence, safe for file systems).
    progress: called with short status lines (the CLI prints them on stderr).
    force: render even when the files are up to date (same plan, scene, options and code:
      see scenes.batch); otherwise they are reused.
    slides: also STEM.html, one slide per beat with presenter notes (manim-slides, offline).
    stills: also STEM.beat-NN.png, the frame at the end of every beat (scenes.slides).
    A plan without the numbers a lecture scene needs gets them here (attention_math.lecture).
    The result is a list of paths (a `scenes.batch.RenderResult`: in Jupyter it shows the
    media inline; `.cached` says whether anything was rendered).
    """
    from attention_math.lecture import with_lecture
    from scenes.batch import render_cached

    plan = with_lecture(plan, scene)  # unchanged unless a lecture scene needs more numbers
    extra = {k: True for k, v in (("slides", slides), ("stills", stills)) if v}
    return render_cached(
        plan,
        force=force,
        scene=scene,
        formats=formats,
        quality=quality,
        theme=theme,
        out_dir=Path(out_dir),
        name=name,
        progress=progress,
        **extra,
    )
