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

import copy
import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from attention_math.errors import InputError

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
# A text nearer than this to another text, a point, a mark or a line touches it: the check's
# padding (`check_items`), which the label placer keeps from every obstacle too (`_taken`).
CLEARANCE = 0.02


class LayoutError(InputError):
    """A render's text would be clipped, overlapping, too small, or in the margin: the input
    does not fit the scene's picture. The placers adapt (another place, a cut word, a leader
    line) so that input the tool accepts never gets here; where it still does, the user
    reads one line saying what does not fit and what to change (`layout_error`)."""


def layout_error(scene: str, problems: Sequence[object]) -> LayoutError:
    """The LayoutError of `scene` for the check's `problems`: the first three, and what
    to try instead (the options named in braces, as every InputError names them)."""
    shown = "; ".join(map(str, problems[:3]))
    more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
    return LayoutError(
        f"{scene} cannot lay this input out ({shown}{more}): shorten {{sentence}} (or "
        "{target}), compare fewer sentences ({compare}), or pick another {scene}",
        field="sentence",
    )


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


LEADER_SLACK = 1.5  # a leader may be this much longer than the shortest, to cross fewer lines
CROSSING_COST = 1.0  # one line crossed weighs as much as this much more leader
LEADER_SKIP = 0.15  # a leader's first stretch leaves its point (often on a line): not tested


def leader_end(
    anchor: tuple[float, float], centre: tuple[float, float], size: tuple[float, float],
    pad: float = 0.06,
) -> tuple[float, float]:  # fmt: skip
    """Where a leader line from `anchor` to a label (centre, size) stops: on its way to the
    label's centre, `pad` short of its box. It runs along the line `place_labels` kept
    clear of labels and points."""
    d = (anchor[0] - centre[0], anchor[1] - centre[1])
    reach = [(size[i] / 2 + pad) / abs(d[i]) for i in (0, 1) if abs(d[i]) > 1e-12]
    s = min([1.0, *reach])
    return (centre[0] + d[0] * s, centre[1] + d[1] * s)


def _taken(bounds: Box, obstacles: Iterable[Box]) -> _Occupancy:
    """The obstacles as an _Occupancy, each grown by CLEARANCE (and a hair more, for the
    rounding of a box moved into place): a label placed free of them passes the check's
    padding, whatever margin (or none) the caller gave them."""
    boxes = np.array(list(obstacles), dtype=float).reshape(-1, 4)  # [N, 4]
    grow = CLEARANCE + 1e-6
    taken = _Occupancy(bounds)
    taken.add(boxes + [-grow, -grow, grow, grow])
    return taken


def place_labels(
    anchors: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    bounds: Box,
    obstacles: Iterable[Box] = (),
    gap: float = 0.1,
    grid: float = 0.12,
    spacing: float = 0.12,
    leader_gap: float | None = None,
    lines: Sequence[Segment] = (),
    marks: Sequence[Box] = (),
) -> list[tuple[float, float]]:
    """Centres for labels of the given sizes near their anchor points.

    Greedy, in the order given: each label takes a free candidate (inside `bounds`, clear of
    every obstacle by at least CLEARANCE, and of every label placed before it). Candidates
    are tried nearest first: 8 directions around the anchor at growing distances, then
    every point of a grid over `bounds` by distance to the anchor. Labels keep `spacing`
    from each other. Only if nothing is free anywhere does a label take the candidate with
    the least overlap, which the layout check then reports.

    leader_gap: the scene draws a leader line from a label placed farther than this from its
    anchor (`needs_leader`). Such a label also wants its line clear: a free place whose line
    would cross a label placed before is passed over while another is free, and the line,
    once placed, is an obstacle for the labels after it. lines: what the picture draws
    (arrows, trails): of the free places whose leader is at most LEADER_SLACK longer than
    the nearest one's, the label takes the one whose leader is shortest counting each of
    these lines it crosses as CROSSING_COST more. marks: the points drawn (boxes): a leader
    line passes over none but its own, like a label (a line through a dot would seem to
    name it).
    """
    centres, _ = _place(
        anchors, sizes, bounds, obstacles, gap, grid, spacing, leader_gap, lines, marks
    )
    return centres


def place_labels_best(
    anchors: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    bounds: Box,
    orders: Sequence[Sequence[int]],
    weights: Sequence[float],
    obstacles: Iterable[Box] = (),
    leader_gap: float = 0.45,
    lines: Sequence[Segment] = (),
    marks: Sequence[Box] = (),
    shorter: Sequence[Sequence[tuple[float, float]]] | None = None,
    strict: bool = False,
) -> list[tuple[float, float]]:
    """`place_labels` with the labels taking their places in each of `orders` (lists of
    label indices) in turn; the centres (in the labels' own order) of the placement whose
    leader lines cost least: each label's leader length plus CROSSING_COST per line of
    `lines` it crosses, times the label's weight. A label with no free place costs 100.
    The first order wins ties. (`place_labels_strict`: the same, no leader crossing.)"""
    return place_labels_strict(
        anchors, sizes, bounds, orders, weights, obstacles, leader_gap, lines, marks,
        shorter, strict,
    ).centres  # fmt: skip


@dataclass(frozen=True)
class Placement:
    """Where labels went: their centres, which of their sizes each took (0: its own, then
    its shorter ones in turn), the labels whose leader still crosses something (no free
    place for any of its sizes let it pass clear) and how many found no free place."""

    centres: list[tuple[float, float]]
    variant: list[int]
    crossed: list[int]
    stuck: int


@dataclass(frozen=True)
class Passing:
    """Lines on screen at some moments only (a step's pulls): the boxes a label stays off
    and the lines its leader does not cross (strict) when it is on screen with them,
    `meets[i]` for label i (a label shown later, never)."""

    obstacles: Sequence[Box]
    lines: Sequence[Segment]
    meets: Sequence[bool]


def _passing_for(
    bounds: Box, taken: _Occupancy, passing: Sequence[Passing], n: int
) -> tuple[list[_Occupancy], list[np.ndarray]]:
    """Per label, the occupancy it is placed in (`taken` and the obstacles of the passing
    lines it meets; one per distinct set, rasterised once) and those lines [L, 4]."""
    cache: dict[tuple[bool, ...], tuple[_Occupancy, np.ndarray]] = {}
    occ, hard = [], []
    for i in range(n):
        key = tuple(bool(p.meets[i]) for p in passing)
        if key not in cache:
            met = [p for p, m in zip(passing, key, strict=True) if m]
            o = taken
            if met:
                o = taken.copy()
                o.add(_taken(bounds, [b for p in met for b in p.obstacles]).boxes)
            segs = [seg[:4] for p in met for seg in p.lines]
            cache[key] = (o, np.array(segs, dtype=float).reshape(-1, 4))
        occ.append(cache[key][0])
        hard.append(cache[key][1])
    return occ, hard


def place_labels_strict(
    anchors: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    bounds: Box,
    orders: Sequence[Sequence[int]],
    weights: Sequence[float],
    obstacles: Iterable[Box] = (),
    leader_gap: float = 0.45,
    lines: Sequence[Segment] = (),
    marks: Sequence[Box] = (),
    shorter: Sequence[Sequence[tuple[float, float]]] | None = None,
    strict: bool = True,
    passing: Sequence[Passing] = (),
    readable: bool = True,
) -> Placement:
    """`place_labels_best`, and with `strict` no leader line crosses any of `lines`, an
    earlier leader, a label or a mark it does not start at: a label with no such place
    takes its `shorter` sizes in turn (a cut text, say) before it gives up; the placement
    with fewest such labels wins, then the cheapest. Where the best still leaves some, they
    are placed first in one more order (what blocked them may have been a label placed
    before them). `passing`: lines shown at some moments, which the labels on screen with
    them stay off (`Passing`). `readable`: each label read as its own where it can
    (`_readable`). Returns the Placement."""
    taken = _taken(bounds, obstacles)  # rasterised once for every order
    drawn = np.array([seg[:4] for seg in lines], dtype=float).reshape(-1, 4)
    alts = [list(x) for x in shorter] if shorter is not None else [[] for _ in anchors]
    occ, extra = _passing_for(bounds, taken, passing, len(anchors))

    def placed_in(order: Sequence[int]) -> tuple[float, Placement]:
        got = _place_all(
            [anchors[i] for i in order], [[sizes[i], *alts[i]] for i in order], bounds, taken,
            leader_gap=leader_gap, lines=lines, marks=marks, strict=strict,
            passing=([occ[i] for i in order], [extra[i] for i in order]), readable=readable,
        )  # fmt: skip
        back = [list(order).index(i) for i in range(len(anchors))]
        centres = [got.centres[k] for k in back]
        variant = [got.variant[k] for k in back]
        crossed = sorted(order[k] for k in got.crossed)
        cost = 100.0 * got.stuck + 1000.0 * len(crossed) * strict
        for i, (a, c, wt) in enumerate(zip(anchors, centres, weights, strict=True)):
            size = [sizes[i], *alts[i]][variant[i]]
            cost += wt * float(_leader_costs(a, size, np.array([c]), drawn, leader_gap)[0])
        return cost, Placement(centres, variant, crossed, got.stuck)

    assert orders, "no order given"
    best = placed_in(orders[0])
    for order in orders[1:]:  # the first order wins ties
        got = placed_in(order)
        best = got if got[0] < best[0] - 1e-9 else best
    if strict and best[1].crossed:
        first = best[1].crossed
        got = placed_in([*first, *(i for i in orders[0] if i not in first)])
        best = got if got[0] < best[0] - 1e-9 else best
    return best[1]


def _place(
    anchors: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    bounds: Box,
    obstacles: Iterable[Box] | _Occupancy = (),
    gap: float = 0.1,
    grid: float = 0.12,
    spacing: float = 0.12,
    leader_gap: float | None = None,
    lines: Sequence[Segment] = (),
    marks: Sequence[Box] = (),
) -> tuple[list[tuple[float, float]], int]:
    """`place_labels`, and how many labels found no free place. obstacles: boxes, or an
    _Occupancy already holding them (`_taken`; copied, not changed). Labels keep at least
    CLEARANCE from each other, whatever `spacing` says."""
    got = _place_all(
        anchors, [[s] for s in sizes], bounds, obstacles, gap, grid, spacing, leader_gap,
        lines, marks,
    )  # fmt: skip
    return got.centres, got.stuck


def _place_all(
    anchors: Sequence[tuple[float, float]],
    sizes: Sequence[Sequence[tuple[float, float]]],
    bounds: Box,
    obstacles: Iterable[Box] | _Occupancy = (),
    gap: float = 0.1,
    grid: float = 0.12,
    spacing: float = 0.12,
    leader_gap: float | None = None,
    lines: Sequence[Segment] = (),
    marks: Sequence[Box] = (),
    strict: bool = False,
    passing: tuple[list[_Occupancy], list[np.ndarray]] | None = None,
    readable: bool = False,
) -> Placement:
    """`_place` with each label's sizes (its own, then shorter ones) tried in turn while
    its leader would cross something (with `strict`: a line of `lines`, an earlier leader,
    a label, a mark; else a label or a mark). `passing`: per label, the occupancy it is
    placed in instead of `obstacles` (`_passing_for`) and more lines [L, 4] its leader
    does not cross (strict). `readable`: of the places its leader passes clear from, a
    label takes, where it can, one on no other label's line within PHRASE_GAP, nearer its
    own point than any other mark's (`_readable`)."""
    stuck = 0
    crossed: list[int] = []  # the labels whose leader still crosses
    variant: list[int] = []  # which of its sizes each label took
    placed = obstacles.copy() if isinstance(obstacles, _Occupancy) else _taken(bounds, obstacles)
    occ, copies = _copies(placed, obstacles, passing)
    spacing = max(spacing, CLEARANCE + 1e-6)
    grid_pts = _grid_points(bounds, grid)  # [G, 2]
    drawn = np.array([seg[:4] for seg in lines], dtype=float).reshape(-1, 4)  # [L, 4]
    centres: list[tuple[float, float]] = []
    label_boxes: list[Box] = []  # the labels placed so far, for their leader lines
    leaders: list[tuple[float, float, float, float]] = []  # and their leaders
    for n, ((ax, ay), options) in enumerate(zip(anchors, sizes, strict=True)):
        others = [b for b in marks if not (b[0] <= ax <= b[2] and b[1] <= ay <= b[3])]
        more = [passing[1][n]] if passing is not None else []
        hard = np.vstack([drawn, *more, np.array(leaders).reshape(-1, 4)]) if strict else None
        points = (_box_centres(others), _phrase_bands(label_boxes)) if readable else None
        v, (k, cand, free, clean) = _choose_form(
            (ax, ay), options, gap, grid_pts, occ[n] if occ else placed,
            [*label_boxes, *others], hard, leader_gap, drawn, points,
        )  # fmt: skip
        w, h = options[v]
        crossed += [] if clean else [n]
        stuck += not free
        variant.append(v)
        if k is None:  # nothing inside the bounds: clamp at the anchor
            x0, y0, x1, y1 = bounds
            c = (min(max(ax, x0 + w / 2), x1 - w / 2), min(max(ay, y0 + h / 2), y1 - h / 2))
        else:
            c = (float(cand[k, 0]), float(cand[k, 1]))
        centres.append(c)
        label_boxes.append(box_at(*c, w, h))
        taken = [box_at(*c, w + 2 * spacing, h + 2 * spacing)]
        if leader_gap is not None and needs_leader((ax, ay), c, (w, h), leader_gap):
            taken += segment_obstacles((ax, ay, c[0], c[1], 0.02))
            leaders.append((*_leader_start((ax, ay), c), c[0], c[1]))
        for o in copies.values():
            o.add(np.array(taken, dtype=float))
    return Placement(centres, variant, crossed, stuck)


def _grid_points(bounds: Box, grid: float) -> np.ndarray:
    """Every point of a `grid`-spaced grid over bounds, [G, 2] (the far places tried)."""
    x0, y0, x1, y1 = bounds
    gx, gy = np.meshgrid(np.arange(x0, x1 + 1e-9, grid), np.arange(y0, y1 + 1e-9, grid))
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def _copies(
    placed: _Occupancy,
    obstacles: object,
    passing: tuple[list[_Occupancy], list[np.ndarray]] | None,
) -> tuple[list[_Occupancy], dict[int, _Occupancy]]:
    """`_place_all`'s occupancies: per label the one it is placed in (`passing`'s, each
    distinct one copied once; none without `passing`: then `placed`), and all of them (a
    placed label goes into each), by the id of the one copied (`obstacles`: `placed`'s)."""
    copies: dict[int, _Occupancy] = {id(obstacles): placed}
    if passing is None:
        return [], copies
    for o in passing[0]:
        if id(o) not in copies:
            copies[id(o)] = o.copy()
    return [copies[id(o)] for o in passing[0]], copies


def _choose_form(
    anchor: tuple[float, float],
    options: Sequence[tuple[float, float]],
    gap: float,
    grid_pts: np.ndarray,
    placed: _Occupancy,
    boxes: list[Box],
    hard: np.ndarray | None,
    leader_gap: float | None,
    drawn: np.ndarray,
    points: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[int, tuple[int | None, np.ndarray, bool, bool]]:
    """A label's size (its index in `options`) and `_choose`'s place for it: the first
    size with a place whose leader passes clear of `boxes` (and the `hard` lines); if none,
    its own size, crossing as few lines as it can. With `hard` lines (strict), every place
    where the label touches its point (no leader at all) is tried too (`_touching`), and
    where no size has a clean place, the farthest such places (`_rim`), size by size."""
    near = hard is not None
    for v, size in enumerate(options):
        clear = functools.partial(_leaders_clear, anchor, size, leader_gap, boxes, hard)
        got = _choose(anchor, size, gap, grid_pts, placed, clear, leader_gap, drawn, near, points)
        if got[3]:
            return v, got
        if v == 0 and hard is None:
            first = got
    for v, size in enumerate(options if near else ()):
        rim = None if leader_gap is None else _on_rim(anchor, size, placed, leader_gap, boxes)
        if rim is not None:
            return v, (rim[0], rim[1], True, True)
    if hard is not None:  # clear of the labels and marks, if not of the lines
        clear = functools.partial(_leaders_clear, anchor, options[0], leader_gap, boxes, None)
        first = _choose(anchor, options[0], gap, grid_pts, placed, clear, leader_gap, drawn)
    return 0, (*first[:3], False)


def _leader_start(anchor: tuple[float, float], centre: tuple[float, float]) -> tuple[float, float]:
    """Where a leader is tested from: LEADER_SKIP along it (it leaves a point that often
    lies on a drawn line itself)."""
    d = np.subtract(centre, anchor)
    s = LEADER_SKIP / max(float(np.hypot(*d)), 1e-9)
    return (anchor[0] + d[0] * s, anchor[1] + d[1] * s)


class _Occupancy:
    """What is taken inside `bounds`, as a raster of `cell`-sized squares (a square any
    obstacle touches is taken), with a summed-area table: whether a label's box is free is
    then four lookups, for thousands of candidates at once. A box is called free only if
    every square it touches is: never a false "free"; at worst a place one square (0.01)
    from an obstacle is passed over. When nothing is free, the same table says how much of
    each place is taken (`covered`; `_overlap_cost` is the exact measure, for tests)."""

    def __init__(self, bounds: Box, cell: float = 0.01) -> None:
        self.bounds, self.cell = bounds, cell
        self.nx = math.ceil((bounds[2] - bounds[0]) / cell) + 1
        self.ny = math.ceil((bounds[3] - bounds[1]) / cell) + 1
        self.taken = np.zeros((self.ny, self.nx), dtype=bool)
        self.boxes = np.zeros((0, 4))
        self.sat = np.zeros((self.ny + 1, self.nx + 1), dtype=np.int32)
        # The first row and column of squares changed since the table was last built: it is
        # brought up to date when next read, from there on only (not at every add).
        self.stale: tuple[int, int] | None = None

    def copy(self) -> _Occupancy:
        """An independent copy (for placing the same labels in another order)."""
        other = copy.copy(self)
        other.taken, other.sat = self.taken.copy(), self.sat.copy()
        return other

    def _cells(self, boxes: np.ndarray) -> tuple[np.ndarray, ...]:
        """The squares each box [N, 4] touches: i0, j0 (first), i1, j1 (past the last)."""
        x0, y0 = self.bounds[0], self.bounds[1]
        i0 = np.clip(np.floor((boxes[:, 0] - x0) / self.cell + 1e-9), 0, self.nx).astype(int)
        j0 = np.clip(np.floor((boxes[:, 1] - y0) / self.cell + 1e-9), 0, self.ny).astype(int)
        i1 = np.clip(np.ceil((boxes[:, 2] - x0) / self.cell - 1e-9), 0, self.nx).astype(int)
        j1 = np.clip(np.ceil((boxes[:, 3] - y0) / self.cell - 1e-9), 0, self.ny).astype(int)
        return i0, j0, np.maximum(i1, i0), np.maximum(j1, j0)

    def add(self, boxes: np.ndarray) -> None:
        """Mark the boxes [N, 4] as taken."""
        if not len(boxes):
            return
        self.boxes = np.vstack([self.boxes, boxes])
        i0, j0, i1, j1 = self._cells(boxes)
        a, b, c, d = int(i0.min()), int(j0.min()), int(i1.max()), int(j1.max())
        if len(boxes) > 64:  # many: one pass over their window (a 2-D difference array)
            diff = np.zeros((d - b + 1, c - a + 1), dtype=np.int32)
            np.add.at(diff, (j0 - b, i0 - a), 1)
            np.add.at(diff, (j0 - b, i1 - a), -1)
            np.add.at(diff, (j1 - b, i0 - a), -1)
            np.add.at(diff, (j1 - b, i1 - a), 1)
            self.taken[b:d, a:c] |= diff.cumsum(axis=0).cumsum(axis=1)[: d - b, : c - a] > 0
        else:
            for p, q, r, t in zip(i0, j0, i1, j1, strict=True):
                self.taken[q:t, p:r] = True
        self.stale = (
            (b, a) if self.stale is None else (min(b, self.stale[0]), min(a, self.stale[1]))
        )

    def _table(self) -> np.ndarray:
        """The summed-area table: sat[y, x] = squares taken in rows < y, columns < x."""
        if self.stale is not None:
            j0, i0 = self.stale
            sat = self.sat
            part = np.cumsum(self.taken[j0:, i0:], axis=0, dtype=np.int32)
            np.cumsum(part, axis=1, out=part)
            part += sat[j0, i0 + 1 :][None, :] + sat[j0 + 1 :, i0][:, None] - sat[j0, i0]
            sat[j0 + 1 :, i0 + 1 :] = part
            self.stale = None
        return self.sat

    def costs(self, centres: np.ndarray, w: float, h: float) -> np.ndarray:
        """For label centres [K, 2]: 0 where the label's box is free, 1 where something is
        in it, inf where it leaves the bounds."""
        n = self._count(centres, w, h)
        return np.where(np.isfinite(n), np.minimum(n, 1.0), np.inf)

    def covered(self, centres: np.ndarray, w: float, h: float) -> np.ndarray:
        """For label centres [K, 2]: how many taken squares each label's box covers (inf
        where it leaves the bounds): the least covered place is the least bad when nothing
        is free (four lookups each, where exact overlap areas cost a pass over every box)."""
        return self._count(centres, w, h)

    def _count(self, centres: np.ndarray, w: float, h: float) -> np.ndarray:
        boxes = np.concatenate([centres - [w / 2, h / 2], centres + [w / 2, h / 2]], axis=1)
        bx0, by0, bx1, by1 = self.bounds
        tol = 1e-6
        inside = (
            (boxes[:, 0] >= bx0 - tol) & (boxes[:, 1] >= by0 - tol)
            & (boxes[:, 2] <= bx1 + tol) & (boxes[:, 3] <= by1 + tol)
        )  # fmt: skip
        i0, j0, i1, j1 = self._cells(boxes)
        sat = self._table()
        n = sat[j1, i1] - sat[j0, i1] - sat[j1, i0] + sat[j0, i0]
        return np.where(inside, n.astype(float), np.inf)


_DIRS = np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)], float)


def _choose(
    anchor: tuple[float, float],
    size: tuple[float, float],
    gap: float,
    grid_pts: np.ndarray,
    placed: _Occupancy,
    clear: Callable[[np.ndarray], np.ndarray],
    leader_gap: float | None,
    drawn: np.ndarray,
    touching: bool = False,
    points: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[int | None, np.ndarray, bool, bool]:
    """A label's place: the index of the chosen one among the candidates (None: nothing
    inside the bounds), the candidates [K, 2] (the rings round the anchor, with `touching`
    every place near enough to need no leader (`_touching`), then the grid by distance),
    whether the place is free and whether its leader passes `clear`. The first free place
    whose leader is clear, or of those within LEADER_SLACK of it, the least crossed
    (`_least_crossed`: a place with no leader crosses nothing); if none is clear, the first
    free; if nothing is free, the least covered (`_Occupancy.covered`)."""
    (ax, ay), (w, h) = anchor, size
    rings = [
        np.array([ax, ay]) + _DIRS * np.array([w / 2 + r, h / 2 + r])
        for r in gap + 0.15 * np.arange(4)
    ]
    if touching and leader_gap is not None:
        rings.append(np.array([ax, ay]) + _touching(w, h, leader_gap))
    near = np.concatenate(rings)  # [R, 2]
    far = grid_pts[np.argsort(np.hypot(grid_pts[:, 0] - ax, grid_pts[:, 1] - ay), kind="stable")]
    cand = np.concatenate([near, far])  # [K, 2]
    cost = placed.costs(cand, w, h)
    free = np.flatnonzero(cost == 0.0)
    ok = _first_clear(anchor, size, cand, free, clear)
    clean = bool(len(ok))
    if not clean:
        ok = free[:1]
    elif points is not None and leader_gap is not None:  # where it can: read as its own
        mine = ok[_readable(anchor, size, cand[ok], *points, leader_gap)]
        ok = mine if len(mine) else ok
    if not len(ok):
        covered = placed.covered(cand, w, h)
        k = int(np.argmin(covered))
        return (k if np.isfinite(covered[k]) else None), cand, False, False
    if leader_gap is None or not len(drawn):
        return int(ok[0]), cand, True, clean
    keys = [int(k) for k in ok]
    return _least_crossed(anchor, size, cand[ok], drawn, leader_gap, keys), cand, True, clean


PHRASE_GAP = 0.24  # labels on one line this far apart at least: 3 spaces of a word label


def _box_centres(boxes: Sequence[Box]) -> np.ndarray:
    """The centres [N, 2] of boxes (the marks': their points)."""
    b = np.array(boxes, dtype=float).reshape(-1, 4)
    return (b[:, :2] + b[:, 2:]) / 2


def _phrase_bands(labels: Sequence[Box]) -> np.ndarray:
    """Round each label placed [N, 4]: the band on its line PHRASE_GAP either side, which
    another label entering reads on with it ("the 3 more")."""
    b = np.array(labels, dtype=float).reshape(-1, 4)
    mid, quarter = (b[:, 1] + b[:, 3]) / 2, (b[:, 3] - b[:, 1]) / 4
    return np.stack([b[:, 0] - PHRASE_GAP, mid - quarter, b[:, 2] + PHRASE_GAP, mid + quarter], 1)


def _readable(
    anchor: tuple[float, float],
    size: tuple[float, float],
    centres: np.ndarray,
    points: np.ndarray,
    bands: np.ndarray,
    leader_gap: float,
) -> np.ndarray:
    """For label centres [K, 2]: is the label read as its own, its own point the nearest
    (`_nearest_own`: other marks' points [P, 2]) and on no other label's line within
    PHRASE_GAP (`bands` [N, 4], `_phrase_bands`)? [K] bools."""
    ok = _nearest_own(anchor, size, centres, points, leader_gap) if len(points) else None
    ok = np.ones(len(centres), dtype=bool) if ok is None else ok
    if len(bands):
        half = np.array(size) / 2
        lo, hi = centres - half, centres + half  # [K, 2]
        hit = (lo[:, None, 0] < bands[None, :, 2]) & (hi[:, None, 0] > bands[None, :, 0])
        hit &= (lo[:, None, 1] < bands[None, :, 3]) & (hi[:, None, 1] > bands[None, :, 1])
        ok &= ~hit.any(axis=1)
    return ok


def _nearest_own(
    anchor: tuple[float, float],
    size: tuple[float, float],
    centres: np.ndarray,
    points: np.ndarray,
    leader_gap: float,
) -> np.ndarray:
    """For label centres [K, 2]: is every other mark's point [P, 2] at least as far from
    the label's box as its own point is (one it leads to: leader_gap, within which a point
    reads as the one named)? [K] bools."""
    own = np.minimum(_gaps(anchor, size, centres), leader_gap)  # [K]
    d = np.abs(centres[:, None, :] - points[None, :, :]) - np.array(size) / 2  # [K, P, 2]
    other = np.hypot(*np.clip(d, 0.0, None).transpose(2, 0, 1)).min(axis=1)  # [K]
    return other >= own


TOUCH_STEP = 0.04  # the places where a label touches its point: this far apart


@functools.lru_cache(maxsize=256)
def _touching(w: float, h: float, leader_gap: float) -> np.ndarray:
    """Offsets [T, 2] from a point of the centres of a (w, h) label that needs no leader to
    it (its box within leader_gap of the point, not over it), TOUCH_STEP apart, nearest
    first: a label that cannot lead clear may still sit by its point."""
    rx, ry = w / 2 + leader_gap, h / 2 + leader_gap
    steps = [np.arange(-r, r + 1e-9, TOUCH_STEP) for r in (rx, ry)]
    gx, gy = np.meshgrid(*steps)
    off = np.stack([gx.ravel(), gy.ravel()], axis=1)  # [G, 2]
    gap = np.hypot(*np.clip(np.abs(off) - [w / 2, h / 2], 0.0, None).T)  # [G]
    keep = np.flatnonzero((gap > 0.0) & (gap <= leader_gap - 1e-6))
    keep = keep[np.argsort(gap[keep], kind="stable")]
    out = off[keep]
    out.flags.writeable = False
    return out


TOUCH_RIM = 0.002  # the farthest touching places: this much inside the leader gap


@functools.lru_cache(maxsize=256)
def _rim(w: float, h: float, leader_gap: float) -> np.ndarray:
    """Offsets [R, 2] from a point of the centres of a (w, h) label whose box is just
    within leader_gap of it (TOUCH_RIM inside): the farthest places that need no leader,
    TOUCH_STEP apart along the sides and every 15 degrees round the corners. A thin band
    past a line by the point (a static vector under an arrow's tip) falls between
    `_touching`'s steps."""
    g = leader_gap - TOUCH_RIM
    xs = np.arange(-w / 2, w / 2 + 1e-9, TOUCH_STEP)
    ys = np.arange(-h / 2, h / 2 + 1e-9, TOUCH_STEP)
    a = np.radians(np.arange(15.0, 90.0, 15.0))
    corner = np.stack([w / 2 + g * np.cos(a), h / 2 + g * np.sin(a)], axis=1)  # [C, 2]
    out = [np.stack([xs, np.full_like(xs, s * (h / 2 + g))], axis=1) for s in (1, -1)]
    out += [np.stack([np.full_like(ys, s * (w / 2 + g)), ys], axis=1) for s in (1, -1)]
    out += [corner * [sx, sy] for sx in (1, -1) for sy in (1, -1)]
    rim = np.concatenate(out)
    rim.flags.writeable = False
    return rim


def _on_rim(
    anchor: tuple[float, float],
    size: tuple[float, float],
    placed: _Occupancy,
    leader_gap: float,
    boxes: Sequence[Box],
) -> tuple[int, np.ndarray] | None:
    """The first free place on the rim (`_rim`) round the anchor for a label of `size`
    with no other mark or label (`boxes`) on the way from its point to it (so far off, a
    mark between would seem to be the one it names), as (its index, the candidates
    [R, 2]); None if there is none."""
    cand = np.array(anchor) + _rim(size[0], size[1], leader_gap)
    others = np.array(boxes, dtype=float).reshape(-1, 4)
    for k in np.flatnonzero(placed.costs(cand, *size) == 0.0):  # from LEADER_SKIP along
        start = _leader_start(anchor, (float(cand[k, 0]), float(cand[k, 1])))
        if not segments_hit_boxes(start, cand[k : k + 1], others, 0.02).any():
            return int(k), cand
    return None


def _first_clear(
    anchor: tuple[float, float],
    size: tuple[float, float],
    cand: np.ndarray,
    free: np.ndarray,
    clear: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """The free candidates (indices into cand [K, 2], in order) that pass `clear`, as far as
    `_least_crossed` looks: the first, and those after it whose leader is at most
    LEADER_SLACK longer. Tested a chunk at a time up to the first (it is the costly test)."""
    for i in range(0, len(free), 256):
        chunk = free[i : i + 256]
        ok = chunk[clear(cand[chunk])]
        if len(ok):
            rest = free[i + 256 :]
            reach = _gaps(anchor, size, cand[ok[:1]])[0] + LEADER_SLACK
            rest = rest[_gaps(anchor, size, cand[rest]) <= reach]
            return np.concatenate([ok, rest[clear(cand[rest])]])
    return free[:0]


def _least_crossed(
    anchor: tuple[float, float],
    size: tuple[float, float],
    centres: np.ndarray,
    drawn: np.ndarray,
    leader_gap: float,
    keys: list[int],
) -> int:
    """Of free places `centres` [K, 2] (nearest first; their keys), the one whose leader
    costs least (`_leader_costs`), within LEADER_SLACK of the nearest."""
    score = _leader_costs(anchor, size, centres, drawn, leader_gap)
    length = _gaps(anchor, size, centres)
    score = np.where(length <= length[0] + LEADER_SLACK, score, np.inf)
    return keys[int(np.argmin(score))]


def _leader_costs(
    anchor: tuple[float, float],
    size: tuple[float, float],
    centres: np.ndarray,
    drawn: np.ndarray,
    leader_gap: float,
) -> np.ndarray:
    """For label centres [K, 2]: the leader line's length plus CROSSING_COST for each of
    the `drawn` lines [L, 4] it crosses; 0 where no leader is drawn."""
    a = np.array(anchor, dtype=float)
    length = _gaps(anchor, size, centres)  # [K]
    leader = length > leader_gap
    if not len(drawn):
        return np.where(leader, length, 0.0)
    # The line leaves the anchor (often on a drawn line itself): its first 0.15 is not counted.
    d = centres - a
    start = a + d * (0.15 / np.maximum(np.hypot(*d.T), 1e-9))[:, None]
    crossed = _crossings(start, centres, drawn)  # [K]
    return np.where(leader, length + CROSSING_COST * crossed, 0.0)


def _crossings(p: np.ndarray, q: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """How many of the segments `drawn` [L, 4] each segment p→q ([K, 2] each) crosses."""

    def side(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        return np.sign(
            (b[..., 0] - a[..., 0]) * (c[..., 1] - a[..., 1])
            - (b[..., 1] - a[..., 1]) * (c[..., 0] - a[..., 0])
        )

    P, Q = p[:, None, :], q[:, None, :]  # [K, 1, 2]
    R, S = drawn[None, :, :2], drawn[None, :, 2:]  # [1, L, 2]
    hit = (side(P, Q, R) != side(P, Q, S)) & (side(R, S, P) != side(R, S, Q))
    return hit.sum(axis=1)


def _gaps(
    anchor: tuple[float, float], size: tuple[float, float], centres: np.ndarray
) -> np.ndarray:
    """For label centres [K, 2]: the distance from the anchor to each label's box [K] (a
    leader line is drawn where it exceeds the leader gap: `needs_leader`)."""
    half = np.array(size, dtype=float) / 2
    return np.hypot(*np.clip(np.abs(centres - np.array(anchor)) - half, 0.0, None).T)


def _leaders_clear(
    anchor: tuple[float, float],
    size: tuple[float, float],
    leader_gap: float | None,
    label_boxes: Sequence[Box],
    hard: np.ndarray | None,
    centres: np.ndarray,
) -> np.ndarray:
    """For label centres [K, 2]: does each need no leader line, or one that crosses none of
    the `label_boxes` (nor, when given, any of the `hard` lines [L, 4], from LEADER_SKIP
    along it)? [K] bools."""
    ok = np.ones(len(centres), dtype=bool)
    if leader_gap is None or not len(centres):
        return ok
    led = _gaps(anchor, size, centres) > leader_gap
    if label_boxes and led.any():
        boxes = np.array(label_boxes, dtype=float)
        ok[led] = ~segments_hit_boxes(anchor, centres[led], boxes, 0.02).any(axis=1)
    if hard is not None and len(hard) and led.any():
        a = np.array(anchor, dtype=float)
        d = centres[led] - a
        start = a + d * (LEADER_SKIP / np.maximum(np.hypot(*d.T), 1e-9))[:, None]
        ok[np.flatnonzero(led)[_crossings(start, centres[led], hard) > 0]] = False
    return ok


def segments_hit_boxes(
    start: tuple[float, float], ends: np.ndarray, boxes: np.ndarray, half_width: float
) -> np.ndarray:
    """`segment_hits_box` for many segments from one start to `ends` [K, 2] against many
    `boxes` [B, 4] at once: [K, B] bools (the same Liang-Barsky clipping, vectorised)."""
    boxes = boxes + [-half_width, -half_width, half_width, half_width]
    p0 = np.array(start, dtype=float)
    d = ends[:, None, :] - p0  # [K, 1, 2]
    t0, t1 = np.zeros((len(ends), len(boxes))), np.ones((len(ends), len(boxes)))
    for axis in (0, 1):
        lo, hi = boxes[None, :, axis] - p0[axis], boxes[None, :, axis + 2] - p0[axis]
        dd = d[..., axis]  # [K, 1]
        flat = np.abs(dd) < 1e-12
        safe = np.where(flat, 1.0, dd)
        ta, tc = lo / safe, hi / safe
        t0 = np.where(
            flat, np.where((lo <= 0) & (hi >= 0), t0, 2.0), np.maximum(t0, np.minimum(ta, tc))
        )
        t1 = np.where(flat, t1, np.minimum(t1, np.maximum(ta, tc)))
    return t0 <= t1


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


def check_items(items: Sequence[Item], safe: Box = SAFE, pad: float = CLEARANCE) -> list[Problem]:
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
