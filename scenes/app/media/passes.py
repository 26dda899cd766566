"""One Manim render of a scene, its frames turned into files by ffmpeg.

- `movie_pass`: the scene rendered once at the chosen size and frame rate; its frames go
  through a pipe into one ffmpeg process that writes every raster format asked for:
  mp4 (H.264 yuv420p, so browsers play it), webm (VP9, with alpha when transparent), mov
  (QuickTime RLE with alpha), and for the GIF a lossless 800×450 10 fps copy (scaled by
  area averaging, frames picked by time), encoded by `encode_gif` with one palette for the whole
  clip. The first frame (the poster) and the last (the scene's final state, drawn once
  more as a still pass draws it) are saved as PNGs from the same pass.
- `manim_pass` with fmt "still": only the last frame (Manim skips the animations: fast);
  with a movie format, Manim's own writer (manim-slides reads its partial movie files).

Pango's SVGs and built texts are kept across runs in a user cache folder
(`scenes.app.cache.texts.share_svgs`, set up before a pass draws).

`scenes.app.pipeline` chooses the passes of a render (a beat's stills are taken in its one
pass); `scenes.app.media.slides` uses `manim_pass` for slides.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import queue
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.errors import InputError
from scenes.app.cache.texts import share_svgs

if TYPE_CHECKING:
    import numpy as np

    from scenes.beats import BeatScene
    from scenes.job import SceneJob

QUALITY = {  # name: (width, height, fps)
    "low": (854, 480, 15),
    "medium": (1280, 720, 30),
    "high": (1920, 1080, 60),
    "4k": (3840, 2160, 60),
}
GIF_SIZE = (800, 450)
GIF_FPS = 10
# Flat-colour scenes: 44 colours + Bayer dither show no banding (64 cost 9% more bytes for
# no visible difference, 48 2%; 32 start to band the anti-aliased edges of the light theme).
GIF_COLORS = 44
# Downscaling to 800×450: "area" averages the pixels each output pixel covers, so text stays
# crisp without lanczos' ringing, and its steadier edges take 24% fewer GIF bytes.
GIF_SCALER = "area"
VIDEO_FORMATS = ("mp4", "webm", "mov")
RASTER_FORMATS = (*VIDEO_FORMATS, "gif", "png")
Frames = Callable[[int], None]  # told how many frames were just written


def scene_class(name: str) -> type[BeatScene]:
    """The scene class registered as `name` in scenes.SCENES, or a user's own: `name` as
    "FILE.py:Class" (`scenes.app.user_scene`)."""
    import importlib

    from scenes import SCENES

    if ":" in name:
        from scenes.app.user_scene import user_scene_class

        return user_scene_class(name)
    if name not in SCENES:
        raise InputError(f"unknown scene {name!r}; choose from {', '.join(SCENES)}")
    cls: type[BeatScene] = getattr(importlib.import_module(SCENES[name].module), name)
    return cls


def scene_type(job: SceneJob, scene: str) -> type:
    """The class a pass renders: scene `scene` given `job` (the one hand-off; a class
    attribute, because Manim makes the scene)."""
    base = scene_class(scene)
    return type(base.__name__, (base,), {"job": job})


# --------------------------------------------------------------------------------------------
# the passes


def manim_pass(
    job: SceneJob,
    scene: str,
    work: Path,
    size: tuple[int, int],
    fps: int,
    fmt: str,
    sink: FrameSink | None = None,
) -> Path:
    """One Manim render into `work`; returns the produced file.

    fmt: "still" (the last frame as a PNG, animations skipped), "frames" (every frame to
      `sink`, which writes the files; returns `work`), or a movie format written by Manim
      itself: mp4, webm, mov, "rgba" (QuickTime RLE with alpha).
    job: what the scene draws and how (scenes.job.SceneJob); a still pass that neither saves
      nor records the beats wants only the final frame (final_only).
    """
    import dataclasses

    from manim import tempconfig

    share_svgs(work, job.look.typography.font)
    if fmt == "still" and job.stills_dir is None and job.record_dir is None:
        job = dataclasses.replace(job, final_only=True)
    cls = scene_type(job, scene)
    transparent = job.palette.background is None
    with tempconfig(_manim_config(work, size, fps, fmt, transparent)), _quiet_manim():
        if fmt == "frames":
            if sink is None:
                raise ValueError("manim_pass(..., 'frames') needs a sink")
            _render_frames(cls, sink)
            return work
        if fmt == "still":
            s = cls(renderer=_still_renderer()())
            s.render()
            return Path(s.renderer.file_writer.image_file_path)
        s = cls()
        s.render()
        return Path(s.renderer.file_writer.movie_file_path)


def _manim_config(
    work: Path, size: tuple[int, int], fps: int, fmt: str, transparent: bool
) -> dict[str, Any]:
    """Manim's configuration for a pass of `manim_pass` (its arguments)."""
    frames = fmt == "frames"
    return {
        "media_dir": str(work),
        # Pango's SVGs: made here, or copied from the user cache (share_svgs).
        "text_dir": str(work / "texts"),
        "tex_dir": str(work / "tex"),
        "pixel_width": size[0],
        "pixel_height": size[1],
        "frame_rate": fps,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "ERROR",  # "Output format changed to .mov" and the like are not news
        "output_file": "scene",
        "write_to_movie": fmt != "still",
        "save_last_frame": fmt == "still",
        "format": {"rgba": "mov", "still": "png"}.get(fmt, "mp4" if frames else fmt),
        "movie_file_extension": {"webm": ".webm", "mov": ".mov", "rgba": ".mov"}.get(fmt, ".mp4"),
        "transparent": transparent or fmt == "rgba",
    }


def _render_frames(cls: type, sink: FrameSink) -> None:
    """Render scene class `cls` with every frame going to `sink`, then its final state drawn
    whole (as a still pass draws it) as the last frame."""
    from manim.renderer.cairo_renderer import CairoRenderer

    s = cls(renderer=CairoRenderer(file_writer_class=_pipe_writer()))
    s.renderer.file_writer.sink = sink
    with sink:
        s.render()
        r = s.renderer
        r.static_image = None
        r.update_frame(s, ignore_skipping=True)
        sink.last_frame(r.get_frame())


def movie_pass(
    job: SceneJob,
    scene: str,
    work: Path,
    size: tuple[int, int],
    fps: int,
    outputs: Sequence[str],
    *,
    poster: bool = False,
    on_frames: Frames | None = None,
    pass_fn: Callable[..., Path] | None = None,
) -> dict[str, Path]:
    """The scene rendered once; every format in `outputs` (RASTER_FORMATS) made from its
    frames. Returns {format: file in work}, with "poster" (the first frame) when `poster`,
    and "srt" when the scene wrote subcaptions."""
    background = job.palette.background
    transparent = background is None
    sink = FrameSink(work, size, fps, outputs, transparent=transparent, poster=poster,
                     on_frames=on_frames)  # fmt: skip
    (pass_fn or manim_pass)(job, scene, work, size, fps, "frames", sink)
    files = dict(sink.files)
    if "gif" in files:
        gif = work / "scene.gif"
        encode_gif(files["gif"], gif, background, opaque=not transparent)
        files["gif"] = gif
    srt = next(work.rglob("scene.srt"), None)
    if srt is not None:
        files["srt"] = srt
    return files


# --------------------------------------------------------------------------------------------
# frames to files


class FrameSink:
    """Raw RGBA frames in (from Manim's renderer), files out: one ffmpeg process writes every
    movie format, the poster and the last frame are PNGs. A writer thread feeds the pipe, so
    Manim draws the next frame while ffmpeg takes the last one. Use as a context manager:
    leaving it waits for ffmpeg (or stops it, on an exception)."""

    def __init__(
        self,
        work: Path,
        size: tuple[int, int],
        fps: int,
        outputs: Sequence[str],
        *,
        transparent: bool = False,
        poster: bool = False,
        on_frames: Frames | None = None,
    ) -> None:
        unknown = [f for f in outputs if f not in RASTER_FORMATS]
        if unknown:
            raise ValueError(f"not a raster format: {unknown}")
        self.work, self.size, self.fps = work, size, fps
        self.outputs = tuple(outputs)
        self.transparent, self.poster = transparent, poster
        self.on_frames = on_frames
        self.files: dict[str, Path] = {}
        self.frames = 0
        self._first: np.ndarray | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._queue: queue.Queue[tuple[Any, int] | None] = queue.Queue(maxsize=4)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._pending: dict[str, Path] = {}

    # -- the ffmpeg command
    def command(self) -> tuple[list[str], dict[str, Path]]:
        """ffmpeg's arguments and the files it writes, per format."""
        width, height = self.size
        head = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt", "rgba",
                "-s", f"{width}x{height}", "-framerate", str(self.fps), "-i", "pipe:0"]  # fmt: skip
        movies = [f for f in self.outputs if f in (*VIDEO_FORMATS, "gif")]
        if not movies:
            return [], {}
        labels = [f"[v{i}]" for i in range(len(movies))]
        graph = [f"[0:v]split={len(movies)}{''.join(labels)}"] if len(movies) > 1 else []
        tail: list[str] = []
        files: dict[str, Path] = {}
        for fmt, label in zip(movies, labels, strict=True):
            source = label if len(movies) > 1 else "[0:v]"
            out = f"[o_{fmt}]"
            if fmt == "gif":
                # Frames picked by time (any fps to 10), then scaled: lossless RLE in between.
                filters = f"fps={GIF_FPS},scale={GIF_SIZE[0]}:{GIF_SIZE[1]}:flags={GIF_SCALER}"
                path = self.work / "gif-frames.mov"
                codec = _qtrle(self.transparent)
            else:
                filters = "null"
                path = self.work / f"scene.{fmt}"
                codec = _VIDEO_CODECS[fmt](self.transparent)
            graph.append(f"{source}{filters}{out}")
            tail += ["-map", out, *codec, str(path)]
            files[fmt] = path
        return [*head, "-filter_complex", ";".join(graph), *tail], files

    def __enter__(self) -> FrameSink:
        self.work.mkdir(parents=True, exist_ok=True)
        cmd, self._pending = self.command()
        if cmd:
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            grow_pipe(self._proc.stdin)
            self._thread = threading.Thread(target=self._feed, name="ffmpeg-feed", daemon=True)
            self._thread.start()
        return self

    def _feed(self) -> None:
        """The writer thread: frames from the queue into ffmpeg's stdin."""
        assert self._proc is not None and self._proc.stdin is not None
        pipe = self._proc.stdin
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain: the producer must never block on a dead consumer
            frame, n = item
            try:
                for _ in range(n):
                    pipe.write(frame)
            except BaseException as exc:  # ffmpeg died: its stderr says why (see __exit__)
                self._error = exc

    def write(self, frame: np.ndarray, n: int = 1) -> None:
        """`frame` ([h, w, 4] uint8 RGBA) shown `n` times. The frame is written later, by the
        writer thread: it must not change afterwards (Manim hands over a new array each time)."""
        import numpy as np

        if n <= 0:
            return
        if self._first is None:
            self._first = frame.copy()
        if self._proc is not None:
            self._queue.put((np.ascontiguousarray(frame).data.cast("B"), n))
        self.frames += n
        if self.on_frames is not None:
            self.on_frames(n)

    def last_frame(self, frame: np.ndarray) -> None:
        """The scene's final state, saved as the PNG when one is asked for."""
        if "png" in self.outputs:
            self.files["png"] = self._save_png(frame, "scene.png")

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if self._proc is None:
            if kind is None:
                self._finish_stills()
            return
        assert self._thread is not None and self._proc.stdin is not None
        if kind is not None:
            # The render failed (or was stopped): ffmpeg goes first, so the writer thread's
            # write fails at once and it only drains the queue; the files are not wanted.
            self._error = self._error or exc or RuntimeError("stopped")
            self._proc.kill()
        self._queue.put(None)
        self._thread.join()
        with contextlib.suppress(OSError):
            self._proc.stdin.close()
        if kind is not None:
            self._proc.wait()
            return
        stderr = self._proc.stderr.read() if self._proc.stderr else b""
        code = self._proc.wait()
        if code != 0 or self._error is not None:
            text = stderr.decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"ffmpeg failed (exit {code}): {' '.join(text[-3:]) or self._error}")
        if self.frames == 0:
            raise RuntimeError("the scene played no animation: there are no frames to encode")
        self.files.update(self._pending)
        self._finish_stills()

    def _finish_stills(self) -> None:
        if self.poster and self._first is not None:
            self.files["poster"] = self._save_png(self._first, "poster.png")
            self._first = None

    def _save_png(self, frame: np.ndarray, name: str) -> Path:
        from PIL import Image

        image = Image.fromarray(frame, "RGBA")
        if not self.transparent:
            image = image.convert("RGB")
        path = self.work / name
        image.save(path)
        return path


PIPE_BYTES = 1 << 20  # a frame (8 MB at 1080p) through 1 MiB, not 64 KiB, at a time


def grow_pipe(pipe: Any) -> None:
    """`pipe` (a file of a pipe) made PIPE_BYTES large where the system allows it (Linux): a
    frame crosses in fewer system calls, about a quarter less system time on both sides
    (bench/cpu_profile.py); the bytes are the same."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError, ValueError):
        pass  # another system, or a limit lower than PIPE_BYTES: the default size


def _h264(transparent: bool) -> list[str]:
    # -tune animation: flat colours and sharp edges; veryfast: a fifth of medium's time on
    # these frames for a few per cent more bytes. +faststart: plays while downloading.
    return ["-c:v", "libx264", "-preset", "veryfast", "-tune", "animation", "-crf", "23",
            "-pix_fmt", "yuv420p", "-movflags", "+faststart"]  # fmt: skip


def _vp9(transparent: bool) -> list[str]:
    return ["-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "32", "-deadline", "good", "-cpu-used",
            "5", "-row-mt", "1", "-pix_fmt", "yuva420p" if transparent else "yuv420p"]  # fmt: skip


def _qtrle(transparent: bool) -> list[str]:
    return ["-c:v", "qtrle", "-pix_fmt", "argb" if transparent else "rgb24"]


_VIDEO_CODECS: dict[str, Callable[[bool], list[str]]] = {
    "mp4": _h264,
    "webm": _vp9,
    "mov": _qtrle,
}


@functools.cache
def _pipe_writer() -> type:
    """A Manim SceneFileWriter that hands every frame to a FrameSink (no partial movie
    files, no concatenation); subcaptions are still written (STEM.srt)."""
    from manim.scene.scene_file_writer import SceneFileWriter

    class PipeWriter(SceneFileWriter):
        sink: FrameSink | None = None

        def begin_animation(self, allow_write: bool = False, file_path: Any = None) -> None:
            pass

        def end_animation(self, allow_write: bool = False) -> None:
            pass

        def write_frame(self, frame_or_renderer: Any, num_frames: int = 1) -> None:
            assert self.sink is not None
            self.sink.write(frame_or_renderer, num_frames)

        def finish(self) -> None:
            # next to the frames as scene.srt (Manim's own writer puts it in the cwd here)
            if self.subcaptions and self.sink is not None:
                import srt

                text = srt.compose(self.subcaptions)
                (self.sink.work / "scene.srt").write_text(text, encoding="utf-8")

    return PipeWriter


@functools.cache
def _still_renderer() -> type:
    """Manim's Cairo renderer for a still pass: it draws nothing while it skips the
    animations (Manim draws each play's static frame and one frame of it even then), only
    what is asked between plays (a beat's still) and the final state."""
    from manim.renderer.cairo_renderer import CairoRenderer

    class StillRenderer(CairoRenderer):
        _playing = False

        def play(self, scene: Any, *args: Any, **kwargs: Any) -> None:
            self._playing = True
            try:
                super().play(scene, *args, **kwargs)
            finally:
                self._playing = False

        def update_frame(self, scene: Any, *args: Any, **kwargs: Any) -> None:
            if not (self._playing and self.skip_animations):
                super().update_frame(scene, *args, **kwargs)

        def save_static_frame_data(self, scene: Any, static_mobjects: Any) -> Any:
            if self.skip_animations:
                self.static_image = None  # a still is drawn whole
                return None
            return super().save_static_frame_data(scene, static_mobjects)

    return StillRenderer


@contextlib.contextmanager
def _quiet_manim() -> Iterator[None]:
    """Manim's logger at ERROR for the pass (its INFO / WARNING lines are not for users)."""
    log = logging.getLogger("manim")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


# --------------------------------------------------------------------------------------------
# the GIF


def encode_gif(
    source: Path,
    dest: Path,
    background: str | None,
    fps: int = GIF_FPS,
    colors: int = GIF_COLORS,
    optimise: bool = True,
    opaque: bool = False,
) -> None:
    """A lossless movie -> looping GIF with one palette for the whole clip (ffmpeg).

    background: the colour RGBA frames are composited on (None: keep transparency).
    opaque: the frames have no alpha (already on their background): no compositing.
    optimise: False gives ffmpeg's plain GIF encoding (for the benchmark's comparison).
    """
    if not optimise:
        cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(source), "-loop", "0", str(dest)]
        subprocess.run(cmd, check=True, capture_output=True)
        return
    if background is not None and not opaque:
        head = (
            f"color=c={background}:s=16x16:r={fps},format=rgba[bg];[bg][0:v]scale2ref[bg2][fg];"
            f"[bg2][fg]overlay=shortest=1:format=auto,"
        )
    else:
        head = "[0:v]"
    keep_alpha = background is None and not opaque
    graph = (
        f"{head}split[a][b];[a]palettegen=max_colors={colors}:stats_mode=diff"
        f"{':reserve_transparent=1' if keep_alpha else ''}[p];"
        f"[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle"
    )
    cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(source), "-filter_complex", graph,
           "-loop", "0", str(dest)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True)
