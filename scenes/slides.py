"""Beats, slides and stills: what makes a scene steppable in a lecture.

`BeatScene` is the base of every scene. Each scene calls `self.beat(notes)` at the end of a
beat, with presenter notes that state that beat's numbers. What a beat does depends on the
pass that renders the scene:

- a normal render: nothing (the scene plays straight through, as a plain Manim `Scene`);
- `--slides`: `manim_slides.Slide.next_slide(notes=...)`, so that manim-slides cuts one
  slide per beat; `render_slides` then converts them into one self-contained HTML file;
- `--stills`: the frame at that moment is saved as a PNG (`render_stills`).

`BeatScene` is built on `manim_slides.Slide` when manim-slides is installed and on Manim's
`Scene` otherwise; with slides off it skips everything manim-slides adds (it would force a
movie to be written even for a still, and write a `slides/` folder into the working
directory), so a normal render is exactly a `Scene` render.

The HTML: manim-slides 5.7.0's `convert --to html --one-file` embeds the videos as data URIs
but links reveal.js from a CDN, and its `--offline` option downloads the files at convert
time. Here the reveal.js files ship with the package (`scenes/revealjs/`, reveal.js 6.0.1,
manim-slides' default version, MIT) and are inlined, so the HTML opens with no network.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from manim import Scene

from scenes.layout import LayoutError, check
from scenes.theme import PALETTES, Palette

if TYPE_CHECKING:
    from attention_math.plan import Plan

try:
    from manim_slides.slide import Slide as _Base
    from manim_slides.slide.base import BaseSlide as _BaseSlide

    HAVE_SLIDES = True
except ImportError:  # pragma: no cover - manim-slides is an optional extra
    _Base = Scene  # type: ignore[misc,assignment]
    _BaseSlide = None  # type: ignore[misc,assignment]
    HAVE_SLIDES = False

REVEAL_DIR = Path(__file__).resolve().parent / "revealjs"
REVEAL_PREFIX = "attention-drift-reveal"  # the stand-in CDN address that gets inlined
BEATS_FILE = "beats.json"  # the presenter notes of every beat, in order


class BeatScene(_Base):  # type: ignore[misc,valid-type]
    """A scene made of beats. Set by the render pipeline (class attributes):

    plan: the plan to draw (or the ATTENTION_DRIFT_PLAN file). theme: a palette name.
    slides: cut a slide at every beat (manim-slides). slides_dir: where manim-slides writes.
    stills_dir: save a PNG of every beat there.
    """

    plan: Plan | None = None
    theme: str = "dark"
    slides: bool = False
    slides_dir: str | None = None
    stills_dir: str | None = None
    skip_reversing = True  # manim-slides: the HTML never plays a slide backwards

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.beat_notes: list[str] = []
        if not HAVE_SLIDES:
            super().__init__(*args, **kwargs)
        elif self.slides:
            if self.slides_dir is not None:
                kwargs.setdefault("output_folder", Path(self.slides_dir))
            super().__init__(*args, **kwargs)
        else:
            _BaseSlide.__init__(self, *args, **kwargs)  # not Slide.__init__: no forced movie

    def render(self, *args: Any, **kwargs: Any) -> Any:
        if HAVE_SLIDES and not self.slides:
            return Scene.render(self, *args, **kwargs)  # no slide files written
        result = super().render(*args, **kwargs)
        if self.slides_dir is not None:
            notes = Path(self.slides_dir) / BEATS_FILE
            notes.write_text(json.dumps(self.beat_notes, ensure_ascii=False), encoding="utf-8")
        return result

    @property
    def _background_color(self) -> str:
        """For manim-slides: the background as hex (scenes may set it as a string)."""
        from manim import ManimColor

        return ManimColor(self.camera.background_color).to_hex()

    # ---- set-up shared by the scenes ---------------------------------------------------
    def load_plan(self) -> Plan:
        """The plan and palette: as set by the pipeline, or from ATTENTION_DRIFT_PLAN (and
        ATTENTION_DRIFT_THEME) when the scene file is run with the `manim` command."""
        from attention_math.plan import Plan

        if self.plan is None:
            path = os.environ.get("ATTENTION_DRIFT_PLAN")
            if not path:
                raise RuntimeError(
                    f"{type(self).__name__} needs a plan: use attention-drift render, or set "
                    f"ATTENTION_DRIFT_PLAN to a plan JSON file"
                )
            self.plan = Plan.load(path)
            self.theme = os.environ.get("ATTENTION_DRIFT_THEME", self.theme)
        self.pal: Palette = PALETTES[self.theme]
        if self.pal.background is not None:
            self.camera.background_color = self.pal.background
        return self.plan

    def check_layout(self, boxes: Sequence[tuple[str, tuple[float, float, float, float]]]) -> None:
        """Every text inside the frame and none overlapping, or a LayoutError."""
        problems = check(list(boxes))
        if problems:
            raise LayoutError("layout check failed: " + "; ".join(map(str, problems[:5])))

    # ---- beats --------------------------------------------------------------------------
    def beat(self, notes: str) -> None:
        """End of a beat: a slide boundary (with `notes`) or a still, per the pass."""
        self.beat_notes.append(notes)
        if self.stills_dir is not None:
            self.save_still(Path(self.stills_dir) / f"beat-{len(self.beat_notes):02d}.png")
        if self.slides:
            # manim-slides gives next_slide's notes to the slide that starts *after* the call;
            # the notes of each beat are written next to the slides instead (`render`).
            self.next_slide()

    def save_still(self, path: Path) -> None:
        """The current state of the scene as a PNG (drawn now, even while skipping)."""
        from PIL import Image

        self.renderer.update_frame(self, ignore_skipping=True)
        frame = self.renderer.get_frame()  # [h, w, 4] uint8 RGBA
        image = Image.fromarray(frame, "RGBA")
        if self.pal.background is not None:
            image = image.convert("RGB")
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path)


# --------------------------------------------------------------------------------------------
# passes


def render_stills(
    plan: Plan, scene: str, theme: str, work: Path, size: tuple[int, int], fps: int
) -> list[Path]:
    """One PNG per beat, in order (Manim skips the animations: each still is drawn once)."""
    from scenes.pipeline import _manim_pass

    stills = work / "stills"
    _manim_pass(
        plan, scene, theme, work / "pass", size, fps, "still", attrs={"stills_dir": str(stills)}
    )
    return sorted(stills.glob("beat-*.png"))


def render_slides(
    plan: Plan, scene: str, theme: str, work: Path, size: tuple[int, int], fps: int, title: str
) -> Path:
    """The scene as manim-slides slides (one per beat), converted to one HTML file that
    needs no network: videos as data URIs, reveal.js inlined."""
    if not HAVE_SLIDES:
        from attention_math.errors import InputError

        raise InputError("--slides needs manim-slides: pip install 'attention-drift[slides]'")
    from manim_slides.config import PresentationConfig
    from manim_slides.convert import RevealJS

    from scenes.pipeline import _manim_pass

    folder = work / "slides"
    _manim_pass(
        plan,
        scene,
        theme,
        work / "pass",
        size,
        fps,
        "mp4",
        attrs={"slides": True, "slides_dir": str(folder)},
    )
    (config_file,) = (p for p in folder.glob("*.json") if p.name != BEATS_FILE)
    presentation = PresentationConfig.from_file(config_file)
    notes = json.loads((folder / BEATS_FILE).read_text(encoding="utf-8"))
    if len(notes) != len(presentation.slides):
        raise RuntimeError(
            f"{scene}: {len(presentation.slides)} slides but {len(notes)} beats; every play() "
            f"must belong to a beat that ends with self.beat(...)"
        )
    for slide, text in zip(presentation.slides, notes, strict=True):
        slide.notes = html_notes(text)
    dest = work / "slides.html"
    light = PALETTES[theme].background not in (None, PALETTES["dark"].background)
    RevealJS(
        presentation_configs=[presentation],
        one_file=True,
        title=title,
        reveal_theme="serif" if light else "dracula",
        cdn_url=REVEAL_PREFIX,
    ).convert_to(dest)
    dest.write_text(inline_reveal(dest.read_text(encoding="utf-8")), encoding="utf-8")
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


# --------------------------------------------------------------------------------------------
# presenter notes for the drift (scenes.drift), from the plan's numbers


def drift_notes(plan: Plan, what: str, si: int = 0, k: int = 0) -> str:
    """Notes for a DriftScene beat: "sentences", "space", "static", "panel", "step", "formula"."""
    if what == "sentences":
        texts = " / ".join(f"“{s.text}”" for s in plan.sentences)
        return f"{texts} — the target “{plan.target}”"
    if what == "space":
        ev = plan.projection.explained_variance_ratio
        return (
            f"the words as points: 2-D PCA of {plan.embedding.dim}-d vectors "
            f"(PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%} of the variance)"
        )
    s = plan.sentences[si]
    if what == "static":
        return f"“{s.target.text}” alone: its own vector, weight 1.00"
    if what == "panel":
        return f"sentence {si + 1}: “{s.text}”"
    step = s.steps[k]
    pairs = ", ".join(
        f"{s.words[i].text} {_fmt(w)}" for i, w in zip(step.words, step.weights, strict=True)
    )
    if what == "step":
        added = s.words[step.added].text if step.added is not None else ""
        return f"“{added}” joins; the weights renormalise: {pairs}"
    terms = " + ".join(
        f"{_fmt(w)}·{s.words[i].text}" for i, w in zip(s.final.words, s.final.weights, strict=True)
    )
    return f"{s.target.text}′ = {terms}"


def _fmt(x: float) -> str:
    return f"{x:.2f}".replace("-", "−")
