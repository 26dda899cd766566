"""Themes are data: one palette per theme, passed down to every mobject.

Series colours come from the Okabe-Ito palette (safe for the common colour-vision
deficiencies); each theme picks the ones that keep at least 3:1 contrast on its background
(WCAG's bar for graphics), darkening two of them for the light theme. No scene or mobject
holds a colour literal. Text sizes are theme data too: three of them, the smallest still
12 px tall (capital height) in the 800×450 GIF.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
    special="#8C959F",
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
    """The palette for `--theme THEME` (dark, light), with `--transparent` or without.

    Also accepts the palette names themselves ("transparent-light", "transparent").
    """
    if theme not in PALETTES:
        raise ValueError(f"unknown theme {theme!r}; choose from dark, light")
    p = PALETTES[theme]
    return PALETTES[f"transparent-{p.name}"] if transparent and p.background else p


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
