"""Reusable visuals: each takes values (from the plan) plus style keywords.

Text is always `Text` (Pango, no markup parsing), so a sentence containing `<b>` or `&`
shows literally, and no word from a sentence ever reaches LaTeX.
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    Dot,
    Line,
    Rectangle,
    RoundedRectangle,
    Text,
    VGroup,
)

from scenes.theme import FONT, Palette

LRM = "\u200e"  # LEFT-TO-RIGHT MARK


def label(
    text: str,
    palette: Palette,
    *,
    size: float = 24,
    color: str | None = None,
    weight: str = "NORMAL",
) -> Text:
    """A plain text label in the theme's font.

    text: shown literally. size: font size. color: default palette.text. weight: Pango weight.
    A left-to-right mark goes first (no glyph): Pango lays out a text that starts with a
    right-to-left word (Arabic, Hebrew) right-aligned off the edge of its surface, and the
    glyphs are lost.
    """
    t = Text(LRM + text, font=FONT, font_size=size, color=color or palette.text, weight=weight)
    # Scenes read .text back: without the mark, which only steers the layout.
    t.text, t.original_text = t.text.removeprefix(LRM), text
    return t


class StrutText(VGroup):
    """One line of text whose box spans the font's full ascent and descent, so that words
    with and without descenders ("sat", "deposited") sit on one baseline when centred.

    Made as Text("|" + text + "|") with the two bars invisible. `glyphs` are the visible
    letters; `text` is the string shown. Arguments as for `label`.
    """

    def __init__(
        self,
        text: str,
        palette: Palette,
        *,
        size: float = 24,
        color: str | None = None,
        weight: str = "NORMAL",
    ) -> None:
        super().__init__()
        full = label(f"|{text}|", palette, size=size, color=color, weight=weight)
        self.text = text
        self.struts = VGroup(full[0], full[-1]).set_opacity(0)
        self.glyphs = VGroup(*full[1:-1])
        self.add(self.struts, self.glyphs)

    def set_glyph_color(self, color: str, opacity: float = 1.0) -> StrutText:
        self.glyphs.set_color(color).set_opacity(opacity)
        return self


def fmt(x: float, digits: int = 2) -> str:
    """A number as shown on screen (fixed decimals; '−' for minus, as typeset)."""
    s = f"{x:.{digits}f}"
    return s.replace("-", "−")


class TokenChip(VGroup):
    """A word in a rounded box.

    text: the word as typed. palette: theme. role: "target", "context" or "excluded"
      (excluded tokens are drawn faint without a border). color: the sentence's colour.
    size: font size.
    """

    def __init__(
        self,
        text: str,
        palette: Palette,
        *,
        role: str = "context",
        color: str | None = None,
        size: float = 26,
    ) -> None:
        super().__init__()
        color = color or palette.text
        text_color = palette.muted if role == "excluded" else palette.text
        weight = "BOLD" if role == "target" else "NORMAL"
        self.word = StrutText(text, palette, size=size, color=text_color, weight=weight)
        pad_w, pad_h = 0.06, 0.06
        self.box = RoundedRectangle(
            corner_radius=0.08,
            width=self.word.width + 2 * pad_w,
            height=self.word.height + 2 * pad_h,
            stroke_width=0 if role == "excluded" else (3 if role == "target" else 1.5),
            stroke_color=color,
            fill_color=palette.chip_fill if role != "target" else color,
            fill_opacity=0.0 if role == "excluded" else (0.35 if role == "target" else 1.0),
        )
        self.word.move_to(self.box)
        self.role = role
        self.add(self.box, self.word)


def chip_rows(
    chips: Sequence[TokenChip], max_width: float, buff: float = 0.1, row_buff: float = 0.12
) -> VGroup:
    """Chips arranged left to right, wrapped into centred rows no wider than max_width."""
    rows: list[list[TokenChip]] = [[]]
    width = 0.0
    for c in chips:
        if rows[-1] and width + buff + c.width > max_width:
            rows.append([])
            width = 0.0
        width += (buff if rows[-1] else 0.0) + c.width
        rows[-1].append(c)
    group = VGroup(*[VGroup(*r).arrange(RIGHT, buff=buff) for r in rows])
    return group.arrange(DOWN, buff=row_buff)


class WeightBars(VGroup):
    """Attention weights as labelled horizontal bars, one row per word.

    words: the row labels. weights: one number per row in [0, 1] (None: not attending yet,
      drawn faint with no bar). palette: theme. color: bar colour. colors: per-row bar colour
      overriding `color` where not None (e.g. greyed [special] attention). bar_width: length of a
      bar of weight 1. size: font size. row_height: distance between rows.
    """

    def __init__(
        self,
        words: Sequence[str],
        weights: Sequence[float | None],
        palette: Palette,
        *,
        color: str,
        bar_width: float = 2.4,
        size: float = 22,
        row_height: float = 0.42,
        colors: Sequence[str | None] | None = None,
    ) -> None:
        super().__init__()
        names = [StrutText(w, palette, size=size) for w in words]
        self.rows = VGroup()
        for i, (name, w) in enumerate(zip(names, weights, strict=True)):
            y = -i * row_height
            name.move_to([-0.15 - name.width / 2, y, 0])  # right-aligned next to the bar
            track = Line([0, y, 0], [bar_width, y, 0], stroke_width=1, color=palette.faint)
            if w is None:
                name.set_glyph_color(palette.muted, 0.6)
                row = VGroup(name, track)
            else:
                length = max(bar_width * w, 0.02)
                row_color = (colors[i] if colors is not None else None) or color
                bar = Rectangle(
                    width=length,
                    height=row_height * 0.55,
                    stroke_width=0,
                    fill_color=row_color,
                    fill_opacity=0.9,
                )
                bar.move_to([length / 2, y, 0])
                value = label(fmt(w), palette, size=size * 0.9)
                value.next_to([bar_width, y, 0], RIGHT, buff=0.15)
                row = VGroup(name, track, bar, value)
            self.rows.add(row)
        self.add(self.rows)


class TrailDot(Dot):
    """A faint dot marking where the moving vector was at an earlier step."""

    def __init__(self, point: Sequence[float], palette: Palette, color: str) -> None:
        super().__init__(
            point=[point[0], point[1], 0], radius=0.045, color=color, fill_opacity=0.55
        )


def stacked(*mobjects: VGroup | Text, buff: float = 0.1) -> VGroup:
    """Mobjects one under another, left aligned."""
    return VGroup(*mobjects).arrange(DOWN, buff=buff, aligned_edge=LEFT)
