"""Pieces shared by the lecture scenes: boxes for the layout check, the sentence header, a
2-D picture of points with labels placed clear of each other, formula strips.

LaTeX is used only for formula skeletons (symbols and numbers); words from a
sentence are always `Text` (Pango, no markup), so no user text ever reaches LaTeX.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import *

from attention_math.plan import Sentence
from scenes.components import TokenChip, chip_rows, label
from scenes.drift import Mapping, fit_mapping
from scenes.layout import Box, place_labels
from scenes.theme import Palette

TOP = 3.85  # the header's top edge
BOTTOM = -3.85  # the footer's bottom edge


def box(m: Mobject) -> Box:
    """The axis-aligned box of a mobject, for `scenes.layout.check`."""
    return (m.get_left()[0], m.get_bottom()[1], m.get_right()[0], m.get_top()[1])


def union(*boxes: Box) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def sentence_chips(
    s: Sentence,
    pal: Palette,
    *,
    max_width: float = 13.4,
    size: float = 24,
    color: str | None = None,
) -> tuple[list[TokenChip], VGroup]:
    """The sentence as chips (target bold and filled, excluded tokens faint), wrapped."""
    chips = []
    for w in s.words:
        role = "target" if w.index == s.target_index else ("context" if w.included else "excluded")
        chips.append(TokenChip(w.text, pal, role=role, color=color or pal.color(0), size=size))
    return chips, chip_rows(chips, max_width=max_width)


def fit_header(
    group: Mobject, *, max_height: float = 1.6, max_width: float = 13.8, top: float = TOP
) -> Mobject:
    """Scale a header down to fit and put it at the top, centred."""
    if group.height > max_height:
        group.scale_to_fit_height(max_height)
    if group.width > max_width:
        group.scale_to_fit_width(max_width)
    return group.move_to([0, top - group.height / 2, 0])  # type: ignore[arg-type]


def fit_into(group: Mobject, area: Box, *, align: str = "center") -> Mobject:
    """Scale `group` down (never up) to fit `area` and place it there (top-aligned)."""
    w, h = area[2] - area[0], area[3] - area[1]
    if group.height > h:
        group.scale_to_fit_height(h)
    if group.width > w:
        group.scale_to_fit_width(w)
    x = {"left": area[0] + group.width / 2, "right": area[2] - group.width / 2}.get(
        align, (area[0] + area[2]) / 2
    )
    return group.move_to([x, area[3] - group.height / 2, 0])  # type: ignore[arg-type]


def picture_mapping(points: Sequence[Sequence[float]], area: Box, margin: float = 0.45) -> Mapping:
    """Plan 2-D points -> scene coordinates inside `area`, keeping the aspect ratio."""
    return fit_mapping(np.asarray(points, dtype=float), area, margin)


def place_point_labels(
    labels: Sequence[Mobject],
    anchors: Sequence[np.ndarray],
    area: Box,
    lines: Sequence[tuple[np.ndarray, np.ndarray]] = (),
    pal: Palette | None = None,
    points: Sequence[np.ndarray] = (),
) -> VGroup:
    """Move each label next to its anchor point, clear of the others, of every anchor point,
    of other `points` (unlabelled dots) and of the given line segments (arrows); returns
    leader lines for labels placed far from their point."""
    spots = [a[:2] for a in anchors] + [p[:2] for p in points]
    for a, b in lines:
        n = max(2, int(np.linalg.norm(b[:2] - a[:2]) / 0.1))
        spots += [a[:2] + (b[:2] - a[:2]) * f for f in np.linspace(0, 1, n)]
    obstacles: list[Box] = [(p[0] - 0.07, p[1] - 0.07, p[0] + 0.07, p[1] + 0.07) for p in spots]
    centres = place_labels(
        [tuple(a[:2]) for a in anchors],
        [(m.width, m.height) for m in labels],
        area,
        obstacles=obstacles,
    )
    leaders = VGroup()
    for m, c, a in zip(labels, centres, anchors, strict=True):
        m.move_to([c[0], c[1], 0])  # type: ignore[arg-type]
        gap_x = max(abs(c[0] - a[0]) - m.width / 2, 0.0)
        gap_y = max(abs(c[1] - a[1]) - m.height / 2, 0.0)
        if np.hypot(gap_x, gap_y) > 0.45 and pal is not None:
            end = m.get_critical_point(np.sign([a[0] - c[0], a[1] - c[1], 0]))
            leaders.add(
                Line([a[0], a[1], 0], end, stroke_width=1, color=pal.muted, stroke_opacity=0.6)  # type: ignore[arg-type]
            )
    return leaders


def vector_arrow(
    start: np.ndarray, end: np.ndarray, color: str, width: float = 4, opacity: float = 1.0
) -> Arrow:
    """An arrow from start to end with a tip that stays small on short arrows."""
    return Arrow(
        start,
        end,
        buff=0,
        color=color,
        stroke_width=width,
        max_tip_length_to_length_ratio=0.2,
        tip_length=0.18,
        max_stroke_width_to_length_ratio=12,
    ).set_opacity(opacity)


def caption(text: str, pal: Palette, size: float = 18) -> Text:
    return label(text, pal, size=size, color=pal.muted)
