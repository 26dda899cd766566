"""The application: the CLI, spec files, the render pipeline, the store, the batch.

`render` is the notebook / library entry point: a plan in, media files out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attention_math.plan import Plan

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
      see scenes.app.batch); otherwise they are reused.
    slides: also STEM.html, one slide per beat with presenter notes (manim-slides, offline).
    stills: also STEM.beat-NN.png, the frame at the end of every beat (scenes.app.slides).
    A plan without the numbers a lecture scene needs gets them here (attention_math.lecture).
    The result is a list of paths (a `scenes.app.batch.RenderResult`: in Jupyter it shows the
    media inline; `.cached` says whether anything was rendered).
    """
    from attention_math.lecture import with_lecture
    from scenes.app.batch import render_cached

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
