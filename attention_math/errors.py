"""Errors that describe a problem with the user's input, not a bug.

The CLI turns every `InputError` into a one-line message and a non-zero exit; library users
catch it as a `ValueError`.
"""


class InputError(ValueError):
    """A sentence, target, option or file the user gave cannot be used; the message says why
    and, where there is one, what to do instead."""


class EmbeddingFileError(InputError):
    """An embeddings file is unreadable or malformed (the message names the line or key)."""


class MissingWordError(InputError):
    """A word that takes part in attention has no vector in the chosen embeddings."""


class OutputError(InputError):
    """The output folder cannot take the files (full disk, read-only, no permission); the
    message names the folder and what to do."""
