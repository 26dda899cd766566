"""Label placement that never fails, and the check that every render runs.

Pure geometry on axis-aligned boxes and line segments (no manim), so it is fast and testable
on its own. A box is (x_min, y_min, x_max, y_max) in scene units; a segment is
(x0, y0, x1, y1, half_width).

The check (`check_items`) knows what a reader minds: a text over another text, over a dot, a
mark, an arrow or a trail; anything in the frame's safe margin (2 % of the width on every
side); a text whose capitals are under 12 px tall in the 800×450 GIF; more than three text
sizes. Items shown at different times (two sentences' weights panels) carry different
`phase`s and are not compared with each other.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

Box = tuple[float, float, float, float]
Segment = tuple[float, float, float, float, float]

# Frame of a 16:9 Manim scene (frame_height 8).
FRAME: Box = (-64 / 9, -4.0, 64 / 9, 4.0)
SAFE_MARGIN = 0.02 * (FRAME[2] - FRAME[0])  # 2 % of the width, on every side
SAFE: Box = (
    FRAME[0] + SAFE_MARGIN,
    FRAME[1] + SAFE_MARGIN,
    FRAME[2] - SAFE_MARGIN,
    FRAME[3] - SAFE_MARGIN,
)
GIF_PX_PER_UNIT = 800 / (FRAME[2] - FRAME[0])  # 56.25: the GIF is 800×450
CAP_HEIGHT = 0.00992  # Noto Sans: capital height in scene units per font-size unit
MIN_TEXT_PX = 12.0  # capital height in the GIF
MAX_TEXT_SIZES = 3


class LayoutError(RuntimeError):
    """A render's text would be clipped, overlapping, too small, or in the margin."""


def box_at(cx: float, cy: float, w: float, h: float) -> Box:
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def overlap(a: Box, b: Box, pad: float = 0.0) -> bool:
    return not (
        a[2] + pad <= b[0] or b[2] + pad <= a[0] or a[3] + pad <= b[1] or b[3] + pad <= a[1]
    )


def inside(a: Box, bounds: Box, tol: float = 1e-6) -> bool:
    return (
        a[0] >= bounds[0] - tol
        and a[1] >= bounds[1] - tol
        and a[2] <= bounds[2] + tol
        and a[3] <= bounds[3] + tol
    )


def segment_hits_box(seg: Segment, b: Box) -> bool:
    """Does a thick segment touch a box? (Liang-Barsky clipping against the box grown by the
    segment's half width.)"""
    x0, y0, x1, y1, hw = seg
    lo = (b[0] - hw, b[1] - hw)
    hi = (b[2] + hw, b[3] + hw)
    t0, t1 = 0.0, 1.0
    for p0, d, a, c in ((x0, x1 - x0, lo[0], hi[0]), (y0, y1 - y0, lo[1], hi[1])):
        if abs(d) < 1e-12:
            if p0 < a or p0 > c:
                return False
            continue
        ta, tc = (a - p0) / d, (c - p0) / d
        t0, t1 = max(t0, min(ta, tc)), min(t1, max(ta, tc))
        if t0 > t1:
            return False
    return True


def segment_box(seg: Segment) -> Box:
    x0, y0, x1, y1, hw = seg
    return (min(x0, x1) - hw, min(y0, y1) - hw, max(x0, x1) + hw, max(y0, y1) + hw)


def segment_obstacles(seg: Segment, step: float = 0.1) -> list[Box]:
    """Small boxes along a segment, for `place_labels`: they cover at least the segment's
    half width on either side (spaced at most a quarter of their width apart, so that a
    diagonal leaves no notch between them)."""
    x0, y0, x1, y1, hw = seg
    r = max(hw, 0.04)
    n = max(2, int(np.hypot(x1 - x0, y1 - y0) / min(step, r / 2)) + 1)
    return [
        (x - r, y - r, x + r, y + r)
        for x, y in zip(np.linspace(x0, x1, n), np.linspace(y0, y1, n), strict=True)
    ]


def needs_leader(
    anchor: tuple[float, float], centre: tuple[float, float], size: tuple[float, float],
    leader_gap: float,
) -> bool:  # fmt: skip
    """Is a label of `size` at `centre` so far from its anchor (more than leader_gap from
    its box) that the scene draws a leader line to it?"""
    gap_x = max(abs(centre[0] - anchor[0]) - size[0] / 2, 0.0)
    gap_y = max(abs(centre[1] - anchor[1]) - size[1] / 2, 0.0)
    return bool(np.hypot(gap_x, gap_y) > leader_gap)


def place_labels(
    anchors: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    bounds: Box,
    obstacles: Iterable[Box] = (),
    gap: float = 0.1,
    grid: float = 0.12,
    spacing: float = 0.12,
    leader_gap: float | None = None,
) -> list[tuple[float, float]]:
    """Centres for labels of the given sizes near their anchor points.

    Greedy, in the order given: each label takes the first free candidate (inside `bounds`,
    clear of every obstacle and every label placed before it). Candidates are tried nearest
    first: 8 directions around the anchor at growing distances, then every point of a grid
    over `bounds` by distance to the anchor. Labels keep `spacing` from each other. Only if
    nothing is free anywhere does a label take the candidate with the least overlap, which
    the layout check then reports.

    leader_gap: the scene draws a leader line from a label placed farther than this from its
    anchor (`needs_leader`). Such a label also wants its line clear: a free place whose line
    would cross a label placed before is passed over while another is free, and the line,
    once placed, is an obstacle for the labels after it.
    """
    placed = np.array(list(obstacles), dtype=float).reshape(-1, 4)  # [P, 4]
    x0, y0, x1, y1 = bounds
    gx, gy = np.meshgrid(np.arange(x0, x1 + 1e-9, grid), np.arange(y0, y1 + 1e-9, grid))
    grid_pts = np.stack([gx.ravel(), gy.ravel()], axis=1)  # [G, 2]
    dirs = np.array(
        [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)], dtype=float
    )
    centres: list[tuple[float, float]] = []
    label_boxes: list[Box] = []  # the labels placed so far, for their leader lines
    for (ax, ay), (w, h) in zip(anchors, sizes, strict=True):
        clear = functools.partial(_leader_clear, (ax, ay), (w, h), leader_gap, label_boxes)

        rings = [
            np.array([ax, ay]) + dirs * np.array([w / 2 + r, h / 2 + r])
            for r in gap + 0.15 * np.arange(4)
        ]
        near = np.concatenate(rings)  # [R, 2]
        cand, cost = near, _overlap_cost(near, w, h, bounds, placed)
        if not any(clear(cand[i]) for i in np.flatnonzero(cost == 0.0)):
            # nothing free near the anchor: the grid, nearest first
            far = grid_pts[
                np.argsort(np.hypot(grid_pts[:, 0] - ax, grid_pts[:, 1] - ay), kind="stable")
            ]
            parts, costs = [near], [cost]
            for i in range(0, len(far), 256):  # in chunks: stop at the first clear place
                parts.append(far[i : i + 256])
                costs.append(_overlap_cost(parts[-1], w, h, bounds, placed))
                if any(clear(parts[-1][j]) for j in np.flatnonzero(costs[-1] == 0.0)):
                    break
            cand, cost = np.concatenate(parts), np.concatenate(costs)  # [K, 2], [K]
        free = np.flatnonzero(cost == 0.0)
        best = [int(k) for k in free if clear(cand[k])][:1] or [int(k) for k in free[:1]]
        k = best[0] if best else int(np.argmin(cost))
        if not np.isfinite(cost[k]):  # nothing inside the bounds: clamp at the anchor
            c = (min(max(ax, x0 + w / 2), x1 - w / 2), min(max(ay, y0 + h / 2), y1 - h / 2))
        else:
            c = (float(cand[k, 0]), float(cand[k, 1]))
        centres.append(c)
        label_boxes.append(box_at(*c, w, h))
        placed = np.vstack([placed, box_at(*c, w + 2 * spacing, h + 2 * spacing)])
        if leader_gap is not None and needs_leader((ax, ay), c, (w, h), leader_gap):
            line = segment_obstacles((ax, ay, c[0], c[1], 0.02))
            placed = np.vstack([placed, np.array(line, dtype=float).reshape(-1, 4)])
    return centres


def _leader_clear(
    anchor: tuple[float, float],
    size: tuple[float, float],
    leader_gap: float | None,
    label_boxes: Sequence[Box],
    centre: np.ndarray,
) -> bool:
    """Does a label at `centre` need no leader line, or one that crosses none of the
    `label_boxes`?"""
    at = (float(centre[0]), float(centre[1]))
    if leader_gap is None or not needs_leader(anchor, at, size, leader_gap):
        return True
    line = (anchor[0], anchor[1], at[0], at[1], 0.02)
    return not any(segment_hits_box(line, b) for b in label_boxes)


def _overlap_cost(
    cand: np.ndarray, w: float, h: float, bounds: Box, placed: np.ndarray
) -> np.ndarray:
    """For label centres cand [K, 2]: the area overlapping the boxes placed [P, 4] (inf
    outside bounds)."""
    x0, y0, x1, y1 = bounds
    boxes = np.concatenate([cand - [w / 2, h / 2], cand + [w / 2, h / 2]], axis=1)  # [K, 4]
    ok = (boxes[:, 0] >= x0) & (boxes[:, 1] >= y0) & (boxes[:, 2] <= x1) & (boxes[:, 3] <= y1)
    # Only the placed boxes near the candidates can overlap them.
    lo, hi = boxes[:, :2].min(axis=0), boxes[:, 2:].max(axis=0)
    near = placed[
        (placed[:, 2] > lo[0])
        & (placed[:, 0] < hi[0])
        & (placed[:, 3] > lo[1])
        & (placed[:, 1] < hi[1])
    ]  # [P', 4]
    ix = np.minimum(boxes[:, None, 2], near[None, :, 2]) - np.maximum(
        boxes[:, None, 0], near[None, :, 0]
    )  # [K, P']
    iy = np.minimum(boxes[:, None, 3], near[None, :, 3]) - np.maximum(
        boxes[:, None, 1], near[None, :, 1]
    )  # [K, P']
    cost = (np.clip(ix, 0, None) * np.clip(iy, 0, None)).sum(axis=1)  # [K]
    return np.where(ok, cost, np.inf)


@dataclass(frozen=True)
class Problem:
    what: str

    def __str__(self) -> str:
        return self.what


def check(labels: Sequence[tuple[str, Box]], frame: Box = FRAME, pad: float = 0.0) -> list[Problem]:
    """Every named box inside the frame, and no two overlapping. Returns the problems.

    The texts-only check the other scenes use; `check_items` is the whole one.
    """
    problems = [
        Problem(f"{name!r} is outside the frame") for name, b in labels if not inside(b, frame)
    ]
    for i, (na, a) in enumerate(labels):
        for nb, b in labels[i + 1 :]:
            if overlap(a, b, pad):
                problems.append(Problem(f"{na!r} overlaps {nb!r}"))
    return problems


KINDS = ("text", "dot", "mark", "segment")


@dataclass(frozen=True)
class Item:
    """One thing on screen, for `check_items`.

    kind: "text" (box; size: its font size), "dot" (a word's point or marker), "mark" (the
      origin), "segment" (an arrow, a trail: `segment` set, `box` its bounds).
    phase: None when the item can be on screen with anything; items of two different phases
      are never shown together (one sentence's weights panel, then the next one's).
    """

    name: str
    kind: str
    box: Box
    size: float | None = None
    segment: Segment | None = None
    phase: str | None = None


def text_item(name: str, box: Box, size: float, phase: str | None = None) -> Item:
    return Item(name, "text", box, size=size, phase=phase)


def segment_item(name: str, seg: Segment, phase: str | None = None) -> Item:
    return Item(name, "segment", segment_box(seg), segment=seg, phase=phase)


def text_px(size: float) -> float:
    """Capital height in the 800×450 GIF of a text of font size `size`."""
    return size * CAP_HEIGHT * GIF_PX_PER_UNIT


def _together(a: Item, b: Item) -> bool:
    return a.phase is None or b.phase is None or a.phase == b.phase


def _hits(text: Item, other: Item, pad: float) -> bool:
    if other.kind == "segment":
        assert other.segment is not None
        x0, y0, x1, y1, hw = other.segment
        return segment_hits_box((x0, y0, x1, y1, hw + pad), text.box)
    return overlap(text.box, other.box, pad)


def check_items(items: Sequence[Item], safe: Box = SAFE, pad: float = 0.02) -> list[Problem]:
    """The whole layout check: margins, overlaps with texts (closer than `pad` counts as
    touching), text sizes. Returns the problems."""
    problems = [
        Problem(f"{it.name!r} is in the safe margin") for it in items if not inside(it.box, safe)
    ]
    texts = [it for it in items if it.kind == "text"]
    for it in texts:
        assert it.size is not None
        if text_px(it.size) < MIN_TEXT_PX - 1e-6:
            problems.append(
                Problem(f"{it.name!r} is {text_px(it.size):.1f} px tall (at least {MIN_TEXT_PX})")
            )
    sizes = sorted({round(it.size or 0.0, 1) for it in texts})
    if len(sizes) > MAX_TEXT_SIZES:
        problems.append(Problem(f"{len(sizes)} text sizes {sizes}; at most {MAX_TEXT_SIZES}"))
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if _together(a, b) and overlap(a.box, b.box, pad):
                problems.append(Problem(f"{a.name!r} overlaps {b.name!r}"))
    others = [it for it in items if it.kind != "text"]
    for a in texts:
        for b in others:
            if _together(a, b) and _hits(a, b, pad):
                problems.append(Problem(f"{a.name!r} overlaps {b.name!r}"))
    return problems
