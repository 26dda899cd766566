"""Edge darts spread apart (no drawing). A word off view is drawn as a dart on the view's
edge where the line towards it leaves the view; words off view at nearly one bearing would
stack their darts on one spot, and then neither dart nor label can be told apart. Along
each edge of each view the darts are moved apart just enough that their boxes keep GAP
between them and off the other marks near the edge (the dots, rings and diamonds in view,
the origin's cross, the darts of the other edges), in their order along the edge and each
as near its own spot as the others allow (least squares: pool adjacent violators); two
labelled darts on a side edge a line of labels apart (PITCH) where that fits. A dart may
pass a mark in view to where there is room (the way that moves the darts least). Only the
dart's place ("at") moves; it still points at its word ("true").

n: the darts and fixed marks along one edge.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations_with_replacement
from math import comb
from typing import Any

import numpy as np

from scenes.figure.widgets import (
    DART,
    DIAMOND,
    DOT_RADIUS,
    ORIGIN_ARM,
    RING_RADIUS,
    Box,
    dart_points,
    points_box,
)

Point = dict[str, Any]  # as scenes.figure.plot.Point
GAP = 0.08  # between a dart's box and the next mark's along an edge
FIXED = 1e6  # a mark that does not move weighs this much against a dart's 1
PITCH = 0.35  # two labelled darts on a side edge: their labels beside them, a line apart
ROUNDS = 3  # a dart turns as it moves (it points at its word): its box is measured again
MAX_ORDERS = 500  # ways to share the darts of an edge out between its marks, tried at most


def mark_box(pt: Point) -> Box:
    """A word's mark (PointLayout.point_mark): a ring round the origin, a group's diamond,
    a dot (larger when labelled), or off view a dart at the edge."""
    x, y = float(pt["at"][0]), float(pt["at"][1])
    if pt["ring"]:
        r = RING_RADIUS
    elif not pt["outside"] and pt.get("group"):
        r = DIAMOND * np.sqrt(2) / 2
    elif not pt["outside"]:
        r = DOT_RADIUS[1] if pt["labelled"] else DOT_RADIUS[0]
    else:
        size = DART[1] if pt["labelled"] else DART[0]
        return points_box(dart_points(pt["at"], pt["true"] - pt["at"], size))
    return (x - r, y - r, x + r, y + r)


def separated(t: np.ndarray, w: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The positions x [n] nearest t [n] (least squares weighted by w [n]) with
    x[i + 1] - x[i] >= d[i] (d [n - 1]): with y = x - (the gaps before each), y must not
    decrease; pool adjacent violators finds that y, each block at its weighted mean."""
    c = np.concatenate([[0.0], np.cumsum(d)])  # [n]
    blocks: list[tuple[float, float, int]] = []  # (value, weight, count)
    for yi, wi in zip(t - c, w, strict=True):
        value, weight, count = float(yi), float(wi), 1
        while blocks and blocks[-1][0] > value:
            v, u, k = blocks.pop()
            value, weight, count = (v * u + value * weight) / (u + weight), u + weight, k + count
        blocks.append((value, weight, count))
    y = np.concatenate([np.full(k, v) for v, _, k in blocks])  # [n]
    return y + c


def side_of(pt: Point, inner: Box) -> int:
    """The edge of `inner` a dart is on: 0 left, 1 right, 2 bottom, 3 top (at a corner,
    the one it points out of most)."""
    at, v = pt["at"], pt["true"] - pt["at"]
    off = [
        abs(at[0] - inner[0]),
        abs(at[0] - inner[2]),
        abs(at[1] - inner[1]),
        abs(at[1] - inner[3]),
    ]
    on = [k for k in range(4) if off[k] < 1e-6] or [int(np.argmin(off))]
    out = [-v[0], v[0], -v[1], v[1]]
    return max(on, key=lambda k: out[k])


def spread_darts(
    points: list[Point], views: list[tuple[Box, Box, np.ndarray]], view_of: list[int]
) -> None:
    """Move the darts of each view (its inner box, where darts stand; its panel, which they
    stay in; its origin) apart along their edges (in place: pt["at"])."""
    for v, (inner, panel, origin) in enumerate(views):
        mine = [j for j, pt in enumerate(points) if view_of[j] == v]
        darts = [j for j in mine if points[j]["outside"]]
        if len(darts) == 0:
            continue
        o = (float(origin[0]), float(origin[1]))
        marks = [mark_box(points[j]) for j in mine if not points[j]["outside"]]
        marks.append((o[0] - ORIGIN_ARM, o[1] - ORIGIN_ARM, o[0] + ORIGIN_ARM, o[1] + ORIGIN_ARM))
        sides = {j: side_of(points[j], inner) for j in darts}
        spots = {j: np.array(points[j]["at"], dtype=float) for j in darts}
        for _ in range(ROUNDS):
            for side in range(4):
                on = [j for j in darts if sides[j] == side]
                others = [mark_box(points[j]) for j in darts if sides[j] != side]
                if on:
                    _spread_edge(points, on, spots, side, marks + others, panel)


def _spread_edge(
    points: list[Point],
    on: list[int],
    spots: dict[int, np.ndarray],
    side: int,
    fixed: list[Box],
    panel: Box,
) -> None:
    """Spread the darts `on` one edge (side, as side_of) apart, each as near its first spot
    as the others, the fixed marks across their band and the panel's ends allow."""
    along = 1 if side < 2 else 0
    across = 1 - along
    boxes = {j: mark_box(points[j]) for j in on}
    lo = min(b[across] for b in boxes.values()) - GAP
    hi = max(b[across + 2] for b in boxes.values()) + GAP
    near = [b for b in fixed if b[across] < hi and b[across + 2] > lo]
    spans = _merged([(b[along], b[along + 2]) for b in near])
    ends = (panel[along] - 10.0, panel[along]), (panel[along + 2], panel[along + 2] + 10.0)
    # each item: (its place to keep, how far its box reaches before and after it, weight)
    darts = sorted((float(spots[j][along]), points[j]["at"][along] - boxes[j][along],
                    boxes[j][along + 2] - points[j]["at"][along], 1.0, j) for j in on)  # fmt: skip
    walls = [((a + b) / 2, (b - a) / 2, (b - a) / 2, FIXED, -1) for a, b in [*spans, *ends]]
    walls.sort(key=lambda item: item[0])
    best: tuple[float, list[Item], np.ndarray] | None = None
    for pitch in (PITCH, 0.0):  # labels a line apart where that fits, else closer
        for items in _orders(darts, walls):
            x, cost = _placed(items, points, side, pitch)
            if cost is not None and (best is None or cost < best[0] - 1e-9):
                best = (cost, items, x)
        if best is not None:
            break
    if best is None:  # no room: as near as the gaps allow, in order, over the marks
        items = sorted([*darts, *walls], key=lambda item: item[0])
        best = (0.0, items, _placed(items, points, side, 0.0, check=False)[0])
    for item, xi in zip(best[1], best[2], strict=True):
        if item[4] >= 0:
            points[item[4]]["at"] = _moved(points[item[4]]["at"], along, float(xi))


Item = tuple[float, float, float, float, int]  # place, reach before, reach after, weight, point


def _orders(darts: list[Item], walls: list[Item]) -> Iterator[list[Item]]:
    """The darts (in order) between the fixed marks (walls, in order; the first and last the
    panel's ends): every way to share them out over the gaps between, when there are few
    (a dart may pass a mark to where there is room), else only each in its own gap."""
    inner = len(walls) - 2
    if comb(len(darts) + inner, inner) > MAX_ORDERS:
        yield sorted([*darts, *walls], key=lambda item: item[0])
        return
    for gaps in combinations_with_replacement(range(inner + 1), len(darts)):
        items = [walls[0]]
        for g in range(inner + 1):
            items += [d for d, k in zip(darts, gaps, strict=True) if k == g] + [walls[g + 1]]
        yield items


def _placed(
    items: list[Item], points: list[Point], side: int, pitch: float, check: bool = True
) -> tuple[np.ndarray, float | None]:
    """The items' places (x [n]) in this order, and the darts' squared moves (None when the
    fixed marks would have to move: the darts do not fit between them)."""
    t = np.array([item[0] for item in items])  # [n]
    w = np.array([item[3] for item in items])  # [n]
    pairs = zip(items, items[1:], strict=False)
    d = np.array([_apart(a, b, points, side, pitch) for a, b in pairs])  # [n - 1]
    x = separated(t, w, d)  # [n]
    fixed = w == FIXED  # [n]
    if check and not np.allclose(x[fixed], t[fixed], atol=1e-3):
        return x, None
    return x, float(((x - t)[~fixed] ** 2).sum())


def _apart(a: Item, b: Item, points: list[Point], side: int, pitch: float) -> float:
    """How far apart items a and b (a first) keep their places along the edge: their boxes
    GAP apart; two labelled darts on a side edge a line of labels apart (`pitch`)."""
    d = a[2] + b[1] + GAP
    labelled = a[4] >= 0 and b[4] >= 0 and points[a[4]]["labelled"] and points[b[4]]["labelled"]
    return max(d, pitch) if labelled and side < 2 else d


def _moved(p: np.ndarray, axis: int, x: float) -> np.ndarray:
    q = np.array(p, dtype=float)
    q[axis] = x
    return q


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping spans (a, b) as one each."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
