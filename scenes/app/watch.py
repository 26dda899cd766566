"""render --spec FILE --watch: one warm process re-renders what an edit changed.

The tweak loop for new sentences: edit the spec (or a file it reads), save, look. The
process imports manim, the scenes and the model once, then for every change:

1. reads the spec again (`batch.plan_spec`): entries whose inputs match their recorded
   render are up to date and cost nothing; a bad spec is reported and waited out;
2. renders a still of each changed entry first, into OUT/preview/STEM.png (the last frame,
   Manim skipping the animations: a second or two each, warm);
3. then their media, into OUT as the spec says.

A change that arrives meanwhile stops the work in progress (the render's staging folder goes,
its old files stay) and starts again from 1, stills first. The spec's folder is watched with
`watchfiles` (a thread waits for changes), except the output folders. When a round finds the
tool's own source changed (scenes/, attention_math/: what the records' inputs hash), the
process restarts, so that what is recorded is what drew it. Ctrl-C ends it cleanly.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.errors import InputError
from scenes.app import batch, pipeline
from scenes.app.cache.code import SOURCE_DIR, code_version
from scenes.app.cache.inputs import _tree_fingerprint
from scenes.app.cache.key import cache_key, cached_files
from scenes.app.progress import Progress

if TYPE_CHECKING:
    from scenes.app.batch import Job

PREVIEW = "preview"  # OUT/preview/STEM.png: the stills of changed entries


class Changed(Exception):
    """Raised inside a render when a watched file changed: the work restarts."""


@dataclasses.dataclass
class Round:
    """What one pass over the spec did (for the caller and the tests)."""

    stills: list[Path] = dataclasses.field(default_factory=list)
    media: list[Path] = dataclasses.field(default_factory=list)
    failed: list[str] = dataclasses.field(default_factory=list)
    interrupted: bool = False


class Watched:
    """The files that matter, shared with the watcher thread: the spec and the files its
    entries read (embeddings, senses, a checkpoint's folder), as the last reading of the
    spec named them. Anything else in the folder (the output, a log) changes nothing."""

    def __init__(self, spec_file: Path) -> None:
        self.spec = spec_file.resolve()
        self.files: set[Path] = set()
        self.folders: set[Path] = set()
        self.changed = threading.Event()
        self._lock = threading.Lock()

    def matters(self, path: Path) -> bool:
        return (
            path == self.spec
            or path in self.files
            or any(path.is_relative_to(f) for f in self.folders)
        )

    def add(self, paths: Sequence[str]) -> None:
        """A batch of changed paths from the watcher thread."""
        with self._lock:
            if any(self.matters(Path(p)) for p in paths):
                self.changed.set()

    def read_by(self, spec_file: Path) -> None:
        """Take the files the spec's entries read (a spec that does not load: none)."""
        from scenes.app.spec import load_spec

        files, folders = set(), set()
        try:
            spec = load_spec(spec_file, collect=True)
        except InputError:
            spec = None
        for entry in spec.entries if spec is not None else ():
            r = entry.request
            files |= {Path(f).resolve() for f in (r.embeddings, r.senses) if f}
            if r.model_dir:
                folders.add(Path(r.model_dir).resolve())
        with self._lock:
            self.files, self.folders = files, folders


def watch(
    spec_file: Path,
    *,
    out_dir: Path | None = None,
    overrides: dict[str, Any] | None = None,
    progress: Progress | None = None,
    say: Callable[[str], None] = lambda _m: None,
    stop: threading.Event | None = None,
    restart: Callable[[], None] | None = None,
    on_round: Callable[[Round], None] | None = None,
) -> None:
    """Render the spec, then again whenever a file it depends on changes, until `stop` is
    set or Ctrl-C (which returns normally).

    say: one line per event (a file written, an error). restart: called when the tool's
    source changed (the CLI re-executes itself); None: stop watching, with a message.
    on_round: told what each round did.
    """
    report = progress or Progress()
    stop = stop or threading.Event()
    watched = Watched(spec_file)
    thread = threading.Thread(target=_wait_for_changes, args=(watched, stop), daemon=True)
    code = _warm_up()
    thread.start()
    try:
        while not stop.is_set():
            watched.changed.clear()
            if _source_version() != code:
                if restart is None:
                    say("the tool's source changed: start --watch again to use it")
                    return
                say("the tool's source changed: restarting")
                restart()
                return
            watched.read_by(spec_file)
            result = run_round(spec_file, out_dir, overrides, report, say, watched.changed)
            if on_round is not None:
                on_round(result)
            if not result.interrupted:
                say(f"watching {spec_file} for changes (Ctrl-C ends)")
                while not stop.is_set() and not watched.changed.wait(0.2):
                    pass
    except KeyboardInterrupt:
        say("stopped watching")
    finally:
        stop.set()
        thread.join(timeout=5)


def run_round(
    spec_file: Path,
    out_dir: Path | None,
    overrides: dict[str, Any] | None,
    report: Progress,
    say: Callable[[str], None],
    changed: threading.Event,
) -> Round:
    """Stills of the changed entries, then their media; stops early (interrupted) when
    `changed` is set."""
    result = Round()
    try:
        jobs, planner = _plan_spec(spec_file, out_dir, overrides)
    except InputError as exc:  # a SpecError lists every problem
        problems = getattr(exc, "problems", None) or [str(exc)]
        source = getattr(exc, "source", None)
        for problem in problems:
            line = " ".join(str(problem).split())
            say(f"{source}: {line}" if source and len(problems) > 1 else line)
        result.failed.append(str(exc))
        return result
    todo = [j for j in jobs if j.ready is None]
    if not todo:
        say(f"{len(jobs)} render{'s' if len(jobs) != 1 else ''} up to date")
        return result
    relay = _Interruptible(report, changed)
    plans = {}
    for still in (True, False):  # stills first: a look at every change in seconds
        for job in todo:
            if changed.is_set():
                result.interrupted = True
                return result
            if job.label not in plans:
                assert job.plan is not None or job.entry is not None
                plans[job.label] = job.plan or planner.plan(job.entry)
            _render(dataclasses.replace(job, plan=plans[job.label]), relay, say, result, still)
    result.interrupted = changed.is_set()
    return result


def _plan_spec(
    spec_file: Path, out_dir: Path | None, overrides: dict[str, Any] | None
) -> tuple[list[Job], Any]:
    """`batch.plan_spec`, for an entry edited while watched: its new render may replace its
    old one under the same name (a batch refuses a name that holds another render). Then
    every plan is built and the up-to-date ones are found by their cache keys."""
    from scenes.app.spec import SpecError

    try:
        return batch.plan_spec(spec_file, out_dir=out_dir, overrides=overrides)
    except SpecError as exc:
        if not exc.problems or not all(" is taken in " in p for p in exc.problems):
            raise
    jobs, planner = batch.plan_spec(spec_file, out_dir=out_dir, overrides=overrides, force=True)
    ready = []
    for job in jobs:
        hit = cached_files(job.out_dir, job.stem, job.key) if job.key else None
        ready.append(dataclasses.replace(job, ready=hit))
    return ready, planner


def _render(job: Job, report: Progress, say: Callable[[str], None], result: Round,
            still: bool) -> None:  # fmt: skip
    """One job's still (OUT/preview/STEM.png) or its media. Both replace the entry's
    earlier files of that name (it is the same entry, edited)."""
    assert job.plan is not None
    options, folder, inputs = job.options, job.out_dir, job.inputs
    if still:
        options = dataclasses.replace(options, formats=("png",), stills=False, slides=False,
                                      slides_formats=(), script=False)  # fmt: skip
        folder, inputs = job.out_dir / PREVIEW, None
    if cached_files(folder, job.stem, cache_key(job.plan, options)) is None:
        options = dataclasses.replace(options, force=True)  # not up to date: replace it
    start = time.perf_counter()
    try:
        files = pipeline.render(job.plan, options, folder, report, inputs=inputs)
    except Changed:
        return
    except InputError as exc:
        say(f"{job.label}: {' '.join(str(exc).split())}")
        result.failed.append(job.label)
        return
    took = time.perf_counter() - start
    what = "still" if still else "media"
    media = [p for p in files if not p.name.endswith(".plan.json")]
    say(f"{what} of {job.label} in {took:.1f} s: {', '.join(str(p) for p in media)}")
    (result.stills if still else result.media).extend(media)


class _Interruptible(Progress):
    """Passes progress on; raises Changed at the next frame once a file changed."""

    def __init__(self, to: Progress, changed: threading.Event) -> None:
        self.to, self.changed = to, changed

    def say(self, message: str) -> None:
        self.to.say(message)

    def pass_started(self, description: str, frames: int | None = None, fps: int = 0) -> None:
        self.to.pass_started(description, frames, fps)

    def frames(self, n: int) -> None:
        if self.changed.is_set():
            self.to.pass_done()
            raise Changed
        self.to.frames(n)

    def pass_done(self) -> None:
        self.to.pass_done()


def _warm_up() -> str:
    """Import manim and the scenes now (the first change renders at full speed); the version
    of the source they were imported from (`_source_version`)."""
    import manim  # noqa: F401

    from scenes import SCENES
    from scenes.app.media.passes import scene_class

    version = _source_version()
    for name in SCENES:
        scene_class(name)
    return version


def _source_version() -> str:
    """What the records' inputs hash of the tool's own source: every scene's drawing code and
    attention_math (a few tens of milliseconds)."""
    from scenes import SCENES

    parts = [code_version(name) for name in SCENES]
    parts.append(_tree_fingerprint(SOURCE_DIR / "attention_math", "*.py"))
    return "\n".join(parts)


def _wait_for_changes(watched: Watched, stop: threading.Event) -> None:
    """The watcher thread: every batch of changes that matters sets `watched.changed`."""
    import logging

    from watchfiles import watch as file_changes

    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # not "1 change detected"
    for changes in file_changes(watched.spec.parent, stop_event=stop, debounce=200, step=50,
                                raise_interrupt=False):  # fmt: skip
        watched.add([path for _change, path in changes])


def restart_process() -> None:
    """Run this process's command line again (the new source is imported)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
