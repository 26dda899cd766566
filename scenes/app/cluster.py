"""A course on a cluster: `render --spec FILE --cluster ADDRESS` renders the entries as Ray tasks.

The driver (this process) does what a batch does before it renders (`batch.plan_spec`: every
entry checked, named, found in the cache; the cached ones are not sent), then sends each
other entry's plan and options to the cluster as one task (`render_entry`, one CPU). A task
renders into a temporary folder of its worker (`pipeline.run_passes`: the same passes as a
local render, serially) and returns the files as bytes: workers need not share the driver's
file system, and nothing on a worker is kept. The driver commits each entry's files through
the store (`produce_and_commit`, all or nothing, STEM.plan.json and the record as a
local render writes them). A task that fails, or whose worker renders with other code (its
cache key differs from the driver's), fails its entry by name; the others go on. Ctrl-C
cancels every task not finished, and nothing half-made is committed.

A long render (a video of at least CHUNK_MIN_RATE pixels a second: 1080p30 and up) is sent in
chunks (`RayChunks`, scenes.app.media.chunks): a count task lists the frames each animation draws,
the animations are cut into up to one chunk per CPU of the cluster (at least
chunks.MIN_SECONDS of video each), and each chunk is a task that draws its frames as
lossless RLE in a temporary folder of its worker and returns them as bytes, with what the
last chunk writes (captions, stills, the figure's layout). The driver joins them as a local
chunked render does: one `passes.FrameSink`, fed the chunks in order, encodes every format
once (the same decoded frames as a serial render, the GIF's palette over all frames), in a
thread of its own (`_render_joined`) while the other entries' tasks go on. A failed chunk
fails its entry, by name. The slides' decks (their own Manim pass) are a task beside them.

ADDRESS: a Ray address (`ray start --head` prints it, e.g. 127.0.0.1:6379, or ray://HOST:10001
for Ray Client), or `local`: a Ray instance started here for the run, bound to 127.0.0.1.
Ray is an optional extra: pip install 'attention-drift[cluster]'.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.errors import InputError, OutputError
from scenes.app.batch import Job, Outcome, _cost, _progress, _reason, plan_spec
from scenes.app.cache.key import cache_key, produce_and_commit
from scenes.app.files.commit import check_name, prepare, set_owner
from scenes.app.notebook import RenderResult

if TYPE_CHECKING:
    from rich.console import Console

    from attention_math.plan import Plan
    from scenes.app.options import RenderOptions

INSTALL = "pip install 'attention-drift[cluster]' (Ray), or leave --cluster out"
LOCAL = "local"
# Ray's switch for clusters of several machines (on by default on Linux): off, a Ray started
# here takes 127.0.0.1 as its node's address and binds its servers there only.
LOOPBACK_ONLY = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
CHUNK_MIN_RATE = 1920 * 1080 * 30  # pixels a second from which a render is sent in chunks
JOINS = 2  # long renders joined (fed, encoded) on the driver at once, each in a thread
SKIPPED = ("texts", "tex")  # a chunk's folders not sent back: Manim's text caches


def need_ray() -> Any:
    """The ray module, or an InputError saying how to install it."""
    try:
        import ray
    except ImportError:
        raise InputError(f"--cluster needs Ray, which is not installed: {INSTALL}") from None
    return ray


def render_entry(
    plan: Plan, options: RenderOptions, stem: str
) -> tuple[str, list[tuple[str, bytes]]]:
    """The task (on a worker): the entry's media rendered in a temporary folder, returned as
    (the cache key this worker computes, [(file name, bytes)]), nothing kept."""
    from scenes.app import pipeline
    from scenes.app.media.chunks import set_limit
    from scenes.app.progress import Progress

    set_limit(1)  # one CPU per task: the cluster's tasks are the parallelism
    pipeline.check_plan(plan, options.scene)
    with tempfile.TemporaryDirectory(prefix="attention-drift-") as tmp:
        media = pipeline.run_passes(plan, options, Path(tmp), stem, Progress())
        return cache_key(plan, options), [(p.name, p.read_bytes()) for p in media]


def count_frames(
    plan: Plan, scene: str, theme: str, size: tuple[int, int], fps: int,
    attrs: dict[str, object], root: str,
) -> list[int]:  # fmt: skip
    """The task (on a worker) for a chunked render's count pass: the frames each animation
    draws (chunks.plan_chunks's count), in a temporary folder."""
    from scenes.app.media import chunks

    with tempfile.TemporaryDirectory(prefix="attention-drift-") as tmp:
        attrs = chunks._chunk_attrs(moved(attrs, Path(root), Path(tmp)), chunks.Chunk(0, 0))
        span = chunks.render_span(plan, scene, theme, Path(tmp) / "count", size, fps, attrs,
                                  chunks.Chunk(1 << 30, -1))  # fmt: skip
        return span.frames


def render_chunk(job: Any, root: str) -> tuple[str, list[tuple[str, bytes]], Any]:
    """The task (on a worker) for one chunk (a chunks.ChunkJob whose paths are under the
    driver's `root`): drawn in a temporary folder standing for `root`; returns the RLE
    file's path under it, every file the chunk wrote ([(path under root, bytes)], the RLE
    included; Manim's text caches left out) and the final frame (the last chunk's) or None."""
    from scenes.app.media import chunks

    chunks.set_limit(1)
    with tempfile.TemporaryDirectory(prefix="attention-drift-") as tmp:
        here = Path(tmp)
        job = replace(job, work=moved(job.work, Path(root), here),
                      attrs=moved(job.attrs, Path(root), here))  # fmt: skip
        movie, last = chunks._render_chunk(job)
        files = [(str(p.relative_to(here)), p.read_bytes()) for p in sorted(here.rglob("*"))
                 if p.is_file() and not set(p.relative_to(here).parts) & set(SKIPPED)]  # fmt: skip
        return str(movie.relative_to(here)), files, last


def moved(value: Any, old: Path, new: Path) -> Any:
    """`value` with every path under `old` (a Path or str; in tuples, lists, dicts and
    dataclasses such as vector.VectorSaver) the same path under `new`: a scene's attributes
    name the driver's folders, a worker writes into its own."""
    if isinstance(value, (str, Path)):
        if not os.path.isabs(value) or not Path(value).is_relative_to(old):
            return value
        path = new / Path(value).relative_to(old)
        return path if isinstance(value, Path) else str(path)
    if isinstance(value, (tuple, list)):
        return type(value)(moved(v, old, new) for v in value)
    if isinstance(value, dict):
        return {k: moved(v, old, new) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: moved(getattr(value, f.name), old, new)
                  for f in dataclasses.fields(value) if f.init}  # fmt: skip
        return replace(value, **fields)
    return value


class RayChunks:
    """The chunks of one long render on the cluster (driver side; `chunks.remote` hands it
    the render's frames pass): a count task, one task per chunk, their frames fed into the
    render's sink in order. `root`: the driver's folder of the render (the tasks' paths are
    moved from it to theirs); `note`: told "chunk k/n" as each chunk is awaited."""

    def __init__(self, ray: Any, cpus: int, note: Callable[[str], None]) -> None:
        self.ray, self.cpus, self.note = ray, cpus, note
        self.root = Path()  # set by `_render_joined`
        self.refs: list[Any] = []  # the tasks sent, to cancel on leaving early
        self.stopping = False  # set by the driver's loop when it stops (Ctrl-C)
        self.chunks = 0

    def pass_fn(self, size: tuple[int, int], fps: int, videos: Sequence[str]) -> Any:
        """`frames` for a video of at least CHUNK_MIN_RATE pixels a second; else None."""
        return self.frames if videos and size[0] * size[1] * fps >= CHUNK_MIN_RATE else None

    def frames(
        self, plan: Plan, scene: str, theme: str, work: Path, size: tuple[int, int], fps: int,
        fmt: str, attrs: dict[str, object] | None = None, sink: Any = None,
    ) -> Path:  # fmt: skip
        """chunks.chunked_frames's contract, every chunk drawn by a task."""
        from scenes.app.media import chunks

        assert fmt == "frames" and sink is not None
        attrs, root = dict(attrs or {}), str(self.root)
        ray = self.ray
        count = ray.remote(num_cpus=1, max_retries=0)(count_frames)
        frames = self._get(self._sent(count.remote(plan, scene, theme, size, fps, attrs, root)))
        n = max(1, min(self.cpus, int(sum(frames) / fps // chunks.MIN_SECONDS)))
        parts = chunks.split(frames, n)
        self.chunks = len(parts)
        task = ray.remote(num_cpus=1, max_retries=0)(render_chunk)
        refs = [self._sent(task.remote(chunks.ChunkJob(plan, scene, theme, work / f"chunk-{i}",
                                                       size, fps, chunks._chunk_attrs(attrs, c),
                                                       c), root))
                for i, c in enumerate(parts)]  # fmt: skip
        with sink:
            last = None
            for k, ref in enumerate(refs, 1):
                self.note(f"chunk {k}/{len(refs)}")
                movie, files, last = self._get(ref)
                self._unpack(files)
                chunks.feed(self.root / movie, size, sink)
                (self.root / movie).unlink()
            assert last is not None  # the last chunk's
            sink.last_frame(last)
        return work

    def _sent(self, ref: Any) -> Any:
        """`ref`, kept to be cancelled; cancelled at once when the run is stopping."""
        self.refs.append(ref)
        if self.stopping:
            self.cancel()
        return ref

    def _get(self, ref: Any) -> Any:
        """A task's result; its own exception (not Ray's wrapper) when it failed."""
        try:
            return self.ray.get(ref)
        except Exception as exc:
            cause = getattr(exc, "cause", None)
            raise (cause if isinstance(cause, Exception) else exc) from None

    def _unpack(self, files: Sequence[tuple[str, bytes]]) -> None:
        """A chunk's files written where the render expects them (under root only)."""
        for name, data in files:
            dest = (self.root / name).resolve()
            if os.path.isabs(name) or not dest.is_relative_to(self.root.resolve()):
                raise OutputError(f"a chunk's task returned a file outside its folder: {name!r}")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)

    def cancel(self) -> None:
        """Every task sent cancelled (those finished are not affected)."""
        for ref in self.refs:
            with contextlib.suppress(Exception):
                self.ray.cancel(ref, force=True)


def render_decks(plan: Plan, options: RenderOptions, stem: str) -> list[tuple[str, bytes]]:
    """The task (on a worker) for a chunked render's slides: the decks alone (their own
    Manim pass, `pipeline._decks_and_script`), returned as [(file name, bytes)]."""
    from scenes.app import pipeline
    from scenes.app.media.chunks import set_limit
    from scenes.app.progress import Progress

    set_limit(1)
    with tempfile.TemporaryDirectory(prefix="attention-drift-") as tmp:
        decks = replace(options, script=False)
        made = pipeline._decks_and_script(plan, decks, Path(tmp), stem, Progress())
        return [(p.name, p.read_bytes()) for p in made]


def _render_joined(
    runner: RayChunks, plan: Plan, options: RenderOptions, stem: str
) -> tuple[str, list[tuple[str, bytes]]]:
    """A long render, on the driver (a thread): the passes run here (`pipeline.run_passes`),
    the frames drawn in chunks on the cluster (`runner`), joined and encoded here, the
    slides' decks by a task of their own meanwhile; returns what `render_entry` returns."""
    from scenes.app import pipeline
    from scenes.app.media import chunks
    from scenes.app.progress import Progress

    pipeline.check_plan(plan, options.scene)
    ray = runner.ray
    with tempfile.TemporaryDirectory(prefix="attention-drift-") as tmp:
        runner.root = Path(tmp)
        try:
            decks = None
            if options.slides:
                task = ray.remote(num_cpus=1, max_retries=0)(render_decks)
                decks = task.remote(plan, options, stem)
                runner._sent(decks)
            with chunks.remote(runner):
                here = replace(options, slides=False, slides_formats=())  # the decks: a task
                media = pipeline.run_passes(plan, here, runner.root, stem, Progress())
            files = [(p.name, p.read_bytes()) for p in media]
            if decks is not None:
                files += runner._get(decks)
            return cache_key(plan, options), files
        finally:
            runner.cancel()  # the chunks still running when it failed


def _long(options: RenderOptions) -> bool:
    """Whether a render may go in chunks: a video of at least CHUNK_MIN_RATE pixels a
    second (whether it does: `RayChunks`, once its frames are counted)."""
    from scenes.app.media.passes import QUALITY, VIDEO_FORMATS

    width, height, fps = QUALITY[options.quality]
    videos = [f for f in options.formats if f in (*VIDEO_FORMATS, "html")]
    return bool(videos) and width * height * fps >= CHUNK_MIN_RATE


def commit(job: Job, plan: Plan, key: str, files: Sequence[tuple[str, bytes]]) -> RenderResult:
    """The files a task returned, committed into job.out_dir by the store (all or nothing),
    as `batch._render` commits a local render (a named entry's files record their owner)."""
    options = replace(job.options, force=job.options.force or job.owner is not None)
    if key != cache_key(plan, options):
        raise OutputError(
            "the worker renders with other code or packages than this machine (its cache key "
            "differs): install the same attention-drift on every node of the cluster"
        )
    for name, _ in files:
        if Path(name).name != name or not name.startswith(job.stem):
            raise OutputError(f"the worker returned a file named {name!r}, not {job.stem}.*")
    prepare(job.out_dir)
    check_name(job.out_dir, job.stem, plan, options)

    def produce(stage: Path) -> list[Path]:
        paths = []
        for name, data in files:
            (stage / name).write_bytes(data)
            paths.append(stage / name)
        return paths

    result = produce_and_commit(
        job.out_dir, job.stem, key, plan, produce, inputs=job.inputs, options=options
    )
    if job.owner is not None:
        set_owner(job.out_dir, job.stem, job.owner)
    return result


@contextlib.contextmanager
def connect(address: str) -> Iterator[Any]:
    """Ray, connected to `address` (LOCAL: a new instance on this machine, on 127.0.0.1
    only, without the dashboard) for the block; disconnected (and a local one stopped) after.
    Yields the ray module."""
    if address == LOCAL:  # every Ray server on 127.0.0.1, not the machine's address (read
        os.environ[LOOPBACK_ONLY] = "0"  # when ray is imported: set before, see run_spec)
    ray = need_ray()
    from scenes.app.batch import default_jobs

    common: dict[str, Any] = {"log_to_driver": False, "logging_level": "ERROR"}
    try:
        if address == LOCAL:
            ray.init(address="local", num_cpus=default_jobs(), include_dashboard=False,
                     _node_ip_address="127.0.0.1", **common)  # fmt: skip
        elif address.split(":")[0] in ("127.0.0.1", "localhost"):  # a cluster on this machine
            ray.init(address=address, _node_ip_address="127.0.0.1", **common)
        else:
            ray.init(address=address, **common)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        text = " ".join(str(exc).split())[:300]
        raise InputError(
            f"cannot reach the Ray cluster at {address!r}: {text} (a cluster with token "
            f"authentication also needs RAY_AUTH_MODE=token and its token: README, Renders on "
            f"a cluster)"
        ) from exc
    try:
        yield ray
    finally:
        ray.shutdown()


def run_spec(
    path: str | Path,
    address: str,
    *,
    out_dir: Path | None = None,
    overrides: dict[str, Any] | None = None,
    force: bool = False,
    console: Console | None = None,
    quiet: bool = False,
) -> list[Outcome]:
    """Check a spec (`batch.plan_spec`) and render the entries not in the cache on the Ray
    cluster at `address`; outcomes in entry order (as `batch.run_spec`)."""
    if address == LOCAL:
        os.environ[LOOPBACK_ONLY] = "0"  # before ray is imported
    need_ray()  # before the plans are built: one line saying how to install it
    jobs, planner = plan_spec(path, out_dir=out_dir, overrides=overrides, force=force)
    outcomes: dict[int, Outcome] = {}
    todo: list[tuple[int, Job]] = []
    for i, job in enumerate(jobs):
        if job.ready is not None and not force:
            outcomes[i] = Outcome(job, "cached", job.ready.files)
        else:
            todo.append((i, job))
    if todo:
        with connect(address) as ray:

            def build(job: Job) -> Plan:
                assert job.entry is not None
                return planner.plan(job.entry)

            cpus = int(ray.cluster_resources().get("CPU", 1))
            with _progress(console, quiet, cpus, len(todo)) as advance:
                note = functools.partial(advance, None)
                for i, outcome in _run_tasks(ray, todo, build, cpus, force, note, len(jobs)):
                    outcomes[i] = outcome
                    advance(outcome)
    return [outcomes[i] for i in range(len(jobs))]


def _run_tasks(
    ray: Any, todo: list[tuple[int, Job]], build: Callable[[Job], Plan], cpus: int, force: bool,
    note: Callable[[str], None] = lambda text: None, total: int = 0,
) -> Iterator[tuple[int, Outcome]]:  # fmt: skip
    """Send the jobs as tasks, at most 2 × `cpus` at a time (longest first), commit each
    as it comes back; yields (index, outcome). A long render (`_long`) is sent in chunks and
    joined in a thread here (`_render_joined`); `note` hears "entry i/total STEM · chunk
    k/n". Leaving early (Ctrl-C) cancels the tasks and the chunks."""
    import time

    task = ray.remote(num_cpus=1, max_retries=0)(render_entry)
    waiting = sorted(todo, key=lambda t: _cost(t[1]))  # popped from the end: longest first
    running: dict[Any, tuple[int, Job, Plan, float]] = {}
    joining: dict[Future[Any], tuple[int, Job, Plan, float]] = {}
    runners: list[RayChunks] = []
    pool = ThreadPoolExecutor(JOINS, thread_name_prefix="attention-drift-join")
    try:
        while waiting or running or joining:
            while waiting and len(running) + len(joining) < 2 * cpus:
                i, job = waiting.pop()
                try:
                    plan = build(job)
                except Exception as exc:
                    yield i, Outcome(job, "failed", reason=_reason(exc))
                    continue
                options = replace(job.options, force=force or job.options.force)
                if _long(options):
                    said = f"entry {i + 1}/{total} {job.stem} · "
                    runners.append(RayChunks(ray, cpus, functools.partial(_said, note, said)))
                    future = pool.submit(_render_joined, runners[-1], plan, options, job.stem)
                    joining[future] = (i, job, plan, time.perf_counter())
                else:
                    ref = task.remote(plan, options, job.stem)
                    running[ref] = (i, job, plan, time.perf_counter())
            yield from _finished(ray, running, joining)
    finally:
        for ref in running:  # Ctrl-C, or an error here: the tasks not finished go
            with contextlib.suppress(Exception):
                ray.cancel(ref, force=True)
        for runner in runners:
            runner.stopping = True
            runner.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _said(note: Callable[[str], None], head: str, text: str) -> None:
    note(head + text)


def _finished(
    ray: Any, running: dict[Any, tuple[int, Job, Plan, float]],
    joining: dict[Future[Any], tuple[int, Job, Plan, float]],
) -> Iterator[tuple[int, Outcome]]:  # fmt: skip
    """The entries finished next (at least one, unless nothing runs), committed: a task's
    (from `running`) or a joined render's (from `joining`)."""
    import time
    from concurrent.futures import FIRST_COMPLETED, wait

    done = [f for f in joining if f.done()]
    if not done and running:
        ready, _ = ray.wait(list(running), num_returns=1, timeout=0.2 if joining else None)
        for ref in ready:
            i, job, plan, start = running.pop(ref)
            seconds = time.perf_counter() - start
            yield i, _outcome(functools.partial(ray.get, ref), job, plan, seconds)
        return
    if not done and joining:
        done = list(wait(joining, return_when=FIRST_COMPLETED).done)
    for future in done:
        i, job, plan, start = joining.pop(future)
        yield i, _outcome(future.result, job, plan, time.perf_counter() - start)


def _outcome(get: Callable[[], Any], job: Job, plan: Plan, seconds: float) -> Outcome:
    """The result `get` gives (a task's, or a joined render's) committed (done), or why it
    failed."""
    try:
        key, files = get()
    except Exception as exc:  # RayTaskError wraps the task's own exception: report that
        cause = getattr(exc, "cause", None)
        return Outcome(job, "failed", seconds=seconds, reason=_reason(cause or exc))
    try:
        result = commit(job, plan, key, files)
    except Exception as exc:
        return Outcome(job, "failed", seconds=seconds, reason=_reason(exc))
    return Outcome(job, "done", result.files, seconds)
