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


TINY_SCALE = 0.5  # every parameter of the tiny BERT ~ N(0, 0.5): LayerNorms and biases too


def tiny_weights(shapes: dict[str, list[int]], seed: int) -> dict[str, np.ndarray]:
    """The tiny random BERT's parameters, made from `seed` rather than stored (weights stay
    out of git): float32 N(0, TINY_SCALE) in the order of the sorted names, from numpy's
    legacy RandomState, whose streams never change. make_reference.py loads these into
    transformers' BertModel; the test writes them as the checkpoint under transformers' own
    key names."""
    rng = np.random.RandomState(seed)
    return {
        name: rng.normal(0.0, TINY_SCALE, size=shapes[name]).astype(np.float32)
        for name in sorted(shapes)
    }


def weights_sha256(weights: dict[str, np.ndarray]) -> str:
    """One digest of the names, shapes and values (little-endian float32), in name order."""
    digest = hashlib.sha256()
    for name in sorted(weights):
        value = np.ascontiguousarray(weights[name], dtype="<f4")
        digest.update(f"{name}{list(value.shape)}".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


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
