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
    from scenes.app.progress import Progress


def render(
    what: Plan | PlanRequest,
    *,
    scene: str = "DriftScene",
    formats: Sequence[str] = (),
    quality: str = "medium",
    theme: str = "dark",
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
) -> RenderResult:
    """Render `scene` into `out_dir`; return the written media (a `RenderResult`: a list of
    paths that shows the media inline in Jupyter, with `.plan_path` and `.cached`).

    what: a PlanRequest (its plan is built with the parts the scene draws) or a finished
      Plan (from `make_plan` with those parts, or `build_plan` for DriftScene).
    formats: gif, mp4, png, webm, mov, html, svg, pdf (default: gif and mp4; mov when
      transparent). svg and pdf: the last frame as vector paths (with stills, every beat's).
    name: file stem (default: derived from the target and sentence, safe for file systems).
    progress: called with short status lines, or a `scenes.app.progress.Progress` (the CLI's
      draws a bar per pass on a terminal).
    force: render even when the files are up to date (same plan, scene, options and code).
    slides: also the deck, one slide per beat with presenter notes (manim-slides), in
      slides_formats: html (STEM.html, offline; the default), pdf (STEM.slides.pdf, vector
      pages), pptx (STEM.slides.pptx, PowerPoint).
    stills: also STEM.beat-NN.png, the frame at the end of every beat.
    captions: STEM.srt and STEM.vtt next to every video (the beats' captions as subtitles).
    script: also STEM.script.md, what to say over each beat (the slides' notes are the same).
    preset: "lecture": its settings for every argument left at its default (1080p60 MP4 with
      captions, stills, the deck as html, pdf and pptx, the script).
    verify: check every recorded file's sha256 before taking the render as up to date.
    inputs: a hash of the request (the CLI's), recorded so that the same request finds the
      files again without building the plan.
    """
    import dataclasses

    from attention_math.request import PlanRequest, make_plan
    from scenes import scene_needs
    from scenes.app import pipeline
    from scenes.app.options import RenderOptions

    options = RenderOptions(
        scene=scene, formats=tuple(formats), quality=quality, theme=theme,
        transparent=transparent, slides=slides, stills=stills, captions=captions, name=name,
        slides_formats=tuple(slides_formats), script=script, preset=preset, force=force,
        verify=verify,
    )  # fmt: skip
    if isinstance(what, PlanRequest):
        needs = what.needs | set(scene_needs(scene))
        what = make_plan(dataclasses.replace(what, needs=frozenset(needs)))
    return pipeline.render(what, options, Path(out_dir), progress, inputs=inputs)
