"""One Manim render of a scene into a folder, and the GIF encoding.

- mp4 / webm / mov: the scene at the chosen quality, encoded by Manim (H.264 yuv420p for
  mp4, so browsers play it).
- gif: the scene at 800×450, 10 fps, written losslessly (QuickTime RLE with alpha) and
  encoded by ffmpeg over the theme's background with a palette generated for the whole
  clip (palettegen stats_mode=diff, Bayer dither, changed rectangles only): flat colours
  stay flat and the file stays small.
- still: the last frame as a PNG (Manim skips the animations for this pass: fast).

`scenes.app.pipeline` chooses the passes of a render; `scenes.app.slides` uses `manim_pass`
for slides and stills.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from attention_math.errors import InputError

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


def scene_class(name: str) -> type:
    """The scene class registered as `name` in scenes.SCENES."""
    import importlib

    from scenes import SCENES

    if name not in SCENES:
        raise InputError(f"unknown scene {name!r}; choose from {', '.join(SCENES)}")
    return getattr(importlib.import_module(SCENES[name][0]), name)


def manim_pass(
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
