"""A plan and its render options in, media files out: the passes of one render.

`render` checks the cache (`scenes.app.store`), then runs the passes the options ask for
into a staging folder, and the store commits them with STEM.plan.json:

- one Manim pass per format (`scenes.app.passes`): mp4 / webm / mov at the chosen quality,
  gif at 800×450 10 fps, png (the last frame);
- html: STEM.html, a page for blog authors embedding the MP4 (and WebM) with the GIF as
  fallback and the plan's numbers as caption (`scenes.app.webpage`); renders mp4 and gif too;
- stills / slides: a PNG per beat, or one slide per beat in a self-contained HTML file
  (`scenes.app.slides`).

The plan must already hold what the scene draws (its NEEDS): `make_plan` builds it; nothing
here adds to a plan.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from attention_math.errors import InputError
from scenes.app import store
from scenes.app.passes import GIF_FPS, GIF_SIZE, QUALITY, encode_gif, manim_pass, scene_class
from scenes.theme import PALETTES

if TYPE_CHECKING:
    from attention_math.plan import Plan
    from scenes.app.notebook import RenderResult
    from scenes.app.options import RenderOptions

Say = Callable[[str], None]


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
    progress: Say | None = None,
    inputs: str | None = None,
) -> RenderResult:
    """Render `plan` as `options` say into `out_dir`; reuse the files when they are up to
    date (same plan, options and code) unless options.force.

    inputs: the hash of the spec entry that asked for this render, recorded with the files
      (a batch finds them from it without building the plan again).
    """
    say = progress or (lambda _msg: None)
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
        say(
            f"up to date: {', '.join(p.name for p in hit.files)} in {out_dir} "
            f"(same plan, scene and options; --force renders again)"
        )
        return hit

    def produce(stage: Path) -> list[Path]:
        def relay(message: str) -> None:  # the staging folder is an implementation detail
            say(message.replace(str(stage), str(out_dir)))

        return run_passes(plan, options, stage, stem, relay)

    store.check_name(out_dir, stem, plan, options)  # a name another render holds: refused
    result = store.produce_and_commit(
        out_dir, stem, key, plan, produce, inputs=inputs, options=options
    )
    for p in result.files:
        say(f"wrote {p}")
    return result


def _formats(options: RenderOptions) -> list[str]:
    """The formats to render: html brings mp4 and gif (the page embeds them), last."""
    formats = list(options.formats)
    if "html" in formats:
        media = [f for f in formats if f != "html"]
        formats = [*media, *(f for f in ("mp4", "gif") if f not in media), "html"]
    return formats


def run_passes(plan: Plan, options: RenderOptions, stage: Path, stem: str, say: Say) -> list[Path]:
    """Every pass of the render into `stage`; returns the media files (STEM.FORMAT ...)."""
    width, height, fps = QUALITY[options.quality]
    work = stage / ".work"
    media: list[Path] = []
    for fmt in _formats(options):
        dest = stage / f"{stem}.{fmt}"
        if fmt == "html":  # last: it names the media rendered above
            from scenes.app.webpage import figure_html

            say(f"writing {dest.name}: the figure for a web page")
            names = [m.name for m in media]
            html = figure_html(plan, names, (width, height), scene=options.scene, gif_size=GIF_SIZE)
            dest.write_text(html, encoding="utf-8")
        else:
            _media_pass(plan, options, fmt, work, say).replace(dest)
        media.append(dest)
    if options.stills:
        media += _stills(plan, options, work, stage, stem, say)
    if options.slides:
        from scenes.app.slides import render_slides

        say(f"rendering {options.scene} as slides at {width}×{height} and converting them to HTML")
        page = render_slides(
            plan, options.scene, options.palette, work / "slides", (width, height), fps,
            title=f"{options.scene}: {plan.target}",
        )  # fmt: skip
        media.append(page.replace(stage / f"{stem}.html"))
    shutil.rmtree(work, ignore_errors=True)
    return media


def _media_pass(plan: Plan, options: RenderOptions, fmt: str, work: Path, say: Say) -> Path:
    """One format's file, rendered in `work`."""
    scene, theme = options.scene, options.palette
    width, height, fps = QUALITY[options.quality]
    if fmt in ("mp4", "webm", "mov"):
        say(f"rendering {scene} as {fmt.upper()} at {width}×{height}, {fps} fps")
        return manim_pass(plan, scene, theme, work / fmt, (width, height), fps, fmt)
    if fmt == "gif":
        say(f"rendering {scene} as GIF at {GIF_SIZE[0]}×{GIF_SIZE[1]}, {GIF_FPS} fps")
        # Lossless RGBA (QuickTime RLE) intermediate: no x264 noise for the palette.
        movie = manim_pass(plan, scene, theme, work / "gif", GIF_SIZE, GIF_FPS, "rgba")
        gif = work / "scene.gif"
        encode_gif(movie, gif, PALETTES[theme].background)
        return gif
    if fmt == "png":
        say(f"rendering the last frame of {scene} as PNG at {width}×{height}")
        return manim_pass(plan, scene, theme, work / "png", (width, height), fps, "still")
    raise InputError(f"unknown format {fmt!r}")


def _stills(
    plan: Plan, options: RenderOptions, work: Path, stage: Path, stem: str, say: Say
) -> list[Path]:
    """STEM.beat-NN.png: the frame at the end of every beat."""
    from scenes.app.slides import render_stills

    width, height, fps = QUALITY[options.quality]
    say(f"rendering a still of every beat of {options.scene} at {width}×{height}")
    pngs = render_stills(
        plan, options.scene, options.palette, work / "stills", (width, height), fps
    )
    return [p.replace(stage / f"{stem}.{p.stem}.png") for p in pngs]
