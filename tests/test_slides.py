"""Real renders of the lecture scenes at low quality, decoded with ffprobe; slides as one
offline HTML file with a slide per beat; stills per beat; alpha video; the LaTeX-hostile
sentence in every scene."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from PIL import Image

from attention_math import build_plan
from attention_math.analogy import build_analogy_plan
from attention_math.request import PlanRequest
from tests.browsers import find_browser, missing_message
from tests.conftest import missing_reference, probe

pytestmark = [
    pytest.mark.slow,
    pytest.mark.needs("ffprobe"),
]

RIVER = "He sat on the river bank."
HOSTILE = "The \\ { } $ % & # _ ^ ~ river bank is here"
LECTURE = ["AnalogyScene", "AttentionMathScene", "ProjectionScene", "AttentionMatrixScene"]


def plan_for(scene: str, sentence: str = RIVER):
    """A finished analogy plan, or the request for a sentence (render builds the parts)."""
    return build_analogy_plan() if scene == "AnalogyScene" else PlanRequest(sentence, "bank")


def beats_of(scene: str, plan) -> int:
    """The beats each scene is written with (independent of its code)."""
    if scene == "AnalogyScene":
        return 1 + len(plan.lecture.analogy.terms) + 1  # words, one per term, neighbours
    return {"AttentionMathScene": 6, "ProjectionScene": 4, "AttentionMatrixScene": 2}[scene]


@pytest.mark.parametrize("scene", LECTURE)
def test_lecture_scene_mp4_and_stills(minilm_dir, scene, tmp_path):
    from scenes.app import render

    plan = plan_for(scene)
    files = render(
        plan, scene=scene, formats=["mp4"], quality="low", out_dir=tmp_path, name="s", stills=True
    )
    mp4 = tmp_path / "s.mp4"
    info = probe(mp4)
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert info["size"] == (854, 480) and info["fps"] == 15
    assert 3.0 < info["duration"] < 30.0
    assert abs(info["frames"] - info["duration"] * 15) <= 2
    stills = sorted(p for p in files if ".beat-" in p.name)
    saved = json.loads((tmp_path / "s.plan.json").read_text(encoding="utf-8"))
    assert saved["lecture"] is not None  # the numbers the scene drew are written next to it
    assert len(stills) == beats_of(scene, plan)
    with Image.open(stills[-1]) as im:
        assert im.size == (854, 480)


def test_slides_html_has_one_slide_per_beat_and_opens_offline(minilm_dir, tmp_path):
    from scenes.app import render

    plan = build_plan(RIVER, "bank")
    files = render(
        PlanRequest(RIVER, "bank"),
        scene="AttentionMathScene",
        formats=["png"],
        quality="low",
        out_dir=tmp_path,
        name="m",
        slides=True,
    )
    page = tmp_path / "m.html"
    assert page in files
    text = page.read_text(encoding="utf-8")
    slides = re.findall(r'data-background-video="data:video/mp4;base64,', text)
    notes = re.findall(r'<aside class="notes" data-markdown>([^<]*)', text)
    assert len(slides) == beats_of("AttentionMathScene", plan) == len(notes)
    assert "q·k: bank 1\\.79, river 0\\.44, sat −0\\.22" in notes[1]
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing fetched when viewed
    chromium = find_browser()
    if chromium is None:
        missing_reference(missing_message())
    dom = subprocess.run(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
            "--virtual-time-budget=3000",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert re.search(r'class="reveal[^"]*\bready\b', dom), "reveal.js did not start"
    assert dom.count('data-background-video="data:video/mp4') == len(slides)


def test_drift_scene_slides_count_its_beats(tmp_path):
    from scenes.app import render

    plan = build_plan(RIVER, "bank")
    render(plan, formats=["png"], quality="low", out_dir=tmp_path, name="d", slides=True)
    text = (tmp_path / "d.html").read_text(encoding="utf-8")
    n_steps = len(plan.sentences[0].steps) - 1
    # the poster, then per sentence: its start, one per step, its sum; then the summary
    assert text.count('data-background-video="data:video/mp4') == 1 + (1 + n_steps + 1) + 1


@pytest.mark.parametrize(("fmt", "pix_fmt"), [("webm", None), ("mov", "argb")])
def test_transparent_video_keeps_alpha(fmt, pix_fmt, tmp_path):
    from scenes.app import render

    render(
        PlanRequest(RIVER, "bank"),
        scene="AttentionMatrixScene",
        formats=[fmt],
        quality="low",
        transparent=True,
        out_dir=tmp_path,
        name="t",
    )
    info = probe(tmp_path / f"t.{fmt}")
    if fmt == "webm":
        assert info["codec"] == "vp9" and info["alpha"] == "1"
    else:
        assert info["codec"] == "qtrle" and info["pix_fmt"] == pix_fmt


@pytest.mark.parametrize("scene", [*LECTURE[1:], "DriftScene"])
def test_latex_hostile_sentence_renders_in_every_scene(minilm_dir, scene, tmp_path):
    from scenes.app import render

    plan = PlanRequest(HOSTILE, "bank")
    png, *model = render(
        plan, scene=scene, formats=["png"], quality="low", theme="light", out_dir=tmp_path, name="h"
    )
    assert [m.name for m in model] == (["h.figure.json"] if scene == "DriftScene" else [])
    with Image.open(png) as im:
        assert im.size == (854, 480)
