"""Themes are data: one palette per theme, passed down to every mobject.

Series colours come from the Okabe-Ito palette (safe for the common colour-vision
deficiencies); each theme picks the ones that keep contrast on its background. No scene or
mobject holds a colour literal.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    faint: grid, excluded tokens, trails. static: the target's static vector.
    series: one colour per sentence (trajectory, chips, bars), in sentence order.
    special: attention that goes to [CLS] / [SEP] (model mode).
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
    ),
    special="#7B8494",
    highlight=OKABE_ITO["yellow"],
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
        OKABE_ITO["reddish_purple"],
    ),
    special="#8C959F",
    highlight=OKABE_ITO["orange"],
)

# For compositing over other footage: dark-theme colours on no background.
TRANSPARENT = Palette(
    name="transparent",
    background=None,
    text=DARK.text,
    muted=DARK.muted,
    faint=DARK.faint,
    chip_fill=DARK.chip_fill,
    static=DARK.static,
    series=DARK.series,
    special=DARK.special,
    highlight=DARK.highlight,
)

PALETTES = {p.name: p for p in (DARK, LIGHT, TRANSPARENT)}

FONT = "Noto Sans"  # wide coverage; Pango falls back per glyph (Noto Sans Devanagari, ...)
MONO = "Noto Sans Mono"
