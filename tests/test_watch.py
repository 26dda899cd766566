"""render --spec FILE --watch: one warm process, stills of changed entries first, Ctrl-C ends.

The slow test runs the real command in a subprocess, edits its spec and waits for the new
still (read back from the plan the store wrote next to it) and then the media; the fast ones
check what the watcher counts as a change and the command's usage errors.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import TOML_VECTORS, wait_for

SPEC = """\
[defaults]
quality = "low"
formats = ["gif"]
embeddings = "vectors.toml"

[[renders]]
sentence = "{sentence}"
target = "bank"
name = "fig"
"""
RIVER = "He sat on the river bank."
CASH = "He deposited cash at the bank."


def planned_sentence(plan: Path) -> str | None:
    try:
        return json.loads(plan.read_text())["sentences"][0]["text"]
    except (OSError, ValueError, KeyError, IndexError):
        return None


@pytest.mark.render
def test_an_edited_spec_gets_its_still_first_then_its_media(tmp_path: Path) -> None:
    (tmp_path / "vectors.toml").write_text(TOML_VECTORS)
    spec = tmp_path / "course.toml"
    spec.write_text(SPEC.format(sentence=RIVER))
    (tmp_path / "notes.txt").write_text("not read by the spec")
    log = tmp_path / "stderr.txt"
    preview, media = tmp_path / "out" / "preview", tmp_path / "out"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scenes.app", "render", "--spec", spec.name, "--watch"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=err, text=True,
            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
        )  # fmt: skip
    try:
        wait_for(lambda: "watching" in log.read_text(), 240, "the first round", log)
        assert planned_sentence(preview / "fig.plan.json") == RIVER
        assert planned_sentence(media / "fig.plan.json") == RIVER
        first_gif = (media / "fig.gif").read_bytes()
        rounds = log.read_text().count("watching")

        # A file the spec does not read starts no round (which files do is
        # test_only_the_spec_and_what_it_reads_are_changes); the spec's edit starts one.
        (tmp_path / "notes.txt").write_text("a file the spec does not read: nothing to do")
        spec.write_text(SPEC.format(sentence=CASH))
        wait_for(lambda: planned_sentence(preview / "fig.plan.json") == CASH, 120,
                 "the new still", log)  # fmt: skip
        wait_for(lambda: log.read_text().count("watching") > rounds, 120, "the media", log)
        assert planned_sentence(media / "fig.plan.json") == CASH
        assert log.read_text().count("watching") == rounds + 1  # one round for both files
        assert (media / "fig.gif").read_bytes() != first_gif
        lines = log.read_text().splitlines()
        after = lines[max(i for i, line in enumerate(lines) if "watching" in line and
                          i < len(lines) - 1) + 1 :]  # fmt: skip
        order = [line.split()[0] for line in after if line.startswith(("still", "media"))]
        assert order[:2] == ["still", "media"], after  # the still comes first
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0
    assert "stopped watching" in log.read_text()
    assert "Traceback" not in log.read_text()
    assert not [p for p in media.rglob(".render-*")]  # no staging folder left


def test_only_the_spec_and_what_it_reads_are_changes(tmp_path: Path) -> None:
    from scenes.app.watch import Watched

    (tmp_path / "vectors.toml").write_text(TOML_VECTORS)
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC.format(sentence=RIVER))
    watched = Watched(spec)
    watched.read_by(spec)
    assert watched.matters(spec.resolve())
    assert watched.matters((tmp_path / "vectors.toml").resolve())
    for other in ("out/fig.gif", "out/preview/fig.png", "log.txt", ".s.toml.swp"):
        assert not watched.matters((tmp_path / other).resolve()), other
    watched.add([str(tmp_path / "out" / "fig.gif")])
    assert not watched.changed.is_set()
    watched.add([str(tmp_path / "log.txt"), str(spec.resolve())])
    assert watched.changed.is_set()


def test_watch_goes_with_spec() -> None:
    from scenes.app.cli import main

    result = CliRunner().invoke(main, ["render", RIVER, "-t", "bank", "--watch"])
    assert result.exit_code == 2
    assert "--watch goes with --spec FILE" in result.output
