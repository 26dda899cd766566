"""The one owner of writing files: staging folders, locks, all-or-nothing commits, the record.

Everything a render writes (the media, STEM.plan.json, the page, the cache record) goes
through here: the passes render into a staging folder inside `out_dir` (named
``.render-PID-HOST-...``), and `commit` moves every file into place with `os.replace` while
the folder is locked, all or nothing: each old file is kept aside until the last new one is
in place, and put back if any step fails (the message names the file and says so); the
previous render's files that this one does not write go too, so the files of one STEM
always come from one render. Only then ``STEM.cache.json`` records the render. A render that
is killed, or runs out of disk, leaves the previous files and no partial file; a staging
folder left by a hard kill (SIGKILL, power loss) is removed by the next render once its
process is gone. `write_atomic` writes a single file the same way (``plan -o FILE``).

Collisions: `check_name` refuses a name (``--name``) that holds another render unless
forced (`name_taken`: the record's `render_identity` differs).

A record is data in a folder others may write to: `_read_record` takes only a small regular
file (no symlink followed, no FIFO waited on, at most MAX_RECORD_BYTES) of this version's
shape, naming only files a render of its STEM writes (`own_file`), and the store replaces or
removes no other file, whatever a record lists. A cache hit takes no lock; a commit waits for
another process's lock at most `lock_seconds`, saying so on stderr.

No manim at import time: the cached path of a batch never loads it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.errors import OutputError
from scenes.app.files.names import _show_path, own_file, render_identity
from scenes.app.notebook import RenderResult
from scenes.app.signals import check_signals

if TYPE_CHECKING:
    from attention_math.plan import Plan
    from scenes.app.options import RenderOptions

CACHE_SUFFIX = ".cache.json"
STAGING_PREFIX = ".render-"
STALE_SECONDS = 3600  # a staging folder without a live owner we can see: removed after this
STALE_OWNED_SECONDS = 24 * 3600  # even with a live pid (it may be another process by now)
DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}
FULL = {errno.ENOSPC, errno.EDQUOT}  # the disk errors that freeing some space cures
MAX_RECORD_BYTES = 1_000_000  # a record of a render with a hundred stills is about 30 KB
LOCK_SECONDS = 60.0  # how long a render waits for another process's lock of the folder
LOCK_SECONDS_VARIABLE = "ATTENTION_DRIFT_LOCK_SECONDS"  # to change it (tests: a fraction)


# --------------------------------------------------------------------------------------------
# staging and commits


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:20] or "host"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


_OWNED = re.compile(rf"^{re.escape(STAGING_PREFIX)}(\d+)-([A-Za-z0-9]+)-")


def clean_stale(out_dir: Path, *, now: float | None = None) -> list[Path]:
    """Remove staging folders (and files) that no running render owns; return them.

    Owned (``.render-PID-HOST-...``, this host): removed when PID is gone, or after a day.
    Others (another host, or an older `.render-XXXX` without a pid): after STALE_SECONDS.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        entries = [p for p in out_dir.iterdir() if p.name.startswith(STAGING_PREFIX)]
    except OSError:
        return []
    host = _host()
    for p in entries:
        try:
            age = now - p.lstat().st_mtime
        except OSError:
            continue
        m = _OWNED.match(p.name)
        if m and m[2] == host:
            pid = int(m[1])
            if pid == os.getpid() or (_pid_alive(pid) and age < STALE_OWNED_SECONDS):
                continue
        elif age < STALE_SECONDS:
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                p.unlink()
        removed.append(p)
    return removed


@contextlib.contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A fresh staging folder in `out_dir`, removed on the way out (also on an exception,
    including the SystemExit of `signals_as_exceptions`)."""
    prefix = f"{STAGING_PREFIX}{os.getpid()}-{_host()}-"
    with tempfile.TemporaryDirectory(prefix=prefix, dir=out_dir) as tmp:
        yield Path(tmp)


def lock_seconds() -> float:
    """How long to wait for the folder's lock: $ATTENTION_DRIFT_LOCK_SECONDS, else
    LOCK_SECONDS."""
    try:
        seconds = float(os.environ.get(LOCK_SECONDS_VARIABLE, LOCK_SECONDS))
    except ValueError:
        return LOCK_SECONDS
    return max(0.0, seconds) if seconds == seconds else LOCK_SECONDS  # NaN: the default


@contextlib.contextmanager
def _folder_lock(
    folder: Path, exclusive: bool, seconds: float | None = None
) -> Iterator[int | None]:
    """An flock on the folder itself (no lock file left behind); yields its fd. Held by
    another process: a line on stderr says so, and after `seconds` (default `lock_seconds`)
    an OutputError says who to wait for; never a silent wait without end."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield None
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        _acquire(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH, folder, seconds)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def _acquire(fd: int, how: int, folder: Path, seconds: float | None) -> None:
    import fcntl

    try:
        fcntl.flock(fd, how | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    seconds = lock_seconds() if seconds is None else seconds
    if seconds > 0:
        print(f"attention-drift: waiting up to {seconds:g} s for another process to finish "
              f"writing in {_show_path(folder)} (it holds the folder's lock)", file=sys.stderr,
              flush=True)  # fmt: skip
    deadline, pause = time.monotonic() + seconds, 0.02
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(pause, left))
        pause = min(2 * pause, 0.5)
        try:
            fcntl.flock(fd, how | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            continue
    raise OutputError(
        f"another process has held the lock of {_show_path(folder)} for {seconds:g} s (a "
        f"render writing there? `fuser -v` names it); wait for it to end, or choose another "
        f"folder"
    )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _facts(path: Path) -> dict[str, Any]:
    """What the record keeps of a file: size and mtime (the cheap check) and sha256."""
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": _sha256_file(path)}


def _read_small(path: Path, limit: int = MAX_RECORD_BYTES) -> str | None:
    """The text of `path` if it is a regular file of at most `limit` bytes, else None: a
    symlink is not followed (it could lead to /dev/zero), a FIFO is not waited on (opened
    without blocking, then refused), a device is not read."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8") if len(data) <= limit else None
    except UnicodeDecodeError:
        return None


def _read_record(path: Path) -> dict[str, Any] | None:
    """A cache record as written by this version (files with their facts), or None: also
    for anything that is not a small regular file (`_read_small`), not JSON (or nested too
    deep to parse), or that names a file the render of its STEM does not write (`own_file`):
    such a record was not written by the store, and nothing it says is acted on."""
    text = _read_small(path)
    if text is None:
        return None
    try:
        record = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("files"), dict):
        return None
    files, stem = record["files"], path.name.removesuffix(CACHE_SUFFIX)
    if not all(isinstance(v, dict) and own_file(stem, k) for k, v in files.items()):
        return None  # an older version's (sizes only) proves nothing; a forged one, less
    media, plan = record.get("media", []), record.get("plan")
    if not isinstance(media, list) or not all(isinstance(m, str) and m in files for m in media):
        return None
    return record if plan is None or (isinstance(plan, str) and plan in files) else None


def blocking_folder(out_dir: Path, stem: str) -> Path | None:
    """A folder where a file of STEM would go (STEM.png, STEM.plan.json ...), or None: a
    render cannot replace a folder, so it is refused before any work."""
    names = (f"{stem}{CACHE_SUFFIX}",)
    try:
        for p in out_dir.iterdir():
            if (own_file(stem, p.name) or p.name in names) and p.is_dir() and not p.is_symlink():
                return p
    except OSError:
        return None
    return None


def _keep_copy(dest: Path, backup: Path) -> bool:
    """Keep the old file at `dest` as `backup` (a hard link, else a copy); False if none."""
    if not os.path.lexists(dest):
        return False
    if dest.is_dir() and not dest.is_symlink():
        raise IsADirectoryError(errno.EISDIR, "it is a folder", str(dest))
    try:
        os.link(dest, backup, follow_symlinks=False)
    except OSError:
        shutil.copy2(dest, backup, follow_symlinks=False)
    return True


class _Commit:
    """The moves of one commit, so that they can be undone: each new file replaces its old
    one (kept in `backup` first), the old record's leftovers are moved to `backup`."""

    def __init__(self, out_dir: Path, backup: Path) -> None:
        self.out_dir, self.backup = out_dir, backup
        self.placed: list[tuple[str, bool]] = []  # (name, had an old file)
        self.pending: tuple[Path, str, bool] | None = None  # a move under way
        self.removed: list[str] = []

    def place(self, source: Path, name: str) -> None:
        dest = self.out_dir / name
        had = _keep_copy(dest, self.backup / name)
        self.pending = (source, name, had)
        os.replace(source, dest)
        self.placed.append((name, had))
        self.pending = None

    def remove(self, name: str) -> None:
        os.replace(self.out_dir / name, self.backup / name)
        self.removed.append(name)

    def undo(self) -> list[str]:
        """Put every old file back, remove every new one; the names that could not be."""
        if self.pending is not None:
            source, name, had = self.pending
            if not os.path.lexists(source):  # moved after all (cut short just after)
                self.placed.append((name, had))
        failed = []
        for name, had in reversed(self.placed):
            dest = self.out_dir / name
            try:
                if had:
                    os.replace(self.backup / name, dest)
                elif os.path.lexists(dest) and not dest.is_dir():
                    dest.unlink()
            except OSError:
                failed.append(name)
        for name in reversed(self.removed):
            try:
                os.replace(self.backup / name, self.out_dir / name)
            except OSError:
                failed.append(name)
        return failed


def commit(
    stage: Path,
    out_dir: Path,
    stem: str,
    key: str,
    media: Sequence[Path],
    inputs: str | None = None,
    identity: dict[str, Any] | None = None,
    content: str | None = None,
    replace_other: bool = True,
) -> RenderResult:
    """Move every finished file of `stage` into `out_dir` and record them: all or nothing.

    Under an exclusive lock of `out_dir`: the old STEM.cache.json goes first (so a commit
    cut short is never taken for a cache hit), then each file by `os.replace` (readers see
    the old file or the new one; the old one is kept aside), then the files of the previous
    render of STEM that this one does not write (removed, unless `content` says they show
    the same thing), then the new record with every file's size, mtime and sha256. If any
    step fails, every file is put back as it was and an OutputError says what happened.

    identity: `render_identity` (recorded: `check_name` compares it). content: the cache
    key without the formats (`content_key`): a previous render with the same content keeps
    its other files (a GIF rendered before a PNG of the same figure). replace_other=False:
    `check_name` again under the lock, so of two renders racing for one name with different
    requests, the later commit is refused rather than silently replacing the other.
    """
    names, files = _staged_files(stage)
    plan_name = f"{stem}.plan.json"
    record_path = out_dir / f"{stem}{CACHE_SUFFIX}"
    check_signals()
    with _folder_lock(out_dir, exclusive=True) as fd:
        _refuse_blocking_folder(out_dir, stem)
        if not replace_other and identity is not None:
            _refuse_taken(out_dir, stem, identity)
        old = _read_record(record_path) or {}
        old_media = old["media"] if isinstance(old.get("media"), list) else []
        # only STEM's own files go, whatever the record says (`own_file`)
        leftovers = [n for n in old.get("files", {}) if n not in files and own_file(stem, n)]
        carried = _carried_files(out_dir, old, leftovers, content)
        record = {
            "key": key,
            "content": content,
            "request": identity,
            "files": {**carried, **files},
            "media": [p.name for p in media] + [m for m in old_media if m in carried],
            "plan": plan_name if plan_name in files else None,
            "inputs": inputs,
        }
        record_tmp = _write_staged_record(stage, record)
        stale = [n for n in leftovers if n not in carried]
        _move_into_place(stage, out_dir, names, stale, record_tmp, record_path)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(fd)
    return RenderResult(
        [out_dir / p.name for p in media],
        plan_path=out_dir / plan_name if plan_name in files else None,
    )


def _staged_files(stage: Path) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The finished files of `stage` (hidden ones aside), each flushed to disk, with their
    facts: taken before the moves, as a rename keeps size and mtime."""
    names = sorted(p.name for p in stage.iterdir() if p.is_file() and not p.name.startswith("."))
    files = {}
    for name in names:
        _fsync(stage / name)
        files[name] = _facts(stage / name)  # a rename keeps size and mtime
    return names, files


def _refuse_blocking_folder(out_dir: Path, stem: str) -> None:
    """An OutputError, before anything moves, if a folder holds the place of a file of STEM."""
    if (folder := blocking_folder(out_dir, stem)) is not None:
        raise OutputError(
            f"{_show_path(folder)} is a folder, so the render cannot be written there: "
            f"nothing was replaced; move it away or choose another name"
        )


def _carried_files(
    out_dir: Path, old: dict[str, Any], leftovers: list[str], content: str | None
) -> dict[str, Any]:
    """The previous render's files this one keeps (with their recorded facts): those it does
    not write, when it shows the same content, and only if they are still as recorded."""
    keep = content is not None and old.get("content") == content
    return {
        n: old["files"][n] for n in leftovers if keep and _unchanged(out_dir / n, old["files"][n])
    }


def _write_staged_record(stage: Path, record: dict[str, Any]) -> Path:
    """The new cache record, written and flushed inside `stage` (hidden: not a staged file)."""
    record_tmp = stage / ".cache.json"
    record_tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    _fsync(record_tmp)
    return record_tmp


def _move_into_place(
    stage: Path,
    out_dir: Path,
    names: list[str],
    stale: list[str],
    record_tmp: Path,
    record_path: Path,
) -> None:
    """The moves of a commit, in order, under the caller's lock: the old record out, each
    staged file in, the previous render's `stale` files out, the new record in. If any step
    fails every move is undone; an OSError becomes an OutputError that says what happened."""
    backup = stage / ".previous"
    backup.mkdir()
    moves = _Commit(out_dir, backup)
    try:
        if os.path.lexists(record_path):
            moves.remove(record_path.name)
        for name in names:
            check_signals()
            moves.place(stage / name, name)
        for name in stale:
            if os.path.lexists(out_dir / name):
                moves.remove(name)
        os.replace(record_tmp, record_path)
    except BaseException as exc:
        failed = moves.undo()
        if not isinstance(exc, OSError):
            raise
        raise OutputError(_commit_failure(exc, out_dir, failed, backup)) from exc


def _unchanged(path: Path, facts: Any) -> bool:
    """The cheap check: the file is there with its recorded size and mtime."""
    try:
        st = path.stat()
    except OSError:
        return False
    return (
        isinstance(facts, dict)
        and st.st_size == facts.get("size")
        and st.st_mtime_ns == facts.get("mtime_ns")
    )


def _commit_failure(exc: OSError, out_dir: Path, failed: list[str], backup: Path) -> str:
    """One line: which file could not be replaced, why, and the state the folder is in."""
    target = exc.filename2 or exc.filename  # os.replace: (source, destination)
    where = _show_path(Path(target)) if target else _show_path(out_dir)
    why = exc.strerror or type(exc).__name__
    if not failed:
        return (
            f"cannot replace {where} ({why}); the render was not committed and the previous "
            f"files of {_show_path(out_dir)} are back as they were"
        )
    kept = out_dir / f".previous-{os.getpid()}-{int(time.time())}"
    with contextlib.suppress(OSError):
        os.replace(backup, kept)
    return (
        f"cannot replace {where} ({why}), and {', '.join(failed)} could not be put back: "
        f"the previous copies are in {_show_path(kept)}; check the folder before using it"
    )


def check_writable(folder: Path, hint: str) -> None:
    """An OutputError if this process cannot make files in `folder`, saying why truthfully
    (a read-only file system is not a permission problem), then `hint`."""
    if os.access(folder, os.W_OK | os.X_OK):
        return
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # pragma: no cover - not POSIX
        read_only = False
    why = "read-only file system" if read_only else "permission denied"
    raise OutputError(f"cannot write in {str(folder)!r} ({why}); {hint}")


def prepare(out_dir: Path) -> None:
    """Make the output folder, and remove staging folders no running render owns."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder {_show_path(out_dir)}: {exc.strerror}") from exc
    clean_stale(out_dir)


def check_name(out_dir: Path, stem: str, plan: Plan, options: RenderOptions) -> None:
    """Refuse a name that already holds another render in `out_dir` (its record's identity
    differs), unless options.force: `--name fig` used twice for different figures would
    leave one figure's page captioning the other's video."""
    if not options.force:
        _refuse_taken(out_dir, stem, render_identity(plan, options))


def _refuse_taken(out_dir: Path, stem: str, identity: dict[str, Any]) -> None:
    if (other := name_taken(out_dir, stem, identity)) is not None:
        raise OutputError(
            f"the name {stem} is taken in {_show_path(out_dir)} by another render ({other}); "
            f"choose another name, or --force to replace it"
        )


def name_taken(
    out_dir: Path, stem: str, identity: dict[str, Any], owner: str | None = None
) -> str | None:
    """How the render recorded as STEM in `out_dir` differs from `identity` ("different
    sentences, theme"), or None when there is none, or it is the same render, or it was
    written for `owner` (a spec's named entry, edited since: its new render replaces it)."""
    record = _read_record(out_dir / f"{stem}{CACHE_SUFFIX}")
    theirs = (record or {}).get("request")
    if not isinstance(theirs, dict) or theirs == identity:
        return None
    if owner is not None and (record or {}).get("owner") == owner:
        return None
    differ = [k for k in identity if theirs.get(k) != identity.get(k)]
    differ += [k for k in theirs if k not in identity]
    said = {"sentences": "sentences", "target_index": "target occurrence", "palette": "theme"}
    named = [said.get(k, k.replace("_", " ")) for k in differ[:3]]
    return f"different {', '.join(named)}" if named else "different"


def set_owner(out_dir: Path, stem: str, owner: str) -> None:
    """Record in STEM.cache.json who asked for the render under this name (a spec entry,
    as "SPEC#NAME"): its later edits may replace it (`name_taken`), others may not."""
    record_path = out_dir / f"{stem}{CACHE_SUFFIX}"
    with _folder_lock(out_dir, exclusive=True):
        record = _read_record(record_path)
        if record is not None and record.get("owner") != owner:
            write_atomic(record_path, json.dumps({**record, "owner": owner}, indent=2) + "\n")


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one, never a
    part: a temporary file in the same folder, then ``os.replace``."""
    folder = path.parent
    if path.is_dir():
        raise OutputError(f"{str(path)!r} is a folder; give a file name to write to")
    if not folder.is_dir():
        raise OutputError(
            f"folder {str(folder)!r} does not exist; create it first or write elsewhere"
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write to {str(folder)!r}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {str(path)!r}: {exc.strerror}") from exc
        raise
