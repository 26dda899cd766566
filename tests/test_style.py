"""The house style's tools agree with the code: ruff (lint and format) and mypy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True)


@pytest.mark.skipif(
    shutil.which("ruff") is None and not (Path(sys.prefix) / "bin/ruff").exists(),
    reason="ruff is installed by the test set-up",
)
def test_ruff_lint_and_format() -> None:
    ruff = (
        str(Path(sys.prefix) / "bin/ruff") if (Path(sys.prefix) / "bin/ruff").exists() else "ruff"
    )
    lint = run(ruff, "check", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run(ruff, "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy() -> None:
    pytest.importorskip("mypy")
    out = run(sys.executable, "-m", "mypy", "attention_math", "scenes")
    assert out.returncode == 0, out.stdout + out.stderr
