"""A course on a cluster: `render --spec FILE --cluster ADDRESS` renders the entries as Ray tasks.

The driver (this process) does what a batch does before it renders (`batch.plan_spec`: every
entry checked, named, found in the cache; the cached ones are not sent), then sends each
other entry's plan and options to the cluster as one task (`render_entry`, one CPU). A task
renders into a temporary folder of its worker (`pipeline.run_passes`: the same passes as a
local render, serially) and returns the files as bytes: workers need not share the driver's
file system, and nothing on a worker is kept. The driver commits each entry's files through
the store (`store.produce_and_commit`, all or nothing, STEM.plan.json and the record as a
local render writes them). A task that fails, or whose worker renders with other code (its
cache key differs from the driver's), fails its entry by name; the others go on. Ctrl-C
cancels every task not finished, and nothing half-made is committed.

ADDRESS: a Ray address (`ray start --head` prints it, e.g. 127.0.0.1:6379, or ray://HOST:10001
for Ray Client), or `local`: a Ray instance started here for the run, bound to 127.0.0.1.
Ray is an optional extra: pip install 'attention-drift[cluster]'.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.errors import InputError, OutputError
from scenes.app import store
from scenes.app.batch import Job, Outcome, _cost, _progress, _reason, plan_spec
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
    from scenes.app.chunks import set_limit
    from scenes.app.progress import Progress

    set_limit(1)  # one CPU per task: the cluster's tasks are the parallelism
    pipeline.check_plan(plan, options.scene_ref)
    with tempfile.TemporaryDirectory(prefix="attention-drift-") as tmp:
        job = pipeline.scene_job(plan, options)
        media = pipeline.run_passes(job, options, Path(tmp), stem, Progress())
        return store.cache_key(plan, options), [(p.name, p.read_bytes()) for p in media]


def commit(job: Job, plan: Plan, key: str, files: Sequence[tuple[str, bytes]]) -> RenderResult:
    """The files a task returned, committed into job.out_dir by the store (all or nothing),
    as `batch._render` commits a local render (a named entry's files record their owner)."""
    options = replace(job.options, force=job.options.force or job.owner is not None)
    if key != store.cache_key(plan, options):
        raise OutputError(
            "the worker renders with other code or packages than this machine (its cache key "
            "differs): install the same attention-drift on every node of the cluster"
        )
    for name, _ in files:
        if Path(name).name != name or not name.startswith(job.stem):
            raise OutputError(f"the worker returned a file named {name!r}, not {job.stem}.*")
    store.prepare(job.out_dir)
    store.check_name(job.out_dir, job.stem, plan, options)

    def produce(stage: Path) -> list[Path]:
        paths = []
        for name, data in files:
            (stage / name).write_bytes(data)
            paths.append(stage / name)
        return paths

    result = store.produce_and_commit(
        job.out_dir, job.stem, key, plan, produce, inputs=job.inputs, options=options
    )
    if job.owner is not None:
        store.set_owner(job.out_dir, job.stem, job.owner)
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
                for i, outcome in _run_tasks(ray, todo, build, cpus, force):
                    outcomes[i] = outcome
                    advance(outcome)
    return [outcomes[i] for i in range(len(jobs))]


def _run_tasks(
    ray: Any, todo: list[tuple[int, Job]], build: Callable[[Job], Plan], cpus: int, force: bool
) -> Iterator[tuple[int, Outcome]]:
    """Send the jobs as tasks, at most 2 × `cpus` at a time (longest first), commit each
    as it comes back; yields (index, outcome). Leaving early (Ctrl-C) cancels the tasks."""
    import time

    task = ray.remote(num_cpus=1, max_retries=0)(render_entry)
    waiting = sorted(todo, key=lambda t: _cost(t[1]))  # popped from the end: longest first
    running: dict[Any, tuple[int, Job, Plan, float]] = {}
    try:
        while waiting or running:
            while waiting and len(running) < 2 * cpus:
                i, job = waiting.pop()
                try:
                    plan = build(job)
                except Exception as exc:
                    yield i, Outcome(job, "failed", reason=_reason(exc))
                    continue
                options = replace(job.options, force=force or job.options.force)
                ref = task.remote(plan, options, job.stem)
                running[ref] = (i, job, plan, time.perf_counter())
            if not running:
                continue
            ready, _ = ray.wait(list(running), num_returns=1)
            i, job, plan, start = running.pop(ready[0])
            yield i, _outcome(ray, ready[0], job, plan, time.perf_counter() - start)
    finally:
        for ref in running:  # Ctrl-C, or an error here: the tasks not finished go
            with contextlib.suppress(Exception):
                ray.cancel(ref, force=True)


def _outcome(ray: Any, ref: Any, job: Job, plan: Plan, seconds: float) -> Outcome:
    """The task's result committed (done), or why it failed."""
    try:
        key, files = ray.get(ref)
    except Exception as exc:  # RayTaskError wraps the task's own exception: report that
        cause = getattr(exc, "cause", None)
        return Outcome(job, "failed", seconds=seconds, reason=_reason(cause or exc))
    try:
        result = commit(job, plan, key, files)
    except Exception as exc:
        return Outcome(job, "failed", seconds=seconds, reason=_reason(exc))
    return Outcome(job, "done", result.files, seconds)
