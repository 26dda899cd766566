"""Texts built once: Pango's layout and the SVG parsing of a `Text` are done once per
text and style, in this process and (when the application gives a store) across runs.

A built text is kept as pickled bytes and every use gets its own copy by unpickling them:
a copy costs half a millisecond, where Manim's `copy()` (a deepcopy of the text with
every glyph's parsed SVG path) costs about nine and building a new `Text` about fifteen. A
scene builds some sixty labels before its first frame, so this is most of what a short
render spends beyond Manim's own floor.

Bytes read back from a store are unpickled by `load`, which builds only the classes a text
is made of (Manim's mobjects, colours and constants, numpy arrays) and refuses anything
else, as a cache miss: a store is a cache, never a way to run code.
"""

from __future__ import annotations

import functools
import hashlib
import io
import pickle
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from manim import Text


class TextStore(Protocol):
    """Bytes by key, kept across runs (scenes.app.passes.TextCache)."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


Key = tuple[str, float, str, str, str]  # (text, size, colour, weight, font)

STORE: TextStore | None = None  # set by the application; None: this process only
_BUILT: dict[Key, bytes] = {}  # the pickled Text of each key built in this process
MAX_KEPT = 4096  # texts kept in memory (a long batch in one process starts afresh beyond)
FORMAT = 1  # the layout of what is stored: a change makes every stored text a miss


def text(string: str, *, font: str, size: float, color: str, weight: str = "NORMAL") -> Text:
    """A new `Text(string, font=font, font_size=size, color=color, weight=weight)`, made
    from the one built for these arguments in this process or found in `STORE`."""
    key = (string, float(size), color, weight, font)
    data = _BUILT.get(key)
    if data is not None:
        made: Text = pickle.loads(data)  # bytes this process pickled: no check needed
        return made
    made, data = _from_store(key) or _build(key)
    if len(_BUILT) >= MAX_KEPT:
        _BUILT.clear()
    _BUILT[key] = data
    return made


def _build(key: Key) -> tuple[Text, bytes]:
    from manim import Text

    string, size, color, weight, font = key
    t = Text(string, font=font, font_size=size, color=color, weight=weight, use_svg_cache=False)
    for glyph in t.submobjects:
        # The parsed SVG path each glyph keeps is only read while it is built; without it a
        # copy is a third of the bytes and time.
        glyph.path_obj = None  # type: ignore[attr-defined]
    data = pickle.dumps(t, protocol=pickle.HIGHEST_PROTOCOL)
    if STORE is not None and load(data) is not None:  # stored only if it can be read back
        STORE.put(store_key(key), data)
    return t, data


def _from_store(key: Key) -> tuple[Text, bytes] | None:
    data = STORE.get(store_key(key)) if STORE is not None else None
    made = load(data) if data is not None else None
    return (made, data) if made is not None and data is not None else None


def store_key(key: Key) -> str:
    """The text's name in a store: a hash of its arguments, the format, and the versions of
    what made it (Manim, ManimPango) and of what it refers to (numpy)."""
    return hashlib.sha256(repr((_made_by(), key)).encode()).hexdigest()


@functools.cache
def _made_by() -> tuple[object, ...]:
    from importlib.metadata import version

    import numpy

    return (FORMAT, version("manim"), version("manimpango"), numpy.__version__)


# What a pickled Text is made of (module, name): Manim's text, glyph, group, colour and two
# constants; numpy's arrays and scalars; a path (the text's SVG file name).
ALLOWED = {
    ("manim.mobject.text.text_mobject", "Text"),
    ("manim.mobject.svg.svg_mobject", "VMobjectFromSVGPath"),
    ("manim.mobject.types.vectorized_mobject", "VGroup"),
    ("manim.mobject.types.vectorized_mobject", "VMobject"),
    ("manim.utils.color.core", "ManimColor"),
    ("manim.constants", "CapStyleType"),
    ("manim.constants", "LineJointType"),
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"),
    ("pathlib", "PosixPath"),
    ("pathlib", "WindowsPath"),
}


class _TextUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a text")
        return super().find_class(module, name)


def load(data: bytes) -> Text | None:
    """The Text pickled in `data`, or None if `data` is not one (anything but a Text's
    classes is refused before it is built)."""
    from manim import Text

    try:
        made = _TextUnpickler(io.BytesIO(data)).load()
    except Exception:
        return None
    return made if isinstance(made, Text) else None
