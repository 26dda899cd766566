"""The outputs together (issue 19: "small multiples: one panel per sentence on shared axes,
then the outputs together"): in small multiples, one more panel of the grid, as large as the
sentences' panels and on the same axes (scenes.figure.plot.PlotGeometry.together_map), with
the origin, the static vector and every sentence's output (its last step) in its colour,
each named by its sentence's badge by its head; the panel's title in a corner clear of them.
It shows once the story is told: the poster and the summary (scenes.figure.story.Story.summary).
No drawing: the drift scene draws it where this puts it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scenes.figure.plot import PANEL_INSET, ArrowStyle, PlotGeometry, arrow_style, static_styles
from scenes.figure.widgets import ORIGIN_ARM, Box, arrow_segments, badge_box, moved, text_box
from scenes.layout import Segment, segments_hit_boxes
from scenes.theme import SIZES

TITLE = "together"
CLEAR = 0.05  # a badge or the title stays this far off the lines, the origin and each other
# where a badge's centre may sit: on a grid SPOT_STEP apart, from BADGE_REACH[0] to
# BADGE_REACH[1] off its arrow's head, in rings RING wide (nearest first, straight ahead of
# the head first in each); a spot nearer another head costs as much as NOT_OWN rings more
BADGE_REACH = (0.24, 1.0)
SPOT_STEP = 0.04
RING = 0.05
NOT_OWN = 3


@dataclass(frozen=True)
class TogetherPanel:
    """The outputs-together panel laid out: its box, origin, static vector(s) (the sentence
    each is of, None: all's), each sentence's output arrow (tip, style), the title's box and
    each sentence's badge's box; `missed`: 0 when they are all clear (the builder takes a
    figure without this panel rather than one with a badge across a line from its head)."""

    box: Box
    origin: np.ndarray = field(compare=False)
    statics: tuple[tuple[int | None, np.ndarray, ArrowStyle], ...] = field(compare=False)
    tips: tuple[np.ndarray, ...] = field(compare=False)
    styles: tuple[ArrowStyle, ...]
    title: Box = (0.0, 0.0, 0.0, 0.0)
    badges: tuple[Box, ...] = ()
    missed: int = 0  # how many lines and boxes they touch, or lie across from their heads

    @property
    def origin_box(self) -> Box:
        x, y = float(self.origin[0]), float(self.origin[1])
        return (x - ORIGIN_ARM, y - ORIGIN_ARM, x + ORIGIN_ARM, y + ORIGIN_ARM)

    def static_lines(self) -> list[list[Segment]]:
        """Each static vector as line pieces (shaft, tip)."""
        return [self._arrow(tip, st) for _, tip, st in self.statics]

    def arrow_lines(self) -> list[list[Segment]]:
        """Each sentence's output arrow as line pieces (shaft, tip)."""
        return [self._arrow(tip, st) for tip, st in zip(self.tips, self.styles, strict=True)]

    def _arrow(self, tip: np.ndarray, st: ArrowStyle) -> list[Segment]:
        return arrow_segments(self.origin, tip, st.width, st.tip_length, st.tip_width)


def together_panel(g: PlotGeometry) -> TogetherPanel | None:
    """The together panel of small multiples (None without it): one static vector when the
    sentences share it, else each sentence's, thin (the outputs lead); the outputs in the
    sentences' arrow styles; the badges by their heads and the title in a corner: the
    corner and the order of the badges that leave fewest things touched or crossed."""
    if g.together is None:
        return None
    n = len(g.plan.sentences)
    starts = g.together_starts()
    styles = static_styles(n, False)[: 1 if g.same_start else n]  # thin: the outputs lead
    statics = tuple((None if g.same_start else j, starts[j], st) for j, st in enumerate(styles))
    bare = TogetherPanel(g.together, g.together_origin, statics, tuple(g.together_tips()),
                         tuple(arrow_style(si) for si in range(n)))  # fmt: skip
    lines = np.array([seg for segs in bare.static_lines() + bare.arrow_lines() for seg in segs])
    owner = np.array([-1 for segs in bare.static_lines() for _ in segs]
                     + [si for si, segs in enumerate(bare.arrow_lines())
                        for _ in segs])  # fmt: skip
    heads = [t[:2] for t in bare.tips]
    orders = {tuple(range(n)), tuple(reversed(range(n)))}
    orders |= {tuple(sorted(range(n), key=lambda si: (s * heads[si][1], si))) for s in (1, -1)}
    best: tuple[tuple[int, float], Box, tuple[Box, ...]] | None = None
    for title in corners(g.together, text_box(TITLE, SIZES.small)):
        hit = int(touching(np.array([title]), np.array([bare.origin_box]), lines)[0])
        for order in sorted(orders):
            badges, score = place_badges(bare, [bare.origin_box, title], (lines, owner), order)
            if best is None or (score[0] + hit, score[1]) < best[0]:
                best = ((score[0] + hit, score[1]), title, badges)
        if best is not None and best[0][0] == 0:
            break
    assert best is not None
    return TogetherPanel(bare.box, bare.origin, statics, bare.tips, bare.styles, *best[1:],
                         best[0][0])  # fmt: skip


def touching(spots: np.ndarray, boxes: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """For boxes spots [S, 4]: how many of the boxes [B, 4] and lines [L, 5] come closer to
    each than CLEAR [S]."""
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    grown = boxes + [-CLEAR, -CLEAR, CLEAR, CLEAR]  # [B, 4]
    hit = (
        (spots[:, None, 0] < grown[None, :, 2]) & (grown[None, :, 0] < spots[:, None, 2])
        & (spots[:, None, 1] < grown[None, :, 3]) & (grown[None, :, 1] < spots[:, None, 3])
    ).sum(axis=1)  # fmt: skip
    for x0, y0, x1, y1, hw in np.asarray(lines, dtype=float).reshape(-1, 5):
        hit += segments_hit_boxes((x0, y0), np.array([[x1, y1]]), spots, hw + CLEAR)[0]
    return hit


def corners(panel: Box, b: Box) -> list[Box]:
    """Box b in each corner of the panel, PANEL_INSET inside it: top left, top right,
    bottom left, bottom right."""
    x0, y0 = panel[0] + PANEL_INSET, panel[1] + PANEL_INSET
    x1, y1 = panel[2] - PANEL_INSET, panel[3] - PANEL_INSET
    return [
        moved(b, x - (b[0] if left else b[2]), y - (b[3] if top else b[1]))
        for top, y in ((True, y1), (False, y0))
        for left, x in ((True, x0), (False, x1))
    ]


def badge_spots(head: np.ndarray, origin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where a badge's centre may go by an arrow's head [K, 2], and the ring of each [K]:
    nearest first, and in a ring straight ahead of the head first."""
    d = head[:2] - origin[:2]
    n = float(np.linalg.norm(d))
    u = d / n if n > 1e-9 else np.array([1.0, 0.0])
    steps = np.arange(-BADGE_REACH[1], BADGE_REACH[1] + 1e-9, SPOT_STEP)
    off = np.stack(np.meshgrid(steps, steps), axis=-1).reshape(-1, 2)  # [G, 2]
    r = np.linalg.norm(off, axis=1)
    keep = (r >= BADGE_REACH[0]) & (r <= BADGE_REACH[1])
    off, r = off[keep], r[keep]
    ahead = off @ u / r  # cos of the angle from straight ahead
    ring = np.floor(r / RING).astype(int)
    order = np.lexsort((-ahead, ring))
    return head[:2] + off[order], ring[order]


def crossed(head: np.ndarray, spots: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """How many of the lines [L, >=4] the segment from head to each spot [K, 2] properly
    crosses [K] (a badge across a line from its head reads as another's)."""
    a, b = lines[None, :, :2], lines[None, :, 2:4]  # [1, L, 2]
    p, q = head[None, None, :2], spots[:, None, :]  # [1, 1, 2], [K, 1, 2]

    def side(o: np.ndarray, d: np.ndarray, c: np.ndarray) -> np.ndarray:
        return np.sign((d[..., 0] - o[..., 0]) * (c[..., 1] - o[..., 1])
                       - (d[..., 1] - o[..., 1]) * (c[..., 0] - o[..., 0]))  # fmt: skip

    apart = (side(p, q, a) * side(p, q, b) < 0) & (side(a, b, p) * side(a, b, q) < 0)  # [K, L]
    return apart.sum(axis=1)


def under(p: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Which lines [L, 5] point p lies on (within their half width and CLEAR) [L]: a head on
    another arrow or the static vector is named across it whatever the side."""
    a, b = lines[:, :2], lines[:, 2:4]
    d = b - a
    t = np.clip(((p - a) * d).sum(axis=1) / np.maximum((d * d).sum(axis=1), 1e-12), 0.0, 1.0)
    return np.linalg.norm(a + t[:, None] * d - p, axis=1) <= lines[:, 4] + CLEAR


def place_badges(
    panel: TogetherPanel,
    boxes: list[Box],
    lines: tuple[np.ndarray, np.ndarray],
    order: tuple[int, ...],
) -> tuple[tuple[Box, ...], tuple[int, float]]:
    """Each sentence's badge (in `order`) by its output's head, inside the panel, clear of
    the lines (`lines`: [L, 5] and the sentence each is of, -1: a static vector), the boxes
    and the badges before it, with no other line between it and its head and nearer its
    own head than any other (so it names that arrow); else the nearest spot touching or
    crossing fewest. Returns the badges by sentence, and how many things they touch or
    cross and how far they are from their heads, in all."""
    segs, owner = lines
    x0, y0, x1, y1 = panel.box
    heads = np.array([t[:2] for t in panel.tips])  # [N, 2]
    placed: dict[int, Box] = {}
    touched, reach = 0, 0.0
    for si in order:
        b = badge_box(si + 1, SIZES.small)
        c, ring = badge_spots(panel.tips[si], panel.origin)  # [K, 2], [K]
        spots = np.concatenate([c + b[:2], c + b[2:]], axis=1)  # [K, 4]
        inside = (spots[:, 0] >= x0 + CLEAR) & (spots[:, 2] <= x1 - CLEAR) & \
            (spots[:, 1] >= y0 + CLEAR) & (spots[:, 3] <= y1 - CLEAR)  # fmt: skip
        if inside.any():  # a badge stays in its panel
            c, ring, spots = c[inside], ring[inside], spots[inside]
        hits = touching(spots, np.array([*boxes, *placed.values()]), segs)
        hits += crossed(panel.tips[si], c, segs[(owner != si) & ~under(heads[si], segs)])
        dist = np.linalg.norm(c[:, None, :] - heads[None], axis=2)  # [K, N]
        others = np.delete(dist, si, axis=1).min(axis=1, initial=np.inf)
        # clear, near and nearest its own head, in that order
        rank = hits * 10**3 + (dist[:, si] >= others) * NOT_OWN + ring
        k = int(np.argmin(rank))  # the first of equals: straight ahead
        placed[si] = moved(b, float(c[k, 0]), float(c[k, 1]))
        touched += int(hits[k])
        reach += float(dist[k, si])
    return tuple(placed[si] for si in range(len(heads))), (touched, reach)
