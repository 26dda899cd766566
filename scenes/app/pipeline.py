"""A plan and its render options in, media files out: the passes of one render.

`render` checks the cache (`scenes.app.store`), then runs the passes the options ask for
into a staging folder, and the store commits them with STEM.plan.json:

- one Manim pass for every raster format (`scenes.app.passes.movie_pass`): mp4 / webm /
  mov at the chosen quality, the GIF (800×450, 10 fps) scaled and resampled from the same
  frames, STEM.png (the last frame) and, with a video, STEM.poster.png (the first frame)
  and the beats' captions as STEM.srt and STEM.vtt (`scenes.app.captions`; not with
  --no-captions).
  Alone, a GIF is drawn at its own size (no scaling), and a PNG by a still pass (Manim skips
  the animations); --stills are taken in the same pass;
- html: STEM.html, a page for blog authors embedding the MP4 (and WebM) with the GIF as
  fallback and the plan's numbers as caption (`scenes.app.webpage`); renders mp4 and gif too;
- slides: one slide per beat in a self-contained HTML file (`scenes.app.slides`: a pass of
  its own, manim-slides cuts Manim's partial movie files).

Progress goes to a `scenes.app.progress.Progress` (a bar per pass on a terminal).

The plan must already hold what the scene draws (its NEEDS): `make_plan` builds it; nothing
here adds to a plan.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from attention_math.errors import InputError
from scenes.app import store
from scenes.app.passes import (
    GIF_FPS,
    GIF_SIZE,
    QUALITY,
    VIDEO_FORMATS,
    manim_pass,
    movie_pass,
    scene_class,
)
from scenes.app.progress import Progress, Say, as_progress

if TYPE_CHECKING:
    from attention_math.plan import Plan
    from scenes.app.notebook import RenderResult
    from scenes.app.options import RenderOptions


def check_plan(plan: Plan, scene: str) -> None:
    """Refuse a plan without the parts `scene` draws, saying how to build one."""
    from attention_math.request import missing_parts

    needs = getattr(scene_class(scene), "NEEDS", ())
    missing = missing_parts(plan, needs)
    if missing:
        raise InputError(
            f"{scene} draws the plan's {', '.join(missing)}, which this plan lacks: build it "
            f"with make_plan(PlanRequest(..., needs={set(needs)!r})), or render a PlanRequest"
        )


def render(
    plan: Plan,
    options: RenderOptions,
    out_dir: Path,
    progress: Progress | Say | None = None,
    inputs: str | None = None,
) -> RenderResult:
    """Render `plan` as `options` say into `out_dir`; reuse the files when they are up to
    date (same plan, options and code) unless options.force.

    progress: a `Progress` (bars, lines) or a callback for status lines.
    inputs: the hash of the request that asked for this render (a spec entry's, or the
      command line's), recorded with the files: a later request with the same inputs finds
      them without building the plan again.
    """
    report = as_progress(progress)
    check_plan(plan, options.scene)
    if "gif" in _formats(options) and shutil.which("ffmpeg") is None:
        raise InputError(
            "GIF output needs ffmpeg: apt-get install ffmpeg (or ./render.sh sets it up)"
        )
    store.prepare(out_dir)
    stem = store.stem_of(plan, options)
    key = store.cache_key(plan, options)
    hit = None if options.force else store.cached_files(out_dir, stem, key, verify=options.verify)
    if hit is not None:
        if inputs is not None:
            store.note_inputs(out_dir, stem, key, inputs)
        report.say(
            f"up to date: {', '.join(p.name for p in hit.files)} in {out_dir} "
            f"(same plan, scene and options; --force renders again)"
        )
        return hit

    store.check_name(out_dir, stem, plan, options)

    def produce(stage: Path) -> list[Path]:
        return run_passes(plan, options, stage, stem, _Relay(report, stage, out_dir))

    result = store.produce_and_commit(
        out_dir, stem, key, plan, produce, inputs=inputs, options=options
    )
    for p in result.files:
        report.wrote(p)
    return result


class _Relay(Progress):
    """Passes a Progress on, naming the output folder instead of the staging folder (an
    implementation detail)."""

    def __init__(self, to: Progress, stage: Path, out_dir: Path) -> None:
        self.to, self.stage, self.out_dir = to, str(stage), str(out_dir)

    def say(self, message: str) -> None:
        self.to.say(message.replace(self.stage, self.out_dir))

    def pass_started(self, description: str, frames: int | None = None, fps: int = 0) -> None:
        self.to.pass_started(description.replace(self.stage, self.out_dir), frames, fps)

    def frames(self, n: int) -> None:
        self.to.frames(n)

    def pass_done(self) -> None:
        self.to.pass_done()


def _formats(options: RenderOptions) -> list[str]:
    """The formats to render: html brings mp4 and gif (the page embeds them), last."""
    formats = list(options.formats)
    if "html" in formats:
        media = [f for f in formats if f != "html"]
        formats = [*media, *(f for f in ("mp4", "gif") if f not in media), "html"]
    return formats


def run_passes(
    plan: Plan, options: RenderOptions, stage: Path, stem: str, progress: Progress | Say
) -> list[Path]:
    """Every pass of the render into `stage`; returns the media files (STEM.FORMAT ...,
    STEM.poster.png and the captions STEM.srt / STEM.vtt after the first video,
    STEM.beat-NN.png)."""
    report = as_progress(progress)
    width, height, fps = QUALITY[options.quality]
    work = stage / ".work"
    formats = _formats(options)
    raster = [f for f in formats if f != "html"]
    made = _raster(plan, options, raster, work, report) if raster or options.stills else {}
    media: list[Path] = []
    for fmt in formats:
        dest = stage / f"{stem}.{fmt}"
        if fmt == "html":  # last: it names the media rendered above
            from scenes.app.webpage import figure_html

            report.say(f"writing {dest.name}: the figure for a web page")
            names = [m.name for m in media]
            html = figure_html(plan, names, (width, height), scene=options.scene, gif_size=GIF_SIZE)
            dest.write_text(html, encoding="utf-8")
        else:
            made[fmt].replace(dest)
        media.append(dest)
        if fmt in VIDEO_FORMATS and "poster" in made:
            media.append(made.pop("poster").replace(stage / f"{stem}.poster.png"))
        if fmt in VIDEO_FORMATS and "srt" in made:  # STEM.srt and STEM.vtt, once
            from scenes.app.captions import write_captions

            media += write_captions(made.pop("srt"), stage, stem)
    stills = sorted(made.get("stills", work / "none").glob("beat-*.png"))
    media += [p.replace(stage / f"{stem}.{p.stem}.png") for p in stills]
    if options.slides:
        from scenes.app.slides import render_slides

        report.pass_started(f"{options.scene} as slides, {width}×{height} {fps} fps, to HTML")
        page = render_slides(
            plan, options.scene, options.palette, work / "slides", (width, height), fps,
            title=f"{options.scene}: {plan.target}",
        )  # fmt: skip
        report.pass_done()
        media.append(page.replace(stage / f"{stem}.html"))
    shutil.rmtree(work, ignore_errors=True)
    return media


def _raster(
    plan: Plan, options: RenderOptions, raster: list[str], work: Path, report: Progress
) -> dict[str, Path]:
    """The one Manim pass for the raster formats (and stills): {format: file in work}, with
    "poster" when a video is made and "stills" (the folder of beat-NN.png) when asked."""
    scene, theme = options.scene, options.palette
    width, height, fps = QUALITY[options.quality]
    attrs: dict[str, object] = {}
    if options.stills:
        attrs["stills_dir"] = str(work / "stills")
    made: dict[str, Path] = {}
    if set(raster) <= {"png"}:  # a still pass: the last frame (and the beats') only
        what = "the last frame" + (" and every beat" if options.stills else "")
        report.pass_started(f"{scene}: {what}, {width}×{height}")
        png = manim_pass(plan, scene, theme, work / "still", (width, height), fps, "still", attrs)
        made = {"png": png} if raster else {}
    else:
        size, rate = (width, height), fps
        if raster == ["gif"] and not options.stills:  # a GIF alone: drawn at its own size
            size, rate = GIF_SIZE, GIF_FPS
        videos = [f for f in raster if f in VIDEO_FORMATS]
        attrs["captions"] = options.captions and bool(videos)  # the beats' subcaptions
        report.pass_started(
            f"{scene} at {size[0]}×{size[1]} {rate} fps: {', '.join(raster)}",
            _expected_frames(plan, scene, rate),
            rate,
        )
        # chunks: the scene drawn on every core allowed (scenes.app.chunks), same frames
        from scenes.app.chunks import pass_for

        made = movie_pass(plan, scene, theme, work / "frames", size, rate, raster,
                          poster=bool(videos), attrs=attrs, on_frames=report.frames,
                          pass_fn=pass_for(size, rate, raster))  # fmt: skip
    report.pass_done()
    if options.stills:
        made["stills"] = work / "stills"
    return made


def _expected_frames(plan: Plan, scene: str, fps: int) -> int | None:
    """How many frames the pass will draw, when the scene says how long it is (a class's
    optional `expected_seconds(plan)`); None: unknown (the bar pulses)."""
    expected = getattr(scene_class(scene), "expected_seconds", None)
    if expected is None:
        return None
    try:
        return max(1, round(float(expected(plan)) * fps))
    except Exception:  # an estimate only: never fail a render over it
        return None
