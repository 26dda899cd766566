"""The lecturer's deck: `--slides` as HTML, PDF and PowerPoint, the narration script
(`--script`) and `--preset lecture`, rendered from a working folder with the default `out`.

Every deck is read back with a library other than the one that wrote it where there is one
(pypdf for the PDF pages cairo drew, python-pptx for the deck, ffprobe for its videos); the
numbers a beat's notes must hold are computed here from the plan, or are the figure's known
numbers (the README's)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from attention_math import build_plan
from attention_math.errors import OptionError
from attention_math.request import PlanRequest
from scenes.app.media.script import clock, spoken
from scenes.app.options import PRESETS, SLIDES_FORMATS, RenderOptions
from tests.conftest import CASH, RIVER, write_spec
from tests.test_vector import SIZE, difference, drift_beats, pdf_is_vector

ALL = list(SLIDES_FORMATS)


def two(x: float) -> str:
    return f"{x:.2f}"


def drift_numbers(plan) -> list[list[str]]:
    """Per DriftScene beat, the numbers (and words) its notes must hold, from the plan: the
    sentences; per sentence its text, each step's weights, its final weights; all finals."""
    beats: list[list[str]] = [[s.text for s in plan.sentences]]
    finals = []
    for s in plan.sentences:
        beats.append([s.text])
        for step in s.steps[1:]:
            beats.append([two(w) for w in step.weights])
        final = [two(w) for w in s.final.weights]
        beats.append(final)
        finals += final
    beats.append(finals)
    return beats


def render_here(folder: Path, what, **kwargs) -> Path:
    """Render from `folder` as the working folder, into the default `out`."""
    from scenes.app import render

    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        render(what, quality="low", **kwargs)
    return folder / "out"


def pdf_notes(path: Path) -> list[list[str]]:
    """The text annotations' contents, page by page."""
    from pypdf import PdfReader

    return [
        [a.get_object()["/Contents"] for a in page.get("/Annots", [])
         if a.get_object()["/Subtype"] == "/Text"]
        for page in PdfReader(path).pages
    ]  # fmt: skip


def pptx_slides(path: Path) -> list[tuple[str, list]]:
    """(notes, shapes) of every slide."""
    from pptx import Presentation

    deck = Presentation(str(path))
    assert (deck.slide_width, deck.slide_height) == (SIZE[0] * 9525, SIZE[1] * 9525)
    return [(s.notes_slide.notes_text_frame.text, list(s.shapes)) for s in deck.slides]


def script_beats(path: Path) -> list[tuple[str, str, str]]:
    """(time range, caption, body) of every beat of a STEM.script.md."""
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"^## \d+\. (\S+) · (.*)$", text, flags=re.M)[1:]
    bodies = ["\n".join(line.rstrip() for line in b.strip().splitlines()) for b in parts[2::3]]
    return list(zip(parts[0::3], parts[1::3], bodies, strict=True))


@pytest.fixture(scope="module")
def drift_deck(tmp_path_factory):
    folder = tmp_path_factory.mktemp("drift")
    plan = build_plan(RIVER, "bank", compare=[CASH])
    out = render_here(folder, plan, formats=["png"], slides=True, slides_formats=ALL,
                      stills=True, script=True, name="d")  # fmt: skip
    return out, plan


@pytest.mark.render
def test_pdf_deck_is_a_vector_page_per_beat_with_its_notes(drift_deck):
    out, plan = drift_deck
    deck = out / "d.slides.pdf"
    pdf_is_vector(deck)
    notes = pdf_notes(deck)
    expected = drift_numbers(plan)
    assert len(notes) == drift_beats(plan) == len(expected)
    for page, numbers in zip(notes, expected, strict=True):
        assert len(page) == 1
        assert all(n in page[0] for n in numbers), (numbers, page[0])
    from pypdf import PdfReader

    reader = PdfReader(deck)
    marks = [(m.title, reader.get_destination_page_number(m)) for m in reader.outline]
    captions = [c for _, c, _ in script_beats(out / "d.script.md")]
    assert marks == [(f"{i + 1}. {c}", i) for i, c in enumerate(captions)]


@pytest.mark.render
def test_pptx_deck_has_each_beats_video_still_and_notes(drift_deck, tmp_path):
    out, plan = drift_deck
    slides = pptx_slides(out / "d.slides.pptx")
    expected = drift_numbers(plan)
    assert len(slides) == drift_beats(plan)
    for i, ((notes, shapes), numbers) in enumerate(zip(slides, expected, strict=True), start=1):
        assert all(n in notes for n in numbers), (numbers, notes)
        (movie,) = shapes
        poster = tmp_path / f"poster-{i}.png"
        poster.write_bytes(movie.poster_frame.blob)
        mean, _share = difference(poster, out / f"d.beat-{i:02d}.png")  # the beat's last frame
        assert mean < 0.1  # the same frame, drawn whole in both passes
        video = movie.part.related_part(movie._element.xpath(".//a:videoFile/@r:link")[0])
        if i == 1 and shutil.which("ffprobe"):
            (tmp_path / "v.mp4").write_bytes(video.blob)
            codec = subprocess.run(
                ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                 "stream=codec_name", "-of", "csv=p=0", str(tmp_path / "v.mp4")],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
            assert codec == "h264"  # what PowerPoint plays


@pytest.mark.render
def test_script_and_every_decks_notes_are_one_text(drift_deck):
    out, plan = drift_deck
    beats = script_beats(out / "d.script.md")
    assert len(beats) == drift_beats(plan)
    pptx = [notes for notes, _ in pptx_slides(out / "d.slides.pptx")]
    pdf = [page[0] for page in pdf_notes(out / "d.slides.pdf")]
    assert [body for _, _, body in beats] == pptx == pdf
    html = (out / "d.html").read_text(encoding="utf-8")
    notes = re.findall(r'<aside class="notes" data-markdown>([^<]*)', html)
    assert len(notes) == len(beats) and all(n.startswith("Say: ") for n in notes)
    # time ranges: from 0, each beat starting where the last ended (the captions' cues)
    ends = [r.split("–") for r, _, _ in beats]
    assert ends[0][0] == "0:00.0"
    assert all(a[1] == b[0] for a, b in zip(ends, ends[1:], strict=False))
    assert beats[2][1] == f"“river” joins with weight {two(plan.sentences[0].steps[1].weights[1])}"


@pytest.mark.render
def test_lecture_scene_deck_and_script(minilm_dir, tmp_path):
    out = render_here(tmp_path, PlanRequest(RIVER, "bank"), scene="AttentionMathScene",
                      formats=["svg"], slides=True, slides_formats=["pdf", "pptx"],
                      script=True, name="m")  # fmt: skip
    known = [  # the figure's numbers (README), beat by beat; beat 5 (values) has none
        ["bank", "river", "sat"],
        ["q·k: bank 1.79, river 0.44, sat −0.22"],
        ["0.559"],
        ["bank 0.56, river 0.26, sat 0.18"],
        [],
        ["bank′ = 0.56·bank + 0.26·river + 0.18·sat"],
    ]
    pdf_is_vector(out / "m.slides.pdf")
    slides = pptx_slides(out / "m.slides.pptx")
    pdf = pdf_notes(out / "m.slides.pdf")
    assert len(slides) == len(pdf) == len(known) == len(script_beats(out / "m.script.md"))
    for (notes, _), page, numbers in zip(slides, pdf, known, strict=True):
        assert page == [notes] and all(n in notes for n in numbers), (numbers, notes)
    assert "Say: q dot k: bank 1.79, river 0.44, sat minus 0.22." in slides[1][0]
    assert not (out / "m.html").exists()  # html was not asked for


@pytest.mark.render
def test_script_of_a_still_render_has_every_beat(tmp_path):
    """A PNG alone is a still pass, which may stop at DriftScene's poster: with --script it
    plays every beat (their times are the video's)."""
    plan = build_plan(RIVER, "bank")
    out = render_here(tmp_path, plan, formats=["png"], script=True, name="s")
    beats = script_beats(out / "s.script.md")
    assert len(beats) == drift_beats(plan) == 6  # poster, start, river, sat, sum, summary
    assert [c for _, c, _ in beats][1:3] == [
        "“bank” alone: weight 1.00",
        f"“river” joins with weight {two(plan.sentences[0].steps[1].weights[1])}",
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "s.cache.json",
        "s.figure.json",
        "s.plan.json",
        "s.png",
        "s.script.md",
    ]


def test_spoken_reads_the_symbols_out():
    assert spoken("bank′ = 0.56·bank + 0.44·river") == (
        "Bank prime equals 0.56 times bank, plus 0.44 times river."
    )
    assert spoken("q·k: sat −0.22") == "q dot k: sat minus 0.22."
    assert spoken("softmax → weights (sum 1): a 0.5 | bank′ = 1.00·bank") == (
        "Softmax gives weights (sum 1): a 0.5. Bank prime equals 1.00 times bank."
    )
    assert spoken("“river” joins") == "“river” joins."  # a quoted word keeps its case
    assert spoken("3 rows × 3 columns") == "3 rows by 3 columns."
    assert clock(62.46) == "1:02.5" and clock(0) == "0:00.0"


def test_lecture_preset_fills_what_is_not_given():
    o = RenderOptions(preset="lecture", quality="low")
    assert (o.quality, o.formats, o.slides, o.stills, o.script, o.captions) == (
        "low",
        ("mp4",),
        True,
        True,
        True,
        True,
    )
    assert o.slides_formats == ("html", "pdf", "pptx") and o.preset is None
    assert RenderOptions(preset="lecture").quality == "high"


def test_lecture_preset_on_the_command_line(monkeypatch):
    from scenes.app import cli

    seen = {}

    def fake_media(plan, out_dir, opts, inputs, quiet):
        seen["opts"] = opts
        return []

    monkeypatch.setattr(cli, "_render_media", fake_media)
    monkeypatch.setattr(cli, "_plan_while_manim_loads", lambda request, scene: None)
    runner = CliRunner()
    args = ["render", RIVER, "-t", "bank", "--preset", "lecture", "--quality", "medium", "-q"]
    result = runner.invoke(cli.main, args)
    assert result.exit_code == 0, result.output
    o = seen["opts"]
    assert o.quality == "medium"  # given, though it is the default: kept
    assert (o.formats, o.slides_formats, o.script, o.stills) == (
        ("mp4",),
        ("html", "pdf", "pptx"),
        True,
        True,
    )


def test_lecture_preset_in_a_spec(tmp_path):
    from scenes.app.spec import load_spec

    spec = write_spec(tmp_path, f"""\
        [defaults]
        preset = "lecture"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        quality = "low"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        name = "b"
        slides_formats = ["pdf"]
    """)  # fmt: skip
    a, b = (e.options for e in load_spec(spec).entries)
    assert a.quality == "low" and a.slides_formats == tuple(PRESETS["lecture"]["slides_formats"])
    assert b.quality == "high" and b.slides_formats == ("pdf",) and b.script


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slides-format", "pdf"], "--slides-format chooses the deck's formats; add --slides"),
        (["--slides", "--slides-format", "key"], "'key' is not one of 'html', 'pdf', 'pptx'"),
        (["--preset", "talk"], "'talk' is not 'lecture'"),
    ],
)
def test_deck_options_refused_in_one_line(args, message, tmp_path, monkeypatch):
    from scenes.app import cli

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["render", RIVER, "-t", "bank", *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_slides_formats_in_the_cache_key():
    a = RenderOptions(slides=True).media_key()
    b = RenderOptions(slides=True, slides_formats=("html", "pdf")).media_key()
    assert a != b and json.dumps(a)  # another deck is another render
    from scenes.app.cache.key import cache_key, content_key

    plan = build_plan(RIVER, "bank")
    options = [RenderOptions(slides=True), RenderOptions(slides=True, slides_formats=("pdf",))]
    assert cache_key(plan, options[0]) != cache_key(plan, options[1])
    # ... of the same frames: the files of one are kept when the other is rendered
    assert content_key(plan, options[0]) == content_key(plan, options[1])
    with pytest.raises(OptionError):
        RenderOptions(slides=True, slides_formats=("html",), formats=("html",))


@pytest.mark.render
def test_transparent_pptx_shows_the_stills(minilm_dir, tmp_path):
    """With --transparent the slides' videos are QuickTime with alpha, which PowerPoint does
    not play: each slide is the beat's final frame, a picture, with its notes."""
    out = render_here(tmp_path, PlanRequest(RIVER, "bank"), scene="AttentionMatrixScene",
                      formats=["png"], transparent=True, slides=True, slides_formats=["pptx"],
                      name="t")  # fmt: skip
    slides = pptx_slides(out / "t.slides.pptx")
    assert len(slides) == 2  # the matrix, then the target's row
    assert [[s.shape_type for s in shapes] for _, shapes in slides] == [[13], [13]]  # PICTURE
    assert "sat 0.18, river 0.26, bank 0.56" in slides[1][0]
