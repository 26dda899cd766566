"""Many renders at once: spec entries to jobs, a worker pool, the batch summary.

- `load_spec_jobs` reads a spec (`scenes.app.spec`) and makes one job per entry; an entry
  whose inputs match a render recorded in the folder, with all its files there, is up to
  date without building its plan (`scenes.app.store.entry_inputs`).
- `run_batch` renders jobs in worker processes ("spawn": each worker has its own manim
  config and imports), one rich progress display for the batch, a summary table at the end.
  A failing render does not stop the others; a worker that dies is retried alone, so only
  the render that killed it fails. Every file is written by the store, in the workers.

No manim at import time: the cached path of a batch never loads it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing.util
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.errors import InputError, OutputError
from scenes.app import store
from scenes.app.notebook import RenderResult
from scenes.app.signals import on_signal

if TYPE_CHECKING:
    from rich.console import Console

    from attention_math.plan import Plan
    from scenes.app.options import RenderOptions
    from scenes.app.spec import Entry


@dataclass(frozen=True)
class Job:
    """One render of a batch. label: how the summary names it (``renders[3]``).

    options: how to render it, with the stem the store will write as options.name.
    inputs: the hash of the spec entry's inputs (`store.entry_inputs`), recorded with the files.
    ready: the files, when they are known to be up to date from `inputs` alone (then `plan`
      is None: it was not built).
    """

    label: str
    plan: Plan | None
    options: RenderOptions
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
    signal.signal(signal.SIGTERM, on_signal)
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
        from scenes.app import pipeline

        assert job.plan is not None
        options = replace(job.options, force=force)
        result = pipeline.render(job.plan, options, job.out_dir, inputs=job.inputs)
    except Exception as exc:
        return "failed", [], time.perf_counter() - start, _reason(exc)
    except (SystemExit, KeyboardInterrupt) as exc:
        # A signal: the `with` blocks have run (no staging folder is left). Leave now rather
        # than return to the pool, which would start the next queued render.
        sys.stderr.flush()
        # Unlink the semaphores libraries made (tqdm's lock), or the tracker warns of a leak.
        with contextlib.suppress(Exception):
            multiprocessing.util._run_finalizers(0)  # type: ignore[attr-defined]
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
    outcomes: dict[int, Outcome] = {}
    todo: list[Job] = []
    for i, job in enumerate(jobs):
        hit = None if force else _cached(job)
        if hit is not None:
            outcomes[i] = Outcome(job, "cached", hit.files)
        elif job.plan is None:
            outcomes[i] = Outcome(job, "failed", reason="no plan (a bug: please report it)")
        else:
            todo.append(job)
    todo.sort(key=_cost, reverse=True)  # longest first: the last render does not run alone
    if not todo:
        if pool is not None:
            _stop(pool)
        return [outcomes[i] for i in range(len(jobs))]
    if pool is not None:
        workers = pool._max_workers
    workers = max(1, min(workers or default_jobs(), len(todo)))
    index = {id(job): i for i, job in enumerate(jobs)}
    with _progress(console, quiet, workers, len(todo)) as advance:

        def done(outcome: Outcome) -> None:
            outcomes[index[id(outcome.job)]] = outcome
            advance(outcome)

        broken = _run_pool(todo, workers, force, quiet, done, pool)
        for job in broken:  # alone this time: only the job that kills its worker fails
            if _run_pool([job], 1, force, quiet, done):
                why = "its worker process died (out of memory?); it was retried once"
                done(Outcome(job, "failed", reason=why))
    return [outcomes[i] for i in range(len(jobs))]


def _cached(job: Job) -> RenderResult | None:
    """The job's files when they are up to date (known from its inputs, or its plan's key)."""
    if job.plan is None:
        return job.ready
    return store.cached_files(job.out_dir, job.stem, store.cache_key(job.plan, job.options))


@contextlib.contextmanager
def _progress(
    console: Console | None, quiet: bool, workers: int, total: int
) -> Iterator[Callable[[Outcome], None]]:
    """One rich progress bar for the batch; yields the function that counts an outcome (and
    prints a failure)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

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
            f"rendering with {workers} worker{'s' if workers > 1 else ''}", total=total
        )

        def advance(outcome: Outcome) -> None:
            progress.advance(task)
            if outcome.status == "failed" and console is not None:
                console.print(
                    f"[red]failed[/] {outcome.job.label} {outcome.job.stem}: {outcome.reason}",
                    markup=True,
                    highlight=False,
                )

        yield advance


def _cost(job: Job) -> float:
    """A render's relative cost: frames drawn, from the plan's steps (stills are cheap)."""
    assert job.plan is not None
    steps = sum(len(s.steps) + 3 for s in job.plan.sentences)
    passes = sum(0.1 if f == "png" else 1.0 for f in job.options.formats)
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
    from scenes.app.spec import build_plans, load_spec

    spec = load_spec(path, collect=True)
    folder = out_dir or spec.out or Path("out")
    given = {k: v for k, v in (overrides or {}).items() if v}
    entries = [replace(e, options=replace(e.options, **given)) for e in spec.entries]
    inputs = {e.index: entry_inputs(e) for e in entries}
    ready = {} if force else _ready(entries, inputs, folder)
    to_plan = [e for e in entries if e.index not in ready]
    if to_plan and on_work is not None and not spec.problems:
        on_work(len(to_plan))
    built = build_plans(replace(spec, entries=tuple(to_plan)))
    plans = dict(zip([e.index for e in to_plan], built, strict=True))
    jobs = _jobs(spec.path.name, entries, plans, ready, inputs, folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder {str(folder)!r}: {exc.strerror}") from exc
    return jobs


def entry_inputs(entry: Entry) -> str:
    """The hash of what an entry's files depend on (store.entry_inputs): its values, the
    files it reads and the code that draws its scene."""
    r, o = entry.request, entry.options
    values = {**dataclasses.asdict(r), "needs": sorted(r.needs), **dataclasses.asdict(o)}
    files = (r.embeddings, r.senses)
    return store.entry_inputs(values, files, o.scene)


def _ready(
    entries: Sequence[Entry], inputs: dict[int, str], folder: Path
) -> dict[int, tuple[str, RenderResult]]:
    """(stem, files) of the entries whose inputs match a recorded render with all its files."""
    known = store.records_by_inputs(folder)
    ready = {}
    for e in entries:
        if inputs[e.index] in known:
            stem, key = known[inputs[e.index]]
            hit = store.cached_files(folder, stem, key)
            if hit is not None:
                ready[e.index] = (stem, hit)
    return ready


def _jobs(
    source: str,
    entries: Sequence[Entry],
    plans: dict[int, Plan],
    ready: dict[int, tuple[str, RenderResult]],
    inputs: dict[int, str],
    folder: Path,
) -> list[Job]:
    """One job per entry, each with the stem the store will write; two entries writing the
    same stem are a SpecError naming both."""
    from scenes.app.spec import SpecError

    jobs: list[Job] = []
    seen: dict[str, int] = {}
    problems = []
    for e in entries:
        plan, o = plans.get(e.index), e.options
        if e.index in ready:
            stem, hit = ready[e.index]
        else:
            assert plan is not None
            stem = store.safe_stem(o.name) if o.name else store.spec_stem(plan, o.scene, o.theme)
            hit = None
        if stem in seen:
            problems.append(
                f"{e.where}{'.name' if o.name else ''}: writes {stem}.* like "
                f'renders[{seen[stem]}]; give one of them another name = "..."'
            )
            continue
        seen[stem] = e.index
        options = replace(o, name=stem)
        jobs.append(Job(e.where, plan, options, folder, stem, inputs[e.index], hit))
    if problems:
        raise SpecError(source, problems)
    return jobs


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
