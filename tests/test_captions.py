"""Captions: the beats' captions as STEM.srt and STEM.vtt next to every video.

The files are read back with the `srt` package (Manim's dependency, an independent SubRip
parser) and a WebVTT reader written here; the cues are checked against the plan's numbers
(each joining word's weight at its step, each sentence's final weighted sum), their times
against the video's duration (ffprobe), and the files against the render's cache record.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from attention_math import build_plan
from scenes.app.media.captions import Cue, read_srt, to_srt, to_vtt, wrap
from tests.conftest import TOML_VECTORS, needs_tools, probe

RIVER, CASH = "He sat on the river bank.", "He deposited cash at the bank."
VTT_CUE = re.compile(r"(\d\d:\d\d:\d\d\.\d\d\d) --> (\d\d:\d\d:\d\d\.\d\d\d)\n((?:.+\n?)+)")


def seconds(stamp: str) -> float:
    h, m, s = stamp.replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def read_vtt(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text with lines joined) of every cue; entities decoded."""
    assert text.startswith("WEBVTT\n\n")
    cues = []
    for a, b, body in VTT_CUE.findall(text):
        line = " ".join(body.strip().splitlines())
        line = line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        cues.append((seconds(a), seconds(b), line))
    return cues


# -------------------------------------------------------------------------------------------
# the formats


def test_srt_and_vtt_text() -> None:
    cues = [Cue(0, 1.8, "short"), Cue(1.8, 3661.5, "x " * 30)]
    srt_text = to_srt(cues)
    assert srt_text.startswith("1\n00:00:00,000 --> 00:00:01,800\nshort\n\n2\n")
    assert "00:00:01,800 --> 01:01:01,500\n" in srt_text
    vtt_text = to_vtt(cues)
    assert vtt_text.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.800\nshort\n\n")
    assert "00:00:01.800 --> 01:01:01.500\n" in vtt_text
    assert [(c.start, c.end, c.text) for c in read_srt(srt_text)] == [
        (0, 1.8, "short"),
        (1.8, 3661.5, " ".join(["x"] * 30)),
    ]


def test_vtt_escapes_what_webvtt_would_read_as_markup() -> None:
    text = "“Tom & <b>Jerry</b> --> by the bank”"
    vtt_text = to_vtt([Cue(0, 2, text)])
    body = vtt_text.split("\n", 4)[4]
    assert "<" not in body and "-->" not in body and "&amp;" in body
    assert read_vtt(vtt_text)[0][2] == text
    assert read_srt(to_srt([Cue(0, 2, text)]))[0].text == text  # SubRip keeps it as typed


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (
            "bank′ = 0.56·bank + 0.26·river + 0.18·sat",
            ["bank′ = 0.56·bank + 0.26·river + 0.18·sat"],
        ),
        (
            "“river” joins with weight 0.32; bank′ moves towards it",
            ["“river” joins with weight 0.32;", "bank′ moves towards it"],
        ),
        (
            "Attention pulls “bank” from its static vector towards its context",
            ["Attention pulls “bank” from its", "static vector towards its context"],
        ),
    ],
)
def test_wrap_at_a_clause_or_balanced(text: str, lines: list[str]) -> None:
    assert wrap(text) == lines


def test_wrap_keeps_every_word_and_the_width() -> None:
    text = " ".join(f"w{i}" * (1 + i % 5) for i in range(60)) + " " + "x" * 50
    lines = wrap(text)
    assert " ".join(lines) == text
    assert all(len(line) <= 42 for line in lines[:-1]) and lines[-1] == "x" * 50


# -------------------------------------------------------------------------------------------
# a render's captions


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    needs_tools("ffmpeg")
    from scenes.app import render

    folder = tmp_path_factory.mktemp("captions")
    vectors = folder / "vectors.toml"
    vectors.write_text(TOML_VECTORS, encoding="utf-8")
    plan = build_plan(RIVER, "bank", compare=[CASH], embeddings_file=vectors)
    result = render(plan, formats=["mp4"], quality="low", out_dir=folder / "out", name="fig")
    return {"plan": plan, "result": result, "out": folder / "out"}


def expected_numbers(plan: Any) -> list[str]:
    """What the cues must say, in order, from the plan: each joining word's weight at its
    step (the words joined together: their sum), then the sentence's final weighted sum."""
    said = []
    for s in plan.sentences:
        for step in s.steps[1:]:
            weight = dict(zip(step.words, step.weights, strict=True))
            said.append(f"joins with weight {math.fsum(weight[i] for i in step.joined):.2f}")
        final = dict(zip(s.final.words, s.final.weights, strict=True))
        said.append(f"{s.target.text}′ = {final[s.target_index]:.2f}·{s.target.text}")
    return said


@pytest.mark.render
def test_captions_next_to_the_video_say_the_plans_numbers(rendered: dict[str, Any]) -> None:
    import srt

    plan, out = rendered["plan"], rendered["out"]
    names = [p.name for p in rendered["result"]]
    assert names == ["fig.mp4", "fig.poster.png", "fig.srt", "fig.vtt", "fig.figure.json"]
    cues = list(srt.parse((out / "fig.srt").read_text(encoding="utf-8")))
    # one cue a beat: the poster, per sentence its start, each joining word and its sum,
    # then the summary
    beats = 1 + sum(len(s.steps) + 1 for s in plan.sentences) + 1
    assert len(cues) == beats
    texts = [" ".join(c.content.split()) for c in cues]
    at = 0
    for needle in expected_numbers(plan):  # in the plan's order, each in a later cue
        at = next(i for i in range(at, len(texts)) if needle in texts[i]) + 1
    assert texts[1].startswith("Sentence 1:") and any(t.startswith("Sentence 2:") for t in texts)
    # contiguous, from the start to within the video
    times = [(c.start.total_seconds(), c.end.total_seconds()) for c in cues]
    # each cue readable in its time: subtitle guides ask about 17-20 characters a second;
    # the sums (the formula the frame shows in the same beat) may run a little faster
    for (start, end), text in zip(times, texts, strict=True):
        assert len(text) / max(end - start, 1.2) <= (26 if "′ =" in text else 20), text
    assert times[0][0] == 0
    assert all(a < b for a, b in times)
    assert all(times[i][1] == times[i + 1][0] for i in range(len(times) - 1))
    facts = probe(out / "fig.mp4")
    assert times[-1][1] <= facts["duration"] + 1 / facts["fps"]
    assert times[-1][1] > facts["duration"] - 5  # the summary runs to near the end
    # the VTT has the same cues
    vtt = read_vtt((out / "fig.vtt").read_text(encoding="utf-8"))
    assert [(a, b) for a, b, _ in vtt] == times
    assert [t for _, _, t in vtt] == texts


@pytest.mark.render
def test_captions_are_part_of_the_render_record(rendered: dict[str, Any]) -> None:
    import hashlib

    out = rendered["out"]
    record = json.loads((out / "fig.cache.json").read_text(encoding="utf-8"))
    assert {"fig.srt", "fig.vtt", "fig.poster.png"} <= set(record["files"])
    assert {"fig.srt", "fig.vtt"} <= set(record["media"])
    for name in ("fig.srt", "fig.vtt"):
        digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
        assert record["files"][name]["sha256"] == digest
    assert not list(out.glob(".render-*")) and not Path("scene.srt").exists()


@pytest.mark.render
def test_no_captions(rendered: dict[str, Any], tmp_path: Path) -> None:
    from scenes.app import render

    plan = rendered["plan"]
    result = render(
        plan, formats=["mp4"], quality="low", out_dir=tmp_path, name="fig", captions=False
    )
    assert [p.name for p in result] == ["fig.mp4", "fig.poster.png", "fig.figure.json"]
    assert not list(tmp_path.glob("*.srt")) and not list(tmp_path.glob("*.vtt"))
    first = json.loads((rendered["out"] / "fig.cache.json").read_text(encoding="utf-8"))
    second = json.loads((tmp_path / "fig.cache.json").read_text(encoding="utf-8"))
    assert first["key"] != second["key"]  # captions or not: a different render


def test_no_captions_flag_and_spec_key() -> None:
    from click.testing import CliRunner

    from scenes.app import cli
    from scenes.app.options import RenderOptions

    help_text = CliRunner().invoke(cli.main, ["render", "--help"]).output
    assert "--captions / --no-captions" in help_text
    assert RenderOptions().captions and not RenderOptions(captions=False).captions
    assert RenderOptions().media_key() != RenderOptions(captions=False).media_key()


def test_captions_spec_key(tmp_path: Path) -> None:
    from scenes.app.spec import SpecError, parse_spec

    head = '[[renders]]\nsentence = "a bank river"\ntarget = "bank"\n'
    spec = parse_spec(head + "captions = false\n", base=tmp_path)
    assert [e.options.captions for e in spec.entries] == [False]
    assert parse_spec(head, base=tmp_path).entries[0].options.captions
    with pytest.raises(SpecError, match="captions"):
        parse_spec(head + 'captions = "no"\n', base=tmp_path)
