"""Reusable visuals: each takes values (from the plan) plus style keywords.

Text is always `Text` (Pango, no markup parsing), so a sentence containing `<b>` or `&`
shows literally, and no word from a sentence ever reaches LaTeX. Numbers that change on
screen are `Counter`s: their digits are outlines of glyphs built once per size, so a number
counts in place (one typeface, fixed digit positions) and never morphs glyph into glyph.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    Circle,
    Dot,
    Line,
    ManimColor,
    Mobject,
    Polygon,
    Rectangle,
    RoundedRectangle,
    Text,
    VectorizedPoint,
    VGroup,
    VMobject,
    smooth,
)

from scenes import texts
from scenes.figure.geometry import bowed
from scenes.figure.names import ELLIPSIS, cut, fmt  # noqa: F401 (cut, fmt: re-exported)
from scenes.figure.widgets import (
    BADGE_RADIUS,
    BAR_HEIGHT,
    CHIP_CORNER,
    CHIP_PAD,
    COUNTER_GLYPHS,
    MIN_BAR,
    NAME_GAP,
    ORIGIN_ARM,
    RING_CORNER,
    RING_GAP,
    VALUE_GAP,
    arrow_segments,
    arrow_shape,
    chip_weight,
    dart_points,
    wrap,
)
from scenes.layout import Box
from scenes.theme import Palette, typography

LRM = "\u200e"  # LEFT-TO-RIGHT MARK
PointLike = Sequence[float] | np.ndarray  # a point: (x, y) or (x, y, z)


def box_of(m: Mobject) -> Box:
    """A mobject's bounding box (x_min, y_min, x_max, y_max) in scene units: the one helper
    every scene's layout check uses."""
    x0, y0, _ = m.get_corner(DOWN + LEFT)
    x1, y1, _ = m.get_corner(UP + RIGHT)
    return (float(x0), float(y0), float(x1), float(y1))


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
    ty = typography()  # the render's font and sizes (a theme file may change them)
    t = texts.text(LRM + text, font=ty.font, size=ty.size(size), color=color or palette.text,
                   weight=weight)  # fmt: skip
    # Scenes read .text back: without the mark, which only steers the layout.
    t.text, t.original_text = t.text.removeprefix(LRM), text
    return t


def fitted(
    text: str,
    palette: Palette,
    *,
    max_width: float,
    size: float = 24,
    color: str | None = None,
    weight: str = "NORMAL",
) -> Text:
    """`label`, cut at the end with an ellipsis if wider than max_width (never scaled down)."""
    t = label(text, palette, size=size, color=color, weight=weight)
    keep = len(text)
    while t.width > max_width and keep > 1:
        keep = max(1, min(keep - 1, int(keep * max_width / t.width)))
        t = label(text[:keep].rstrip() + ELLIPSIS, palette, size=size, color=color, weight=weight)
    return t


class StrutText(VGroup):
    """One line of text whose box spans the font's full ascent and descent, so that words
    with and without descenders ("sat", "deposited") sit on one baseline when centred.

    Made as Text("|" + text + "|") with the two bars invisible. `glyphs` are the visible
    letters; `text` is the string shown. Arguments as for `label`; max_width: cut with an
    ellipsis beyond it (`fitted`).
    """

    def __init__(
        self,
        text: str,
        palette: Palette,
        *,
        size: float = 24,
        color: str | None = None,
        weight: str = "NORMAL",
        max_width: float | None = None,
    ) -> None:
        super().__init__()
        shown = text
        full = label(f"|{shown}|", palette, size=size, color=color, weight=weight)
        if max_width is not None and len(full) > 2:
            bars = full.width - (full[-2].get_right()[0] - full[1].get_left()[0])
            keep = len(text)
            while full.width - bars > max_width and keep > 1:  # cut, as `fitted` does
                keep = max(1, min(keep - 1, int(keep * max_width / (full.width - bars))))
                shown = text[:keep].rstrip() + ELLIPSIS
                full = label(f"|{shown}|", palette, size=size, color=color, weight=weight)
        self.text = shown
        self.full_text = text
        self.struts = VGroup(*full[:1], *full[-1:]).set_opacity(0)
        self.glyphs = VGroup(*full[1:-1])
        self.add(self.struts, self.glyphs)
        self._size = (size, self.struts.height)

    @property
    def font_size(self) -> float:
        """The font size as drawn (it follows scaling)."""
        size, height = self._size
        return size * self.struts.height / height

    def set_glyph_color(self, color: str, opacity: float = 1.0) -> StrutText:
        self.glyphs.set_color(color).set_opacity(opacity)
        return self


# ---- animations that copy nothing ---------------------------------------------------------
# Manim's Animation.begin deep-copies its mobject (and Transform-based FadeIn/FadeOut two
# more copies): for a panel of texts that is most of a render's time. These change the
# mobject in place and keep only what they need.


class InPlace(Animation):
    """An Animation that does not copy its mobject when it begins."""

    def create_starting_mobject(self) -> Mobject:
        return self.target  # the mobject itself: nothing reads a starting copy

    @property
    def target(self) -> Mobject:
        """The animated mobject (Cairo renderer: a Mobject)."""
        m = self.mobject
        assert isinstance(m, Mobject)
        return m


def _opacities(m: Mobject) -> list[tuple[VMobject, float, float, float]]:
    return [
        (v, v.get_fill_opacity(), v.get_stroke_opacity(), v.get_stroke_opacity(background=True))
        for v in m.family_members_with_points()
        if isinstance(v, VMobject)
    ]


def _scale_opacities(rows: list[tuple[VMobject, float, float, float]], level: float) -> None:
    for v, f, s, bs in rows:
        v.set_fill(opacity=f * level, family=False)
        v.set_stroke(opacity=s * level, family=False)
        if bs:
            v.set_stroke(opacity=bs * level, background=True, family=False)


class Fade(InPlace):
    """FadeIn (out=False) or FadeOut (out=True) with no copies and no shift: every part's
    opacity goes from 0 to what it is (or back); a faded-out mobject gets its opacities back
    once it has left the scene, ready to come back."""

    def __init__(self, mobject: Mobject, out: bool = False, **kwargs: Any) -> None:
        self.out = out
        super().__init__(mobject, introducer=not out, remover=out, **kwargs)

    def begin(self) -> None:
        self.rows = _opacities(self.target)
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        _scale_opacities(self.rows, 1.0 - a if self.out else a)

    def clean_up_from_scene(self, scene: Any) -> None:
        super().clean_up_from_scene(scene)
        if self.out:
            _scale_opacities(self.rows, 1.0)


def swap(old: Sequence[Mobject], new: Sequence[Mobject], **kwargs: Any) -> list[Animation]:
    """`old` fades out over the first half of the time, then `new` fades in: what takes the
    place of a text never shows through it (two texts crossfading in one place are glyph
    soup while they do)."""
    return [
        *(Fade(m, out=True, rate_func=_first_half, **kwargs) for m in old),
        *(Fade(m, rate_func=_second_half, **kwargs) for m in new),
    ]


def _first_half(t: float) -> float:
    return float(smooth(min(1.0, 2 * t)))


def _second_half(t: float) -> float:
    return float(smooth(max(0.0, 2 * t - 1)))


class Dim(InPlace):
    """Fade a mobject to `level` times its opacities as they were the first time it was
    dimmed (1: back to those)."""

    def __init__(self, mobject: Mobject, level: float, **kwargs: Any) -> None:
        self.level = level
        super().__init__(mobject, **kwargs)

    def begin(self) -> None:
        m = self.target
        if m not in _UNDIMMED:
            _UNDIMMED[m] = _opacities(m)
        self.from_level = _LEVELS.get(m, 1.0)
        _LEVELS[m] = self.level
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        level = self.from_level + (self.level - self.from_level) * a
        _scale_opacities(_UNDIMMED[self.target], level)


# Per mobject that Dim touched: its opacities before it was first dimmed, and its level now.
_UNDIMMED: weakref.WeakKeyDictionary[Mobject, list[tuple[VMobject, float, float, float]]] = (
    weakref.WeakKeyDictionary()
)
_LEVELS: weakref.WeakKeyDictionary[Mobject, float] = weakref.WeakKeyDictionary()


# ---- numbers that count ----------------------------------------------------------------------

_GLYPHS = COUNTER_GLYPHS
SHAPE_ONLY = "#ffffff"  # the colour of texts built only for their outlines and positions
_ATLAS: dict[tuple[str, float, str], dict[str, tuple[np.ndarray, float]]] = {}


def _atlas(size: float, weight: str) -> dict[str, tuple[np.ndarray, float]]:
    """The glyphs a Counter draws, built once per size: char -> (the glyph's outline
    centred on the origin, height above the baseline of its centre)."""
    font, size = typography().font, typography().size(size)
    key = (font, size, weight)
    if key not in _ATLAS:
        t = texts.text(_GLYPHS, font=font, size=size, color=SHAPE_ONLY, weight=weight)
        if len(t) != len(_GLYPHS):  # a kept text that is not this one: a miss, built anew
            t = texts.text(_GLYPHS, font=font, size=size, color=SHAPE_ONLY, weight=weight,
                           fresh=True)  # fmt: skip
        base = t[0].get_bottom()[1]
        _ATLAS[key] = {
            c: (g.points - g.get_center(), float(g.get_center()[1] - base))
            for c, g in zip(_GLYPHS, t, strict=True)
        }
    return _ATLAS[key]


_DESCENT: dict[tuple[str, float], float] = {}


def _descent(size: float) -> float:
    """How far the strut "|" reaches below the baseline (StrutText), at font size `size`."""
    key = (typography().font, typography().size(size))
    if key not in _DESCENT:
        t = texts.text("|H", font=key[0], size=key[1], color=SHAPE_ONLY)
        _DESCENT[key] = float(t[1].get_bottom()[1] - t[0].get_bottom()[1])
    return _DESCENT[key]


_CELLS: dict[tuple[str, str, float, str], list[float]] = {}


def _cells(template: str, size: float, weight: str) -> list[float]:
    """Where a Counter's characters sit: x of each cell's centre from the baseline's start."""
    font, size = typography().font, typography().size(size)
    key = (template, font, size, weight)
    if key not in _CELLS:
        cells = texts.text(template.replace("−", "0"), font=font, size=size, color=SHAPE_ONLY,
                           weight=weight)  # fmt: skip
        x0 = cells[0].get_bottom()[0]
        _CELLS[key] = [float(c.get_center()[0] - x0) for c in cells]
    return _CELLS[key]


class Counter(VGroup):
    """A number shown with fixed decimals that can change in place (see `CountTo`).

    value: the number. size: font size. color: fill colour. digits: decimals. template: the
    widest string it will show ("0.00": one digit before the point); the digits sit in the
    template's places, right-aligned, so they never jump sideways. weight: Pango weight.
    `value` holds the number shown; `text` the string.
    """

    def __init__(
        self,
        value: float,
        *,
        size: float,
        color: str,
        digits: int = 2,
        template: str = "0.00",
        weight: str = "NORMAL",
    ) -> None:
        super().__init__()
        self.font_size = size
        self.digits = digits
        self.outlines = _atlas(size, weight)
        self.offsets = _cells(template, size, weight)
        self.anchor = VectorizedPoint(ORIGIN3)  # moves with the group: the baseline's start
        self.slots = [
            VMobject(fill_color=color, fill_opacity=1.0, stroke_width=0) for _ in self.offsets
        ]
        cells = self.offsets
        self.slot_chars = [""] * len(cells)
        self.color_ = color
        self.add(self.anchor, *self.slots)
        self.value = float("nan")
        self.text = ""
        self.set_value(value)

    @property
    def original_text(self) -> str:
        """The string shown (as `label`'s texts call it)."""
        return self.text

    def set_value(self, value: float) -> Counter:
        text = fmt(value, self.digits)
        if len(text) > len(self.slots):
            raise ValueError(f"{text} does not fit the counter's {len(self.slots)} places")
        self.value, self.text = float(value), text
        chars = [""] * (len(self.slots) - len(text)) + list(text)
        base = self.anchor.get_location()
        for i, (slot, ch) in enumerate(zip(self.slots, chars, strict=True)):
            if ch == self.slot_chars[i]:
                continue
            if ch:  # the glyph's outline, centred on its cell (the slot keeps its style)
                outline, dy = self.outlines[ch]
                slot.points = outline + (base + [self.offsets[i], dy, 0])
            else:
                slot.clear_points()
            self.slot_chars[i] = ch
        return self


class CountTo(InPlace):
    """Count a Counter from its value to `value` (Manim's ChangeDecimalToValue, for Counter).
    fade_in: the number also fades in from invisible."""

    def __init__(
        self, counter: Counter, value: float, fade_in: bool = False, **kwargs: Any
    ) -> None:
        self.start_value, self.end_value, self.fade_in = counter.value, float(value), fade_in
        self.counter = counter
        super().__init__(counter, **kwargs)

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        self.counter.set_value(self.start_value + (self.end_value - self.start_value) * a)
        if self.fade_in:
            for slot in self.counter.slots:
                slot.set_fill(opacity=min(1.0, 3 * a))


# ---- words --------------------------------------------------------------------------------


class TokenChip(VGroup):
    """A word in a rounded box.

    text: the word as typed. palette: theme. role: "target", "context" or "excluded"
      (excluded tokens are drawn faint without a border). color: the sentence's colour.
    size: font size. max_width: a longer word is cut with an ellipsis (`fitted`).
    """

    def __init__(
        self,
        text: str,
        palette: Palette,
        *,
        role: str = "context",
        color: str | None = None,
        size: float = 26,
        max_width: float | None = None,
    ) -> None:
        super().__init__()
        color = color or palette.text
        text_color = palette.muted if role == "excluded" else palette.text
        weight = chip_weight(role)
        self.word = StrutText(
            text, palette, size=size, color=text_color, weight=weight, max_width=max_width
        )
        pad_w, pad_h = CHIP_PAD
        self.box = RoundedRectangle(
            corner_radius=CHIP_CORNER,
            width=self.word.width + 2 * pad_w,
            height=self.word.height + 2 * pad_h,
            stroke_width=0 if role == "excluded" else (3 if role == "target" else 1.5),
            stroke_color=color if role == "target" else palette.faint,
            fill_color=palette.chip_fill if role != "target" else color,
            fill_opacity=0.0 if role == "excluded" else (0.35 if role == "target" else 1.0),
        )
        self.word.move_to(self.box)
        self.role = role
        self.color_ = color
        self.add(self.box, self.word)

    def outline(self, width: float = 3.5) -> RoundedRectangle:
        """A ring around the chip in its sentence's colour: the word has joined (the chip's
        text stays as it is, readable)."""
        ring = RoundedRectangle(
            corner_radius=RING_CORNER,
            width=self.box.width + 2 * RING_GAP,
            height=self.box.height + 2 * RING_GAP,
            stroke_width=width,
            stroke_color=self.color_,
            fill_opacity=0.0,
        )
        return ring.move_to(self.box)


def chip_rows(
    chips: Sequence[VMobject],
    max_width: float,
    buff: float = 0.1,
    row_buff: float = 0.12,
    aligned_edge: np.ndarray | None = None,
) -> VGroup:
    """Chips arranged left to right, wrapped into rows no wider than max_width; rows centred
    (or aligned to `aligned_edge`, e.g. LEFT)."""
    rows = [[chips[i] for i in r] for r in wrap([c.width for c in chips], max_width, buff)]
    group = VGroup(*[VGroup(*r).arrange(RIGHT, buff=buff) for r in rows])
    if aligned_edge is None:
        return group.arrange(DOWN, buff=row_buff)
    return group.arrange(DOWN, buff=row_buff, aligned_edge=aligned_edge)


# ---- weights ------------------------------------------------------------------------------


class WeightBars(VGroup):
    """Attention weights as labelled horizontal bars, one row per word.

    words: the row labels. weights: one number per row in [0, 1] (None: not attending yet,
      drawn faint with no bar). palette: theme. color: bar colour. colors: per-row bar colour
      overriding `color` where not None (e.g. greyed [special] attention). bar_width: length of a
      bar of weight 1. size: font size. row_height: distance between rows. name_width: longer
      row labels are cut with an ellipsis. bold: rows whose label is bold (the target).

    `to(weights)` gives the animations to new weights: bars change length, numbers count.
    `names[i]`, `bars[i]`, `values[i]` (Counters) are the parts of row i.
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
        name_width: float | None = None,
        bold: Sequence[int] = (),
    ) -> None:
        super().__init__()
        self.pal, self.bar_width = palette, bar_width
        self.weights: list[float | None] = list(weights)
        self.names: list[StrutText] = []
        self.tracks: list[Line] = []
        self.bars: list[Rectangle] = []
        self.values: list[Counter] = []
        self.rows = VGroup()
        for i, (word, w) in enumerate(zip(words, weights, strict=True)):
            y = -i * row_height
            name = StrutText(
                word,
                palette,
                size=size,
                weight="BOLD" if i in bold else "NORMAL",
                max_width=name_width,
            )
            name.shift(
                np.array([-NAME_GAP - name.get_right()[0], y - name.struts.get_center()[1], 0])
            )
            track = Line((0, y, 0.0), (bar_width, y, 0.0), stroke_width=1, color=palette.faint)
            row_color = (colors[i] if colors is not None else None) or color
            bar = Rectangle(
                width=1, height=row_height * BAR_HEIGHT, stroke_width=0, fill_color=row_color
            )
            value = Counter(w or 0.0, size=size, color=palette.text)
            value.next_to((bar_width, y, 0.0), RIGHT, buff=VALUE_GAP)
            baseline = name.struts.get_bottom()[1] + _descent(size)
            value.shift(np.array([0, baseline - value.anchor.get_location()[1], 0]))  # on the line
            self._set_bar(bar, track, w or 0.0)
            self._set_active(name, bar, value, w is not None)
            self.names.append(name)
            self.tracks.append(track)
            self.bars.append(bar)
            self.values.append(value)
            self.rows.add(VGroup(name, track, bar, value))
        self.add(self.rows)

    def _set_bar(self, bar: Rectangle, track: Line, w: float) -> None:
        x0, y, _ = track.get_start()
        length = max(self.bar_width * w, MIN_BAR)
        h = bar.height
        bar.set_points_as_corners(
            np.array([[x0, y + h / 2, 0], [x0 + length, y + h / 2, 0], [x0 + length, y - h / 2, 0],
                      [x0, y - h / 2, 0], [x0, y + h / 2, 0]])
        )  # fmt: skip

    def _set_active(self, name: StrutText, bar: Rectangle, value: Counter, on: bool) -> None:
        if on:
            name.set_glyph_color(self.pal.text)
            bar.set_fill(opacity=0.9)
            value.set_fill(opacity=1.0)
        else:
            name.set_glyph_color(self.pal.muted, 0.6)
            bar.set_fill(opacity=0.0)
            value.set_fill(opacity=0.0)

    def to(self, weights: Sequence[float | None], **kwargs: Any) -> list[Animation]:
        """Animations from the shown weights to `weights` (rows that become active light up).
        kwargs: for every animation (e.g. rate_func)."""
        anims: list[Animation] = []
        for i, w in enumerate(weights):
            old = self.weights[i]
            if w is None or w == old:
                continue
            activate = old is None
            anims.append(_BarTo(self, i, old or 0.0, w, activate, **kwargs))
            anims.append(CountTo(self.values[i], w, fade_in=activate, **kwargs))
            if activate:
                anims.append(
                    _Lighten(self.names[i].glyphs, self.pal.muted, self.pal.text, **kwargs)
                )
            self.weights[i] = w
        return anims

    def set_weights(self, weights: Sequence[float | None]) -> WeightBars:
        """Jump to `weights` (no animation)."""
        for i, w in enumerate(weights):
            self._set_bar(self.bars[i], self.tracks[i], w or 0.0)
            self.values[i].set_value(w or 0.0)
            self._set_active(self.names[i], self.bars[i], self.values[i], w is not None)
            self.weights[i] = w
        return self


class _BarTo(InPlace):
    """One bar of a WeightBars growing or shrinking from its left end."""

    def __init__(
        self, bars: WeightBars, i: int, w0: float, w1: float, activate: bool, **kwargs: Any
    ) -> None:
        self.bars, self.i, self.w0, self.w1, self.activate = bars, i, w0, w1, activate
        self.bar = bars.bars[i]
        super().__init__(self.bar, **kwargs)

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        b = self.bars
        b._set_bar(self.bar, b.tracks[self.i], self.w0 + (self.w1 - self.w0) * a)
        if self.activate:
            self.bar.set_fill(opacity=0.9 * min(1.0, 3 * a))


class _Lighten(InPlace):
    """Glyphs going from a faint colour to the text colour (a row that joins)."""

    def __init__(self, glyphs: VGroup, start: str, end: str, **kwargs: Any) -> None:
        self.colors = (ManimColor(start), ManimColor(end))
        self.glyphs = glyphs
        super().__init__(glyphs, **kwargs)

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        color = self.colors[0].interpolate(self.colors[1], a)
        self.glyphs.set_fill(color, opacity=0.6 + 0.4 * a)


# ---- the plot -------------------------------------------------------------------------------


class VectorArrow(VGroup):
    """An arrow from `start` to `end` that can be re-pointed cheaply (`put`): a shaft and a
    triangular tip whose size never changes (Manim's Arrow scales its tip when transformed).

    color, width (stroke width of the shaft), tip_length, tip_width: style; opacity.
    """

    def __init__(
        self,
        start: PointLike,
        end: PointLike,
        *,
        color: str,
        width: float = 6,
        tip_length: float = 0.24,
        tip_width: float = 0.2,
        opacity: float = 1.0,
    ) -> None:
        super().__init__()
        self.tip_length, self.tip_width = tip_length, tip_width
        self.shaft = Line(ORIGIN3, RIGHT3, stroke_width=width, color=color, stroke_opacity=opacity)
        self.tip = Polygon(
            ORIGIN3, RIGHT3, UP3, stroke_width=0, fill_color=color, fill_opacity=opacity
        )
        self.add(self.shaft, self.tip)
        self.put(start, end)

    def _shape(
        self, start: PointLike, end: PointLike
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
        """(start, end, unit direction, the tip's base) as 3-D points, and the tip's length
        (scenes.figure.widgets.arrow_shape)."""
        return arrow_shape(start, end, self.tip_length)

    def put(self, start: PointLike, end: PointLike) -> VectorArrow:
        s, e, u, base, tl = self._shape(start, end)
        tw = self.tip_width * (tl / self.tip_length if self.tip_length else 1.0)
        perp = np.array([-u[1], u[0], 0.0])
        self.shaft.set_points_as_corners([s, base + u * 0.02])
        self.tip.set_points_as_corners([e, base + perp * tw / 2, base - perp * tw / 2, e])
        self.start, self.end = s, e
        return self

    def segments(
        self, start: PointLike | None = None, end: PointLike | None = None
    ) -> list[tuple[float, float, float, float, float]]:
        """The arrow (or the same arrow from start to end) as thick segments (shaft, tip),
        for the layout check, in scene units."""
        return arrow_segments(
            self.start if start is None else start,
            self.end if end is None else end,
            self.shaft.get_stroke_width(),
            self.tip_length,
            self.tip_width,
        )


ORIGIN3 = np.array([0.0, 0.0, 0.0])
RIGHT3 = np.array([1.0, 0.0, 0.0])
UP3 = np.array([0.0, 1.0, 0.0])


class Connector(VMobject):
    """A dashed line from a word's point to the arrow's tip: the word's pull (re-pointed
    cheaply with `put`: the dashes are one path, not one mobject each).

    color, width (stroke width), dash: dash length (the gaps are as long), opacity.
    bend: 0 for a straight line; else the line bows sideways by bend × its length (to the
    left of start -> end for bend > 0), so that a pull that would lie on an arrow is seen.
    """

    def __init__(
        self,
        start: PointLike,
        end: PointLike,
        *,
        color: str,
        width: float = 3,
        dash: float = 0.09,
        opacity: float = 1.0,
        bend: float = 0.0,
    ) -> None:
        super().__init__(stroke_color=color, stroke_width=width, stroke_opacity=opacity)
        self.dash, self.bend = dash, bend
        self.put(start, end)

    def put(self, start: PointLike, end: PointLike) -> Connector:
        a = np.array([start[0], start[1], 0.0])
        b = np.array([end[0], end[1], 0.0])
        length = float(np.linalg.norm(b - a)) * (1 + 2.7 * self.bend**2)  # the arc's, about
        n = max(1, int(length / (2 * self.dash)))
        t0 = np.arange(n) / n  # [n] dash starts along the line
        t1 = t0 + 0.5 / n
        p0, p1 = bowed(a, b, self.bend, t0), bowed(a, b, self.bend, t1)  # [n, 3] each
        curves = np.stack([p0, p0 + (p1 - p0) / 3, p0 + 2 * (p1 - p0) / 3, p1], axis=1)
        self.points = curves.reshape(-1, 3)  # [n, 4, 3] -> [4n, 3]: one cubic per dash
        return self


class OriginMark(VGroup):
    """The origin of the vector space: a small cross (never a dot, which would read as a word).

    point: where. color. arm: half the cross's width. width: stroke width.
    """

    def __init__(
        self, point: PointLike, *, color: str, arm: float = ORIGIN_ARM, width: float = 3.5
    ) -> None:
        super().__init__()
        x, y = float(point[0]), float(point[1])
        self.add(
            Line((x - arm, y, 0.0), (x + arm, y, 0.0), stroke_width=width, color=color),
            Line((x, y - arm, 0.0), (x, y + arm, 0.0), stroke_width=width, color=color),
        )


class Badge(VGroup):
    """A sentence's number in a disc of its colour: ties a sentence's row, arrow and equation.

    number: shown (1-based). palette: theme (the digit is drawn in the background's contrast
    colour). color: the disc. size: font size of the digit.
    """

    def __init__(self, number: int, palette: Palette, *, color: str, size: float = 22) -> None:
        super().__init__()
        digit = label(str(number), palette, size=size, color=palette.chip_fill, weight="BOLD")
        disc = Circle(radius=BADGE_RADIUS, stroke_width=0, fill_color=color, fill_opacity=1.0)
        digit.move_to(disc)
        self.digit, self.disc = digit, disc
        self.font_size = size
        self.add(disc, digit)


class EdgeMarker(Polygon):
    """A word whose point lies outside the view: a small dart at the view's edge, pointing
    towards where the word really is. A notched dart, twice as long as it is wide, reads as
    a direction at a glance; an equilateral triangle does not (one pointing up-left reads
    as pointing down).

    point: where the marker sits. direction: towards the word (2-D). color. size: length.
    """

    def __init__(
        self, point: PointLike, direction: PointLike, *, color: str, size: float = 0.3
    ) -> None:
        super().__init__(
            *dart_points(point, direction, size), stroke_width=0, fill_color=color,
            fill_opacity=1.0,
        )  # fmt: skip


class TrailDot(Dot):
    """A dot marking where the moving vector was at an earlier step."""

    def __init__(self, point: PointLike, palette: Palette, color: str) -> None:
        super().__init__(point=np.array([point[0], point[1], 0.0]), radius=0.055, color=color)


def stacked(*mobjects: VGroup | Text, buff: float = 0.1) -> VGroup:
    """Mobjects one under another, left aligned."""
    return VGroup(*mobjects).arrange(DOWN, buff=buff, aligned_edge=LEFT)
