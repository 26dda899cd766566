"""Many renders at once: spec entries to jobs, a worker pool, the batch summary.

- `plan_spec` reads a spec (`scenes.app.spec`) and makes one job per entry; an entry
  whose inputs match a render recorded in the folder, with all its files there, is up to
  date without building its plan (`scenes.app.cache.inputs.entry_inputs`). The others' plans are
  built one at a time to check them, name them and find them in the cache, then dropped.
- `run_batch` renders jobs in worker processes ("spawn": each worker has its own manim
  config and imports), one rich progress display for the batch, a summary table at the end.
  A job's plan is built again when it is sent, a few ahead of the workers: memory follows
  the workers, not the spec. A failing render does not stop the others; a worker that dies
  is retried alone, so only the render that killed it fails. Workers die with the batch,
  even by `kill -9` (`die_with_parent`). Every file is written by the store, in the workers.

No manim at import time: the cached path of a batch never loads it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing.util
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from attention_math.errors import InputError, OutputError
from scenes.app.cache.inputs import entry_inputs as inputs_hash
from scenes.app.cache.inputs import records_by_inputs
from scenes.app.cache.key import cache_key, cached_files
from scenes.app.files.commit import check_writable, name_taken, set_owner
from scenes.app.files.names import MAX_STEM, absolute, render_identity, safe_stem, stem_of
from scenes.app.notebook import RenderResult
from scenes.app.progress import Progress
from scenes.app.signals import STOP_SIGNALS, check_signals, stop_once

if TYPE_CHECKING:
    from rich.console import Console

    from attention_math.plan import Plan
    from scenes.app.options import RenderOptions
    from scenes.app.spec import Entry, Planner, Spec


@dataclass(frozen=True)
class Job:
    """One render of a batch. label: how the summary names it (``renders[3]``).

    plan: what to draw; None until the job is sent to a worker when it comes from a spec
      (`entry` says how to build it: a spec of thousands never holds every plan at once).
    options: how to render it, with the stem the store will write as options.name.
    inputs: the hash of the spec entry's inputs (`cache.inputs.entry_inputs`), recorded with
      the files.
    ready: the files, when they are known to be up to date (then nothing is built).
    key: the cache key of the plan (known once the plan was built and checked).
    cost: the relative cost of the render (`_cost`), to start the longest first.
    owner: "SPEC#NAME" for a spec entry with a name: recorded with its files, so that the
      entry, edited, may render again under its name (checked before it is sent).
    """

    label: str
    plan: Plan | None
    options: RenderOptions
    out_dir: Path
    stem: str
    inputs: str | None = None
    ready: RenderResult | None = None
    entry: Entry | None = None
    key: str | None = None
    cost: float = 0.0
    owner: str | None = None


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


def _worker_init(quiet: bool, parent: int | None = None) -> None:
    """In each worker, before anything heavy is imported: the worker dies with its parent
    (`die_with_parent`), one thread for BLAS / OpenMP (the workers are the parallelism),
    SIGTERM cleans up like Ctrl-C and the signals after the first are ignored until the
    worker is gone (`stop_once`), and nothing the libraries print reaches the batch's stdout
    (the written paths go there)."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, stop_once)
    if parent is not None:
        die_with_parent(parent)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    from scenes.app.media.chunks import set_limit  # chunks: one process per render in a worker

    set_limit(1)
    sys.stdout.flush()
    target = os.open(os.devnull, os.O_WRONLY) if quiet else 2
    os.dup2(target, 1)
    if quiet:
        os.dup2(target, 2)


PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_SECONDS = 1.0


def die_with_parent(parent: int) -> None:
    """Make this process go when `parent` goes, even by `kill -9` (which no handler sees):
    Linux sends SIGTERM at the parent's death (prctl PR_SET_PDEATHSIG; the handler removes the
    staging folder and exits), and a thread that sees the process re-parented sends it too
    (other systems, or a death before the prctl). A worker left behind would block forever
    on a queue no one writes to, holding its memory, and keep the resource tracker alive."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # gone already, before the prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)  # the handler runs in the main thread; if it cannot, go anyway
        os._exit(128 + signal.SIGTERM)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _render_job(job: Job, force: bool) -> tuple[str, list[str], float, str]:
    """Worker side: (status, files, seconds, reason). Exceptions become a failed status; a
    stop signal (SystemExit / KeyboardInterrupt) ends the worker (`_leave`)."""
    start = time.perf_counter()
    try:
        check_signals()  # a stop signal came already (its exception swallowed): start nothing
        try:
            result = _render(job, force)
        except Exception as exc:
            check_signals()  # stopped, and the clean-up failed: leave all the same
            return "failed", [], time.perf_counter() - start, _reason(exc)
    except (SystemExit, KeyboardInterrupt) as exc:
        _leave(exc)
    status = "cached" if result.cached else "done"
    return status, [str(p) for p in result.files], time.perf_counter() - start, ""


def _render(job: Job, force: bool) -> RenderResult:
    """The job's render (`pipeline.render`), in the worker; the files record their owner."""
    from scenes.app import pipeline

    assert job.plan is not None
    # A named spec entry's name was checked against its owner before it was sent (and it
    # was not up to date then): render it even where the name holds its older render.
    forced = force or job.options.force or job.owner is not None
    options = replace(job.options, force=forced)
    result = pipeline.render(job.plan, options, job.out_dir, _StopCheck(), inputs=job.inputs)
    if job.owner is not None:
        set_owner(job.out_dir, job.stem, job.owner)
    return result


class _StopCheck(Progress):
    """A worker's progress: says nothing, and at every frame raises again a stop signal whose
    exception was swallowed (`check_signals`), so a stopped worker draws no further."""

    def frames(self, n: int) -> None:
        check_signals()


def _leave(exc: SystemExit | KeyboardInterrupt) -> NoReturn:
    """A stopped worker leaves at once, once the `with` blocks have run (no staging folder is
    left), rather than return to the pool, which would start the next queued render."""
    sys.stderr.flush()
    # Unlink the semaphores libraries made (tqdm's lock), or the tracker warns of a leak.
    with contextlib.suppress(Exception):
        multiprocessing.util._run_finalizers(0)  # type: ignore[attr-defined]
    os._exit(exc.code if isinstance(exc, SystemExit) and isinstance(exc.code, int) else 130)


def _preload() -> None:
    """A worker's first task: import manim and the pipeline (seconds) before the renders
    come, while the main process still builds plans."""
    import manim  # noqa: F401

    import scenes.app.pipeline  # noqa: F401


def start_workers(workers: int, quiet: bool = False) -> Any:
    """A pool of `workers` processes, started now and importing manim while the caller goes
    on; give it to `run_batch` (which stops it), or stop it with `stop_workers`."""
    pool = _pool(workers, quiet)
    with _no_ctrl_c_inherited():
        for _ in range(workers):  # one task each: every process starts now
            pool.submit(_preload)
    return pool


@contextlib.contextmanager
def _no_ctrl_c_inherited() -> Iterator[None]:
    """Processes started inside begin with SIGINT ignored, until `_worker_init` sets their
    handler: a Ctrl-C while one is still importing would otherwise end it with a
    KeyboardInterrupt traceback on the terminal (the batch stops its workers itself)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


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
        initargs=(quiet, os.getpid()),
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
    build: Callable[[Job], Job] | None = None,
) -> tuple[list[Job], list[Job]]:
    """Run `jobs` in `pool` (default: a new one), a few at a time: each job's plan is built
    (`build`) only when the job is sent, so plans are held for the renders in progress and
    the next few only. Reports each outcome to `done`. Returns (the jobs a dead worker may
    have taken down with it, the jobs not sent when the pool broke)."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    pool = pool if pool is not None else _pool(workers, quiet)
    waiting = list(reversed(jobs))
    running: dict[Any, Job] = {}  # future -> the job without its plan (outcomes keep jobs)
    broken: list[Job] = []
    closed = False  # the pool broke while a job was being sent

    def send() -> None:
        nonlocal closed
        while waiting and len(running) < 2 * workers and not broken and not closed:
            job = waiting.pop()
            try:
                sent = build(job) if build is not None and job.plan is None else job
            except Exception as exc:  # a plan that fails now (a file changed): the job fails
                done(Outcome(job, "failed", reason=_reason(exc)))
                continue
            try:
                running[pool.submit(_render_job, sent, force)] = replace(job, plan=None)
            except BrokenProcessPool:
                waiting.append(job)
                closed = True

    try:
        send()
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                job = running.pop(future)
                exc = future.exception()
                if isinstance(exc, BrokenProcessPool):
                    broken.append(job)
                elif exc is not None:
                    done(Outcome(job, "failed", reason=_reason(exc)))
                else:
                    status, files, seconds, reason = future.result()
                    done(Outcome(job, status, [Path(f) for f in files], seconds, reason))
            send()
    except BaseException:
        _stop(pool)
        raise
    if broken or closed:
        _stop(pool)
    else:
        pool.shutdown(wait=True)
    return broken, list(reversed(waiting))


def run_batch(
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    force: bool = False,
    console: Console | None = None,
    quiet: bool = False,
    pool: Any = None,
    build: Callable[[Job], Job] | None = None,
) -> list[Outcome]:
    """Render every job (cached ones are not sent to a worker); outcomes in job order.

    pool: workers from `start_workers` to use (and stop); default: started here.
    build: makes a job's plan when it is sent (jobs from a spec carry none until then).
    """
    outcomes: dict[int, Outcome] = {}
    todo: list[Job] = []
    for i, job in enumerate(jobs):
        hit = None if force else _cached(job)
        if hit is not None:
            outcomes[i] = Outcome(job, "cached", hit.files)
        elif job.plan is None and (build is None or job.entry is None):
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
    index = {(job.label, job.stem): i for i, job in enumerate(jobs)}
    with _progress(console, quiet, workers, len(todo)) as advance:

        def done(outcome: Outcome) -> None:
            outcomes[index[(outcome.job.label, outcome.job.stem)]] = outcome
            advance(outcome)

        while todo:
            suspects, todo = _run_pool(todo, workers, force, quiet, done, pool, build)
            pool = None  # a broken pool is stopped; the rest go to a new one
            for job in suspects:  # alone this time: only the job that kills its worker fails
                if _run_pool([job], 1, force, quiet, done, None, build)[0]:
                    why = "its worker process died (out of memory?); it was retried once"
                    done(Outcome(job, "failed", reason=why))
    return [outcomes[i] for i in range(len(jobs))]


def _cached(job: Job) -> RenderResult | None:
    """The job's files when they are up to date (known from its inputs, or its plan's key)."""
    if job.ready is not None:
        return job.ready
    key = job.key
    if key is None and job.plan is not None:
        key = cache_key(job.plan, job.options)
    if key is None:
        return None
    return cached_files(job.out_dir, job.stem, key, verify=job.options.verify)


@contextlib.contextmanager
def _progress(
    console: Console | None, quiet: bool, workers: int, total: int
) -> Iterator[Callable[..., None]]:
    """One rich progress bar for the batch; yields the function that counts an outcome (and
    prints a failure), or with None and a note, shows the note after the bar's title (a
    cluster's "entry 3/12 STEM · chunk 2/4")."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

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
        title = f"rendering with {workers} worker{'s' if workers > 1 else ''}"
        task = progress.add_task(title, total=total)

        def advance(outcome: Outcome | None, note: str = "") -> None:
            if outcome is None:
                progress.update(task, description=f"{title} · {note}")
                return
            progress.advance(task)
            if outcome.status == "failed" and console is not None:
                job = outcome.job
                line = plain(f"{job.label} {job.stem}: {outcome.reason}")
                console.print(Text("failed ", style="red") + line, highlight=False)

        yield advance


def _cost(job: Job) -> float:
    """A render's relative cost: frames drawn, from the plan's steps (stills are cheap)."""
    if job.plan is None:
        return job.cost
    return plan_cost(job.plan, job.options)


def plan_cost(plan: Plan, options: RenderOptions) -> float:
    steps = sum(len(s.steps) + 3 for s in plan.sentences)
    passes = sum(0.1 if f == "png" else 1.0 for f in options.formats)
    return steps * max(passes, 0.1)


def summary_table(outcomes: Sequence[Outcome], seconds: float) -> Any:
    """A rich Table: one row per render (done, cached, failed with the reason)."""
    from rich.table import Table
    from rich.text import Text

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
            plain(o.job.label), plain(o.job.stem), Text(o.status, style=style[o.status]),
            time_text, plain(o.reason),
        )  # fmt: skip
    return table


def plain(text: str) -> Any:
    """`text` for a rich table or console: shown as written (no [markup] taken from it) and
    with every control character escaped (\\x1b), never printed raw to the terminal."""
    from rich.text import Text

    from attention_math.tokens import escape

    return Text(escape(text))


# --------------------------------------------------------------------------------------------
# spec files


def plan_spec(
    path: str | Path,
    *,
    out_dir: Path | None = None,
    overrides: dict[str, Any] | None = None,
    force: bool = False,
    on_work: Callable[[int], None] | None = None,
) -> tuple[list[Job], Planner]:
    """Read and check a spec file; one job per entry, in order, and the Planner that builds
    their plans. out_dir: the folder (default: the spec's `out`, else ./out). overrides:
    formats, quality, theme, verify for every entry.

    Every entry is checked first, without its plan (its keys and values, the files it names,
    a name given twice): any problem there is a SpecError listing them all, in well under a
    second even for thousands of entries. An entry whose inputs match a render recorded in the
    folder, with all its files there, is up to date: its plan is not built again (no numpy,
    no scikit-learn: a cached batch takes well under a second). Every other entry's plan is
    built once here, one at a time, to check it (the problems of every plan are reported at
    once, as a SpecError), to name it
    and to find it in the cache, and then dropped: a spec of thousands of entries holds its
    jobs, not their plans. Each embeddings file is read once (`spec.Planner`). Two entries
    that would write the same files, and a name that holds another render in the folder
    (unless forced), are errors naming the entry.
    on_work: called with the number of entries that are not known to be up to date, before
      their plans are built (`run_spec` starts the workers then).
    """
    from scenes.app.spec import Planner, SpecError, _entry_order, each_plan, load_spec

    spec = load_spec(path, collect=True)
    folder = absolute(out_dir or spec.out or "out")
    given = {k: v for k, v in (overrides or {}).items() if v}
    entries = [replace(e, options=replace(e.options, **given)) for e in spec.entries]
    _refuse_before_plans(spec, entries)
    inputs = {e.index: entry_inputs(e) for e in entries}
    jobs: dict[int, Job] = {}
    if not force:
        for i, (stem, hit) in _ready(entries, inputs, folder).items():
            jobs[i] = Job(f"renders[{i}]", None, replace(_entry(entries, i).options, name=stem),
                          folder, stem, inputs[i], hit)  # fmt: skip
    to_plan = [e for e in entries if e.index not in jobs]
    if to_plan and on_work is not None:
        on_work(len(to_plan))
    planner = Planner(to_plan)
    problems = []
    for e, plan, problem in each_plan(replace(spec, entries=tuple(to_plan)), planner):
        if plan is None:
            problems.append(problem or f"{e.where}: no plan")
            continue
        job, problem = _job(e, plan, folder, inputs[e.index], force, spec.path)
        if problem is not None:
            problems.append(problem)
        jobs[e.index] = job
    problems += _same_names([(jobs[i].label, jobs[i].stem) for i in sorted(jobs)], entries)
    if problems:
        raise SpecError(spec.path.name, sorted(problems, key=_entry_order))
    if folder.is_dir() and any(job.ready is None for job in jobs.values()):  # to write
        check_writable(folder, "choose another folder (--out)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder {str(folder)!r}: {exc.strerror}") from exc
    return [jobs[e.index] for e in entries], planner


def _refuse_before_plans(spec: Spec, entries: Sequence[Entry]) -> None:
    """A SpecError with every problem found without building a plan: the spec's (keys,
    values, files named), the sentences' (empty, too long, the target not in them: no vector
    read) and the names given twice."""
    from attention_math.tokens import check_sentences
    from scenes.app.spec import SpecError, _entry_order, problem_line

    sentences = []
    for e in entries:
        r = e.request
        if r.sentence is None or {"analogy", "senses"} & r.needs:
            continue  # drawn without a sentence of the user's
        try:
            check_sentences(r.sentence, r.target or "", r.compare, r.target_index)
        except InputError as exc:
            sentences.append(problem_line(e.where, exc))
    named = [(e.where, safe_stem(e.options.name, MAX_STEM))
             for e in entries if e.options.name]  # fmt: skip
    if problems := [*spec.problems, *sentences, *_same_names(named, entries)]:
        raise SpecError(spec.path.name, sorted(problems, key=_entry_order))


def _entry(entries: Sequence[Entry], index: int) -> Entry:
    return next(e for e in entries if e.index == index)


def _job(
    entry: Entry, plan: Plan, folder: Path, inputs: str, force: bool, spec: Path
) -> tuple[Job, str | None]:
    """The job of an entry whose plan was just built (without the plan), and the problem of
    its name, if another render holds it in the folder (not this entry before an edit)."""
    o = entry.options
    owner = f"{spec.resolve()}#{o.name}" if o.name else None
    stem = stem_of(plan, o)
    key = cache_key(plan, o)
    forced = force or o.force
    hit = None if forced else cached_files(folder, stem, key, verify=o.verify)
    job = Job(entry.where, None, replace(o, name=stem), folder, stem, inputs, hit, entry, key,
              plan_cost(plan, o), owner)  # fmt: skip
    if hit is None and not forced:
        other = name_taken(folder, stem, render_identity(plan, o), owner)
        if other is not None:
            return job, (
                f"{entry.where}{'.name' if o.name else ''}: {stem} is taken in {folder} by "
                f'another render ({other}); give this one another name = "...", or '
                f"force = true to replace it"
            )
    return job, None


def _same_names(stems: Sequence[tuple[str, str]], entries: Sequence[Entry]) -> list[str]:
    """A problem for each entry that would write the same files as an earlier one; stems:
    (entry label, stem) in order."""
    seen: dict[str, str] = {}
    problems = []
    named = {e.where: e.options.name is not None for e in entries}
    for label, stem in stems:
        if stem in seen:
            problems.append(
                f"{label}{'.name' if named.get(label) else ''}: writes {stem}.* "
                f'like {seen[stem]}; give one of them another name = "..."'
            )
        else:
            seen[stem] = label
    return problems


def entry_inputs(entry: Entry) -> str:
    """The hash of what an entry's files depend on (`cache.inputs.entry_inputs`): its values, the
    files it reads and the code that draws its scene (not force or verify: how to check)."""
    r, o = entry.request, entry.options
    values = {**dataclasses.asdict(r), "needs": sorted(r.needs), **dataclasses.asdict(o)}
    for how in ("force", "verify"):
        values.pop(how, None)
    files = (r.embeddings, r.senses)
    return inputs_hash(values, files, o.scene)


def _ready(
    entries: Sequence[Entry], inputs: dict[int, str], folder: Path
) -> dict[int, tuple[str, RenderResult]]:
    """(stem, files) of the entries whose inputs match a recorded render with all its files."""
    known = records_by_inputs(folder)
    ready = {}
    for e in entries:
        if inputs[e.index] in known:
            stem, key = known[inputs[e.index]]
            hit = cached_files(folder, stem, key, verify=e.options.verify)
            if hit is not None:
                ready[e.index] = (stem, hit)
    return ready


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
    """Check a spec file and render its entries (`plan_spec`, then `run_batch`, which builds
    each plan again as its render is sent). The workers start as soon as some entry is known
    to need rendering, so that they import manim while the plans are checked."""
    started: list[Any] = []

    def start(n: int) -> None:
        started.append(start_workers(max(1, min(workers or default_jobs(), n)), quiet))

    try:
        jobs, planner = plan_spec(path, out_dir=out_dir, overrides=overrides, force=force,
                                  on_work=start)  # fmt: skip
    except BaseException:
        for pool in started:
            stop_workers(pool)
        raise

    def build(job: Job) -> Job:
        assert job.entry is not None
        return replace(job, plan=planner.plan(job.entry))

    return run_batch(jobs, workers=workers, force=force, console=console, quiet=quiet,
                     pool=started[0] if started else None, build=build)  # fmt: skip
