"""The cache key of a render and the check that its files are up to date.

The key is a sha256 of the plan (JSON), the render options that change the media, the
tool's version, manim's version and the source that draws the scene (`code_version`), so
editing a scene invalidates every render of it and only those. The record
(``STEM.cache.json``, written by `scenes.app.files.commit`) holds every file's size, mtime
and sha256: a hit needs the key and every file as recorded (size and mtime, else its hash;
the hash always with `verify`). `produce_and_commit` makes a render's files in a staging
folder and commits them under their key, all or nothing.

No manim at import time: the cached path of a batch never loads it.
"""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.errors import OutputError
from scenes.app.cache.code import code_version
from scenes.app.files.commit import (
    CACHE_SUFFIX,
    DISK_ERRORS,
    FULL,
    _read_record,
    _sha256_file,
    blocking_folder,
    commit,
    staging,
)
from scenes.app.files.names import _show_path, render_identity
from scenes.app.notebook import RenderResult
from scenes.app.signals import check_signals

if TYPE_CHECKING:
    from attention_math.plan import Plan
    from scenes.app.options import RenderOptions


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover
        return None


def cache_key(plan: Plan, options: RenderOptions) -> str:
    """The hash of everything a render's files depend on."""
    return _key(plan, options.media_key())


def content_key(plan: Plan, options: RenderOptions | None) -> str:
    """The cache key without the formats: renders with equal content keys draw the same
    frames (one may have written a GIF, the other a PNG of them)."""
    from scenes.app.options import RenderOptions

    media = (options or RenderOptions()).media_key()
    files_only = ("formats", "stills", "captions", "slides_formats", "script")  # which files
    drawn = {k: v for k, v in media.items() if k not in files_only}
    return _key(plan, drawn)


def _key(plan: Plan, media: dict[str, Any]) -> str:
    from attention_math import __version__

    doc = {
        "plan": plan.to_json(),
        "options": media,
        "tool": __version__,
        "manim": _version("manim"),
        "scenes_source": code_version(media["scene"]),
    }
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def cached_files(
    out_dir: Path, stem: str, key: str, *, verify: bool = False
) -> RenderResult | None:
    """The render's files if STEM.cache.json has `key` and every file it lists is there as
    recorded; else None. A file with its recorded size and mtime is taken as it is (cheap);
    one whose mtime changed, or every file with `verify`, must have its recorded sha256.

    No lock is taken: a commit replaces the record and each file atomically and removes the
    old record first, so a file that changes under the check fails it (a miss, never a wrong
    hit), and a render that is up to date never waits for another process, even on a folder
    that is read-only."""
    record = _read_record(out_dir / f"{stem}{CACHE_SUFFIX}")
    if record is None or record.get("key") != key:
        return None
    try:
        for name, facts in record["files"].items():
            p = out_dir / name
            st = p.lstat()
            if not stat.S_ISREG(st.st_mode) or st.st_size != facts["size"]:
                return None
            if (verify or st.st_mtime_ns != facts["mtime_ns"]) and _sha256_file(p) != facts[
                "sha256"
            ]:
                return None
        media = [out_dir / m for m in record["media"]]
        plan_name = record.get("plan")
    except (OSError, KeyError, TypeError):
        return None
    return RenderResult(media, cached=True, plan_path=out_dir / plan_name if plan_name else None)


def produce_and_commit(
    out_dir: Path,
    stem: str,
    key: str,
    plan: Plan,
    produce: Callable[[Path], list[Path]],
    inputs: str | None = None,
    options: RenderOptions | None = None,
) -> RenderResult:
    """Run `produce(stage)` (it writes the media into the staging folder, named STEM.*, and
    returns them), add STEM.plan.json, and commit it all (`commit`: all or nothing). A folder
    where a file of STEM would go is refused before `produce` runs; a full disk is an
    OutputError and the previous files stay."""
    if (folder := blocking_folder(out_dir, stem)) is not None:
        raise OutputError(
            f"{_show_path(folder)} is a folder, so the render cannot be written there; "
            f"move it away or choose another name"
        )
    identity = render_identity(plan, options)
    content = content_key(plan, options) if options is not None else None
    try:
        with staging(out_dir) as stage:
            media = produce(stage)
            plan.save(stage / f"{stem}.plan.json")
            check_signals()
            return commit(stage, out_dir, stem, key, media, inputs, identity, content,
                          replace_other=options is None or options.force)  # fmt: skip
    except OSError as exc:
        if exc.errno in DISK_ERRORS:
            hint = "free some space, or " if exc.errno in FULL else ""
            raise OutputError(
                f"cannot write in {str(out_dir)!r}: {exc.strerror or exc}; the previous files "
                f"are unchanged ({hint}choose another folder)"
            ) from exc
        raise
