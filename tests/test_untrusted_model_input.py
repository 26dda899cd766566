"""A checkpoint folder or an embeddings file from someone else (a spec can ship one) cannot
hang, bomb or crash: config.json is checked against the weights' header before anything of
its sizes is built, its size and nesting are bounded, and a file that is not a regular one,
an empty file or vectors too small to compute with get a one-line error that says what is
true (issue 18, defects 1, 6 and 8).

The checkpoint folders are tests/test_checkpoints.py's tiny BertModel (2 layers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from attention_math import model as M
from attention_math.build import build_plan
from attention_math.embeddings import load_embeddings_file, load_minilm
from attention_math.errors import InputError
from tests.test_checkpoints import CONFIG, encoder_tensors, one_line_error, write_folder


def folder_with(tmp_path: Path, **config: Any) -> Path:
    """The tiny 2-layer checkpoint, its config.json changed by `config`."""
    return write_folder(tmp_path / "ckpt", encoder_tensors(), {**CONFIG, **config})


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"num_hidden_layers": 1000}, "num_hidden_layers = 1000 but the weights have 2 layers"),
        ({"num_hidden_layers": 3}, "num_hidden_layers = 3 but the weights have 2 layers"),
        ({"vocab_size": 999}, "vocab_size = 999 but 'embeddings.word_embeddings.weight'"),
        ({"max_position_embeddings": 64}, "max_position_embeddings = 64 but"),
        ({"intermediate_size": 40}, "intermediate.dense.bias': (16,), expected (40,)"),
        ({"type_vocab_size": 3}, "type_vocab_size = 3 but"),
    ],
)
def test_a_config_that_does_not_describe_the_weights_is_refused(
    tmp_path: Path, change: dict[str, int], says: str
) -> None:
    folder = folder_with(tmp_path, **change)
    message = one_line_error(lambda: M.load_model(folder))
    assert says in message and message.startswith(f"{folder.resolve()}/model.safetensors: ")
    # the word-piece table is read through the same check
    assert says in one_line_error(lambda: load_minilm(folder))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("num_hidden_layers", 1_000_000_000),
        ("hidden_size", 10**12),
        ("vocab_size", 2**40),
        ("num_attention_heads", 0),
    ],
)
def test_sizes_beyond_any_bert_are_refused_by_the_config_alone(
    tmp_path: Path, name: str, value: int
) -> None:
    message = one_line_error(lambda: M.load_model(folder_with(tmp_path, **{name: value})))
    assert f"{name} = {value} must be 1 to" in message


def test_a_billion_layers_stays_small_and_quick(tmp_path: Path) -> None:
    """The probe of issue 18 (228 s, 22.9 GB before): the CLI in a subprocess, its peak
    memory read from the kernel (no timing assertion: the memory is the bound)."""
    folder = folder_with(tmp_path, num_hidden_layers=1_000_000_000)
    # VmHWM: this process's own peak (ru_maxrss would keep the pytest process's size, which
    # a forked child starts with, across the exec)
    code = (
        "import re, sys\n"
        "from scenes.app.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:], standalone_mode=True)\n"
        "finally:\n"
        "    status = open('/proc/self/status').read()\n"
        "    peak = re.search(r'VmHWM:\\s+(\\d+) kB', status)[1]\n"
        "    sys.stderr.write(f'maxrss_kb={peak}\\n')\n"
    )
    args = ["heads", "He sat on the river bank.", "--target", "bank", "--model-dir", str(folder)]
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("Error: ") and "num_hidden_layers = 1000000000" in lines[0]
    assert "Traceback" not in done.stderr
    peak_kb = int(lines[-1].removeprefix("maxrss_kb="))
    assert peak_kb < 600 * 1024  # the interpreter and its libraries; nothing of the config's size


def test_a_huge_config_json_is_not_read(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    text = json.dumps({**CONFIG, "padding": "x" * (M.MAX_JSON_BYTES + 1)})
    (folder / "config.json").write_text(text, encoding="utf-8")
    assert "more than a checkpoint's config.json has" in one_line_error(
        lambda: M.load_model(folder)
    )


@pytest.mark.parametrize("name", ["tokenizer.json", "vocab.txt"])
def test_a_huge_tokenizer_file_is_not_read(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_with(tmp_path)
    if name == "vocab.txt":
        (folder / "tokenizer.json").unlink()
    from attention_math.model import config

    monkeypatch.setattr(config, "MAX_TOKENIZER_BYTES", 100)  # the real files are far larger
    message = one_line_error(lambda: M.load_model(folder))
    assert f"{name} has" in message and "at most 100 are read" in message


@pytest.mark.parametrize("name", ["config.json", "tokenizer_config.json"])
def test_deeply_nested_json_is_one_line_not_a_recursion_error(tmp_path: Path, name: str) -> None:
    folder = folder_with(tmp_path)
    (folder / "tokenizer.json").unlink()  # tokenizer_config.json is read with vocab.txt only
    if name == "tokenizer_config.json":
        (folder / name).write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    else:
        (folder / name).write_text("[" * 100_000 + "]" * 100_000)
    message = one_line_error(lambda: M.load_model(folder))
    assert "nests its JSON too deeply" in message


def test_deeply_nested_tokenizer_json_is_one_line(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    (folder / "tokenizer.json").write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert "tokenizer.json cannot be read" in one_line_error(lambda: M.load_model(folder))


# ---------------------------------------------------------------------------------------------
# embeddings files: what the path is, what the numbers are

SENTENCE = "He sat on the river bank."


def test_a_device_is_not_a_regular_file_and_not_missing() -> None:
    message = one_line_error(lambda: load_embeddings_file("/dev/null"))
    assert "is not a regular file (a character device)" in message
    assert "does not exist" not in message


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "vectors.txt"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes: never here
    message = one_line_error(lambda: load_embeddings_file(fifo))
    assert "is not a regular file (a named pipe)" in message


def test_an_empty_file_says_it_is_empty(tmp_path: Path) -> None:
    (tmp_path / "v.txt").write_text("")
    assert one_line_error(lambda: load_embeddings_file(tmp_path / "v.txt")).endswith("is empty")


def test_a_missing_file_still_does_not_exist(tmp_path: Path) -> None:
    assert "does not exist" in one_line_error(lambda: load_embeddings_file(tmp_path / "nope.txt"))


def tiny_table(tmp_path: Path, scale: float, target_scale: float | None = None) -> Path:
    t = scale if target_scale is None else target_scale
    path = tmp_path / "tiny.toml"
    path.write_text(
        f"bank = [{1 * t!r}, {2 * t!r}]\nriver = [{3 * scale!r}, {1 * scale!r}]\n"
        f"sat = [{1 * scale!r}, {-1 * scale!r}]\n"
    )
    return path


def test_vectors_too_small_to_compute_with_are_not_called_zeros(tmp_path: Path) -> None:
    path = tiny_table(tmp_path, 1e-200)
    message = one_line_error(lambda: build_plan(SENTENCE, "bank", embeddings_file=path))
    assert "too small to compute with" in message and "all zeros" not in message
    assert "1e200" in message  # the factor that brings the largest entry (3e-200) to 3


def test_a_target_too_small_for_the_auto_scale_says_so(tmp_path: Path) -> None:
    path = tiny_table(tmp_path, 1.0, target_scale=1e-200)
    message = one_line_error(lambda: build_plan(SENTENCE, "bank", embeddings_file=path))
    assert "too small for scale 'auto'" in message and "all zeros" not in message


def test_small_but_representable_vectors_give_the_same_weights(tmp_path: Path) -> None:
    """Scale 'auto' is scale-free: vectors of 1e-100 give the weights of vectors of 1."""
    small = build_plan(SENTENCE, "bank", embeddings_file=tiny_table(tmp_path, 1e-100))
    (tmp_path / "tiny.toml").unlink()
    unit = build_plan(SENTENCE, "bank", embeddings_file=tiny_table(tmp_path, 1.0))
    assert small.sentences[0].final.weights == pytest.approx(unit.sentences[0].final.weights)


def test_zero_vectors_are_still_all_zeros(tmp_path: Path) -> None:
    path = tiny_table(tmp_path, 1.0, target_scale=0.0)
    with pytest.raises(InputError, match="all zeros"):
        build_plan(SENTENCE, "bank", embeddings_file=path)


@pytest.mark.parametrize("name", ["config.json", "model.safetensors", "tokenizer.json"])
def test_a_fifo_in_the_folder_is_named_not_missing_and_never_opened(
    tmp_path: Path, name: str
) -> None:
    folder = folder_with(tmp_path)
    (folder / name).unlink()
    os.mkfifo(folder / name)  # reading it would block until a writer comes: never here
    message = one_line_error(lambda: M.load_model(folder))
    assert message.endswith(f"{name} is not a regular file")
