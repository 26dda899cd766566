"""Slides and stills export: the passes that use BeatScene's beats (scenes.beats).

`render_stills` saves a PNG at the end of every beat; `render_slides` renders the scene with
manim-slides (one slide per beat) and converts it into one self-contained HTML file.

The HTML: manim-slides 5.7.0's `convert --to html --one-file` embeds the videos as data URIs
but links reveal.js from a CDN, and its `--offline` option downloads the files at convert
time. Here the reveal.js files ship with the package (`scenes/app/vendor/revealjs/`,
reveal.js 6.0.1, manim-slides' default version, MIT; third-party code, copied unchanged) and
are inlined, so the HTML opens with no network.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from attention_math.errors import InputError
from scenes.app.passes import manim_pass
from scenes.beats import BEATS_FILE, HAVE_SLIDES
from scenes.theme import PALETTES

if TYPE_CHECKING:
    from attention_math.plan import Plan

REVEAL_DIR = resources.files("scenes.app") / "vendor" / "revealjs"
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
    plan: Plan, scene: str, theme: str, work: Path, size: tuple[int, int], fps: int, title: str
) -> Path:
    """The scene as manim-slides slides (one per beat), converted to one HTML file that
    needs no network: videos as data URIs, reveal.js inlined."""
    if not HAVE_SLIDES:
        raise InputError("--slides needs manim-slides: pip install 'attention-drift[slides]'")
    from manim_slides.config import PresentationConfig
    from manim_slides.convert import RevealJS

    folder = work / "slides"
    manim_pass(
        plan,
        scene,
        theme,
        work / "pass",
        size,
        fps,
        "mp4",
        attrs={"slides": True, "slides_dir": str(folder)},
    )
    # manim-slides names the presentation after the scene class (the pass's class is `scene`)
    presentation = PresentationConfig.from_file(folder / f"{scene}.json")
    notes = json.loads((folder / BEATS_FILE).read_text(encoding="utf-8"))
    if len(notes) != len(presentation.slides):
        raise RuntimeError(
            f"{scene}: {len(presentation.slides)} slides but {len(notes)} beats; every play() "
            f"must belong to a beat that ends with self.beat(...)"
        )
    for slide, text in zip(presentation.slides, notes, strict=True):
        slide.notes = html_notes(text)
    dest = work / "slides.html"
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
