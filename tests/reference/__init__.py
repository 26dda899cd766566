"""Reference numbers that transformers + torch and sentence-transformers produced.

``make_reference.py`` (beside this file) made them; the tests read them with :func:`load`, so
the test suite needs no torch. Layer and head indices are 0-based, as in attention_math.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
REGENERATE = (
    "regenerate them where torch is installed: `.venv/bin/pip install -r "
    "requirements-reference.txt && .venv/bin/python tests/reference/make_reference.py`"
)


def sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def metadata(name: str) -> dict[str, Any]:
    """``NAME.json``: the exact inputs, the checkpoint's sha256 and the library versions."""
    return json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))


@functools.cache
def load(name: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """``NAME.json`` and the float32 arrays of ``NAME.npz`` (read-only)."""
    with np.load(HERE / f"{name}.npz") as npz:
        arrays = {key: npz[key] for key in npz.files}
    for value in arrays.values():
        value.flags.writeable = False
    return metadata(name), arrays


def check_checkpoint(weights: Path, made_with: str, what: str) -> None:
    """Fail the test, saying what to do, unless ``weights`` is the file the references used."""
    found = sha256(weights)
    if found != made_with:
        pytest.fail(
            f"{weights} has sha256 {found}, but the references in tests/reference/ ({what}) "
            f"were made with {made_with}: install the model they were made with, or {REGENERATE}",
            pytrace=False,
        )


def minilm(model_dir: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The all-MiniLM-L6-v2 references, after checking that ``model_dir`` holds that model."""
    meta, arrays = load("minilm")
    package = meta["model"]["package"]
    check_checkpoint(
        Path(model_dir) / meta["model"]["file"],
        meta["model"]["sha256"],
        f"{package} {meta['versions'][package]}",
    )
    return meta, arrays


def assert_max_abs(actual: np.ndarray, expected: np.ndarray, tol: float, what: str) -> None:
    """Same shape and max |actual - expected| <= tol; the message names the largest gap."""
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape}, reference {expected.shape}"
    )
    gap = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    worst = float(gap.max())
    where = tuple(int(i) for i in np.unravel_index(int(gap.argmax()), gap.shape))
    assert worst <= tol, f"{what}: max |ours - reference| = {worst:.3g} at {where} > {tol:g}"
