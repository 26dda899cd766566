"""`--format html` (scenes.webpage): the page's markup, escaping and caption, without rendering.

The browser plays the real page in tests/test_browser.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from attention_math import build_plan
from scenes.app import cli
from scenes.app.webpage import figure_html, weighted_sum
from tests.conftest import RIVER, TOML_VECTORS

NASTY = 'Tom & Jerry sat by the <script>alert("x")</script> river bank.'
NASTY_WORDS = """\
Tom = [0.1, 0.2, 0.9]
Jerry = [0.3, -0.2, 0.8]
script = [-0.5, 0.4, 0.2]
alert = [0.6, -0.6, 0.5]
x = [0.0, 0.1, -0.4]
"""
VECTORS = TOML_VECTORS + NASTY_WORDS
MEDIA = ["fig.mp4", "fig.webm", "fig.gif"]


class Tree(HTMLParser):
    """Start tags with their attributes, and the text inside <figcaption>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.caption = ""
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_caption |= tag == "figcaption"

    def handle_endtag(self, tag: str) -> None:
        if tag == "figcaption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.caption += data


def parse(page: str) -> Tree:
    tree = Tree()
    tree.feed(page)
    tree.close()
    return tree


@pytest.fixture
def vectors(write_file) -> Path:
    return write_file("v.toml", VECTORS)


def test_caption_states_the_final_weights_from_the_plan(vectors: Path) -> None:
    plan = build_plan(RIVER, "bank", compare=["He sat by the bank."], embeddings_file=vectors)
    tree = parse(figure_html(plan, MEDIA, (854, 480)))
    caption = " ".join(tree.caption.split())
    for s in plan.sentences:
        final = s.final
        pairs = zip(final.words, final.weights, strict=True)
        terms = [f"{w:.2f}·{s.words[i].text}" for i, w in pairs]
        assert f"bank′ = {' + '.join(terms)}" in caption
        assert f"“{s.text}”" in caption
    assert "all-MiniLM" not in caption and "Vectors: " in caption  # the TOML file's name
    assert plan.embedding.name in caption
    # the numbers on the page are weights: they add up to 1 (to rounding)
    first = weighted_sum(plan.sentences[0])
    assert abs(sum(map(float, re.findall(r"(\d\.\d\d)·", first))) - 1) < 0.02
    alts = [a["alt"] for t, a in tree.tags if t == "img"]
    assert alts and first in (alts[0] or "")


def test_sentence_text_is_escaped(vectors: Path) -> None:
    plan = build_plan(NASTY, "bank", embeddings_file=vectors)
    page = figure_html(plan, MEDIA, (854, 480))
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page and "Tom &amp; Jerry" in page
    tree = parse(page)
    assert "script" not in {t for t, _ in tree.tags}
    assert NASTY in " ".join(tree.caption.split())  # shown as typed once unescaped
    (img,) = [a for t, a in tree.tags if t == "img"]
    assert NASTY in (img["alt"] or "")  # the attribute holds the whole sentence, quotes too


def test_video_sources_mp4_first_gif_fallback_relative_names(vectors: Path) -> None:
    plan = build_plan(RIVER, "bank", embeddings_file=vectors)
    media = [*MEDIA, "fig.png", "fig.poster.png", "fig.srt", "fig.vtt"]
    tree = parse(figure_html(plan, media, (854, 480)))
    names = [t for t, _ in tree.tags]
    assert names.index("figure") < names.index("video") < names.index("img")
    assert names.index("img") < names.index("figcaption")
    video = dict(tree.tags)["video"]
    assert {"autoplay", "muted", "loop", "playsinline"} <= set(video)
    # the poster is the first frame, not STEM.png (the last)
    assert (video["width"], video["height"], video["poster"]) == ("854", "480", "fig.poster.png")
    (track,) = [a for t, a in tree.tags if t == "track"]
    assert track == {
        "kind": "captions", "default": None, "src": "fig.vtt", "srclang": "en", "label": "English"
    }  # fmt: skip
    assert names.index("video") < names.index("track") < names.index("img")
    sources = [(a["src"], a["type"]) for t, a in tree.tags if t == "source"]
    assert sources == [("fig.mp4", "video/mp4"), ("fig.webm", "video/webm")]
    img = dict(tree.tags)["img"]
    assert (img["src"], img["width"], img["height"]) == ("fig.gif", "800", "450")


def test_no_captions_no_track_no_poster(vectors: Path) -> None:
    plan = build_plan(RIVER, "bank", embeddings_file=vectors)
    tree = parse(figure_html(plan, ["fig.mp4", "fig.gif", "fig.png"], (854, 480)))
    assert "track" not in [t for t, _ in tree.tags]
    assert "poster" not in dict(tree.tags)["video"]  # STEM.png is the last frame: no poster


def test_gif_alone_is_an_img(vectors: Path) -> None:
    plan = build_plan(RIVER, "bank", embeddings_file=vectors)
    tree = parse(figure_html(plan, ["fig.gif"], (854, 480)))
    names = [t for t, _ in tree.tags]
    assert "video" not in names and names.count("img") == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--slides"], "--slides and --format html both write STEM.html"),
        (["--transparent"], "--format html embeds an MP4, which has no transparency"),
    ],
)
def test_cli_html_refuses_what_it_cannot_write(
    vectors: Path, tmp_path: Path, extra: list[str], message: str
) -> None:
    args = [
        "render",
        RIVER,
        "-t",
        "bank",
        "--embeddings",
        str(vectors),
        "--format",
        "html",
        "--out",
        str(tmp_path / "out"),
        "-q",
        *extra,
    ]
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 2, result.output  # two flags that do not go together: usage
    assert message in result.output
    assert not (tmp_path / "out").exists()  # refused before any work
    assert not list((tmp_path / "out").glob("*.html"))
