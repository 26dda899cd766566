"""Errors that describe a problem with the user's input, not a bug.

The CLI turns every `InputError` into a one-line message and a non-zero exit; library users
catch it as a `ValueError`. An error knows the option it is about (`field`: a `PlanRequest`
field name such as "target", or "compare[1]" for one compared sentence) when the code that
raises it knows; spec files put it in front of the message (`renders[3].target: ...`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class InputError(ValueError):
    """A sentence, target, option or file the user gave cannot be used; the message says why
    and, where there is one, what to do instead. field: the option it is about, or None."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class OptionError(InputError):
    """One option's value is wrong; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


class BadValue(OptionError):
    """A value its field does not accept. `reason` says why without naming the field
    ("must be at least 1, got 0"); the message is field and reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(field, f"{field} {reason}")
        self.reason = reason


class EmbeddingFileError(InputError):
    """An embeddings file is unreadable or malformed (the message names the line or key)."""


class MissingWordError(InputError):
    """A word that takes part in attention has no vector in the chosen embeddings."""


class OutputError(InputError):
    """The output folder cannot take the files (full disk, read-only, no permission); the
    message names the folder and what to do."""


@contextlib.contextmanager
def about(field: str, *, override: bool = False) -> Iterator[None]:
    """InputErrors raised inside are about `field`, unless they already name one (override:
    always; a compared sentence is where to look even when its target is the problem)."""
    try:
        yield
    except InputError as exc:
        if exc.field is None or override:
            exc.field = field
        raise
