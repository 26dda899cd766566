"""Pango's SVGs and built texts, kept across runs in the user's cache folder.

`share_svgs` serves Pango's SVGs and `scenes.texts`' built texts from `cache_folder`, this
user's alone, keyed by the font they are drawn in. Every cache folder is private
(`private_folder`: 0700, this user's) and every file in it is read only if this user wrote
it (`PrivateFiles`: 0600, written under a temporary name and renamed into place, read
bounded). A pass still works in folders of its own (Manim writes a modified copy of every
SVG next to it): a cached SVG is copied in, a new one is checked whole and published under a
temporary name renamed into place, so renders running at the same time never read a
half-written file or remove each other's. These are the only cache files of the tool:
`scenes.texts` (the drawing side) keeps its built texts through the `TextStore` the
application gives it, a `PrivateFiles`.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scenes import texts


def cache_folder() -> Path:
    """The user's cache folder for attention-drift: $XDG_CACHE_HOME/attention-drift, or
    ~/.cache/attention-drift."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "attention-drift"


_shared: dict[str, PrivateFiles | None] = {"texts": None}


def share_svgs(work: Path, font: str = "Noto Sans") -> None:
    """Serve Pango's SVGs and scenes.texts' built texts from the user cache folder
    (`cache_folder`): Pango's SVGs per manimpango version and per font (`texts.font_print`
    of the theme's font, in each SVG's name), built texts with the fonts in their keys. Every
    cache folder is this user's alone (`private_folder`), every file in it read only if this
    user wrote it (`PrivateFiles`); without such a folder, or where the fonts cannot be told
    apart, nothing is shared. Each pass keeps its own text_dir (Manim writes a modified copy
    of every SVG next to it): a cached SVG is copied in, a new one made there and published
    to the cache. Installs the wrapper once."""
    from importlib.metadata import version

    import manimpango
    from manim.mobject.text import text_mobject

    root = private_folder(cache_folder())
    svgs = private_folder(root / f"texts-manimpango-{version('manimpango')}") if root else None
    built = private_folder(root / "texts-built") if root else None
    fonts = [texts.font_print(font, weight) for weight in ("NORMAL", "BOLD")]
    prefix = texts.digest(fonts)[:16] + "-"
    _shared["texts"] = PrivateFiles(svgs, prefix) if svgs and None not in fonts else None
    texts.STORE = PrivateFiles(built, suffix=TEXT_SUFFIX) if built is not None else None
    (work / "texts").mkdir(parents=True, exist_ok=True)
    if getattr(manimpango.text2svg, "_shared", False):
        return
    manimpango.text2svg = _shared_text_svg(manimpango.text2svg, 4)
    text_mobject.MarkupUtils.text2svg = staticmethod(
        _shared_text_svg(text_mobject.MarkupUtils.text2svg, 7)
    )


def private_folder(folder: Path) -> Path | None:
    """`folder` as a cache folder of this user's alone, tidied (`_drop_broken`, `_prune`);
    None (nothing cached there) when that cannot be. Made 0700 (and any missing parent);
    one of this user's that others may enter is emptied and made again (whatever others
    put in it is never read); a link, or a folder someone else owns, is not used."""
    try:
        missing = [p for p in (folder, *folder.parents) if not os.path.lexists(p)]
        for p in reversed(missing):
            with contextlib.suppress(FileExistsError):  # made by a render at the same time
                os.mkdir(p, 0o700)
        st = os.lstat(folder)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            return None
        if st.st_mode & 0o077:
            if not shutil.rmtree.avoids_symlink_attacks:
                return None
            shutil.rmtree(folder, ignore_errors=True)
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder, 0o700)
            st = os.lstat(folder)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
                return None
        if not os.access(folder, os.W_OK):
            return None
        _drop_broken(folder)
        _prune(folder)
    except OSError:
        return None
    return folder


def _own(st: os.stat_result) -> bool:
    """A regular file owned by this user, and nobody else may write it."""
    return stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022


TEXT_SUFFIX = ".text"  # a built text's file in the cache (an SVG's: its own name, .svg)
MAX_CACHED = 64 << 20  # a cached file larger than this is not read (a text is ~100 KB)


class PrivateFiles:
    """Files by name in a cache folder (`private_folder`), as every cache keeps them: read
    only if this user's own regular file (no link followed, nothing others may write, at
    most MAX_CACHED bytes); written 0600 under a temporary name and renamed into place, so a
    reader sees no file or the whole one. A name is `prefix + key + suffix`. scenes.texts'
    store (`TextStore`) and the SVG cache."""

    def __init__(self, folder: Path, prefix: str = "", suffix: str = "") -> None:
        self.folder, self.prefix, self.suffix = folder, prefix, suffix

    def path(self, key: str) -> Path:
        return self.folder / f"{self.prefix}{key}{self.suffix}"

    def get(self, key: str) -> bytes | None:
        path = self.path(key)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            with os.fdopen(os.open(path, flags), "rb") as f:
                st = os.fstat(f.fileno())
                if not _own(st) or st.st_size > MAX_CACHED:
                    return None
                data = f.read(MAX_CACHED + 1)
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used now (what `_prune` goes by)
        return data if len(data) <= MAX_CACHED else None

    def put(self, key: str, data: bytes) -> None:
        final = self.path(key)
        tmp = final.with_name(f"{final.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, final)
        except OSError:  # a full or read-only cache only means no sharing
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _shared_text_svg(write: Callable[..., Any], index: int) -> Callable[..., Any]:
    """Pango's text2svg, whose output file is argument `index` (named by Manim after a hash
    of the text and its style): copied from the cache when it is there, whole; else written,
    checked whole, and published to the cache. Its name in the cache holds the page's size
    as well (the arguments after the start point): Manim's name does not, and a text drawn
    on a page too small for it comes out without glyphs (a 16×9 pass once filled the cache
    with empty titles)."""

    @functools.wraps(write)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        final = Path(args[index])
        page = args[index + 3 : index + 5]  # width, height: after the file, START_X, START_Y
        name = ("x".join(str(int(v)) for v in page) + "-" if page else "") + final.name
        cache = _shared["texts"]
        data = cache.get(name) if cache is not None else None
        if data is not None and data.rstrip().endswith(b"</svg>"):
            final.write_bytes(data)
            return str(final)
        atomic_writer(write, index)(*args, **kwargs)
        if cache is not None:
            with contextlib.suppress(OSError):
                cache.put(name, final.read_bytes())
        return str(final)

    wrapper._shared = True  # type: ignore[attr-defined]
    return wrapper


def atomic_writer(write: Callable[..., Any], index: int) -> Callable[..., Any]:
    """`write` with its output file (argument `index`) written under a temporary name in the
    same folder, checked to be a whole SVG (Pango and cairo do not report a failed write),
    and renamed into place: a reader sees no file or the whole file."""

    @functools.wraps(write)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        final = str(args[index])
        tmp = f"{final}.{os.getpid()}-{threading.get_ident()}.tmp"
        try:
            write(*args[:index], tmp, *args[index + 1 :], **kwargs)
            if not _whole_svg(tmp):
                raise OSError(errno.EIO, f"an SVG was not written whole ({final})")
            os.replace(tmp, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return final

    wrapper._atomic = True  # type: ignore[attr-defined]
    return wrapper


def _whole_svg(path: str) -> bool:
    """The file ends with the SVG's closing tag (a full disk cuts it short)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64))
            return b"</svg>" in f.read()
    except OSError:
        return False


CACHE_DAYS = 60  # an SVG or text no render used for this long leaves the cache (checked daily)


def _prune(folder: Path, now: float | None = None) -> None:
    """Remove SVGs and built texts not used for CACHE_DAYS, at most once a day (a stamp
    file's mtime), so that the cache of years of renders stays small."""
    import time

    now = time.time() if now is None else now
    stamp = folder / ".pruned"
    with contextlib.suppress(OSError):
        if now - stamp.stat().st_mtime < 24 * 3600:
            return
    with contextlib.suppress(OSError):
        stamp.touch(mode=0o600)
        os.utime(stamp, (now, now))
        with os.scandir(folder) as entries:
            for entry in entries:
                old = now - entry.stat().st_mtime > CACHE_DAYS * 86400
                if entry.name.endswith((".svg", TEXT_SUFFIX)) and old:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def _drop_broken(folder: Path) -> None:
    """Remove empty SVGs from a cache folder (left by a writer without these checks)."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".svg") and entry.stat().st_size == 0:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
