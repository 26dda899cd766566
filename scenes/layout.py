"""Label placement that never fails, and the check that every render runs.

Pure geometry on axis-aligned boxes (no manim), so it is fast and testable on its own.
A box is (x_min, y_min, x_max, y_max) in scene units.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Box = tuple[float, float, float, float]

# Frame of a 16:9 Manim scene (frame_height 8).
FRAME: Box = (-64 / 9, -4.0, 64 / 9, 4.0)


class LayoutError(RuntimeError):
    """A render's text would be clipped or overlapping."""


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


def _overlap_area(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0.0) * max(h, 0.0)


def place_labels(
    anchors: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    bounds: Box,
    obstacles: Iterable[Box] = (),
    gap: float = 0.12,
) -> list[tuple[float, float]]:
    """Centres for labels of the given sizes near their anchor points.

    Greedy: each label, in order, takes the first candidate position (8 directions around the
    anchor, at growing distances) that stays inside `bounds` and clears every obstacle and
    every label placed before it; if none does, the candidate with the least overlap.
    """
    placed: list[Box] = list(obstacles)
    centres: list[tuple[float, float]] = []
    dirs = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)]
    for (ax, ay), (w, h) in zip(anchors, sizes, strict=True):
        best: tuple[float, tuple[float, float]] | None = None
        for ring in range(12):
            r = gap + ring * 0.18
            for dx, dy in dirs:
                cx = ax + dx * (w / 2 + r)
                cy = ay + dy * (h / 2 + r)
                b = box_at(cx, cy, w, h)
                if not inside(b, bounds):
                    continue
                cost = sum(_overlap_area(b, p) for p in placed)
                if cost == 0.0:
                    best = (0.0, (cx, cy))
                    break
                if best is None or cost < best[0]:
                    best = (cost, (cx, cy))
            if best is not None and best[0] == 0.0:
                break
        if best is None:  # no candidate inside: clamp at the anchor
            cx = min(max(ax, bounds[0] + w / 2), bounds[2] - w / 2)
            cy = min(max(ay, bounds[1] + h / 2), bounds[3] - h / 2)
            best = (math.inf, (cx, cy))
        centres.append(best[1])
        placed.append(box_at(*best[1], w, h))
    return centres


@dataclass(frozen=True)
class Problem:
    what: str

    def __str__(self) -> str:
        return self.what


def check(labels: Sequence[tuple[str, Box]], frame: Box = FRAME, pad: float = 0.0) -> list[Problem]:
    """Every named box inside the frame, and no two overlapping. Returns the problems."""
    problems = [
        Problem(f"{name!r} is outside the frame") for name, b in labels if not inside(b, frame)
    ]
    for i, (na, a) in enumerate(labels):
        for nb, b in labels[i + 1 :]:
            if overlap(a, b, pad):
                problems.append(Problem(f"{na!r} overlaps {nb!r}"))
    return problems
