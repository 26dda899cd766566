"""Slides and stills export: the passes that use BeatScene's beats (scenes.beats).

`render_stills` saves a PNG at the end of every beat; `render_slides` renders the scene with
manim-slides (one slide per beat) and makes the decks asked for, each with the beat's text
of the script (`scenes.app.media.script`) as its presenter notes:

- html: one self-contained reveal.js file (below);
- pdf: a page per beat, its final frame as vector paths (`scenes.app.media.vector`, drawn in the
  same pass), the notes as a hidden text annotation on the page (pypdf joins the pages);
- pptx: a slide per beat (python-pptx) holding the beat's MP4, played when the slide opens,
  with the beat's final frame as its poster: what a viewer that cannot play it shows.

The HTML: manim-slides 5.7.0's `convert --to html --one-file` embeds the videos as data URIs
but links reveal.js from a CDN, and its `--offline` option downloads the files at convert
time. Here the reveal.js files ship with the package (`scenes/app/media/vendor/revealjs/`,
reveal.js 6.0.1, manim-slides' default version, MIT; third-party code, copied unchanged) and
are inlined, so the HTML opens with no network.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from attention_math.errors import InputError
from scenes.app.media.passes import manim_pass
from scenes.app.media.script import Beat, read_beats
from scenes.app.media.vector import VectorSaver
from scenes.beats import HAVE_SLIDES
from scenes.theme import PALETTES

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

    from attention_math.plan import Plan

REVEAL_DIR = resources.files("scenes.app.media") / "vendor" / "revealjs"
REVEAL_PREFIX = "attention-drift-reveal"  # the stand-in CDN address that gets inlined
# the arrows drawn large, in a colour that reads on both themes' slides, with a backing
CONTROLS_STYLE = """<style>
  .reveal .controls { font-size: 14px; }
  .reveal .controls .controls-arrow { color: #ffbf47; }
  .reveal .controls .enabled { opacity: 1; }
  .reveal .controls button { background: rgba(0, 0, 0, 0.6); border-radius: 6px; }
  .reveal .controls button:focus-visible { outline: 3px solid #ffbf47; }
</style>
"""
EMU_PER_PIXEL = 9525  # PowerPoint's English Metric Units: 914400 an inch, 96 pixels an inch
NOTE_FLAGS = 8 | 16  # a PDF note's flags: NoZoom, NoRotate (and not Print)
NOTE_SIZE = 24  # the note icon's side, in points (pixels of the frame)


# --------------------------------------------------------------------------------------------
# passes


def render_stills(
    plan: Plan, scene: str, theme: str, work: Path, size: tuple[int, int], fps: int
) -> list[Path]:
    """One PNG per beat, in order (Manim skips the animations: each still is drawn once)."""
    stills = work / "stills"
    manim_pass(
        plan, scene, theme, work / "pass", size, fps, "still", attrs={"stills_dir": str(stills)}
    )
    return sorted(stills.glob("beat-*.png"))


def render_slides(
    plan: Plan,
    scene: str,
    theme: str,
    work: Path,
    size: tuple[int, int],
    fps: int,
    title: str,
    formats: Sequence[str] = ("html",),
) -> dict[str, Path]:
    """The scene as manim-slides slides (one per beat), as the decks in `formats`
    (SLIDES_FORMATS): {format: file in work}. Every deck's notes are the script's text of
    the beat (`scenes.app.media.script.Beat.notes_text`)."""
    if not HAVE_SLIDES:
        raise InputError("--slides needs manim-slides: pip install 'attention-drift[slides]'")
    from manim_slides.config import PresentationConfig

    work = work.absolute()  # manim-slides reads its files relative to its own JSON's folder
    folder, beats_dir = work / "slides", work / "beats"
    attrs: dict[str, object] = {"slides": True, "slides_dir": str(folder)}
    if {"pdf", "pptx"} & set(formats):  # each beat's final frame: PNG (and PDF page)
        attrs["stills_dir"] = str(beats_dir)
        if "pdf" in formats:
            attrs["still_savers"] = (VectorSaver(("pdf",), work / "vector"),)
    log = logging.getLogger("manim-slides")  # its INFO lines ("configuration written") are
    level = log.level  # not news for users, as Manim's (passes._quiet_manim)
    log.setLevel(logging.WARNING)
    try:
        manim_pass(plan, scene, theme, work / "pass", size, fps, "mp4", attrs=attrs)
    finally:
        log.setLevel(level)
    # manim-slides names the presentation after the scene class (the pass's class is `scene`)
    presentation = PresentationConfig.from_file(folder / f"{scene}.json")
    beats = read_beats(folder)
    if len(beats) != len(presentation.slides):
        raise RuntimeError(
            f"{scene}: {len(presentation.slides)} slides but {len(beats)} beats; every play() "
            f"must belong to a beat that ends with self.beat(...)"
        )
    decks: dict[str, Path] = {}
    if "html" in formats:
        decks["html"] = html_deck(presentation, beats, work / "slides.html", theme, title)
    if "pdf" in formats:
        pages = [beats_dir / f"beat-{b.number:02d}.pdf" for b in beats]
        decks["pdf"] = pdf_deck(pages, beats, work / "slides.pdf", title)
    if "pptx" in formats:
        stills = [beats_dir / f"beat-{b.number:02d}.png" for b in beats]
        videos = [Path(slide.file) for slide in presentation.slides]
        decks["pptx"] = pptx_deck(videos, stills, beats, work / "slides.pptx", size, title)
    return decks


def html_deck(
    presentation: PresentationConfig, beats: list[Beat], dest: Path, theme: str, title: str
) -> Path:
    """One HTML file that needs no network: videos as data URIs, reveal.js inlined."""
    from manim_slides.convert import RevealJS

    for slide, beat in zip(presentation.slides, beats, strict=True):
        slide.notes = html_notes(beat.notes_text)
    light = PALETTES[theme].name.endswith("light")
    RevealJS(  # type: ignore[call-arg]
        presentation_configs=[presentation],
        one_file=True,
        title=title,
        reveal_theme="serif" if light else "dracula",  # type: ignore[arg-type]
        cdn_url=REVEAL_PREFIX,
        # previous / next arrows always on screen (reveal's buttons, named for screen readers)
        controls="true",  # type: ignore[arg-type]
        controls_back_arrows="visibly",  # type: ignore[arg-type]
    ).convert_to(dest)
    dest.write_text(accessible(inline_reveal(dest.read_text(encoding="utf-8"))), encoding="utf-8")
    return dest


def pdf_deck(pages: list[Path], beats: list[Beat], dest: Path, title: str) -> Path:
    """The beats' vector PDF pages as one document, each page's presenter notes a text
    annotation (a note icon in the bottom right corner, in the frame's safe margin: a PDF
    reader shows the text on a click and in its list of comments; not printed), and a
    bookmark per page: the beat's caption."""
    from pypdf import PdfWriter
    from pypdf.annotations import Text
    from pypdf.generic import NameObject, NumberObject

    writer = PdfWriter()
    for i, (page, beat) in enumerate(zip(pages, beats, strict=True)):
        writer.append(str(page))
        width = float(writer.pages[i].mediabox.width)
        rect = (width - NOTE_SIZE - 4, 4, width - 4, NOTE_SIZE + 4)
        note = Text(rect=rect, text=beat.notes_text, open=False)
        note[NameObject("/F")] = NumberObject(NOTE_FLAGS)  # pypdf 6 writes them as /Flags
        note[NameObject("/Name")] = NameObject("/Note")
        writer.add_annotation(page_number=i, annotation=note)
        writer.add_outline_item(f"{beat.number}. {beat.caption}", i)  # the reader's sidebar
    writer.add_metadata({"/Title": title, "/Creator": "attention-drift"})
    with open(dest, "wb") as f:
        writer.write(f)
    return dest


def pptx_deck(
    videos: list[Path],
    stills: list[Path],
    beats: list[Beat],
    dest: Path,
    size: tuple[int, int],
    title: str,
) -> Path:
    """A PowerPoint deck: a slide per beat filled by the beat's video (H.264 MP4, played
    when the slide opens), its final frame as the poster (what shows where the video does
    not play), the beat's notes as the slide's notes. A video with alpha (QuickTime, with
    --transparent) is left out: the slide shows the final frame."""
    from manim_slides.convert import _auto_play_pptx_media
    from pptx import Presentation
    from pptx.util import Emu

    deck = Presentation()
    width, height = Emu(size[0] * EMU_PER_PIXEL), Emu(size[1] * EMU_PER_PIXEL)
    deck.slide_width, deck.slide_height = width, height
    blank = deck.slide_layouts[6]
    for video, still, beat in zip(videos, stills, beats, strict=True):
        slide = deck.slides.add_slide(blank)
        if video.suffix == ".mp4":  # H.264: PowerPoint plays it
            movie = slide.shapes.add_movie(
                str(video), 0, 0, width, height, poster_frame_image=str(still),
                mime_type="video/mp4",
            )  # fmt: skip
            _auto_play_pptx_media(movie)
        else:  # --transparent: QuickTime with alpha, which PowerPoint does not play
            slide.shapes.add_picture(str(still), 0, 0, width, height)
        slide.notes_slide.notes_text_frame.text = beat.notes_text
    deck.core_properties.title = title
    deck.save(str(dest))
    return dest


def html_notes(notes: str) -> str:
    """Presenter notes for reveal.js: the template puts them into the page as HTML and its
    markdown plugin renders them, so escape both (a sentence may hold `<b>` or `_x_`)."""
    md = re.sub(r"([\\`*_{}\[\]()#+\-.!|~])", r"\\\1", notes)
    return html.escape(md, quote=False).replace("\n", "  \n")


_LINK = re.compile(
    rf'<link rel="stylesheet" href="{REVEAL_PREFIX}/dist/(?:theme/|plugin/highlight/)?'
    rf'([\w.-]+\.css)">'
)
_SCRIPT = re.compile(rf'<script src="{REVEAL_PREFIX}/dist/(?:plugin/)?([\w.-]+\.js)"></script>')


def accessible(page: str) -> str:
    """manim-slides' page with a language, zoom allowed (its viewport forbids it) and the
    controls' style (CONTROLS_STYLE)."""
    page = page.replace("<html>", '<html lang="en">', 1)
    page = page.replace(", maximum-scale=1.0, user-scalable=no", "", 1)
    return page.replace("</head>", CONTROLS_STYLE + "</head>", 1)


def inline_reveal(page: str) -> str:
    """Replace the reveal.js links of manim-slides' template with the shipped files' text."""

    def css(m: re.Match[str]) -> str:
        return f"<style>\n{_asset(m.group(1), '</style')}\n</style>"

    def js(m: re.Match[str]) -> str:
        return f"<script>\n{_asset(m.group(1), '</script')}\n</script>"

    page = _SCRIPT.sub(js, _LINK.sub(css, page))
    if REVEAL_PREFIX in page:
        raise RuntimeError("manim-slides' HTML template links a reveal.js file not inlined here")
    return page


def _asset(name: str, closing: str) -> str:
    """A shipped reveal.js file's text, checked not to end its own <style> / <script>."""
    text = (REVEAL_DIR / name).read_text(encoding="utf-8")
    if closing in text.lower():
        raise RuntimeError(f"{name} cannot be inlined: it contains {closing}")
    return text
