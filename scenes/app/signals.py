"""Signals as exceptions: a `kill` cleans up like Ctrl-C.

`signals_as_exceptions` turns SIGTERM / SIGHUP into SystemExit (and SIGINT into
KeyboardInterrupt) in the main thread, so `with` blocks and `finally` clauses run: staging
folders go, old files stay. `check_signals` raises again for a signal whose exception was
swallowed (the store calls it before it commits). `stop_once` is for a batch's worker,
which a stop signal ends: it ignores the signals that follow, so they cannot cut its clean-up
short.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

_received: list[int] = []  # signals delivered inside signals_as_exceptions, not yet acted on


def on_signal(signum: int, _frame: Any) -> None:
    _received.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def stop_once(signum: int, frame: Any) -> None:
    """`on_signal` for a process that a stop signal ends (a batch's worker): the first SIGTERM
    or SIGINT raises, and every one after it is ignored while the `with` blocks and `finally`
    clauses run. A second signal would raise again inside that clean-up and cut it short (a
    staging folder left half removed), and one comes: the process pool, seeing the first
    worker exit, takes the pool for broken and terminates every worker again. Whoever stops
    the process still ends it: the batch SIGKILLs a worker still there after a grace period.

    They are ignored by a handler that does nothing, not by SIG_IGN: a signal that came in
    just before, not yet handed to Python, would find SIG_IGN and make Python raise
    ``OSError: Signal 15 ignored due to race condition``, a traceback on the terminal."""
    for s in STOP_SIGNALS:
        signal.signal(s, _ignore)
    on_signal(signum, frame)


def _ignore(signum: int, frame: Any) -> None:
    """A stop signal after the first (`stop_once`): nothing to do."""


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
    previous = {s: signal.signal(s, on_signal) for s in wanted}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _received.clear()  # delivered (the exception is on its way out) or acted on
