"""Themes are data: one palette per theme, passed down to every mobject.

Series colours come from the Okabe-Ito palette (safe for the common colour-vision
deficiencies); each theme picks the ones that keep at least 3:1 contrast on its background
(WCAG's bar for graphics), darkening two of them for the light theme. No scene or mobject
holds a colour literal. Text sizes are theme data too: three of them, the smallest still
12 px tall (capital height) in the 800×450 GIF.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from scenes import THEMES

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}


@dataclass(frozen=True)
class Palette:
    """Colours of one theme.

    background: frame fill (None: transparent). text / muted: main and secondary text.
    faint: tracks of empty bars, chips of words that take no part. chip_fill: chip boxes.
    static: the target's static vector. series: one colour per sentence (its accent: chips,
      points, trail, arrow, bars), in sentence order. special: attention that goes to
      [CLS] / [SEP] (model mode). highlight: kept for other scenes (the drift uses the
      sentence's own colour). backdrop: the colour drawn behind plot labels so that a line
      passing under them leaves them readable (None: no backdrop, for transparent output).
    """

    name: str
    background: str | None
    text: str
    muted: str
    faint: str
    chip_fill: str
    static: str
    series: tuple[str, ...]
    special: str
    highlight: str
    backdrop: str | None = None

    def color(self, i: int) -> str:
        """The colour of sentence i (cycling if there are more sentences than colours)."""
        return self.series[i % len(self.series)]


DARK = Palette(
    name="dark",
    background="#111318",
    text="#ECEFF4",
    muted="#A3ABB8",
    faint="#3B4252",
    chip_fill="#1E222B",
    static="#ECEFF4",
    series=(
        OKABE_ITO["sky_blue"],
        OKABE_ITO["orange"],
        OKABE_ITO["bluish_green"],
        OKABE_ITO["reddish_purple"],
        OKABE_ITO["yellow"],
    ),
    special="#7B8494",
    highlight=OKABE_ITO["yellow"],
    backdrop="#111318",
)

LIGHT = Palette(
    name="light",
    background="#FFFFFF",
    text="#1B1F24",
    muted="#57606A",
    faint="#D0D7DE",
    chip_fill="#F3F5F7",
    static="#1B1F24",
    series=(
        OKABE_ITO["blue"],
        OKABE_ITO["vermillion"],
        OKABE_ITO["bluish_green"],
        "#A8457F",  # Okabe-Ito's reddish purple, darker: 3.1:1 on white is too faint a trail
        "#8A6A00",  # Okabe-Ito's orange, darker (2.3:1 on white)
    ),
    special="#6E7781",  # 4.5:1 on white: "[special]" is read as text too
    highlight=OKABE_ITO["orange"],
    backdrop="#FFFFFF",
)


def transparent(p: Palette) -> Palette:
    """A theme's colours on no background (for compositing over a page of that theme)."""
    return replace(p, name=f"transparent-{p.name}", background=None, backdrop=None)


TRANSPARENT_DARK = transparent(DARK)
TRANSPARENT_LIGHT = transparent(LIGHT)

PALETTES = {p.name: p for p in (DARK, LIGHT, TRANSPARENT_DARK, TRANSPARENT_LIGHT)} | {
    "transparent": TRANSPARENT_DARK
}  # the old name: dark colours, no background


def palette(theme: str, transparent: bool = False) -> Palette:
    """The palette for `--theme THEME` (THEMES), with `--transparent` or without.

    Also accepts the palette names themselves ("transparent-light", "transparent").
    """
    if theme not in PALETTES:
        raise ValueError(f"unknown theme {theme!r}; choose from {', '.join(THEMES)}")
    p = PALETTES[theme]
    return transparent_palette(p) if transparent else p


def transparent_palette(p: Palette) -> Palette:
    """`p` on no background (unchanged if it has none already)."""
    if p.background is None:
        return p
    return replace(p, name=f"transparent-{p.name}", background=None, backdrop=None)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #RRGGBB colours (1 to 21)."""

    def luminance(h: str) -> float:
        r, g, b_ = (int(h.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b_)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


@dataclass(frozen=True)
class TextSizes:
    """The three font sizes of the drift figure (Manim font_size units).

    small: 22 is the least whose capital letters are 12 px tall in the 800×450 GIF
    (Noto Sans caps are 0.0099 scene units per font-size unit; the frame is 56.25 px a unit).
    """

    title: float = 32
    body: float = 26
    small: float = 22


SIZES = TextSizes()

FONT = "Noto Sans"  # wide coverage; Pango falls back per glyph (Noto Sans Devanagari, ...)
MONO = "Noto Sans Mono"


@dataclass(frozen=True)
class Typography:
    """The typeface and the three text sizes a render draws with (a theme file may change
    them). Scenes ask for the nominal sizes (SIZES.title, .body, .small); `size` maps them to
    this typography's, so scene code never changes with a theme."""

    font: str = FONT
    mono: str = MONO
    sizes: TextSizes = SIZES

    def size(self, nominal: float) -> float:
        """The size drawn for nominal size `nominal`: the theme's title, body or small for
        SIZES' three, any other size scaled as the body is."""
        if self.sizes == SIZES:
            return nominal
        for name in ("title", "body", "small"):
            if nominal == getattr(SIZES, name):
                return float(getattr(self.sizes, name))
        return nominal * self.sizes.body / SIZES.body


_IN_USE = [Typography()]  # the typography of the scene being drawn (one scene at a time)


def typography() -> Typography:
    """The typography texts are drawn with now (set by the scene: `use_typography`)."""
    return _IN_USE[0]


def use_typography(t: Typography) -> None:
    """Draw texts with `t` from now on (BeatScene.load_plan, from its job)."""
    _IN_USE[0] = t


@dataclass(frozen=True)
class Pacing:
    """How fast a scene plays: every animation's and wait's time divided by `speed`, and
    `hold` seconds more at the end of every beat (time to read it)."""

    speed: float = 1.0
    hold: float = 0.0


@dataclass(frozen=True)
class Look:
    """Everything a theme decides, resolved once (`look`): colours, type, pacing."""

    palette: Palette = DARK
    typography: Typography = Typography()
    pacing: Pacing = Pacing()


def look(theme: str = "dark", transparent: bool = False, theme_file: Path | None = None) -> Look:
    """The look of `--theme THEME [--transparent] [--theme-file FILE]`: the built-in theme,
    or the file's changes to its `base` (THEMES; default THEME). A ThemeFileError (one line
    saying what to change) for a bad file."""
    if theme_file is None:
        return Look(palette(theme, transparent))
    found = read_theme_file(theme_file, theme)
    if not transparent:
        return found
    return replace(found, palette=transparent_palette(found.palette))


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message is one line naming the file and key."""


# The keys of a theme file, top level and per table: only these are read (TOML is data).
COLOR_KEYS = (*(f.name for f in fields(Palette) if f.name not in ("name", "series")), "series")
FONT_KEYS = ("text",)  # Typography.font: every text and number
SIZE_KEYS = ("title", "body", "small")
PACING_KEYS = ("speed", "hold")
TABLES = {"colors": COLOR_KEYS, "fonts": FONT_KEYS, "sizes": SIZE_KEYS, "pacing": PACING_KEYS}
# why 22: SIZES.small, the least whose capitals are 12 px tall in the 800×450 GIF;
# 48: a larger title leaves the figure no room
SIZE_RANGE = (22.0, 48.0)
SPEED_RANGE = (0.25, 4.0)
HOLD_RANGE = (0.0, 10.0)
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


def read_theme_file(path: Path, theme: str = "dark") -> Look:
    """A theme file (TOML, parsed as data and checked key by key) as a Look:

    base = "light"        # a built-in theme (THEMES); default: --theme
    [colors]              # any of COLOR_KEYS as "#RRGGBB"; series: a list of them
    text = "#202020"
    [fonts]               # text: the family of every text and number
    text = "DejaVu Sans"
    [sizes]               # title, body, small: font sizes in SIZE_RANGE, small <= body <= title
    body = 28
    [pacing]              # speed: 2 plays twice as fast, 0.5 half; hold: seconds more
    speed = 1.5           # at the end of every beat
    """
    where = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ThemeFileError(f"{where}: cannot be read ({exc.strerror}); check the path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ThemeFileError(f"{where}: not valid TOML ({exc}); fix the syntax") from None
    _known(where, "", data, ("base", *TABLES))
    for table, keys in TABLES.items():
        value = data.get(table, {})
        if not isinstance(value, dict):
            raise ThemeFileError(
                f"{where}: {table} must be a table; write [{table}] above its keys"
            )
        _known(where, f"[{table}] ", value, keys)
    base = data.get("base", theme)
    if base not in THEMES:
        choices = ", ".join(THEMES)
        raise ThemeFileError(f"{where}: base = {base!r} is not a theme; choose from {choices}")
    return Look(
        _colors(where, PALETTES[base], data.get("colors", {})),
        _typography(where, data.get("fonts", {}), data.get("sizes", {})),
        _pacing(where, data.get("pacing", {})),
    )


def _known(where: str, table: str, data: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in data:
        if key not in keys:
            raise ThemeFileError(f"{where}: unknown key {table}{key}; use one of {', '.join(keys)}")


def _color(where: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not _COLOR.fullmatch(value):
        raise ThemeFileError(
            f'{where}: [colors] {key} = {value!r} is not a colour; write it as "#RRGGBB"'
        )
    return value.upper()


def _colors(where: str, base: Palette, table: dict[str, Any]) -> Palette:
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key != "series":
            changes[key] = _color(where, key, value)
        elif isinstance(value, list) and value:
            changes[key] = tuple(_color(where, f"series[{i}]", v) for i, v in enumerate(value))
        else:
            raise ThemeFileError(
                f'{where}: [colors] series must be a list of colours, like ["#0072B2"]'
            )
    return replace(base, **changes)


def _number(where: str, key: str, value: Any, bounds: tuple[float, float]) -> float:
    low, high = bounds
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not (number and math.isfinite(value) and low <= value <= high):
        raise ThemeFileError(
            f"{where}: {key} = {value!r} is out of range; give a number from {low:g} to {high:g}"
        )
    return float(value)


def _typography(where: str, fonts: dict[str, Any], sizes: dict[str, Any]) -> Typography:
    for key, value in fonts.items():
        if (
            not (isinstance(value, str) and value.strip() and value.isprintable())
            or len(value) > 100
        ):
            raise ThemeFileError(
                f"{where}: [fonts] {key} = {value!r} is not a font name; "
                'give a family like "DejaVu Sans"'
            )
    made = replace(
        SIZES, **{k: _number(where, f"[sizes] {k}", v, SIZE_RANGE) for k, v in sizes.items()}
    )
    if not made.small <= made.body <= made.title:
        raise ThemeFileError(
            f"{where}: [sizes] must keep small <= body <= title (now {made.small:g}, "
            f"{made.body:g}, {made.title:g}); change one"
        )
    return Typography(fonts.get("text", FONT), MONO, made)


def _pacing(where: str, table: dict[str, Any]) -> Pacing:
    speed = _number(where, "[pacing] speed", table.get("speed", 1.0), SPEED_RANGE)
    hold = _number(where, "[pacing] hold", table.get("hold", 0.0), HOLD_RANGE)
    return Pacing(speed, hold)
