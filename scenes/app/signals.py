"""Signals as exceptions: a `kill` cleans up like Ctrl-C.

`signals_as_exceptions` turns SIGTERM / SIGHUP into SystemExit (and SIGINT into
KeyboardInterrupt) in the main thread, so `with` blocks and `finally` clauses run: staging
folders go, old files stay. `check_signals` raises again for a signal whose exception was
swallowed (the store calls it before it commits).
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
