"""Real renders at low quality, checked by decoding the files (as Manim's video tests do),
and the layout check on several sentences."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from PIL import Image

from attention_math import build_plan
from tests.conftest import probe

pytestmark = pytest.mark.slow

RIVER = "He sat on the river bank."
CASH = "He deposited cash at the bank."


@pytest.fixture(scope="module")
def plan():
    return build_plan(RIVER, "bank", compare=[CASH])


@pytest.fixture(scope="module")
def rendered(plan, tmp_path_factory):
    from scenes.app import render

    out = tmp_path_factory.mktemp("out")
    paths = render(plan, formats=["mp4", "gif", "png"], quality="low", out_dir=out, name="fig")
    return out, {p.suffix: p for p in paths}


def expected_seconds(plan) -> float:
    """Duration from the scene's timeline (poster, per sentence its start, steps and end, the
    last hold), which keeps every figure under 30 s."""
    from scenes.drift import MAX_SECONDS, timeline

    total = timeline(plan).total
    assert 10 < total <= MAX_SECONDS
    return total


@pytest.mark.needs("ffprobe")
def test_mp4_decodes_with_browser_safe_settings(rendered, plan):
    _, files = rendered
    info = probe(files[".mp4"])
    assert info["codec"] == "h264"
    assert info["pix_fmt"] == "yuv420p"  # other pixel formats stay black in browsers
    assert info["size"] == (854, 480)
    assert info["fps"] == 15
    want = expected_seconds(plan)
    assert abs(info["duration"] - want) < 0.25
    # Manim rounds each beat to whole frames: allow a frame per few beats.
    assert abs(info["frames"] - want * 15) <= 0.03 * want * 15 + 2


@pytest.mark.needs("ffprobe")
def test_gif_is_800x450_10fps_looping_and_small(rendered, plan):
    _, files = rendered
    gif = files[".gif"]
    info = probe(gif)
    assert info["codec"] == "gif"
    assert info["size"] == (800, 450)
    want = expected_seconds(plan)
    assert abs(info["frames"] - want * 10) <= 0.03 * want * 10 + 2
    with Image.open(gif) as im:
        assert im.info.get("loop") == 0  # loops forever
        assert im.info.get("duration") == 100  # ms per frame = 10 fps
    # The blog budget: the post's hand-made GIF was 86 KB/s; ours must be at most half.
    assert gif.stat().st_size / want < 43_000


def test_png_still_is_last_frame_with_theme_background(rendered):
    _, files = rendered
    with Image.open(files[".png"]) as im:
        assert im.size == (854, 480)
        px = np.asarray(im.convert("RGB"))
    corner = px[:5, :5].reshape(-1, 3)
    assert (corner == [0x11, 0x13, 0x18]).all()  # dark theme background
    assert px.std() > 10  # not blank


def test_plan_json_written_next_to_media(rendered, plan):
    from attention_math.plan import Plan

    out, _ = rendered
    assert Plan.load(out / "fig.plan.json") == plan
    assert not [p for p in out.iterdir() if p.name.startswith(".render-")]


def test_figure_json_is_the_model_next_to_the_media(rendered, plan):
    """The default kind of render (video, GIF, still) writes STEM.figure.json: the model the
    scene drew (its elements as the model built without manim puts them), every beat with
    its time in the video, listed in the render's record."""
    from scenes.figure.build import build_figure
    from scenes.figure.export import norm_box

    out, files = rendered
    figure = files[".json"]
    assert figure.name == "fig.figure.json"
    data = json.loads(figure.read_text(encoding="utf-8"))
    model = build_figure(plan)
    assert data["version"] == 2 and data["frame"] == [854, 480]
    assert [e["name"] for e in data["elements"]] == [e.name for e in model.elements]
    for e, got in zip(model.elements, data["elements"], strict=True):
        assert got["box"] == pytest.approx(norm_box(e.box, model.frame), abs=1e-4), e.name
        assert got["shown"] == list(e.shown), e.name
    ends = [b["end"] for b in data["beats"]]
    assert len(ends) == len(model.beats) and ends == sorted(ends)
    assert abs(ends[-1] - expected_seconds(plan)) < 0.25
    record = json.loads((out / "fig.cache.json").read_text(encoding="utf-8"))
    assert "fig.figure.json" in record["files"]


def test_light_theme_still(plan, tmp_path):
    from scenes.app import render
    from scenes.figure.narration import drift_caption

    png, figure = render(plan, formats=["png"], quality="low", theme="light", out_dir=tmp_path)
    # a still pass stops at the poster: the model's beats, untimed, with their captions
    assert figure.name.endswith(".figure.json")
    beats = json.loads(figure.read_text(encoding="utf-8"))["beats"]
    assert [(b["start"], b["end"]) for b in beats] == [(None, None)] * len(beats)
    assert beats[0]["caption"] == drift_caption(plan, "poster")
    with Image.open(png) as im:
        px = np.asarray(im.convert("RGB"))
    assert (px[:5, :5].reshape(-1, 3) == [255, 255, 255]).all()


LAYOUT_SENTENCES = [
    ("He sat on the river bank.", "bank", ["He deposited cash at the bank."], False),
    ("The bat flew out of the cave at dusk.", "bat", ["He swung the bat and hit the ball."], True),
    ("In spring the flowers bloom.", "spring", ["The spring in the old mattress broke."], False),
    (
        "After the long storm the old fisherman slowly walked along the muddy river bank to "
        "check whether his small wooden boat survived",
        "bank",
        ["The bank approved the loan after checking my salary and savings account history."],
        True,
    ),
    ("Ünïcödé wörds, hyphen-ated ones and don't-stop punctuation!? bank", "bank", [], True),
]


@pytest.mark.parametrize(("sentence", "target", "compare", "keep"), LAYOUT_SENTENCES)
def test_layout_check_passes(sentence, target, compare, keep):
    """Every text inside the frame, none overlapping: the check `setup()` runs on every
    render, asserted here without rendering."""
    from scenes.drift import DriftScene
    from scenes.job import job_for
    from scenes.layout import FRAME, check, inside

    plan = build_plan(sentence, target, compare=compare, keep_stopwords=keep)
    for theme in ("dark", "light"):
        cls = type("S", (DriftScene,), {"job": job_for(plan, theme)})
        scene = cls()
        scene.setup()  # raises LayoutError on a problem
        boxes = scene.text_boxes()
        assert boxes
        assert all(inside(b, FRAME) for _, b in boxes)
        assert check(boxes) == []


def test_default_stem_is_stable_under_safe_stem():
    """The batch passes the default stem back as a name: it must come out unchanged."""
    from scenes.app.files.names import MAX_STEM, default_stem, stem_of
    from scenes.app.options import RenderOptions

    long = "After the long storm the old fisherman slowly walked along the muddy river bank"
    plan = build_plan(long, "bank", compare=[CASH])
    stem = default_stem(plan)
    assert len(stem) <= MAX_STEM and re.search(r"-compare-[0-9a-f]{8}$", stem), stem
    assert stem_of(plan, RenderOptions(name=stem)) == stem
