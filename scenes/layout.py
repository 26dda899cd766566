"""Label placement that never fails, and the check that every render runs.

Pure geometry on axis-aligned boxes (no manim), so it is fast and testable on its own.
A box is (x_min, y_min, x_max, y_max) in scene units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

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


def place_labels(
    anchors: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    bounds: Box,
    obstacles: Iterable[Box] = (),
    gap: float = 0.1,
    grid: float = 0.12,
) -> list[tuple[float, float]]:
    """Centres for labels of the given sizes near their anchor points.

    Greedy, in the order given: each label takes the first free candidate (inside `bounds`,
    clear of every obstacle and every label placed before it). Candidates are tried nearest
    first: 8 directions around the anchor at growing distances, then every point of a grid
    over `bounds` by distance to the anchor (the scene draws a leader line to a label placed
    far from its point). Only if nothing is free anywhere does a label take the candidate with
    the least overlap, which the layout check then reports.
    """
    placed = np.array(list(obstacles), dtype=float).reshape(-1, 4)  # [P, 4]
    x0, y0, x1, y1 = bounds
    gx, gy = np.meshgrid(np.arange(x0, x1 + 1e-9, grid), np.arange(y0, y1 + 1e-9, grid))
    grid_pts = np.stack([gx.ravel(), gy.ravel()], axis=1)  # [G, 2]
    dirs = np.array(
        [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)], dtype=float
    )
    centres: list[tuple[float, float]] = []
    for (ax, ay), (w, h) in zip(anchors, sizes, strict=True):
        rings = [
            np.array([ax, ay]) + dirs * np.array([w / 2 + r, h / 2 + r])
            for r in gap + 0.15 * np.arange(4)
        ]
        far = grid_pts[
            np.argsort(np.hypot(grid_pts[:, 0] - ax, grid_pts[:, 1] - ay), kind="stable")
        ]
        cand = np.concatenate([*rings, far])  # [K, 2]
        boxes = np.concatenate([cand - [w / 2, h / 2], cand + [w / 2, h / 2]], axis=1)  # [K, 4]
        ok = (boxes[:, 0] >= x0) & (boxes[:, 1] >= y0) & (boxes[:, 2] <= x1) & (boxes[:, 3] <= y1)
        ix = np.minimum(boxes[:, None, 2], placed[None, :, 2]) - np.maximum(
            boxes[:, None, 0], placed[None, :, 0]
        )  # [K, P]
        iy = np.minimum(boxes[:, None, 3], placed[None, :, 3]) - np.maximum(
            boxes[:, None, 1], placed[None, :, 1]
        )  # [K, P]
        cost = (np.clip(ix, 0, None) * np.clip(iy, 0, None)).sum(axis=1)  # [K]
        cost = np.where(ok, cost, np.inf)
        free = np.flatnonzero(cost == 0.0)
        k = int(free[0]) if len(free) else int(np.argmin(cost))
        if not np.isfinite(cost[k]):  # nothing inside the bounds: clamp at the anchor
            c = (min(max(ax, x0 + w / 2), x1 - w / 2), min(max(ay, y0 + h / 2), y1 - h / 2))
        else:
            c = (float(cand[k, 0]), float(cand[k, 1]))
        centres.append(c)
        placed = np.vstack([placed, box_at(*c, w, h)])
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
