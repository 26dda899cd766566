"""Plan -> media files, with Manim in this process.

Passes (each only when asked for):
- mp4 / webm / mov: the scene at the chosen quality, encoded by Manim (H.264 yuv420p for
  mp4, so browsers play it).
- gif: the scene at 800×450, 10 fps, written losslessly (QuickTime RLE with alpha) and
  encoded by ffmpeg over the theme's background with a palette generated for the whole
  clip (palettegen stats_mode=diff, Bayer dither, changed rectangles only): flat colours
  stay flat and the file stays small.
- png: the last frame as a still (Manim skips the animations for this pass: fast).
- html: STEM.html, a page for blog authors embedding the MP4 (and WebM) with the GIF as
  fallback and the plan's numbers as caption (scenes.webpage); renders mp4 and gif too.

Everything is written under a temporary folder inside `out_dir` and moved into place with
`os.replace` only when complete, so an interrupted render never leaves a partial file where
a good one was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from attention_math.errors import InputError
from scenes.theme import PALETTES

if TYPE_CHECKING:
    from attention_math.plan import Plan

QUALITY = {  # name: (width, height, fps)
    "low": (854, 480, 15),
    "medium": (1280, 720, 30),
    "high": (1920, 1080, 60),
    "4k": (3840, 2160, 60),
}
GIF_SIZE = (800, 450)
GIF_FPS = 10
GIF_COLORS = 64  # flat-colour scenes: 64 colours + Bayer dither show no banding


def safe_stem(text: str, limit: int = 60) -> str:
    """A file-name stem from free text: ASCII letters, digits, '-' only, bounded length.
    Text with no ASCII letters or digits (Devanagari, emoji) gets render-HASH, so that two
    such sentences do not share a name."""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    t = re.sub(r"[^A-Za-z0-9]+", "-", t).strip("-").lower()
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return (t[:limit].rstrip("-")) or f"render-{digest}"


def default_stem(plan: Plan, scene: str = "DriftScene") -> str:
    """`[scene-]target-sentence[-compare]`: scenes of one sentence don't overwrite each other."""
    prefix = "" if scene == "DriftScene" else re.sub(r"Scene$", "", scene).lower() + " "
    first = plan.sentences[0].text if plan.sentences else ""
    suffix = "-compare" if len(plan.sentences) > 1 else ""
    # Within safe_stem's limit as a whole, so that safe_stem(default_stem(...)) is the same.
    return safe_stem(f"{prefix}{plan.target} {first}", limit=60 - len(suffix)) + suffix


def scene_class(name: str) -> type:
    """The scene class registered as `name` in scenes.SCENES."""
    import importlib

    from scenes import SCENES

    if name not in SCENES:
        raise InputError(f"unknown scene {name!r}; choose from {', '.join(SCENES)}")
    return getattr(importlib.import_module(SCENES[name][0]), name)


def _manim_pass(
    plan: Plan,
    scene: str,
    theme: str,
    work: Path,
    size: tuple[int, int],
    fps: int,
    fmt: str,
    attrs: dict[str, object] | None = None,
) -> Path:
    """One Manim render into `work`; returns the produced file (or frame folder for 'png').

    attrs: more class attributes for the scene (scenes.slides.BeatScene: slides, stills).
    """
    from manim import tempconfig

    base = scene_class(scene)
    cls = type(scene, (base,), {"plan": plan, "theme": theme, **(attrs or {})})
    options = {
        "media_dir": str(work),
        # Pango's and LaTeX's SVGs are shared by the passes of one render (same texts).
        "text_dir": str(work.parent / "texts"),
        "tex_dir": str(work.parent / "tex"),
        "pixel_width": size[0],
        "pixel_height": size[1],
        "frame_rate": fps,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "WARNING",
        "output_file": "scene",
        "write_to_movie": fmt != "still",
        "save_last_frame": fmt == "still",
        "format": {"rgba": "mov", "still": "png"}.get(fmt, fmt),
        "movie_file_extension": {"webm": ".webm", "mov": ".mov", "rgba": ".mov"}.get(fmt, ".mp4"),
        "transparent": theme == "transparent" or fmt == "rgba",
    }
    with tempconfig(options):
        s = cls()
        s.render()
        if fmt == "still":
            return Path(s.renderer.file_writer.image_file_path)
        return Path(s.renderer.file_writer.movie_file_path)


def encode_gif(
    source: Path,
    dest: Path,
    background: str | None,
    fps: int = GIF_FPS,
    colors: int = GIF_COLORS,
    optimise: bool = True,
) -> None:
    """A lossless RGBA movie -> looping GIF with one palette for the whole clip (ffmpeg).

    background: the colour the frames are composited on (None: keep transparency).
    optimise: False gives ffmpeg's plain GIF encoding (for the benchmark's comparison).
    """
    if not optimise:
        cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(source), "-loop", "0", str(dest)]
        subprocess.run(cmd, check=True, capture_output=True)
        return
    if background is not None:
        head = (
            f"color=c={background}:s=16x16:r={fps},format=rgba[bg];[bg][0:v]scale2ref[bg2][fg];"
            f"[bg2][fg]overlay=shortest=1:format=auto,"
        )
    else:
        head = "[0:v]"
    graph = (
        f"{head}split[a][b];[a]palettegen=max_colors={colors}:stats_mode=diff"
        f"{':reserve_transparent=1' if background is None else ''}[p];"
        f"[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle"
    )
    cmd = [
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-i",
        str(source),
        "-filter_complex",
        graph,
        "-loop",
        "0",
        str(dest),
    ]
    subprocess.run(cmd, check=True, capture_output=True)


def render_plan(
    plan: Plan,
    *,
    scene: str = "DriftScene",
    formats: Sequence[str] = ("gif", "mp4"),
    quality: str = "medium",
    theme: str = "dark",
    out_dir: Path = Path("out"),
    name: str | None = None,
    progress: Callable[[str], None] | None = None,
    slides: bool = False,
    stills: bool = False,
) -> list[Path]:
    """See `scenes.render`."""
    say = progress or (lambda _msg: None)
    if quality not in QUALITY:
        raise InputError(f"unknown quality {quality!r}; choose from {', '.join(QUALITY)}")
    if "html" in formats:  # scenes.webpage: a page with the MP4 and the GIF as fallback
        if slides:
            raise InputError(
                "--slides and --format html both write STEM.html; render them "
                "separately, with different --name"
            )
        if theme == "transparent":
            raise InputError(
                "--format html embeds an MP4, which has no transparency; leave out --transparent"
            )
        media = [f for f in dict.fromkeys(formats) if f != "html"]
        formats = [*media, *(f for f in ("mp4", "gif") if f not in media), "html"]
    if "gif" in formats and shutil.which("ffmpeg") is None:
        raise InputError(
            "GIF output needs ffmpeg: apt-get install ffmpeg (or ./render.sh sets it up)"
        )
    scene_class(scene)  # fail early on an unknown scene
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = safe_stem(name) if name else default_stem(plan, scene)
    width, height, fps = QUALITY[quality]
    done: list[tuple[Path, Path]] = []  # (finished temp file, destination)
    with tempfile.TemporaryDirectory(prefix=".render-", dir=out_dir) as tmp:
        work = Path(tmp)
        for fmt in dict.fromkeys(formats):
            dest = out_dir / f"{stem}.{fmt}"
            if fmt in ("mp4", "webm", "mov"):
                say(f"rendering {scene} as {fmt.upper()} at {width}×{height}, {fps} fps")
                produced = _manim_pass(plan, scene, theme, work / fmt, (width, height), fps, fmt)
            elif fmt == "gif":
                say(f"rendering {scene} as GIF at {GIF_SIZE[0]}×{GIF_SIZE[1]}, {GIF_FPS} fps")
                # Lossless RGBA (QuickTime RLE) intermediate: no x264 noise for the palette.
                movie = _manim_pass(plan, scene, theme, work / "gif", GIF_SIZE, GIF_FPS, "rgba")
                produced = work / "scene.gif"
                encode_gif(movie, produced, PALETTES[theme].background)
            elif fmt == "png":
                say(f"rendering the last frame of {scene} as PNG at {width}×{height}")
                produced = _manim_pass(
                    plan, scene, theme, work / "png", (width, height), fps, "still"
                )
            elif fmt == "html":  # last: it names the media rendered above
                from scenes.app.webpage import figure_html

                say(f"writing {dest.name}: the figure for a web page")
                produced = work / "figure.html"
                markup = figure_html(
                    plan, [d.name for _, d in done], (width, height), scene=scene, gif_size=GIF_SIZE
                )
                produced.write_text(markup, encoding="utf-8")
            else:
                raise InputError(f"unknown format {fmt!r}")
            done.append((produced, dest))
        if stills:  # scenes.slides: a PNG at the end of every beat
            from scenes.app.slides import render_stills

            say(f"rendering a still of every beat of {scene} at {width}×{height}")
            pngs = render_stills(plan, scene, theme, work / "stills", (width, height), fps)
            done += [(p, out_dir / f"{stem}.{p.stem}.png") for p in pngs]
        if slides:  # scenes.slides: one slide per beat, one self-contained HTML file
            from scenes.app.slides import render_slides

            say(f"rendering {scene} as slides at {width}×{height} and converting them to HTML")
            page = render_slides(
                plan,
                scene,
                theme,
                work / "slides",
                (width, height),
                fps,
                title=f"{scene}: {plan.target}",
            )
            done.append((page, out_dir / f"{stem}.html"))
        plan_tmp = work / "plan.json"
        plan.save(plan_tmp)
        done.append((plan_tmp, out_dir / f"{stem}.plan.json"))
        for produced, dest in done:
            os.replace(produced, dest)
    for _, dest in done:
        say(f"wrote {dest}")
    return [dest for _, dest in done if not dest.name.endswith(".plan.json")]
