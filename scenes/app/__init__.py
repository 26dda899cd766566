"""The application: the command line, spec files, the batch, the render pipeline, the media,
the caches and the files.

`render` is the notebook / library entry point:

    from attention_math.request import PlanRequest
    from scenes.app import render

    render(PlanRequest("He sat on the river bank.", "bank"), scene="ProjectionScene",
           formats=["png"], quality="low")

Rooms (imports point down this list and never back; `scenes` and `attention_math` below;
`lint-imports` checks it):

- the commands: cli (click; `python -m scenes.app`) > watch (render --spec --watch) >
  cluster (render --spec --cluster, Ray) > batch (the process pool) > spec (spec files);
- pipeline: one render's passes, from the cache check to the commit;
- media/: what a render makes: passes (the Manim run, the ffmpeg encoders, the GIF),
  chunks (one movie on every core), slides, webpage (with web/), captions, vector (SVG /
  PDF stills), script; every module here is in the code hash;
- cache/: what is kept to skip work: key (the cache key, the up-to-date check), code (the
  code hash: the source that draws, known by its room), inputs (a spec entry's inputs),
  texts (Pango's SVGs and built texts across runs);
- files/: every file written: names (stems, collisions' identity, the own-suffix rule),
  commit (staging, locks, the all-or-nothing commit, the record);
- at the bottom, imported by any room: options (the option tables), notebook
  (RenderResult), signals, progress.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attention_math.plan import Plan
    from attention_math.request import PlanRequest
    from scenes.app.notebook import RenderResult
    from scenes.app.options import RenderOptions
    from scenes.app.progress import Progress


def render(
    what: Plan | PlanRequest,
    *,
    scene: str = "DriftScene",
    formats: Sequence[str] = (),
    quality: str = "medium",
    theme: str = "dark",
    theme_file: str | Path | None = None,
    transparent: bool = False,
    out_dir: str | Path = "out",
    name: str | None = None,
    progress: Progress | Callable[[str], None] | None = None,
    force: bool = False,
    slides: bool = False,
    stills: bool = False,
    captions: bool = True,
    slides_formats: Sequence[str] = (),
    script: bool = False,
    preset: str | None = None,
    verify: bool = False,
    inputs: str | None = None,
    scene_file: str | Path | None = None,
    options: RenderOptions | None = None,
) -> RenderResult:
    """Render `scene` into `out_dir`; return the written media (a `RenderResult`: a list of
    paths that shows the media inline in Jupyter, with `.plan_path` and `.cached`).

    what: a PlanRequest (its plan is built with the parts the scene draws) or a finished
      Plan (from `make_plan` with those parts, or `build_plan` for DriftScene).
    scene ... verify: the command line's options of those names (`attention-drift render
      --help`; `scenes.app.options.RENDER_HELP`), e.g. formats=["png"], quality="low",
      theme_file="look.toml" (README, Theme files), scene_file="my_scene.py" (your own scene
      class, named by scene), preset="lecture", slides=True, stills=True.
    name: file stem (default: derived from the target and sentence, safe for file systems).
    progress: called with short status lines, or a `scenes.app.progress.Progress` (the CLI's
      draws a bar per pass on a terminal).
    options: the render's options made and checked already (the command line's), used as they
      are: the keywords from scene to verify are not read then.
    inputs: a hash of the request (the CLI's), recorded so that the same request finds the
      files again without building the plan.
    """
    import dataclasses

    from attention_math.request import PlanRequest, make_plan
    from scenes.app import pipeline
    from scenes.app.options import RenderOptions, needs_of

    options = options or RenderOptions(
        scene=scene, formats=tuple(formats), quality=quality, theme=theme,
        theme_file=None if theme_file is None else Path(theme_file),
        scene_file=None if scene_file is None else Path(scene_file),
        transparent=transparent, slides=slides, stills=stills, captions=captions, name=name,
        slides_formats=tuple(slides_formats), script=script, preset=preset, force=force,
        verify=verify,
    )  # fmt: skip
    if isinstance(what, PlanRequest):
        needs = what.needs | set(needs_of(options.scene_ref))
        what = make_plan(dataclasses.replace(what, needs=frozenset(needs)))
    return pipeline.render(what, options, Path(out_dir), progress, inputs=inputs)
