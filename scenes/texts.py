"""Texts built once: Pango's layout and the SVG parsing of a `Text` are done once per
text and style, in this process and (when the application gives a store) across runs.

A built text is kept as pickled bytes and every use gets its own copy by unpickling them:
a copy costs half a millisecond, where Manim's `copy()` (a deepcopy of the text with
every glyph's parsed SVG path) costs about nine and building a new `Text` about fifteen. A
scene builds some sixty labels before its first frame, so this is most of what a short
render spends beyond Manim's own floor.

Bytes read back from a store are unpickled by `load`, which builds only the classes a text
is made of (Manim's mobjects, colours and constants, numpy arrays) and refuses anything
else, as a cache miss: a store is a cache, never a way to run code. A text read back is
used only if it is the text asked for (its string, font, size and weight), and its name in a
store (`store_key`) holds the font file fontconfig picks for its font (`font_file`: the file
Pango draws with, its size and mtime) and the families installed (Pango's fallbacks): a text
kept while another font was installed is a miss, never drawn in the old font.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import io
import os
import pickle
import subprocess
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from manim import Text


class TextStore(Protocol):
    """Bytes by key, kept across runs (scenes.app.cache.texts.PrivateFiles)."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


Key = tuple[str, float, str, str, str]  # (text, size, colour, weight, font)

STORE: TextStore | None = None  # set by the application; None: this process only
_BUILT: dict[tuple[Key, tuple[int, int]], bytes] = {}  # the pickled Text of each key and page
# built in this process
MAX_KEPT = 4096  # texts kept in memory (a long batch in one process starts afresh beyond)
FORMAT = 1  # the layout of what is stored: a change makes every stored text a miss


def text(
    string: str, *, font: str, size: float, color: str, weight: str = "NORMAL", fresh: bool = False
) -> Text:
    """A new `Text(string, font=font, font_size=size, color=color, weight=weight)`, made
    from the one built for these arguments in this process or found in `STORE`.
    fresh: build it anew (the kept one proved wrong to its user), and keep that instead."""
    key = (string, float(size), color, weight, font)
    kept = (key, page())
    data = None if fresh else _BUILT.get(kept)
    if data is not None:
        made: Text = pickle.loads(data)  # bytes this process pickled: no check needed
        return made
    made, data = (None if fresh else _from_store(key)) or _build(key)
    if len(_BUILT) >= MAX_KEPT:
        _BUILT.clear()
    _BUILT[kept] = data
    return made


def page() -> tuple[int, int]:
    """The size in pixels of the page Pango lays a text out on (Manim's: the frame's): a
    text larger than its page loses the glyphs outside it, so a text is kept per page size."""
    from manim import config

    return (int(config.pixel_width), int(config.pixel_height))


def _build(key: Key) -> tuple[Text, bytes]:
    from manim import Text

    string, size, color, weight, font = key
    t = Text(string, font=font, font_size=size, color=color, weight=weight, use_svg_cache=False)
    for glyph in t.submobjects:
        # The parsed SVG path each glyph keeps is only read while it is built; without it a
        # copy is a third of the bytes and time.
        glyph.path_obj = None  # type: ignore[attr-defined]
    data = pickle.dumps(t, protocol=pickle.HIGHEST_PROTOCOL)
    name = store_key(key) if STORE is not None else None
    if STORE is not None and name is not None and load(data, key) is not None:
        STORE.put(name, data)  # stored only if it can be read back
    return t, data


def _from_store(key: Key) -> tuple[Text, bytes] | None:
    name = store_key(key) if STORE is not None else None
    data = STORE.get(name) if STORE is not None and name is not None else None
    made = load(data, key) if data is not None else None
    return (made, data) if made is not None and data is not None else None


def store_key(key: Key) -> str | None:
    """The text's name in a store: a hash of its arguments, the format, the versions of what
    made it (this module's source, Manim, ManimPango) and of what it refers to (numpy), the
    fonts it is drawn in (`font_print`) and the page it was laid out on (`page`). None when
    the fonts cannot be told (the text is not kept)."""
    fonts = font_print(key[4], key[3])
    if fonts is None:
        return None
    return digest((_made_by(), fonts, page(), key))


def digest(value: object) -> str:
    """A hex digest of `value`'s repr (of plain data: strings, numbers, tuples)."""
    return hashlib.sha256(repr(value).encode()).hexdigest()


@functools.cache
def _made_by() -> tuple[object, ...]:
    from importlib.metadata import version

    import numpy

    # this module's own source: a text built by another version of `_build` is not reused
    with open(__file__, "rb") as f:
        source = hashlib.sha256(f.read()).hexdigest()
    return (FORMAT, source, version("manim"), version("manimpango"), numpy.__version__)


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


# The enums a text holds; some Pythons (3.11.2, Debian 12's) pickle a member as
# getattr(CapStyleType, "AUTO") rather than CapStyleType(0).
ENUMS = {("manim.constants", "CapStyleType"), ("manim.constants", "LineJointType")}


def _member(cls: object, name: object) -> object:
    """`getattr` as a pickle may call it: only a member of one of the allowed enums."""
    if (getattr(cls, "__module__", None), getattr(cls, "__name__", None)) not in ENUMS:
        raise pickle.UnpicklingError(f"getattr on {cls!r} is not part of a text")
    if not isinstance(name, str) or name not in cls.__members__:  # type: ignore[attr-defined]
        raise pickle.UnpicklingError(f"{name!r} is not a member of {cls!r}")
    return cls.__members__[name]  # type: ignore[attr-defined]


class _TextUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) == ("builtins", "getattr"):
            return _member
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a text")
        return super().find_class(module, name)


def load(data: bytes, key: Key | None = None) -> Text | None:
    """The Text pickled in `data`, or None if `data` is not one (anything but a Text's
    classes is refused before it is built) or not the text of `key` (its string, font, size
    and weight)."""
    from manim import Text

    try:
        made = _TextUnpickler(io.BytesIO(data)).load()
    except Exception:
        return None
    if not isinstance(made, Text):
        return None
    if key is not None:
        string, size, _, weight, font = key
        said = (getattr(made, "original_text", None), made.__dict__.get("font"),
                made.__dict__.get("weight"), made.__dict__.get("_font_size"))  # fmt: skip
        if said[:3] != (string, font, weight) or not isinstance(said[3], float | int):
            return None
        if abs(float(said[3]) - size) > 1e-6:
            return None
    return made


# ---- the fonts a text is drawn in ------------------------------------------------------------

# Pango's weight names that fontconfig spells otherwise (the rest: the same, in lower case).
_FC_WEIGHT = {"NORMAL": "regular", "ULTRAHEAVY": "ultrablack"}


def font_print(font: str, weight: str) -> tuple[object, ...] | None:
    """What a text in `font` at `weight` is drawn with: the file fontconfig picks for it
    (`font_file`) and a digest of the families installed (where Pango finds the glyphs the
    font lacks). None when fontconfig cannot be asked."""
    file = font_file(font, weight)
    return None if file is None else (file, _families())


@functools.cache
def font_file(font: str, weight: str = "NORMAL") -> tuple[str, int, int] | None:
    """The font file fontconfig (which Pango asks) picks for `font` at `weight`, with its
    size and mtime (ns): a new version of the font is another file. None when fontconfig
    cannot be asked (neither its library nor `fc-match` is found) or picks nothing."""
    pattern = f"{font}:weight={_FC_WEIGHT.get(weight, weight.lower())}"
    path = _fc_match(pattern)
    try:
        st = os.stat(path) if path else None
    except OSError:
        return None
    return None if st is None or path is None else (path, st.st_size, st.st_mtime_ns)


@functools.cache
def _families() -> str:
    import manimpango

    return hashlib.sha256("\n".join(sorted(manimpango.list_fonts())).encode()).hexdigest()


def _fc_match(pattern: str) -> str | None:
    """The file of fontconfig's best match for `pattern`: through libfontconfig (what Pango
    calls, in-process), else the `fc-match` command."""
    lib = _fontconfig()
    if lib is None:
        try:
            out = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                                 text=True, timeout=30, check=True).stdout  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return None
        return out.strip() or None
    pat = lib.FcNameParse(pattern.encode())
    if not pat:
        return None
    lib.FcConfigSubstitute(None, pat, 0)  # FcMatchPattern
    lib.FcDefaultSubstitute(pat)
    result = ctypes.c_int()
    match = lib.FcFontMatch(None, pat, ctypes.byref(result))
    lib.FcPatternDestroy(pat)
    if not match:
        return None
    file = ctypes.c_char_p()
    found = lib.FcPatternGetString(match, b"file", 0, ctypes.byref(file)) == 0  # FcResultMatch
    path = os.fsdecode(file.value) if found and file.value else None
    lib.FcPatternDestroy(match)
    return path


@functools.cache
def _fontconfig() -> ctypes.CDLL | None:
    """libfontconfig with the signatures `_fc_match` calls, or None where it is missing."""
    import ctypes.util

    for name in ("libfontconfig.so.1", ctypes.util.find_library("fontconfig")):
        try:
            lib = ctypes.CDLL(name) if name else None
        except OSError:
            continue
        if lib is None:
            continue
        p, c = ctypes.c_void_p, ctypes.c_char_p
        lib.FcNameParse.restype, lib.FcNameParse.argtypes = p, [c]
        lib.FcConfigSubstitute.argtypes = [p, p, ctypes.c_int]
        lib.FcDefaultSubstitute.argtypes = [p]
        lib.FcFontMatch.restype = p
        lib.FcFontMatch.argtypes = [p, p, ctypes.POINTER(ctypes.c_int)]
        lib.FcPatternGetString.argtypes = [p, c, ctypes.c_int, ctypes.POINTER(c)]
        lib.FcPatternDestroy.argtypes = [p]
        return lib
    return None
