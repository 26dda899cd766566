"""How a render reports while it works: status lines, a bar per pass, the files written.

The render pipeline talks to a `Progress`; which one depends on who is listening:

- `Progress`: says nothing (`--quiet`, or no progress asked for);
- `Lines(say)`: every status line to `say` (a notebook's callback, a log); with
  ``passes=False`` only the results (one line per file written, "up to date" lines);
- `Bars(console)`: a rich progress bar per pass on a terminal (frames drawn, video seconds,
  elapsed time; a pulsing bar when the scene does not say how long it is), the files below.

`for_stderr(quiet)` chooses as the command line does: bars when stderr is a terminal, one
line per file when it is not. A Progress is also a plain callable ``progress(message)``, so
code written for the older callback keeps working. No rich until a terminal asks for bars.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Say = Callable[[str], None]


def shown(path: Path | str) -> str:
    """A path as the user would write it: relative to the working folder when it lies below
    it (the app works with absolute paths; `out/x.gif` reads better than /home/.../out/x.gif),
    else absolute."""
    p = Path(path)
    try:
        return str(p.relative_to(Path.cwd())) if p.is_absolute() else str(p)
    except (ValueError, OSError):  # outside the working folder, or no working folder
        return str(p)


class Progress:
    """The listener that hears nothing; the base of the others."""

    def say(self, message: str) -> None:
        """A status line (what is being done, a file that was up to date)."""

    def __call__(self, message: str) -> None:
        self.say(message)

    def pass_started(self, description: str, frames: int | None = None, fps: int = 0) -> None:
        """A pass begins: `frames` to draw when known, at `fps` frames per video second."""

    def frames(self, n: int) -> None:
        """`n` more frames drawn in the current pass."""

    def pass_done(self) -> None:
        """The current pass finished."""

    def wrote(self, path: Path) -> None:
        """A file of the render is in place."""


class Lines(Progress):
    """Status as plain lines to `say`. passes: also a line when a pass starts."""

    def __init__(self, say: Say, *, passes: bool = True) -> None:
        self._say = say
        self._passes = passes

    def say(self, message: str) -> None:
        self._say(message)

    def pass_started(self, description: str, frames: int | None = None, fps: int = 0) -> None:
        if self._passes:
            self._say(description)

    def wrote(self, path: Path) -> None:
        self._say(f"wrote {shown(path)}")


class Bars(Lines):
    """A rich progress bar per pass on `console` (a terminal); lines above the bars."""

    def __init__(self, console: Any) -> None:
        from rich.progress import (
            BarColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import (
            Progress as RichProgress,
        )

        self.console = console
        super().__init__(lambda m: console.print(m, markup=False, highlight=False))
        self._bars = RichProgress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[done]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._task: Any = None
        self._fps = 0
        self._count = 0
        self._started = False

    def pass_started(self, description: str, frames: int | None = None, fps: int = 0) -> None:
        if not self._started:
            self._bars.start()
            self._started = True
        self._fps, self._count = fps, 0
        self._task = self._bars.add_task(description, total=frames, done=self._done_text())

    def _done_text(self) -> str:
        if not self._fps:
            return ""
        return f"{self._count} frames, {self._count / self._fps:.1f} s of video"

    def frames(self, n: int) -> None:
        if self._task is None:
            return
        self._count += n
        self._bars.update(self._task, advance=n, done=self._done_text())

    def pass_done(self) -> None:
        if self._task is None:
            return
        task = self._bars.tasks[-1]
        total = task.total if task.total is not None else max(self._count, 1)
        self._bars.update(self._task, total=total, completed=total, done=self._done_text())
        self._bars.stop_task(self._task)
        self._task = None

    def close(self) -> None:
        """Stop drawing (the finished bars stay on the screen)."""
        if self._started:
            self._bars.stop()
            self._started = False


def as_progress(progress: Progress | Say | None) -> Progress:
    """A Progress for what a caller gave: itself, a callback wrapped in Lines, or silence."""
    if progress is None:
        return Progress()
    if isinstance(progress, Progress):
        return progress
    return Lines(progress)


def for_stderr(quiet: bool) -> Progress:
    """The command line's: nothing with --quiet; bars when stderr is a terminal; else one line
    per file written."""
    if quiet:
        return Progress()
    if sys.stderr.isatty():
        from rich.console import Console

        return Bars(Console(stderr=True))
    return Lines(lambda m: print(m, file=sys.stderr, flush=True), passes=False)
