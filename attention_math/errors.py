"""Errors that describe a problem with the user's input, not a bug.

The CLI turns every `InputError` into a one-line message and a non-zero exit; library users
catch it as a `ValueError`. An error knows the option it is about (`field`: a `PlanRequest`
field name such as "target", or "compare[1]" for one compared sentence) when the code that
raises it knows; spec files put it in front of the message (`renders[3].target: ...`).

A message names an option by its `PlanRequest` field in braces, never by a command-line
flag: "try {keep_stopwords}", or "{embeddings:FILE}" when the command line would say what
follows the flag. Each front end spells the options its own way (`InputError.spelled`): the
command line as flags (dashes, and the METAVAR after the flag), a spec file as its keys;
`str(error)` (a notebook, a traceback) says the bare field name, `keep_stopwords`. Only this
pattern is an option: other braces in a message stay as they are (a value the user typed that
reads exactly like one, `{layer}`, is taken for one).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

# An option in a message: {field} or {field:METAVAR}.
OPTION = re.compile(r"\{([a-z][a-z_]*)(?::([A-Z]+))?\}")

# How a front end names option `field` ("" or the METAVAR of "{field:METAVAR}"); None: it
# is not an option there (the braces stay as written).
Spelling = Callable[[str, str], str | None]


def bare(field: str, metavar: str) -> str:
    """The default spelling: the field's own name (`keep_stopwords`)."""
    return field


def spell(message: str, spelling: Spelling = bare) -> str:
    """`message` with every {field} / {field:METAVAR} named as `spelling` names it."""
    return OPTION.sub(lambda m: spelling(m[1], m[2] or "") or m[0], message)


class InputError(ValueError):
    """A sentence, target, option or file the user gave cannot be used; the message says why
    and, where there is one, what to do instead. field: the option it is about, or None."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @property
    def template(self) -> str:
        """The message as written, its options still in braces (to pass on to another
        InputError, so that the front end can still spell them)."""
        return str(self.args[0]) if self.args else ""

    def spelled(self, spelling: Spelling) -> str:
        """The message with its options named as `spelling` names them."""
        return spell(self.template, spelling)

    def __str__(self) -> str:
        return self.spelled(bare)


class OptionError(InputError):
    """One option's value is wrong; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


class BadValue(OptionError):
    """A value its field does not accept. `reason` says why without naming the field
    ("must be at least 1, got 0"); the message is field and reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(field, f"{{{field}}} {reason}")
        self.reason = reason


class EmbeddingFileError(InputError):
    """An embeddings file is unreadable or malformed (the message names the line or key)."""


class MissingWordError(InputError):
    """A word that takes part in attention has no vector in the chosen embeddings."""


class OutputError(InputError):
    """The output folder cannot take the files (full disk, read-only, no permission); the
    message names the folder and what to do."""


def read_text(path: Path, what: str, error: type[InputError] = InputError) -> str:
    """The UTF-8 text of the file `path`, or `error` saying why it cannot be read; `what`
    is how the message names the file."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise error(f"cannot read {what}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise error(f"{what} is not UTF-8 text") from None


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
