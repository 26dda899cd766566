"""`--format html` (scenes.webpage): the page's markup, escaping and caption, without rendering.

The browser plays the real page in tests/test_browser.py (controls, keyboard, reduced
motion, highlights against the drawn pixels, two figures, no network, axe-core)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from attention_math import build_plan
from scenes.app import cli
from scenes.app.media.captions import write_beat_tracks
from scenes.app.media.webpage import WEB, figure_html, weighted_sum
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
    assert "<script>alert" not in page.lower()
    assert "&lt;script&gt;" in page and "Tom &amp; Jerry" in page
    tree = parse(page)
    # the figure's own two scripts (its data and its code) and no other
    scripts = [a for t, a in tree.tags if t == "script"]
    assert scripts == [{"type": "application/json", "class": "adf-data"}, {}]
    assert NASTY in " ".join(tree.caption.split())  # shown as typed once unescaped
    imgs = [a for t, a in tree.tags if t == "img"]  # the GIF fallback and the still
    assert len(imgs) == 2
    for img in imgs:
        assert NASTY in (img["alt"] or "")  # the attribute holds the whole sentence, quotes too


def test_video_sources_mp4_first_gif_fallback_relative_names(vectors: Path) -> None:
    plan = build_plan(RIVER, "bank", embeddings_file=vectors)
    media = [*MEDIA, "fig.png", "fig.poster.png", "fig.srt", "fig.vtt"]
    tree = parse(figure_html(plan, media, (854, 480)))
    names = [t for t, _ in tree.tags]
    assert names.index("figure") < names.index("video") < names.index("img")
    assert names.index("img") < names.index("figcaption")
    video = dict(tree.tags)["video"]
    # no autoplay attribute: the figure's script plays it, and only without
    # prefers-reduced-motion; without script the browser's own controls are there
    assert {"muted", "playsinline", "controls"} <= set(video) and "autoplay" not in video
    # the poster is the first frame, not STEM.png (the last)
    assert (video["width"], video["height"], video["poster"]) == ("854", "480", "fig.poster.png")
    (track,) = [a for t, a in tree.tags if t == "track"]  # no chapters without figure.json
    assert track == {
        "kind": "captions", "default": None, "src": "fig.vtt", "srclang": "en", "label": "English"
    }  # fmt: skip
    assert names.index("video") < names.index("track") < names.index("img")
    sources = [(a["src"], a["type"]) for t, a in tree.tags if t == "source"]
    assert sources == [("fig.mp4", "video/mp4"), ("fig.webm", "video/webm")]
    img = next(a for t, a in tree.tags if t == "img")  # inside the video
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


# --------------------------------------------------------------------------------------------
# the figure: tracks, inlined layout, scoped style, no network (issue 20)

FIGURE_MEDIA = [
    "fig.mp4",
    "fig.gif",
    "fig.poster.png",
    "fig.vtt",
    "fig.chapters.vtt",
    "fig.descriptions.vtt",
    "fig.figure.json",
    "fig.beat-01.png",
    "fig.beat-02.png",
]


def fake_figure(plan, folder: Path) -> Path:
    """A STEM.figure.json as DriftScene writes it (the beats of `beat_plan`, a second each),
    with the sentence's text in it (it may hold anything the user typed)."""
    from scenes.drift import beat_plan

    beats = [
        {"start": float(n), "end": n + 1.0, "what": what, "sentence": si, "step": k,
         "caption": f"beat {n + 1}", "tips": [], "trails": [0], "panel": None,
         "equation": None, "summary": False}
        for n, (what, si, k) in enumerate(beat_plan(plan))
    ]  # fmt: skip
    sentences = [{"text": s.text, "tips": [], "words": []} for s in plan.sentences]
    figure = {"version": 1, "frame": [854, 480], "beats": beats, "sentences": sentences}
    path = folder / "fig.figure.json"
    path.write_text(json.dumps(figure, ensure_ascii=False), encoding="utf-8")
    return path


def test_page_has_the_tracks_and_the_layout_inlined_safely(vectors: Path, tmp_path: Path) -> None:
    plan = build_plan(NASTY.replace("<script>", "</script><!--"), "bank", embeddings_file=vectors)
    fake_figure(plan, tmp_path)
    page = figure_html(plan, FIGURE_MEDIA, (854, 480), folder=tmp_path)
    tree = parse(page)
    tracks = [(a["kind"], a["src"]) for t, a in tree.tags if t == "track"]
    assert tracks == [
        ("captions", "fig.vtt"),
        ("chapters", "fig.chapters.vtt"),
        ("descriptions", "fig.descriptions.vtt"),
    ]
    data = re.search(r'<script type="application/json" class="adf-data">(.*?)</script>', page, re.S)
    assert data is not None
    inlined = json.loads(data.group(1))  # the sentence's </script> did not end the element
    assert inlined["figure"]["sentences"][0]["text"] == plan.sentences[0].text
    assert inlined["stills"] == ["fig.beat-01.png", "fig.beat-02.png"]
    # a long description of the whole figure, linked to the video
    video = dict(tree.tags)["video"]
    (long,) = [a for t, a in tree.tags if a.get("id") == video["aria-describedby"]]
    assert "river" in page.split(f'id="{long["id"]}"')[1].split("</details>")[0]


def test_page_fetches_only_files_next_to_it(vectors: Path, tmp_path: Path) -> None:
    plan = build_plan(RIVER, "bank", embeddings_file=vectors)
    fake_figure(plan, tmp_path)
    page = figure_html(plan, FIGURE_MEDIA, (854, 480), folder=tmp_path)
    refs = re.findall(r'(?:src|href|poster)="([^"]*)"', page)
    assert refs and all(r in FIGURE_MEDIA or r.startswith("data:") for r in refs), refs
    page = page.replace('"http://www.w3.org/2000/svg"', "")  # a namespace name, never fetched
    assert "http://" not in page and "https://" not in page and "@import" not in page
    assert "@font-face" not in page and "url(" not in page


def test_style_is_scoped_and_script_and_style_are_small() -> None:
    css = (WEB / "figure.css").read_text(encoding="utf-8")
    js = (WEB / "figure.js").read_text(encoding="utf-8")
    body = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors = [sel.strip() for rule in re.findall(r"([^{}]+)\{", body) for sel in rule.split(",")]
    assert selectors and all(sel.startswith(".adf") for sel in selectors), selectors
    assert len(css.encode()) < 4_000 and len(js.encode()) < 16_000  # bytes, unminified
    for call in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "sendBeacon", "eval("):
        assert call not in js  # the script loads nothing and runs no text as code


def test_beat_tracks_say_the_plans_numbers(vectors: Path, tmp_path: Path) -> None:
    from tests.test_captions import read_vtt

    plan = build_plan(RIVER, "bank", embeddings_file=vectors)
    figure = fake_figure(plan, tmp_path)
    chapters, descriptions = write_beat_tracks(plan, figure, tmp_path, "fig")
    assert (chapters.name, descriptions.name) == ("fig.chapters.vtt", "fig.descriptions.vtt")
    beats = json.loads(figure.read_text(encoding="utf-8"))["beats"]
    cues = read_vtt(chapters.read_text(encoding="utf-8"))
    assert [(a, b, t) for a, b, t in cues] == [(b["start"], b["end"], b["caption"]) for b in beats]
    said = read_vtt(descriptions.read_text(encoding="utf-8"))
    assert [c[:2] for c in said] == [c[:2] for c in cues]
    s = plan.sentences[0]
    for k in range(1, len(s.steps)):  # each step: the joining word's weight, how far the tip went
        (cue,) = [
            c for c, b in zip(said, beats, strict=True) if b["step"] == k and b["what"] == "step"
        ]
        step, prev = s.steps[k], s.steps[k - 1]
        weights = dict(zip(step.words, step.weights, strict=True))
        word = s.words[step.joined[0]].text
        assert f"“{word}” joins with weight {weights[step.joined[0]]:.2f}" in cue[2]
        dist = ((step.point[0] - prev.point[0]) ** 2 + (step.point[1] - prev.point[1]) ** 2) ** 0.5
        assert f"moves {dist:.2f} units" in cue[2]


def test_notebook_shows_the_same_figure_with_its_files_embedded(
    vectors: Path, tmp_path: Path
) -> None:
    from scenes.app.notebook import RenderResult

    plan = build_plan(RIVER, "bank", embeddings_file=vectors)
    fake_figure(plan, tmp_path)
    for name in FIGURE_MEDIA:
        if not (tmp_path / name).exists():
            (tmp_path / name).write_bytes(b"WEBVTT\n\n" if name.endswith(".vtt") else b"x")
    page = figure_html(plan, FIGURE_MEDIA, (854, 480), folder=tmp_path)
    (tmp_path / "fig.html").write_text(page, encoding="utf-8")
    shown = RenderResult([tmp_path / n for n in [*FIGURE_MEDIA, "fig.html"]])._repr_html_()
    assert shown.count('<figure class="adf"') == 1
    assert 'src="data:video/mp4;base64,' in shown and 'poster="data:image/png;base64,' in shown
    tracks = [a["src"] for t, a in parse(shown).tags if t == "track"]
    assert len(tracks) == 3 and all(s.startswith("data:text/vtt;base64,") for s in tracks)
    assert '"fig.beat-01.png"' not in shown and '"stills":["data:image/png;base64,' in shown
    # the same markup as the page's figure: the same elements in the same order
    figure = page[page.index('<figure class="adf"') : page.index("</figure>")]
    assert [t for t, _ in parse(shown).tags][3:] == [t for t, _ in parse(figure).tags]  # div p code


def test_a_scene_without_figure_json_gets_chapters_from_its_captions(tmp_path: Path) -> None:
    from scenes.app.media.captions import write_caption_chapters
    from tests.test_captions import read_vtt

    srt = tmp_path / "fig.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:01,500\nfirst beat\n\n2\n00:00:01,500 --> "
                   "00:00:04,250\nsecond & <last> beat\n", encoding="utf-8")  # fmt: skip
    (chapters,) = write_caption_chapters(srt, tmp_path, "fig")
    cues = read_vtt(chapters.read_text(encoding="utf-8"))
    assert cues == [(0.0, 1.5, "first beat"), (1.5, 4.25, "second & <last> beat")]


# --------------------------------------------------------------------------------------------
# STEM.figure.json: the model's elements, what the page's hot regions are made of (issue 22)

CASH = "He deposited cash at the bank."


def test_figure_json_elements_name_the_words_they_stand_for(vectors: Path) -> None:
    """Every element of the model, in order, with its box normalised to the frame; a trail
    step stands for the words that joined at that step (the plan's order), a point for its
    word; the sentences carry the plan's numbers only. A still pass (no beat played) still
    lists every beat, untimed, with the narration's captions."""
    from scenes.figure.build import build_figure
    from scenes.figure.export import norm_box, page_data
    from scenes.figure.narration import drift_caption

    plan = build_plan(RIVER, "bank", compare=[CASH], embeddings_file=vectors)
    model = build_figure(plan)
    data = page_data(model, plan, pixels=(854, 480), colors=["#111111", "#222222"], times=[],
                     captions=[])  # fmt: skip
    json.dumps(data)  # plain data
    elements = data["elements"]
    assert [e["name"] for e in elements] == [e.name for e in model.elements]
    for e, got in zip(model.elements, elements, strict=True):
        assert got["box"] == pytest.approx(norm_box(e.box, model.frame), abs=1e-5), e.name
        assert (got["kind"], got["shown"]) == (e.kind, list(e.shown))
        if e.kind != "trail":
            assert got["tokens"] == [list(t) for t in e.tokens], e.name
    for si, s in enumerate(plan.sentences):
        trails = [e["tokens"] for e in elements if e["kind"] == "trail" and e["sentence"] == si]
        assert trails == [[[si, i] for i in st.joined] for st in s.steps[1:]]
        point = next(e for e in elements if e["kind"] == "point" and e["sentence"] == si)
        x0, y0, x1, y1 = point["box"]
        assert x0 <= point["anchor"][0] <= x1 and y0 <= point["anchor"][1] <= y1
        words = data["sentences"][si]["words"]
        final = dict(zip(s.final.words, s.final.weights, strict=True))
        assert [w["index"] for w in words] == sorted(final)  # the words of the sum only
        for w in words:
            assert w["weight"] == pytest.approx(final[w["index"]], abs=1e-4)
            assert w["weights"][-1] == w["weight"] and w["term"].endswith("·" + w["text"])
            assert set(w) == {"index", "text", "score", "weight", "term", "weights"}
    beats = data["beats"]
    assert len(beats) == len(model.beats)
    assert all(b["start"] is None and b["end"] is None for b in beats)
    assert [b["caption"] for b in beats] == [
        drift_caption(plan, b.what, b.sentence or 0, b.step or 0) for b in model.beats
    ]


def test_the_code_hash_follows_the_pages_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page inlines figure.js and figure.css: editing either is a new render (the cache
    key's code hash covers them), of every scene (the pipeline writes every page)."""
    import shutil

    from scenes.app.cache import code

    shutil.copytree(code.SOURCE_DIR / "scenes", tmp_path / "scenes",
                    ignore=shutil.ignore_patterns("__pycache__", "revealjs"))  # fmt: skip
    monkeypatch.setattr(code, "SOURCE_DIR", tmp_path)
    scenes = ("DriftScene", "AttentionMathScene")
    before = [code.code_version(s) for s in scenes]
    for name in ("figure.js", "figure.css"):
        path = tmp_path / "scenes" / "app" / "media" / "web" / name
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        now = [code.code_version(s) for s in scenes]
        assert all(a != b for a, b in zip(before, now, strict=True)), name
        before = now


# --------------------------------------------------------------------------------------------
# what the page says of a sentence (its badges focused, its panel or output pointed at)

LONG = "River cash sat deposited river cash sat bank."  # eight terms in its sum


def test_results_say_each_sentences_output_from_the_plan(vectors: Path, tmp_path: Path) -> None:
    """Per sentence: its text, its output's terms in the plan's order (the first four and
    how many more once there are six or more; never "+ 1 more") and how far the output ends
    from the static vector (the plan's 2-D points); inlined in the page's data."""
    import dataclasses
    import math

    from scenes.app.media.webpage import results

    plan = build_plan(LONG, "bank", compare=[RIVER], embeddings_file=vectors)
    got = results(plan)
    assert [r["text"] for r in got] == [LONG, RIVER]
    for r, s in zip(got, plan.sentences, strict=True):
        terms = [f"{w:.2f}·{s.words[i].text}" for w, i in zip(s.final.weights, s.final.words,
                                                               strict=True)]  # fmt: skip
        shown = terms if len(terms) <= 5 else [*terms[:4], f"{len(terms) - 4} more"]
        assert r["formula"] == "bank′ = " + " + ".join(shown)
        assert r["moved"] == pytest.approx(math.dist(s.steps[0].point, s.final.point), abs=1e-4)
        assert r["start"] == "the static vector of “bank”"
    assert len(plan.sentences[0].final.words) == 8 and got[0]["formula"].endswith(" + 4 more")
    for r, s in zip(got, plan.sentences, strict=True):  # the sum at each step, the last's too
        assert len(r["now"]) == len(s.steps) and r["now"][-1] == r["formula"]
        assert r["now"][0] == "bank′ = 1.00·bank"
        step = s.steps[1]
        want = [f"{w:.2f}·{s.words[i].text}" for w, i in zip(step.weights, step.words,
                                                             strict=True)]  # fmt: skip
        assert r["now"][1] == "bank′ = " + " + ".join(want)
    assert "more" not in got[1]["formula"]
    # model mode: the arrow starts as the target's value vector, not its static vector
    model = dataclasses.replace(plan, mode="model")
    assert {r["start"] for r in results(model)} == {"the value vector v(bank)"}
    fake_figure(plan, tmp_path)
    page = figure_html(plan, FIGURE_MEDIA, (854, 480), folder=tmp_path)
    data = re.search(r'<script type="application/json" class="adf-data">(.*?)</script>', page, re.S)
    assert data is not None and json.loads(data.group(1))["results"] == got


def test_long_description_says_small_multiples_and_the_outputs_together(vectors: Path) -> None:
    """The long description follows the figure model: one shared plot, or a plot per sentence
    and the outputs together (its elements' kinds); in model mode the arrow starts as the
    target's value vector."""
    import dataclasses

    from scenes.app.media.webpage import long_description

    plan = build_plan(RIVER, "bank", compare=[CASH], embeddings_file=vectors)
    shared = long_description(plan, {"elements": [{"kind": "point"}]})[0]
    assert shared.startswith("The plot shows the words") and "together" not in shared
    assert "an arrow from the origin is the static vector of “bank”" in shared
    grid = {"elements": [{"kind": "frame"}, {"kind": "together frame"}]}
    multiples = long_description(plan, grid)[0]
    assert multiples.startswith("Each sentence has its own small plot")
    assert "“together”, draws every sentence's output" in multiples
    model = long_description(dataclasses.replace(plan, mode="model"))[0]
    assert "an arrow from the origin is the value vector v(bank)" in model


def test_page_heading_is_the_readers_words(vectors: Path, tmp_path: Path) -> None:
    """The page's title and heading say what the figure shows, not the scene's class name."""
    plan = build_plan(RIVER, "bank", embeddings_file=vectors)
    fake_figure(plan, tmp_path)
    page = figure_html(plan, FIGURE_MEDIA, (854, 480), folder=tmp_path)
    assert "<title>How attention moves “bank”</title>" in page
    assert re.search(r"<h1[^>]*>How attention moves “bank”</h1>", page)
    assert "DriftScene</" not in page
    other = figure_html(plan, ["fig.gif"], (854, 480), scene="AttentionMathScene")
    assert "<title>bank: AttentionMathScene</title>" in other


def test_beat_descriptions_say_where_the_arrow_starts(vectors: Path, tmp_path: Path) -> None:
    """The descriptions track names the arrow's start as the figure does: the static vector,
    or in model mode the target's value vector v(bank) (never "the static vector" there)."""
    import dataclasses

    from scenes.app.media.captions import describe_beat

    plan = build_plan(RIVER, "bank", embeddings_file=vectors)
    model = dataclasses.replace(plan, mode="model")
    for p, start in ((plan, "the static vector of “bank”"), (model, "the value vector v(bank)")):
        said = [describe_beat(p, w, 0, 0) for w in ("panel", "formula")] + [
            describe_beat(p, "poster", None, None)
        ]
        assert all(start in text for text in said), said
        assert p.mode == "simple" or not any("static vector" in text for text in said)
