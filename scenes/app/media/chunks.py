"""One render on every core: a scene's animations cut into contiguous chunks, drawn at once.

A chunk is a range of Manim's animation numbers (its `play` calls, waits included). Every
chunk runs the scene's whole `construct`: the animations before its range are played
without being drawn (every frame's time, so the scene's state and clock are a serial
render's; Manim's own skipping would jump each to its end) and the scene stops after its
range. Chunk 0 is drawn in this process straight into the render's `passes.FrameSink`; the
others in worker processes (`_workers`), each into a lossless QuickTime RLE file (ARGB when
transparent), which this process decodes and feeds into the same sink, in order, once
chunk 0 is drawn. So the one ffmpeg of the render still encodes every format from the whole
sequence of frames: the MP4's and WebM's frames, and the GIF's palette (made over all
frames), are those of a serial render.

- A count pass first (the scene at the render's size, every animation skipped, nothing
  drawn) lists how many frames each animation draws; the chunks get equal shares of frames
  (`split`). Not at a tiny size: the layout (text sized for the pixels) may then differ.
- An animation played undrawn moves the scene's clock by the frames it would have drawn,
  as a drawn one does (Manim's skipping moves it by the run time, a fraction of a frame
  off), so a beat's caption is where a serial render puts it (`_chunk_renderer`).
- The last chunk also draws the final state (STEM.png), writes the captions (the skipped
  beats' subcaptions included: it runs every beat), the --stills and the figure model
  (STEM.figure.json, with every beat's time).

When it pays (`plan_chunks`): a video of at least 1080p at 30 fps (or `min_rate`), more than
one process allowed (`limit`: the CLI's --jobs; without it, the free cores when at least
MIN_FREE_CORES are free), at least MIN_SECONDS of video per chunk. Stills-only renders and
small GIFs stay serial.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scenes.app.media.passes import FrameSink
    from scenes.job import SceneJob

MIN_RATE = 1920 * 1080 * 30  # pixels a second below which a render is not worth chunking
MIN_SECONDS = 3.0  # of video per chunk: below, the processes' start-up eats the gain

_limit: list[int | None] = [None]
_remote = threading.local()  # .runner: who draws this thread's chunks elsewhere (`remote`)


# A chunked render spends about 1.45× the CPU of a serial one (measured at 1080p60 by
# bench/cpu_profile.py: each chunk past the first is drawn, written as RLE and decoded
# again, and the scene's earlier animations are played undrawn), and a serial render
# already keeps 1.5 cores busy (Manim drawing 0.5 CPU s per video-second, ffmpeg's RGBA to
# YUV and x264 1.1 beside it): 2 / 1.5 / 1.45 < 1, so by default, chunks only when this
# many cores are free (README: Why chunks do not pay on 2 cores).
MIN_FREE_CORES = 3.0


def set_limit(jobs: int | None) -> None:
    """The most processes one render may use (None: by default, `default_limit`; 1: no
    chunks). The CLI's --jobs; a batch's workers set 1 (the entries are the parallelism)."""
    _limit[0] = jobs


def limit() -> int:
    return _limit[0] if _limit[0] is not None else default_limit()


def default_limit() -> int:
    """Without --jobs: the free cores (those this process may use less the load average),
    when at least MIN_FREE_CORES are free; else 1 (serial: on fewer, chunks cost more than
    they give)."""
    free = available_cores() - os.getloadavg()[0]
    return int(free) if free >= MIN_FREE_CORES else 1


def available_cores() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Chunk:
    """Animations first..last (Manim's numbers, inclusive) of a scene's render; `final`: the
    last chunk (it draws the final state and writes the captions and stills)."""

    first: int
    last: int
    final: bool = False


@dataclass
class Span:
    """What a chunk's render saw: frames drawn per animation, and the final frame."""

    frames: list[int] = field(default_factory=list)
    last_frame: Any = None


def split(frames: Sequence[int], n: int) -> list[Chunk]:
    """Contiguous chunks of the animations whose frame counts are `frames`, at most `n`, each
    with about an equal share of the frames (an animation is never cut)."""
    total = sum(frames)
    cuts, done, k = [0], 0, 1
    for i, f in enumerate(frames):
        done += f
        if k < n and done >= total * k / n and i + 1 < len(frames):
            cuts.append(i + 1)
            k += 1
    ends = [*cuts[1:], len(frames)]
    return [Chunk(a, b - 1, b == len(frames)) for a, b in zip(cuts, ends, strict=True) if b > a]


def worth_chunking(size: tuple[int, int], fps: int, min_rate: int = MIN_RATE) -> bool:
    """Whether a render at this size and rate may be chunked (then `plan_chunks` decides)."""
    return limit() > 1 and size[0] * size[1] * fps >= min_rate


def plan_chunks(
    job: SceneJob, scene: str, work: Path, fps: int, jobs: int, size: tuple[int, int]
) -> list[Chunk]:
    """The chunks for a render on `jobs` processes: a count pass, then `split`, with at least
    MIN_SECONDS of video in each (one chunk: render serially)."""
    job = _chunk_job(job, Chunk(0, 0))  # no captions or stills from the count pass
    span = render_span(job, scene, work, size, fps, Chunk(1 << 30, -1))
    seconds = sum(span.frames) / fps
    n = max(1, min(jobs, int(seconds // MIN_SECONDS)))
    return split(span.frames, n)


# --------------------------------------------------------------------------------------------
# drawing a chunk


def render_span(
    job: SceneJob,
    scene: str,
    work: Path,
    size: tuple[int, int],
    fps: int,
    chunk: Chunk,
    sink: Any = None,
) -> Span:
    """Render the animations of `chunk` (those before it played undrawn, the scene stopped
    after it), every frame to `sink.write` (None: nowhere). The final state is drawn when the
    chunk is the last. A count pass (chunk.first past the end) skips every animation the way
    Manim does, without playing it."""
    from manim import tempconfig

    from scenes.app.media import passes

    passes.share_svgs(work, job.look.typography.font)
    cls = passes.scene_type(job, scene)
    config = passes._manim_config(work, size, fps, "frames", job.palette.background is None)
    counting = chunk.last < 0
    if counting:
        config.update(from_animation_number=chunk.first)
    span = Span()
    with tempconfig(config), passes._quiet_manim():
        renderer = _chunk_renderer()(file_writer_class=passes._pipe_writer())
        renderer.span, renderer.chunk = span, (None if counting else chunk)
        s = cls(renderer=renderer)
        s.renderer.file_writer.sink = sink if sink is not None else _Discard(work)
        s.render()
        if chunk.final:
            renderer.static_image = None
            renderer.update_frame(s, ignore_skipping=True)
            span.last_frame = renderer.get_frame()
    return span


class _Discard:
    """A sink for a count pass: frames go nowhere."""

    def __init__(self, work: Path) -> None:
        self.work = work

    def write(self, frame: Any, n: int = 1) -> None:
        pass


@functools.cache
def _chunk_renderer() -> type:
    """passes' still renderer (nothing drawn while an animation is skipped), for a chunk:
    the animations before it play through every frame's time, undrawn (`hidden`), so the
    scene's state and clock are a serial render's: skipping would jump each to its end, and
    a number that counts to its value is placed, to a sub-pixel, by the values it passed.
    It stops the scene after the chunk. A count pass (`chunk` None) skips with Manim; each
    animation's frame count goes to `span.frames`, computed as Manim would draw it."""
    import numpy as np
    from manim import config
    from manim.utils.exceptions import EndSceneEarlyException

    from scenes.app.media.passes import _still_renderer

    class ChunkRenderer(_still_renderer()):  # type: ignore[misc]
        span: Span
        chunk: Chunk | None
        hidden = False

        def play(self, scene: Any, *args: Any, **kwargs: Any) -> None:
            if self.chunk is not None:
                if self.num_plays > self.chunk.last:
                    raise EndSceneEarlyException()
                self.hidden = self.num_plays < self.chunk.first
            super().play(scene, *args, **kwargs)
            self.hidden = False
            dt = 1 / config.frame_rate
            if scene.is_current_animation_frozen_frame():
                n = int(scene.duration / dt)  # as freeze_current_frame draws it
            else:
                n = len(np.arange(0, scene.duration, dt))  # as get_time_progression does
            self.span.frames.append(n)

        def update_frame(self, scene: Any, *args: Any, **kwargs: Any) -> None:
            if not (self.hidden and self._playing):
                super().update_frame(scene, *args, **kwargs)

        def save_static_frame_data(self, scene: Any, static_mobjects: Any) -> Any:
            # drawn even while hidden: a beat's still after a wait is drawn over it
            hidden, self.hidden = self.hidden, False
            try:
                return super().save_static_frame_data(scene, static_mobjects)
            finally:
                self.hidden = hidden

        def render(self, scene: Any, time: float, moving_mobjects: Any = None) -> None:
            if self.hidden:
                self.time += 1 / config.frame_rate  # as add_frame counts a drawn frame
                return
            super().render(scene, time, moving_mobjects)

        def freeze_current_frame(self, duration: float) -> None:
            if self.hidden:
                dt = 1 / config.frame_rate
                self.time += int(duration / dt) * dt
                return
            super().freeze_current_frame(duration)

    return ChunkRenderer


# --------------------------------------------------------------------------------------------
# a render in chunks


@dataclass(frozen=True)
class ChunkJob:
    """A chunk for a worker process: render `chunk` of the scene into `work`/chunk.mov."""

    job: SceneJob
    scene: str
    work: Path
    size: tuple[int, int]
    fps: int
    chunk: Chunk


def _render_chunk(job: ChunkJob) -> tuple[Path, Any]:
    """Worker side: the chunk's frames as lossless RLE in job.work; returns the file and the
    final frame (the last chunk's) or None."""
    from scenes.app.media.passes import FrameSink

    # ARGB with a transparent theme; else RGB (the render's files drop the alpha then)
    transparent = job.job.palette.background is None
    sink = FrameSink(job.work, job.size, job.fps, ["mov"], transparent=transparent)
    with sink:
        span = render_span(job.job, job.scene, job.work, job.size, job.fps, job.chunk, sink)
    return sink.files["mov"], span.last_frame


def _chunk_job(job: SceneJob, chunk: Chunk) -> SceneJob:
    """The scene's job for a chunk: the captions, stills and the figure model (its beats'
    times: the last chunk plays every beat) are the last chunk's."""
    if chunk.final:
        return job
    return dataclasses.replace(job, stills_dir=None, captions=False, figure_file=None)


def chunked_frames(
    job: SceneJob,
    scene: str,
    work: Path,
    size: tuple[int, int],
    fps: int,
    fmt: str,
    sink: FrameSink | None = None,
    *,
    jobs: int | None = None,
) -> Path:
    """`passes.manim_pass(..., "frames", sink)` on up to `jobs` processes (default:
    `limit`): the same frames into `sink`, drawn in chunks at once. Give it to
    `passes.movie_pass` as its pass_fn."""
    from scenes.app.media.passes import manim_pass

    assert fmt == "frames" and sink is not None
    jobs = jobs or limit()
    with _workers(jobs - 1) as pool:  # they import manim while the count pass runs
        chunks = plan_chunks(job, scene, work / "count", fps, jobs, size)
        if len(chunks) == 1:
            return manim_pass(job, scene, work, size, fps, "frames", sink)
        futures = [
            pool.submit(_render_chunk, ChunkJob(_chunk_job(job, c), scene, work / f"chunk-{i}",
                                                size, fps, c))
            for i, c in enumerate(chunks[1:], 1)
        ]  # fmt: skip
        with sink:
            first = chunks[0]
            render_span(_chunk_job(job, first), scene, work / "chunk-0", size, fps, first,
                        sink)  # fmt: skip
            last = None
            for future in futures:
                movie, last = future.result()
                feed(movie, size, sink)
                movie.unlink()
            assert last is not None  # the last chunk's
            sink.last_frame(last)
    return work


def feed(movie: Path, size: tuple[int, int], sink: Any) -> None:
    """Every frame of `movie` (decoded by ffmpeg as RGBA) written to `sink`, in order."""
    import numpy as np

    from scenes.app.media.passes import grow_pipe

    w, h = size
    n = w * h * 4
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(movie), "-f", "rawvideo", "-pix_fmt",
           "rgba", "pipe:1"]  # fmt: skip
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        grow_pipe(proc.stdout)
        while len(data := proc.stdout.read(n)) == n:
            sink.write(np.frombuffer(data, np.uint8).reshape(h, w, 4))
        err = proc.stderr.read() if proc.stderr else b""
        if proc.wait() != 0 or data:
            raise RuntimeError(f"could not read a chunk back: {err.decode(errors='replace')}")


@contextlib.contextmanager
def _workers(n: int) -> Iterator[Any]:
    """`n` worker processes ("spawn"), importing manim at once; stopped on leaving (the
    chunks not started dropped, SIGTERM, then SIGKILL after a grace period)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if n <= 0:
        yield None
        return
    pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker)  # fmt: skip
    for _ in range(n):
        pool.submit(_preload)
    try:
        yield pool
    finally:
        procs = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            with contextlib.suppress(Exception):
                p.terminate()
                p.join(15)
                if p.is_alive():
                    p.kill()
        with contextlib.suppress(Exception):
            pool.shutdown(wait=True)


def _init_worker() -> None:
    """A chunk's worker: it dies with its parent (Linux), a stop signal cleans up like
    Ctrl-C (`signals.stop_once`), nothing it prints reaches the parent's stdout or stderr, and
    it draws no chunks of its own (`set_limit`)."""
    import signal
    import sys

    from scenes.app.signals import STOP_SIGNALS, stop_once

    for sig in STOP_SIGNALS:
        signal.signal(sig, stop_once)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    sys.stdout.flush()
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    set_limit(1)


def _preload() -> None:
    import manim  # noqa: F401


def pass_for(
    size: tuple[int, int], fps: int, outputs: Sequence[str], jobs: int | None = None
) -> Any:
    """The pass_fn for `passes.movie_pass`: `chunked_frames` when chunks may pay (a video
    format, a large enough render, more than one process allowed), else None (serial)."""
    videos = [f for f in outputs if f != "png"]
    runner = getattr(_remote, "runner", None)
    if runner is not None:  # a render on a cluster: the runner says whether, and draws them
        return runner.pass_fn(size, fps, videos)
    if not videos or not worth_chunking(size, fps) or (jobs is not None and jobs < 2):
        return None
    return functools.partial(chunked_frames, jobs=jobs)


@contextlib.contextmanager
def remote(runner: Any) -> Iterator[None]:
    """For the block, this thread's renders draw their chunks through `runner` (one
    `pass_fn(size, fps, videos)` giving the pass_fn, or None: serial), not in local
    processes: scenes.app.cluster sends them to a Ray cluster."""
    _remote.runner = runner
    try:
        yield
    finally:
        _remote.runner = None
