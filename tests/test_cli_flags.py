"""The flags no other test covers, run as a user runs them and checked by their effect on the
files: --stills, --verify, --no-captions (real renders from a working folder, `out` by
default), --senses and --drop-specials (the plan they change); and the first failures a user
may meet: a layout that does not fit the text, and no ffmpeg on the PATH."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result
from PIL import Image

from scenes.app import cli
from tests.conftest import RIVER, TOML_VECTORS

CLI = Path(sys.executable).with_name("attention-drift")
REPO = Path(__file__).resolve().parents[1]
LOW = ("--embeddings", "vectors.toml", "--quality", "low", "--name", "fig", "-q")


def attention_drift(
    folder: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed command, run in `folder` (relative paths as a user types them)."""
    return subprocess.run([str(CLI), *args], cwd=folder, capture_output=True, text=True,
                          env=env, timeout=900)  # fmt: skip


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def error_line(stderr: str) -> str:
    """The one line of a failed command: `Error: ...`, nothing else, no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    return lines[0]


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=float)


def differs(a: Path, b: Path) -> float:
    """The share of pixels that differ clearly between two images of one size."""
    return float((np.abs(pixels(a) - pixels(b)).max(axis=2) > 64).mean())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A working folder with the hand-made vectors.toml in it."""
    (tmp_path / "vectors.toml").write_text(TOML_VECTORS, encoding="utf-8")
    return tmp_path


# ---------------------------------------------------------------------------------------------
# --stills, --verify, --no-captions: real renders


@pytest.mark.render
def test_stills_are_the_frame_at_the_end_of_every_beat(folder: Path) -> None:
    done = attention_drift(folder, "render", RIVER, "-t", "bank", "--format", "png", "--stills",
                           *LOW)  # fmt: skip
    assert done.returncode == 0, done.stderr
    # DriftScene's beats: the poster, the sentence's panel, one per context word (sat and
    # river: He, on, the are stop-words), the formula, the summary.
    beats = [f"out/fig.beat-{i:02d}.png" for i in range(1, 7)]
    assert done.stdout.splitlines() == ["out/fig.png", *beats, "out/fig.figure.json",
                                        "out/fig.plan.json"]  # fmt: skip
    for still in beats:
        with Image.open(folder / still) as im:
            assert (im.format, im.size) == ("PNG", (854, 480))
    last = folder / "out/fig.png"
    assert differs(folder / beats[-1], last) == 0  # the summary is the last frame
    assert differs(folder / beats[0], last) == 0  # DriftScene's poster shows the conclusion
    for middle in beats[1:4]:  # the drift under way: another picture
        assert differs(folder / middle, last) > 0.003, middle
    assert differs(folder / beats[1], folder / beats[2]) > 0.003  # river joined

    plain = attention_drift(folder, "render", RIVER, "-t", "bank", "--format", "png",
                            "--out", "plain", *LOW)  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.splitlines() == ["plain/fig.png", "plain/fig.figure.json",
                                         "plain/fig.plan.json"]  # fmt: skip
    assert not list((folder / "plain").glob("*beat*"))


@pytest.mark.render
def test_verify_hashes_what_size_and_time_would_not_show(folder: Path) -> None:
    args = ("render", RIVER, "-t", "bank", "--format", "png", *LOW)
    assert attention_drift(folder, *args).returncode == 0
    png = folder / "out/fig.png"
    good, stat = png.read_bytes(), png.stat()
    (folder / "good.png").write_bytes(good)
    half = len(good) // 2
    png.write_bytes(good[:half] + bytes(len(good) - half))  # same size: a damaged file
    os.utime(png, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time
    damaged = png.read_bytes()

    again = attention_drift(folder, *args[:-1])  # without -q: says what it did
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stderr  # size and time match: taken as is, not hashed
    assert png.read_bytes() == damaged

    verified = attention_drift(folder, *args[:-1], "--verify")
    assert verified.returncode == 0, verified.stderr
    assert "up to date" not in verified.stderr  # the hash differs: rendered again
    assert verified.stdout.splitlines() == ["out/fig.png", "out/fig.figure.json",
                                            "out/fig.plan.json"]  # fmt: skip
    assert differs(png, folder / "good.png") == 0  # a whole PNG again, the same picture
    assert "up to date" in attention_drift(folder, *args[:-1], "--verify").stderr


@pytest.mark.render
def test_no_captions_writes_no_subtitles(folder: Path) -> None:
    default = attention_drift(folder, "render", RIVER, "-t", "bank", "--format", "mp4", *LOW)
    assert default.returncode == 0, default.stderr
    assert default.stdout.splitlines() == ["out/fig.mp4", "out/fig.poster.png", "out/fig.srt",
                                           "out/fig.vtt", "out/fig.figure.json",
                                           "out/fig.plan.json"]  # fmt: skip
    bare = attention_drift(folder, "render", RIVER, "-t", "bank", "--format", "mp4",
                           "--no-captions", "--out", "bare", *LOW)  # fmt: skip
    assert bare.returncode == 0, bare.stderr
    assert bare.stdout.splitlines() == ["bare/fig.mp4", "bare/fig.poster.png",
                                        "bare/fig.figure.json", "bare/fig.plan.json"]  # fmt: skip
    # no subtitles in bare/ nor anywhere else (Manim's own writer puts a .srt in the cwd)
    subtitles = sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.suffix in (".srt", ".vtt")
    )
    assert subtitles == ["out/fig.srt", "out/fig.vtt"]


# ---------------------------------------------------------------------------------------------
# --senses and --drop-specials: the plan they change (the model, in numpy)


def plan_of(*args: str | Path) -> dict[str, Any]:
    result = run("plan", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def target_position(sentence: str, target: str) -> int:
    """The target's token number: words and single punctuation marks, counted from 0."""
    return re.findall(r"\w+|[^\w\s]", sentence).index(target)


SENSES = """\
target = "bank"

[senses]
shore = ["The canoe scraped the bank.", "Reeds lined the bank of the pond."]
finance = ["The bank closed my account.", "Our bank charges a fee."]
"""


def test_senses_file_gives_the_sentences_and_senses(minilm_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(SENSES, encoding="utf-8")
    out = tmp_path / "senses.json"
    result = run("plan", "-t", "bank", "--scene", "SenseSplitScene", "--senses",
                 tmp_path / "mine.toml", "-o", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    split = json.loads(out.read_text(encoding="utf-8"))["senses"]
    given = tomllib.loads(SENSES)["senses"]
    assert split["senses"] == ["shore", "finance"]
    assert [(p["sense"], p["text"]) for p in split["points"]] == [
        (sense, text) for sense, texts in given.items() for text in texts
    ]
    assert [p["target_index"] for p in split["points"]] == [
        target_position(p["text"], "bank") for p in split["points"]
    ]


def test_without_senses_the_shipped_set_for_the_target(minilm_dir: Path) -> None:
    shipped = tomllib.loads((REPO / "assets/senses/bank.toml").read_text(encoding="utf-8"))
    split = plan_of("-t", "bank", "--scene", "SenseSplitScene")["senses"]
    assert split["senses"] == list(shipped["senses"])
    assert [p["text"] for p in split["points"]] == [
        t for texts in shipped["senses"].values() for t in texts
    ]


def test_senses_file_of_another_word_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "bat.toml").write_text(
        'target = "bat"\n[senses]\nanimal = ["A bat flew out."]\nsport = ["He swung the bat."]\n'
    )
    result = run("plan", "-t", "bank", "--scene", "SenseSplitScene", "--senses",
                 tmp_path / "bat.toml")  # fmt: skip
    assert result.exit_code == 1
    assert error_line(result.stderr) == (
        "Error: the senses file is about 'bat', not 'bank'; give --target bat or another "
        "--senses file"
    )


def test_senses_with_a_scene_that_draws_none_is_refused(folder: Path) -> None:
    (folder / "mine.toml").write_text(SENSES, encoding="utf-8")
    result = run("plan", RIVER, "-t", "bank", "--embeddings", folder / "vectors.toml",
                 "--senses", folder / "mine.toml")  # fmt: skip
    assert result.exit_code == 2  # a usage error, as --analogy with such a scene
    assert result.stderr.splitlines()[-1] == "Error: --senses goes with --scene SenseSplitScene"


def test_drop_specials_renormalises_the_heads_attention_without_cls_and_sep(
    minilm_dir: Path,
) -> None:
    """The reference: the head's own attention row (the model's, in the plan without the flag)
    summed over each word's pieces, [CLS] and [SEP] left out, renormalised with numpy."""
    head = ("--mode", "model", "--layer", "2", "--head", "3")
    kept = plan_of(RIVER, "-t", "bank", *head)
    dropped = plan_of(RIVER, "-t", "bank", *head, "--drop-specials")
    assert (kept["model"]["drop_specials"], dropped["model"]["drop_specials"]) == (False, True)
    model = kept["sentences"][0]["model"]
    row = np.array(model["target_attention"][1][2][0])  # layer 2, head 3, the target's piece
    assert model["pieces"][0] == "[CLS]" and model["pieces"][-1] == "[SEP]"
    ids = model["word_ids"]
    words = np.zeros(max(i for i in ids if i is not None) + 1)
    for weight, word in zip(row, ids, strict=True):
        if word is not None:  # not [CLS] or [SEP]
            words[word] += weight
    want = words / words.sum()

    final = dropped["sentences"][0]["steps"][-1]
    got = dict(zip(final["words"], final["weights"], strict=True))
    assert sorted(got) == list(range(len(want)))  # every word, and no "[special]" one
    np.testing.assert_allclose([got[i] for i in range(len(want))], want, atol=1e-9)
    assert "special" not in {w["reason"] for w in dropped["sentences"][0]["words"]}
    assert "special" in {w["reason"] for w in kept["sentences"][0]["words"]}
    assert abs(model["special_mass"] - (row[0] + row[-1])) < 1e-9


def test_drop_specials_needs_model_mode(toml_embeddings: Path) -> None:
    result = run("plan", RIVER, "-t", "bank", "--embeddings", toml_embeddings, "--drop-specials")
    assert result.exit_code == 1
    assert error_line(result.stderr) == (
        "Error: --layer, --head and --drop-specials need --mode model"
    )


# ---------------------------------------------------------------------------------------------
# a layout that does not fit, no ffmpeg


@pytest.mark.render
def test_a_layout_error_reaches_the_user_as_one_line(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the fonts make of a text, a layout the check refuses is one line, exit 1."""
    from scenes.beats import BeatScene
    from scenes.layout import LayoutError

    def refuses(self: Any, items: Any) -> None:
        raise LayoutError("layout check failed: 'output label' overlaps 'output'")

    monkeypatch.setattr(BeatScene, "check_layout_items", refuses)
    monkeypatch.chdir(folder)
    result = run("render", RIVER, "-t", "bank", "--format", "png", *LOW)
    assert (result.exit_code, type(result.exception)) == (1, SystemExit), result.exception
    assert error_line(result.stderr)
    assert not [p for p in (folder / "out").rglob("*") if p.is_file()]  # nothing written


def without_ffmpeg(folder: Path) -> dict[str, str]:
    """The environment with a PATH where no ffmpeg (nor anything else) is found."""
    empty = folder / "empty-bin"
    empty.mkdir()
    return {**os.environ, "PATH": str(empty)}


@pytest.mark.render
@pytest.mark.parametrize("fmt", [
    "gif",
    "gif+mp4",  # the default formats
    "mp4",
    "webm",
])  # fmt: skip
def test_without_ffmpeg_one_line_says_how_to_install_it(folder: Path, fmt: str) -> None:
    formats = () if fmt == "gif+mp4" else ("--format", fmt)
    done = attention_drift(folder, "render", RIVER, "-t", "bank", *formats, *LOW,
                           env=without_ffmpeg(folder))  # fmt: skip
    assert done.returncode == 1
    line = error_line(done.stderr)
    assert "ffmpeg" in line and "install" in line, line
    assert not (folder / "out").exists() or not any((folder / "out").iterdir())


@pytest.mark.render
def test_a_png_needs_no_ffmpeg(folder: Path) -> None:
    done = attention_drift(folder, "render", RIVER, "-t", "bank", "--format", "png", *LOW,
                           env=without_ffmpeg(folder))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["out/fig.png", "out/fig.figure.json", "out/fig.plan.json"]
