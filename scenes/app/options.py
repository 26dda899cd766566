"""Every option of a render, once: the plan's (`PlanRequest`) and the media's (`RenderOptions`).

The command line's options and a spec file's keys are both derived from these two dataclasses
and their constraint tables, so a spec can say everything the command line can, and a new
option appears in both. Messages name options as {field} (attention_math.errors); the command
line spells them as flags (`flag`), a spec file as its keys.

No manim, numpy or click at import time (the CLI's `--help` reads this).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.errors import InputError, OptionError
from attention_math.request import (
    CONSTRAINTS,
    HELP,
    Boolean,
    FileName,
    Mismatch,
    Options,
    PlanRequest,
    check_value,
    has_control,
    show,
)
from scenes import SCENES, THEMES

if TYPE_CHECKING:
    from scenes.theme import Look

FORMATS = ("gif", "mp4", "png", "webm", "mov", "html", "svg", "pdf")
VECTOR_FORMATS = ("svg", "pdf")  # stills as paths (scenes.app.media.vector)
SLIDES_FORMATS = ("html", "pdf", "pptx")  # the decks --slides writes (scenes.app.media.slides)
QUALITIES = ("low", "medium", "high", "4k")
ALPHA_FORMATS = (
    "mov",
    "webm",
    "png",
    "gif",
    "svg",
    "pdf",
)  # formats that keep --transparent's alpha
DEFAULT_FORMATS = ("gif", "mp4")
MAX_NAME_CHARS = 100
# A preset: settings for the options not given (on the command line, or in the spec's entry
# and [defaults]); the options given keep their values.
PRESETS: dict[str, dict[str, Any]] = {
    "lecture": {
        "formats": ("mp4",),
        "quality": "high",
        "captions": True,
        "stills": True,
        "slides": True,
        "slides_formats": SLIDES_FORMATS,
        "script": True,
    },
}


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a file name stem (None if it can). Names are further reduced to
    letters, digits and '-' by the store; this refuses what is surely a mistake or a trick."""
    if not name.strip():
        return "is empty: it is not a plain file name; give a stem like bank-river"
    if name in (".", "..") or "/" in name or "\\" in name:
        return (
            f"{show(name)} is not a plain file name; give a stem like bank-river "
            f"(the folder is `out`)"
        )
    if has_control(name):
        return f"{show(name)} has control characters; give a stem like bank-river"
    if len(name) > MAX_NAME_CHARS:
        return f"is {len(name)} characters; at most {MAX_NAME_CHARS}"
    return None


@dataclass(frozen=True)
class Formats:
    """A non-empty list of `choices` (repeats dropped, order kept)."""

    choices: tuple[str, ...] = FORMATS

    def check(self, value: Any) -> tuple[str, ...]:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise Mismatch
        if not value or not all(isinstance(f, str) for f in value):
            raise Mismatch
        if unknown := [f for f in value if f not in self.choices]:
            Options(self.choices).check(unknown[0])  # raises, naming the closest
        return tuple(dict.fromkeys(value))


@dataclass(frozen=True)
class Name:
    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Mismatch
        if problem := name_problem(value):
            raise ValueError(problem)
        return value


# field: (what it accepts, what it must be in words), as attention_math.request.CONSTRAINTS
RENDER_CONSTRAINTS: dict[str, tuple[tuple[Any, ...], str]] = {
    "scene": ((Options(tuple(SCENES)),), "a scene name in quotes"),
    "scene_file": ((FileName(), None), "a file name in quotes"),
    "theme_file": ((FileName(), None), "a file name in quotes"),
    "formats": ((Formats(),), 'a list of formats, like ["gif", "mp4"]'),
    "quality": ((Options(QUALITIES),), "a quality name in quotes"),
    "theme": ((Options(THEMES),), "a theme name in quotes"),
    "transparent": ((Boolean(),), "true or false"),
    "slides": ((Boolean(),), "true or false"),
    "stills": ((Boolean(),), "true or false"),
    "captions": ((Boolean(),), "true or false"),
    "slides_formats": ((Formats(SLIDES_FORMATS),), 'a list of deck formats, like ["html", "pdf"]'),
    "script": ((Boolean(),), "true or false"),
    "preset": ((Options(tuple(PRESETS)), None), "a preset name in quotes"),
    "name": ((Name(), None), "a file name stem in quotes"),
    "force": ((Boolean(),), "true or false"),
    "verify": ((Boolean(),), "true or false"),
}
RENDER_HELP = {
    "scene": "What to draw (`attention-drift scenes` lists them).",
    "formats": "Output format (repeatable, or a comma list: gif,png). Default: gif and mp4 (mov "
    "with --transparent). png "
    "is a still of the last frame; svg and pdf are that still as vector paths (for papers; "
    "with --stills every beat's too); webm is VP9; html is STEM.html, a page for a blog "
    "embedding the MP4 (rendered too) with the GIF as fallback and the weights as caption.",
    "quality": "low 480p15, medium 720p30, high 1080p60, 4k 2160p60.",
    "theme": "Palette.",
    "theme_file": "A theme file (TOML): colours, fonts, text sizes and pacing over a built-in "
    "theme (README, Theme files). In a spec, relative to the spec's folder.",
    "scene_file": "Your own scene: a Python file with a class built on scenes.picture's "
    "BeatScene or LectureScene; --scene names the class (or --scene FILE.py:Class). "
    "The file runs as code: command line only, never from a spec.",
    "transparent": "No background, for compositing: mov (QuickTime RLE) or webm (VP9) with "
    "alpha, PNG and GIF with transparency; dark-theme colours.",
    "slides": "Also the deck: one slide per beat with presenter notes (manim-slides), as "
    "--slides-format says (default STEM.html, a single file that opens offline in a browser).",
    "slides_formats": "The deck's formats with --slides (repeatable, or a comma list; default "
    "html): html is "
    "STEM.html (reveal.js, the videos inside); pdf is STEM.slides.pdf (a vector page per beat, "
    "its final frame, the notes as page annotations); pptx is STEM.slides.pptx (PowerPoint: "
    "each beat's video, its final frame where the video cannot play, notes per slide).",
    "script": "Also STEM.script.md: per beat its time range, what is on screen and what to say, "
    "with the plan's numbers (the slides' notes are the same text).",
    "preset": "Settings for the options not given. lecture: 1080p60 MP4 with captions, stills, "
    "the deck (html, pdf, pptx) and the script.",
    "stills": "Also STEM.beat-NN.png: the frame at the end of every beat, for slides and papers.",
    "captions": "STEM.srt and STEM.vtt next to every video: each beat's caption, with the "
    "plan's numbers, as a subtitle over the beat (on by default; --no-captions: none).",
    "name": "File name without extension (default: from the target and the sentence).",
    "force": "Render even when the files are up to date (same plan, scene, options and code).",
    "verify": "Check the sha256 of every recorded file before taking a render as up to date "
    "(by default only files whose size or time changed are hashed).",
}


@dataclass(frozen=True)
class RenderOptions:
    """How to draw a plan: the scene, the files, their look. Checked on construction (an
    OptionError names the field). formats () means the default: gif and mp4, or mov with
    transparent."""

    scene: str = "DriftScene"
    scene_file: Path | None = None  # a user's scene class (scene names it); command line only
    formats: tuple[str, ...] = ()
    quality: str = "medium"
    theme: str = "dark"
    theme_file: Path | None = None
    transparent: bool = False
    slides: bool = False
    stills: bool = False
    captions: bool = True  # subtitles cost nothing to make and are what course sites require
    slides_formats: tuple[str, ...] = ()
    script: bool = False
    preset: str | None = None
    name: str | None = None
    force: bool = False
    verify: bool = False

    def __post_init__(self) -> None:
        self._apply_preset()
        user = self._user_scene()
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "scene" and user:
                continue  # a class in scene_file (_user_scene)
            if f.name == "formats" and not value:
                value = ("mov",) if self.transparent else DEFAULT_FORMATS
            if f.name == "slides_formats" and not value:
                value = ("html",)
            object.__setattr__(self, f.name, check_value(f.name, value, RENDER_CONSTRAINTS))
        if self.theme_file is not None:  # read and checked now, once (else: when drawn)
            object.__setattr__(self, "_look", self._resolve_look())
        if self.slides_formats != ("html",) and not self.slides:
            raise OptionError(
                "slides_formats", "{slides_formats} chooses the deck's formats; add {slides}"
            )
        if self.transparent and "mp4" in self.formats:
            raise OptionError(
                "transparent",
                "{transparent} needs a format with alpha, mov or webm (mp4 has no transparency)",
            )
        if self.slides and "html" in self.slides_formats and "html" in self.formats:
            raise OptionError(
                "slides",
                "{slides} and {formats} html both write STEM.html; render them separately, "
                "with different {name}",
            )
        if self.transparent and "html" in self.formats:
            raise OptionError(
                "transparent",
                "{formats} html embeds an MP4, which has no transparency; leave out {transparent}",
            )

    def _apply_preset(self) -> None:
        """The preset's settings for the fields left at their defaults, then no preset (the
        command line and spec files apply it first, knowing which options were given:
        `with_preset`)."""
        if self.preset is None:
            return
        preset = check_value("preset", self.preset, RENDER_CONSTRAINTS)
        defaults = {f.name: f.default for f in dataclasses.fields(self)}
        for key, value in PRESETS[preset].items():
            if getattr(self, key) == defaults[key]:
                object.__setattr__(self, key, value)
        object.__setattr__(self, "preset", None)

    def _user_scene(self) -> bool:
        """Whether the scene is a user's: scene "FILE.py:Class" is split into scene_file and
        scene, scene_file made absolute (passes and workers load it); scene must then be a
        class name."""
        scene, file = self.scene, self.scene_file
        if isinstance(scene, str) and ":" in scene and file is None:
            name, _, scene = scene.rpartition(":")
            file = check_value("scene_file", name, RENDER_CONSTRAINTS)
        if file is None:
            return False
        file = check_value("scene_file", file, RENDER_CONSTRAINTS)
        if not (isinstance(scene, str) and scene.isidentifier()):
            raise OptionError(
                "scene", f"{{scene}} with {{scene_file}} names a class, got {show(scene)}"
            )
        object.__setattr__(self, "scene", scene)
        object.__setattr__(self, "scene_file", Path(file).absolute())
        return True

    @property
    def scene_ref(self) -> str:
        """The scene as the passes load it: a registered name, or "FILE.py:Class"."""
        return f"{self.scene_file}:{self.scene}" if self.scene_file else self.scene

    def look(self) -> Look:
        """The look the scene is drawn with (scenes.theme.look: the palette, transparency
        included, the typography and the pacing), resolved once from theme, transparent
        and theme_file."""
        if "_look" not in self.__dict__:
            object.__setattr__(self, "_look", self._resolve_look())
        look: Look = self.__dict__["_look"]
        return look

    def _resolve_look(self) -> Look:
        """scenes.theme.look of these options; an InputError naming theme_file for a bad file."""
        from scenes.theme import ThemeFileError, look

        try:
            return look(self.theme, self.transparent, self.theme_file)
        except ThemeFileError as exc:
            raise InputError(str(exc), field="theme_file") from None

    @property
    def palette(self) -> str:
        """The palette's name, for file names and messages only (`-light`, `-transparent-dark`);
        the colours are look().palette."""
        return f"transparent-{self.theme}" if self.transparent else self.theme

    def media_key(self) -> dict[str, Any]:
        """What the media depend on (the cache key's options): not the name or --force; a
        theme file by what it says (its look), a scene file by its bytes' hash."""
        import hashlib

        extra: dict[str, Any] = {}
        if self.theme_file is not None:
            extra["look"] = dataclasses.asdict(self.look())
        if self.scene_file is not None:
            code = hashlib.sha256(Path(self.scene_file).read_bytes()).hexdigest()
            extra["scene_file"] = [str(self.scene_file), code]
        return {
            **extra,
            "scene": self.scene,
            "formats": sorted(self.formats),
            "quality": self.quality,
            "theme": self.palette,
            "slides": self.slides,
            "stills": self.stills,
            "captions": self.captions,
            "slides_formats": sorted(self.slides_formats),
            "script": self.script,
        }


# --------------------------------------------------------------------------------------------
# the two surfaces: command-line flags and spec keys

# Everything a user sets: the plan's fields but `needs` (the scene's), then the render's.
PLAN_KEYS = tuple(f.name for f in dataclasses.fields(PlanRequest) if f.name != "needs")
RENDER_KEYS = tuple(f.name for f in dataclasses.fields(RenderOptions))
SHORT = {"target": "-t", "compare": "-c"}
METAVAR = {
    "target": "WORD",
    "compare": "SENTENCE",
    "target_index": "N",
    "embeddings": "FILE",
    "scale": "auto|1/sqrt(d)|1|NUMBER",
    "layer": "N",
    "head": "N|mean",
    "model_dir": "DIR",
    "senses": "FILE",
    "analogy": '"A - B + C [= D]"',
    "name": "STEM",
}
FLAG_NAME = {"formats": "format", "slides_formats": "slides-format"}  # singular: repeatable


def flag(key: str) -> str:
    """The command-line flag of an option: `target_index` -> `--target-index`."""
    return "--" + FLAG_NAME.get(key, key).replace("_", "-")


def constraint_of(key: str) -> tuple[tuple[Any, ...], str]:
    return CONSTRAINTS[key] if key in CONSTRAINTS else RENDER_CONSTRAINTS[key]


def help_of(key: str) -> str:
    return HELP[key] if key in HELP else RENDER_HELP[key]


def scenes_needing(part: str) -> list[str]:
    """The scenes that draw plan part `part`."""
    return [name for name, entry in SCENES.items() if part in entry.needs]


def needs_of(scene: str) -> tuple[str, ...]:
    """The plan parts `scene` draws: a registered scene's from SCENES, a user's ("FILE.py:
    Class") from its class's NEEDS (the file is loaded: it imports manim)."""
    if ":" not in scene:
        return SCENES[scene].needs
    from scenes.app.user_scene import user_scene_class

    return tuple(user_scene_class(scene).NEEDS)


def plan_request(values: dict[str, Any], scene: str, *, base: Path | None = None) -> PlanRequest:
    """The request for `values` (PLAN_KEYS, as given) drawn by `scene` (a name, or a user's
    "FILE.py:Class"); relative file names resolved against `base` (a spec file's folder)."""
    given = {k: v for k, v in values.items() if k in PLAN_KEYS}
    if base is not None:
        for key in ("embeddings", "senses", "model_dir"):
            if given.get(key) is not None:
                given[key] = base / check_value(key, given[key])
    return PlanRequest(**given, needs=frozenset(needs_of(scene)))


def with_preset(values: dict[str, Any], given: Any) -> dict[str, Any]:
    """Render option `values` with their preset's settings for the keys not in `given` (the
    options the user gave), the preset consumed (None)."""
    preset = values.get("preset")
    if preset is None:
        return values
    preset = check_value("preset", preset, RENDER_CONSTRAINTS)
    chosen = {k: v for k, v in PRESETS[preset].items() if k not in given}
    return {**values, **chosen, "preset": None}
