"""What a render says while it works, and that nothing to do costs nothing.

Manim is replaced by a fake pass that writes a small PNG (these test the command line and
the pipeline, not the drawing), so the files and their cache record are real.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from scenes.app.cli import main

RIVER = "He sat on the river bank."
CASH = "He deposited cash at the bank."


@pytest.fixture
def fake_pass(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """manim_pass replaced: a grey 32×18 PNG for the still pass; records each call."""
    from scenes.app import pipeline

    calls: list[str] = []

    def still(job: Any, scene: str, work: Path, size: Any, fps: int, fmt: str,
              sink: Any = None) -> Path:  # fmt: skip
        calls.append(fmt)
        work.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((18, 32, 3), 128, np.uint8)).save(work / "scene.png")
        return work / "scene.png"

    monkeypatch.setattr(pipeline, "manim_pass", still)
    return calls


def render_args(vectors: Path, out: Path, *more: str) -> list[str]:
    return ["render", RIVER, "-t", "bank", "-c", CASH, "--embeddings", str(vectors),
            "--format", "png", "--quality", "low", "--out", str(out), *more]  # fmt: skip


def test_an_up_to_date_render_builds_no_plan(
    fake_pass: list[str], toml_embeddings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenes.app import cli

    out = tmp_path / "out"
    first = CliRunner().invoke(main, render_args(toml_embeddings, out))
    assert first.exit_code == 0, first.output
    assert fake_pass == ["still"]

    def no_plan(*args: Any) -> None:
        raise AssertionError("the plan was built for a render that is up to date")

    monkeypatch.setattr(cli, "_make_plan", no_plan)
    again = CliRunner().invoke(main, render_args(toml_embeddings, out))
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout  # the same files, printed the same way
    assert "up to date" in again.stderr
    assert fake_pass == ["still"]  # nothing rendered

    # Anything that changes the files is not up to date: another theme, an edited file.
    for changed in (["--theme", "light"], []):
        if not changed:
            toml_embeddings.write_text(toml_embeddings.read_text() + "\n# edited\n")
        monkeypatch.undo()
        monkeypatch.setattr(
            "scenes.app.pipeline.manim_pass", lambda *a, **k: (fake_pass.append("again"), 1 / 0)
        )
        result = CliRunner().invoke(main, render_args(toml_embeddings, out, *changed))
        assert result.exit_code != 0 and fake_pass[-1] == "again"  # it went on to render


def test_the_no_op_imports_neither_manim_nor_scikit_learn(
    fake_pass: list[str], toml_embeddings: Path, tmp_path: Path
) -> None:
    """Asked of a fresh process: the record is read before anything heavy is imported."""
    out = tmp_path / "out"
    assert CliRunner().invoke(main, render_args(toml_embeddings, out)).exit_code == 0
    code = (
        "import sys; from scenes.app.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    assert e.code == 0, e\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'manim', 'sklearn', 'numpy'})\n"
        "print('HEAVY', heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code, *render_args(toml_embeddings, out)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr


def test_without_a_terminal_one_line_per_file(
    fake_pass: list[str], toml_embeddings: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, render_args(toml_embeddings, tmp_path))
    assert result.exit_code == 0, result.output
    files = result.stdout.splitlines()
    wrote = [line for line in result.stderr.splitlines() if line.startswith("wrote ")]
    assert wrote == [f"wrote {f}" for f in files]
    assert "rendering DriftScene" not in result.stderr  # no pass lines, no bars
    quiet = CliRunner().invoke(main, [*render_args(toml_embeddings, tmp_path / "q"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_bars_draw_a_bar_per_pass_on_a_terminal() -> None:
    from rich.console import Console

    from scenes.app.progress import Bars

    screen = io.StringIO()
    bars = Bars(Console(file=screen, force_terminal=True, width=100))
    bars.pass_started("DriftScene at 854×480 15 fps: gif, mp4", 30, 15)
    for _ in range(30):
        bars.frames(1)
    bars.pass_done()
    bars.pass_started("DriftScene: the last frame, 854×480")
    bars.pass_done()
    bars.wrote(Path("out/x.gif"))
    bars.close()
    text = screen.getvalue()
    assert "DriftScene at 854×480 15 fps: gif, mp4" in text
    assert "30 frames, 2.0 s of video" in text
    assert "DriftScene: the last frame" in text
    assert "wrote out/x.gif" in text


def test_a_callback_still_hears_every_line() -> None:
    from scenes.app.progress import Progress, as_progress

    heard: list[str] = []
    progress = as_progress(heard.append)
    progress.pass_started("rendering the GIF")
    progress.frames(3)
    progress.wrote(Path("x.gif"))
    progress("a status line")
    assert heard == ["rendering the GIF", "wrote x.gif", "a status line"]
    assert isinstance(as_progress(None), Progress)


def test_the_plan_computed_beside_manim_fails_as_it_would_in_process(
    toml_embeddings: Path, tmp_path: Path
) -> None:
    """A real process builds the plan in a forked child while it imports manim: a user error
    there is the same one line, exit 1, as `plan` gives in one process."""
    args = [RIVER, "-t", "money", "--embeddings", str(toml_embeddings)]
    command = [sys.executable, "-m", "scenes.app", "render", *args, "--format", "png", "--out",
               str(tmp_path / "out")]  # fmt: skip
    render = subprocess.run(command, capture_output=True, text=True)
    plan = subprocess.run([sys.executable, "-m", "scenes.app", "plan", *args],
                          capture_output=True, text=True)  # fmt: skip
    assert render.returncode == plan.returncode == 1
    error = plan.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: ") and "money" in error
    assert render.stderr.strip().splitlines()[-1] == error
    assert render.stdout == "" and not (tmp_path / "out").exists()
