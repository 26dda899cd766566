"""The figure's widgets as geometry (no drawing): a text's box (`label`, `fitted`), a strut
text's (StrutText), a chip's (TokenChip), a badge's, a counter's (Counter), a weight row's
parts (WeightBars). scenes.components draws with these numbers and rules; the figure builder
(scenes.figure.build) computes every box from them. Boxes are (x_min, y_min, x_max, y_max) in
scene units, y up; a text's box is where Pango puts its ink (scenes.figure.measure), moved
as a whole by its caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from scenes.figure.measure import LRM, glyph_boxes
from scenes.figure.names import ELLIPSIS, fmt
from scenes.theme import typography

Box = tuple[float, float, float, float]
PointLike = Sequence[float] | np.ndarray  # a point: (x, y) or (x, y, z)

CHIP_PAD = (0.07, 0.05)  # a chip's box round its strut text: across, up and down
CHIP_CORNER = 0.08
RING_GAP = 0.03  # a joined word's ring lies this far outside its chip
RING_CORNER = 0.1
BADGE_RADIUS = 0.19  # a sentence's badge: a disc
NAME_GAP = 0.15  # a weight row's name ends this far left of its track
VALUE_GAP = 0.15  # its number starts this far right of the track's end
BAR_HEIGHT = 0.55  # a bar's height, × the row height
MIN_BAR = 0.02  # a bar's least length (a weight of 0 still shows where the bar starts)
COUNTER_GLYPHS = "0123456789.−"  # what a Counter draws, each glyph once per size


def union(boxes: Iterable[Box]) -> Box:
    bs = list(boxes)
    return (
        min(b[0] for b in bs),
        min(b[1] for b in bs),
        max(b[2] for b in bs),
        max(b[3] for b in bs),
    )


def moved(box: Box, dx: float, dy: float) -> Box:
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def width(box: Box) -> float:
    return box[2] - box[0]


def height(box: Box) -> float:
    return box[3] - box[1]


def centre(box: Box) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def top_left(box: Box, left: float, top: float) -> Box:
    """The box moved so that its top left corner is at (left, top)."""
    return moved(box, left - box[0], top - box[3])


def glyphs(string: str, size: float, weight: str = "NORMAL") -> tuple[Box, ...]:
    """Each glyph's box of a `scenes.texts.text` (no left-to-right mark), y up, at the
    typography in use (the nominal size mapped as `label` maps it)."""
    ty = typography()
    boxes = glyph_boxes(string, ty.size(size), weight, ty.font)
    return tuple((x0, -y1, x1, -y0) for x0, y0, x1, y1 in boxes)


def text_box(text: str, size: float, weight: str = "NORMAL") -> Box:
    """The box of `label(text, size=size, weight=weight)` ((0, 0, 0, 0) without ink)."""
    boxes = glyphs(LRM + text, size, weight)
    return union(boxes) if boxes else (0.0, 0.0, 0.0, 0.0)


def fitted_text(
    text: str, size: float, max_width: float, weight: str = "NORMAL"
) -> tuple[str, Box]:
    """`fitted`: the text cut at the end with an ellipsis while wider than max_width (never
    scaled down); the text shown and its box."""
    box, shown, keep = text_box(text, size, weight), text, len(text)
    while width(box) > max_width and keep > 1:
        keep = max(1, min(keep - 1, int(keep * max_width / width(box))))
        shown = text[:keep].rstrip() + ELLIPSIS
        box = text_box(shown, size, weight)
    return shown, box


@dataclass(frozen=True)
class StrutBox:
    """A StrutText's geometry: the text shown; its whole box, its struts' (the invisible
    bars "|" either side) and its glyphs' (the ink between them)."""

    text: str
    full: Box
    struts: Box
    ink: Box

    def moved(self, dx: float, dy: float) -> StrutBox:
        return StrutBox(self.text, moved(self.full, dx, dy), moved(self.struts, dx, dy),
                        moved(self.ink, dx, dy))  # fmt: skip


def _strut_parts(text: str, size: float, weight: str) -> tuple[Box, ...]:
    return glyphs(f"{LRM}|{text}|", size, weight)


def strut_text(
    text: str, size: float, weight: str = "NORMAL", max_width: float | None = None
) -> StrutBox:
    """StrutText(text, size=size, weight=weight, max_width=max_width)'s geometry: made as
    "|text|", cut with an ellipsis while its ink is wider than max_width."""
    shown, parts = text, _strut_parts(text, size, weight)
    if max_width is not None and len(parts) > 2:
        bars = width(union(parts)) - (parts[-2][2] - parts[1][0])
        keep = len(text)
        while width(union(parts)) - bars > max_width and keep > 1:
            keep = max(1, min(keep - 1, int(keep * max_width / (width(union(parts)) - bars))))
            shown = text[:keep].rstrip() + ELLIPSIS
            parts = _strut_parts(shown, size, weight)
    struts = union((parts[0], parts[-1]))
    inner = parts[1:-1]
    cx, cy = centre(struts)
    ink = union(inner) if inner else (cx, cy, cx, cy)
    return StrutBox(shown, union(parts), struts, ink)


def chip_box(word: StrutBox) -> Box:
    """A TokenChip's box (its rounded box), centred on its word."""
    cx, cy = centre(word.full)
    w, h = width(word.full) / 2 + CHIP_PAD[0], height(word.full) / 2 + CHIP_PAD[1]
    return (cx - w, cy - h, cx + w, cy + h)


def chip_weight(role: str) -> str:
    """A chip's word is bold for the target."""
    return "BOLD" if role == "target" else "NORMAL"


def ring_box(chip: Box) -> Box:
    """The ring round a joined word's chip (TokenChip.outline)."""
    return (chip[0] - RING_GAP, chip[1] - RING_GAP, chip[2] + RING_GAP, chip[3] + RING_GAP)


def badge_box(number: int, size: float) -> Box:
    """A Badge's box, centred on the origin: its disc (or its digit, were it larger)."""
    digit = text_box(str(number), size, "BOLD")
    w = max(BADGE_RADIUS, width(digit) / 2)
    h = max(BADGE_RADIUS, height(digit) / 2)
    return (-w, -h, w, h)


def descent(size: float) -> float:
    """How far the strut "|" reaches below the baseline (the bottom of "H"), at a size."""
    bar, h = glyphs("|H", size)[:2]
    return h[1] - bar[1]


def counter_box(value: float, size: float, digits: int = 2, template: str = "0.00",
                weight: str = "NORMAL") -> Box:  # fmt: skip
    """A Counter's box showing `value`, with its anchor (the baseline's start, part of it)
    at the origin: each glyph of COUNTER_GLYPHS centred on its cell of the template."""
    atlas = glyphs(COUNTER_GLYPHS, size, weight)
    base = atlas[0][1]
    cells = glyphs(template.replace("−", "0"), size, weight)
    x0 = centre(cells[0])[0]
    text = fmt(value, digits)
    chars = [""] * (len(cells) - len(text)) + list(text)
    boxes: list[Box] = [(0.0, 0.0, 0.0, 0.0)]
    for cell, ch in zip(cells, chars, strict=True):
        if ch:
            g = atlas[COUNTER_GLYPHS.index(ch)]
            dx, dy = centre(cell)[0] - x0, centre(g)[1] - base
            hw, hh = width(g) / 2, height(g) / 2
            boxes.append((dx - hw, dy - hh, dx + hw, dy + hh))
    return union(boxes)


@dataclass(frozen=True)
class BarRow:
    """One row of WeightBars, in the bars' own frame (row i's track at y = -i × row height,
    from x = 0): its name, track, bar and number."""

    name: StrutBox
    track: Box
    bar: Box
    value: Box

    def moved(self, dx: float, dy: float) -> BarRow:
        return BarRow(self.name.moved(dx, dy), moved(self.track, dx, dy),
                      moved(self.bar, dx, dy), moved(self.value, dx, dy))  # fmt: skip

    @property
    def box(self) -> Box:
        return union((self.name.full, self.track, self.bar, self.value))


def bar_rows(
    words: Sequence[str],
    weights: Sequence[float | None],
    *,
    bar_width: float,
    size: float,
    row_height: float,
    name_width: float | None,
    bold: Sequence[int] = (),
) -> list[BarRow]:
    """WeightBars' rows: each name right-aligned NAME_GAP before its track, centred on it by
    its struts; the number VALUE_GAP after the track, on the name's baseline."""
    rows = []
    for i, (word, w) in enumerate(zip(words, weights, strict=True)):
        y = -i * row_height
        name = strut_text(word, size, "BOLD" if i in bold else "NORMAL", name_width)
        name = name.moved(-NAME_GAP - name.full[2], y - centre(name.struts)[1])
        baseline = name.struts[1] + descent(size)
        value = counter_box(w or 0.0, size)
        value = moved(value, bar_width + VALUE_GAP - value[0], baseline)
        h = row_height * BAR_HEIGHT
        bar = (0.0, y - h / 2, max(bar_width * (w or 0.0), MIN_BAR), y + h / 2)
        rows.append(BarRow(name, (0.0, y, bar_width, y), bar, value))
    return rows


def wrap(widths: Sequence[float], max_width: float, gap: float) -> list[list[int]]:
    """Items of these widths left to right, `gap` apart, wrapped into rows no wider than
    max_width (an item wider than that alone on its row): the indices in each row."""
    rows: list[list[int]] = [[]]
    used = 0.0
    for i, w in enumerate(widths):
        if rows[-1] and used + gap + w > max_width:
            rows.append([])
            used = 0.0
        used += (gap if rows[-1] else 0.0) + w
        rows[-1].append(i)
    return rows


def arrow_shape(
    start: PointLike, end: PointLike, tip_length: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """A VectorArrow from start to end: (start, end, unit direction, the tip's base) as 3-D
    points, and the tip's length (a very short arrow keeps a tip in proportion)."""
    s = np.array([start[0], start[1], 0.0])
    e = np.array([end[0], end[1], 0.0])
    n = float(np.linalg.norm(e - s))
    u = (e - s) / n if n > 1e-9 else np.array([1.0, 0.0, 0.0])
    tl = min(tip_length, 0.6 * n)
    return s, e, u, e - u * tl, tl


def arrow_segments(
    start: PointLike, end: PointLike, width: float, tip_length: float,
    tip_width: float,
) -> list[tuple[float, float, float, float, float]]:  # fmt: skip
    """A VectorArrow as thick segments (shaft, tip) for the layout check, in scene units
    (a stroke width of 100 is 1 unit, as Manim draws it)."""
    s, e, _, base, _ = arrow_shape(start, end, tip_length)
    return [
        (float(s[0]), float(s[1]), float(base[0]), float(base[1]), width / 200),
        (float(base[0]), float(base[1]), float(e[0]), float(e[1]), tip_width / 2),
    ]


def dart_points(point: PointLike, direction: PointLike, size: float) -> list[np.ndarray]:
    """An EdgeMarker's corners: a notched dart `size` long at `point`, pointing along
    `direction` (tip, one wing, the notch, the other wing)."""
    u = np.array([direction[0], direction[1], 0.0], dtype=float)
    u /= max(float(np.linalg.norm(u)), 1e-9)
    perp = np.array([-u[1], u[0], 0.0])
    p = np.array([point[0], point[1], 0.0])
    tip = p + u * size * 0.6
    back = p - u * size * 0.4
    notch = back + u * size * 0.3
    return [tip, back + perp * size * 0.27, notch, back - perp * size * 0.27]


def points_box(points: Sequence[PointLike]) -> Box:
    """The box of some points (a polygon's corners)."""
    xs, ys = [float(p[0]) for p in points], [float(p[1]) for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


DOT_RADIUS = (0.045, 0.07)  # a word's dot: unlabelled, labelled
RING_RADIUS = 0.2  # a word at the origin: a ring round it
DIAMOND = 0.15  # a group of words: a square this wide, turned 45°
DART = (0.22, 0.36)  # a word off view: its dart's length, unlabelled, labelled
ORIGIN_ARM = 0.15  # half the origin's cross
KEY_DART, KEY_RING, KEY_DIAMOND = 0.26, 0.09, 0.12  # the key's marks
KEY_ARROW = 0.6  # the key's static vector: an arrow this long
