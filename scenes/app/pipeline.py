"""A plan and its render options in, media files out: the passes of one render.

`render` checks the cache (`scenes.app.cache`), then runs the passes the options ask for
into a staging folder, and `scenes.app.files` commits them with STEM.plan.json:

- one Manim pass for every raster format (`scenes.app.media.passes.movie_pass`): mp4 / webm /
  mov at the chosen quality, the GIF (800×450, 10 fps) scaled and resampled from the same
  frames, STEM.png (the last frame) and, with a video, STEM.poster.png (the first frame)
  and the beats' captions as STEM.srt and STEM.vtt (`scenes.app.media.captions`; not with
  --no-captions).
  Alone, a GIF is drawn at its own size (no scaling), and a PNG by a still pass (Manim skips
  the animations); --stills are taken in the same pass;
- with every format, the figure model the scene drew, where the scene writes one (DriftScene;
  a lecture scene has none): STEM.figure.json (`scenes.figure.export`), written by the raster
  pass's scene as it ends (the data is the scene's own, so it costs a few milliseconds);
- html: STEM.html, a page for blog authors embedding the MP4 (and WebM) with the GIF as
  fallback and the plan's numbers as caption (`scenes.app.media.webpage`); renders mp4 and gif too,
  the beats' stills (as STEM.beat-NN.webp; PNGs only with --stills), and from the beats of
  STEM.figure.json the tracks STEM.chapters.vtt and STEM.descriptions.vtt
  (`scenes.app.media.captions`); the page's highlights are the model's elements;
- svg and pdf: the last frame (and with --stills every beat's) as vector paths, drawn in the
  same pass by `scenes.app.media.vector`;
- slides: one slide per beat (`scenes.app.media.slides`: a pass of its own, manim-slides cuts
  Manim's partial movie files) as the decks asked for: STEM.html (self-contained),
  STEM.slides.pdf, STEM.slides.pptx;
- script: STEM.script.md from the beats the raster pass recorded (`scenes.app.media.script`).

Progress goes to a `scenes.app.progress.Progress` (a bar per pass on a terminal).

The plan must already hold what the scene draws (its NEEDS): `make_plan` builds it; nothing
here adds to a plan.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.errors import InputError
from scenes.app.cache.inputs import note_inputs
from scenes.app.cache.key import cache_key, cached_files, produce_and_commit
from scenes.app.files.commit import check_name, prepare
from scenes.app.files.names import absolute, stem_of
from scenes.app.media.passes import (
    GIF_FPS,
    GIF_SIZE,
    QUALITY,
    VIDEO_FORMATS,
    manim_pass,
    movie_pass,
    scene_class,
)
from scenes.app.media.vector import VECTOR_FORMATS, VectorSaver
from scenes.app.progress import Progress, Say, as_progress

if TYPE_CHECKING:
    from attention_math.plan import Plan
    from scenes.app.notebook import RenderResult
    from scenes.app.options import RenderOptions
    from scenes.job import SceneJob


def check_plan(plan: Plan, scene: str) -> None:
    """Refuse a plan without the parts `scene` draws (its NEEDS), saying how to build one,
    before any pass: the one check of a scene's NEEDS (scenes.job.check_needs; scenes trust
    their job's plan)."""
    from scenes.job import check_needs

    check_needs(plan, scene, scene_class(scene).NEEDS)


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
    out_dir: relative to the working folder when it is relative; every path below is
      absolute (`scenes.app.files.names.absolute`).
    """
    report = as_progress(progress)
    out_dir = absolute(out_dir)
    check_plan(plan, options.scene_ref)
    encoded = [f for f in _formats(options) if f in ("gif", *VIDEO_FORMATS)]
    if encoded and shutil.which("ffmpeg") is None:
        raise InputError(
            f"{encoded[0].upper()} output needs ffmpeg: apt-get install ffmpeg (or "
            "./render.sh sets it up); a --format png still needs none"
        )
    prepare(out_dir)
    stem = stem_of(plan, options)
    key = cache_key(plan, options)
    hit = None if options.force else cached_files(out_dir, stem, key, verify=options.verify)
    if hit is not None:
        if inputs is not None:
            note_inputs(out_dir, stem, key, inputs)
        report.say(
            f"up to date: {', '.join(p.name for p in hit.files)} in {out_dir} "
            f"(same plan, scene and options; --force renders again)"
        )
        return hit

    check_name(out_dir, stem, plan, options)

    job = scene_job(plan, options)

    def produce(stage: Path) -> list[Path]:
        return run_passes(job, options, stage, stem, _Relay(report, stage, out_dir))

    result = produce_and_commit(out_dir, stem, key, plan, produce, inputs=inputs, options=options)
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


def scene_job(plan: Plan, options: RenderOptions) -> SceneJob:
    """The scene's job for this render (its plan and look; each pass adds its own wishes)."""
    from scenes.job import SceneJob

    return SceneJob(plan, options.look())


def run_passes(
    job: SceneJob, options: RenderOptions, stage: Path, stem: str, progress: Progress | Say
) -> list[Path]:
    """Every pass of the render into `stage`; returns the media files (STEM.FORMAT ...,
    STEM.poster.png and the captions STEM.srt / STEM.vtt after the first video,
    STEM.beat-NN.png, the decks and the script; STEM.figure.json last)."""
    report = as_progress(progress)
    plan = job.plan
    width, height, _fps = QUALITY[options.quality]
    work = stage / ".work"
    formats = _formats(options)
    raster = [f for f in formats if f not in ("html", *VECTOR_FORMATS)]
    made = _raster(job, options, raster, work, report)
    media: list[Path] = []
    figure = made.pop("figure", None)  # the model the scene drew (STEM.figure.json), last
    if figure is not None:  # in place before the page reads it
        figure = figure.replace(stage / f"{stem}.figure.json")
    stills = sorted(made.get("stills", work / "none").glob("beat-*.*"))
    steps: list[str] = []  # the page's reduced-motion stills (STEM.beat-NN.webp)
    if "html" in formats and (pngs := [p for p in stills if p.suffix == ".png"]):
        from scenes.app.media.webpage import web_stills

        written, steps = web_stills(pngs, stage, stem)
        media += written
    stills = [p.replace(stage / f"{stem}.{p.name}") for p in stills] if options.stills else []
    for fmt in formats:
        dest = stage / f"{stem}.{fmt}"
        if fmt == "html":  # last: it names the media rendered above
            from scenes.app.media.webpage import figure_html

            report.say(f"writing {dest.name}: the figure for a web page")
            media += _page_files(plan, stage, stem)
            names = [m.name for m in media] + ([figure.name] if figure is not None else [])
            html = figure_html(plan, names, (width, height), scene=options.scene,
                               gif_size=GIF_SIZE, folder=stage, stills=steps)  # fmt: skip
            dest.write_text(html, encoding="utf-8")
        else:
            made[fmt].replace(dest)
        media.append(dest)
        if fmt in VIDEO_FORMATS and "poster" in made:
            media.append(made.pop("poster").replace(stage / f"{stem}.poster.png"))
        if fmt in VIDEO_FORMATS and "srt" in made:  # STEM.srt and STEM.vtt, once
            from scenes.app.media.captions import write_captions

            media += write_captions(made.pop("srt"), stage, stem)
    media += stills
    media += _decks_and_script(job, options, stage, stem, report)
    if figure is not None:
        media.append(figure)
    shutil.rmtree(work, ignore_errors=True)
    return media


def _decks_and_script(
    job: SceneJob, options: RenderOptions, stage: Path, stem: str, report: Progress
) -> list[Path]:
    """The slides' decks (STEM.html, STEM.slides.pdf, STEM.slides.pptx) and the script
    (STEM.script.md, from the beats the raster pass recorded)."""
    work = stage / ".work"
    width, height, fps = QUALITY[options.quality]
    title = f"{options.scene}: “{job.plan.target}” in " + " / ".join(
        f"“{s.text}”" for s in job.plan.sentences
    )
    files: list[Path] = []
    if options.slides:
        from scenes.app.media.slides import render_slides

        decks = ", ".join(options.slides_formats)
        report.pass_started(f"{options.scene} as slides, {width}×{height} {fps} fps: {decks}")
        made = render_slides(
            job, options.scene_ref, work / "slides", (width, height), fps,
            title=title, formats=options.slides_formats,
        )  # fmt: skip
        report.pass_done()
        for fmt, path in made.items():
            name = f"{stem}.html" if fmt == "html" else f"{stem}.slides.{fmt}"
            files.append(path.replace(stage / name))
    if options.script:
        from scenes.app.media.script import write_script

        dest = stage / f"{stem}.script.md"
        report.say(f"writing {dest.name}: what to say over each beat")
        files.append(write_script(work / "beats", dest, f"Script: {title}"))
    return files


def _page_files(plan: Plan, stage: Path, stem: str) -> list[Path]:
    """What the page adds next to the media: its chapters and descriptions tracks (STEM
    .chapters.vtt, STEM.descriptions.vtt) from the beats the scene recorded in
    STEM.figure.json; for a scene that records none, chapters from its captions (a cue per
    beat); none without either."""
    from scenes.app.media.captions import write_beat_tracks, write_caption_chapters

    figure, srt = stage / f"{stem}.figure.json", stage / f"{stem}.srt"
    if figure.is_file():
        return write_beat_tracks(plan, figure, stage, stem)
    return write_caption_chapters(srt, stage, stem) if srt.is_file() else []


def _raster(
    job: SceneJob, options: RenderOptions, raster: list[str], work: Path, report: Progress
) -> dict[str, Path]:
    """The one Manim pass for the raster formats, the vector stills, the beats' stills and
    the beats' record for the script: {format: file in work}, with "poster" when a video is
    made, "stills" (the folder of beat-NN.png, .svg, .pdf) when asked and "figure" (the
    model as JSON) when the scene wrote it."""
    scene = options.scene_ref
    width, height, fps = QUALITY[options.quality]
    wishes: dict[str, Any] = {}  # what this pass asks of the scene's beats
    if options.stills or "html" in options.formats:  # the page's reduced-motion stepper
        wishes["stills_dir"] = str(work / "stills")
    vector = [f for f in options.formats if f in VECTOR_FORMATS]
    saver = VectorSaver(tuple(vector), work / "vector")
    if vector:
        wishes["still_savers"] = (saver,)
    if options.script:  # every beat, with its time (a still pass may stop at the poster)
        wishes["record_dir"] = str(work / "beats")
    if not (raster or wishes):
        return {}
    # the figure model as data (STEM.figure.json), where the scene writes it: every pass
    wishes["figure_file"] = str(work / "figure.json")
    made: dict[str, Path] = {}
    if set(raster) <= {"png"}:  # a still pass: the last frame (and the beats') only
        what = "the last frame" + (" and every beat" if options.stills else "")
        report.pass_started(f"{options.scene}: {what}, {width}×{height}")
        png = manim_pass(replace(job, **wishes), scene, work / "still", (width, height), fps,
                         "still")  # fmt: skip
        made = {"png": png} if raster else {}
    else:
        size, rate = (width, height), fps
        if raster == ["gif"] and not options.stills:  # a GIF alone: drawn at its own size
            size, rate = GIF_SIZE, GIF_FPS
        videos = [f for f in raster if f in VIDEO_FORMATS]
        wishes["captions"] = options.captions and bool(videos)  # the beats' subcaptions
        report.pass_started(
            f"{options.scene} at {size[0]}×{size[1]} {rate} fps: {', '.join(raster)}",
            _expected_frames(job, scene, rate),
            rate,
        )
        # chunks: the scene drawn on every core allowed (scenes.app.media.chunks), same frames
        from scenes.app.media.chunks import pass_for

        made = movie_pass(replace(job, **wishes), scene, work / "frames", size, rate, raster,
                          poster=bool(videos), on_frames=report.frames,
                          pass_fn=pass_for(size, rate, raster))  # fmt: skip
    report.pass_done()
    made.update({fmt: saver.final(fmt) for fmt in vector})
    if "stills_dir" in wishes:
        made["stills"] = work / "stills"
    if (work / "figure.json").is_file():
        made["figure"] = work / "figure.json"
    return made


def _expected_frames(job: SceneJob, scene: str, fps: int) -> int | None:
    """How many frames the pass will draw, when the scene says how long it is (a class's
    optional `expected_seconds(plan)`, at the job's pacing); None: unknown (the bar pulses)."""
    expected = getattr(scene_class(scene), "expected_seconds", None)
    if expected is None:
        return None
    try:
        return max(1, round(float(expected(job.plan)) / job.look.pacing.speed * fps))
    except Exception:  # an estimate only: never fail a render over it
        return None
