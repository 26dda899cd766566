"""The plot's geometry, from the plan and the plot's box (no drawing): the view, where each
word's point is drawn (or its marker at the view's edge), the arrow's tip at each step, the
trail between steps and how a pull line bows. The drift scene draws at these places; the
figure model and its check read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from attention_math.plan import Plan
from scenes.figure.constants import (
    BEND,
    MIN_PANEL_W,
    ON_LINE,
    ON_ORIGIN,
    PANEL_GAP,
    PANEL_MARGIN,
    SAME_MARK,
)
from scenes.figure.dodge import spread_darts
from scenes.figure.geometry import aligned, bowed, contains, edge_point, lies_on, near_segment
from scenes.figure.mapping import Mapping, drift_view, fit_mapping
from scenes.figure.names import plotted_words, shown_name
from scenes.layout import Box

Point = dict[str, Any]  # text, special, group, true, at, outside, sentences, labelled, ring
PANEL_INSET = 0.08  # a small multiple's badge, this far inside its panel's top left corner


@dataclass(frozen=True)
class ArrowStyle:
    """A VectorArrow's stroke width and tip."""

    width: float
    tip_length: float
    tip_width: float


def static_styles(n: int, shared: bool) -> list[ArrowStyle]:
    """The static vector: one thick arrow when the sentences share it, else one thin arrow
    per sentence."""
    return [ArrowStyle(9, 0.28, 0.26)] if shared else [ArrowStyle(3, 0.2, 0.16)] * n


def arrow_style(si: int) -> ArrowStyle:
    """Sentence si's arrow: later arrows thinner, drawn on top, so none is hidden."""
    w = 7.5 - 1.2 * si
    return ArrowStyle(w, 0.16 + 0.012 * w, 0.12 + 0.012 * w)


Key = tuple[str, tuple[float, float]]  # a word's text and its point in the plan


@dataclass(frozen=True)
class PlotGeometry:
    """The drift plot in scene coordinates: `map` takes plan coordinates to the scene.

    Small multiples (`fitted(..., multiples=True)`; scenes.figure.build tries them from
    MULTIPLES_FROM sentences on): each sentence in a panel of its own
    (`panels`, in a grid filling `box`), all on the same axes (one scale, the same window of
    the plan's plane), `maps[si]` taking plan coordinates to sentence si's panel; `to(si)`
    is the map of sentence si either way. One more panel of the grid, `together`, shows
    every sentence's output at once on the same axes (`together_map`), once the story is
    told (scenes.figure.together)."""

    plan: Plan
    box: Box
    map: Mapping = field(repr=False)
    panels: tuple[Box, ...] = ()
    maps: tuple[Mapping, ...] = field(default=(), repr=False)
    together: Box | None = None
    together_map: Mapping | None = field(default=None, repr=False)

    @classmethod
    def fitted(
        cls,
        plan: Plan,
        box: Box,
        multiples: bool = False,
        together: bool = True,
        zoom: float = 1.0,
    ) -> PlotGeometry:
        """The view fitted to the drift (and the words, when that leaves the drift large);
        with `multiples`, the grid of panels (one per sentence, and with `together` the last
        for the outputs together) that draws it largest; there, a `zoom` under 1 draws the
        drift at that share of its largest, centred, the words round it in view (every
        word, when that draws it larger; zoom 0: every word)."""
        drift = [plan.projection.origin]
        for s in plan.sentences:
            drift += [st.point for st in s.steps]
        words = [point for s in plan.sentences for _, point in plotted_words(s)]
        d = np.array(drift, dtype=float)
        w = np.array(words, dtype=float).reshape(-1, 2)
        if not multiples:
            return cls(plan, box, drift_view(d, w, box, margin=0.55))
        n = len(plan.sentences) + together  # a panel per sentence, the outputs together
        grids = [grid(box, n, cols) for cols in range(1, n + 1)]
        wide = [ps for ps in grids if ps[0][2] - ps[0][0] >= MIN_PANEL_W] or grids

        def view(panel: Box) -> Mapping:
            return zoomed_view(d, w, panel, zoom)

        panels = max(wide, key=lambda ps: view(ps[0]).scale)
        # one scale, one window of the plane, in each panel: the first's map, shifted
        first = view(panels[0])
        maps = tuple(
            Mapping(first.scale, first.shift + np.array([p[0] - panels[0][0], p[1] - panels[0][1]]))
            for p in panels
        )
        if not together:
            return cls(plan, box, maps[0], panels, maps)
        return cls(plan, box, maps[0], panels[:-1], maps[:-1], panels[-1], maps[-1])

    @property
    def multiples(self) -> bool:
        return bool(self.panels)

    def to(self, si: int) -> Mapping:
        """Plan coordinates to the scene, for sentence si (its panel's map)."""
        return self.maps[si] if self.maps else self.map

    def panel(self, si: int) -> Box:
        """The box sentence si is drawn in: its panel, or the whole plot."""
        return self.panels[si] if self.panels else self.box

    @property
    def origin(self) -> np.ndarray:
        """The origin (of the first panel, in small multiples: `origin_of`)."""
        return self.map(self.plan.projection.origin)

    def origin_of(self, si: int) -> np.ndarray:
        """The origin in sentence si's panel."""
        return self.to(si)(self.plan.projection.origin)

    @property
    def origins(self) -> list[np.ndarray]:
        """Every origin drawn: one per panel (one in a shared plot)."""
        return [self.origin_of(si) for si in range(len(self.maps))] or [self.origin]

    def together_tips(self) -> list[np.ndarray]:
        """Each sentence's output (its last step) in the together panel."""
        assert self.together_map is not None
        return [self.together_map(s.final.point) for s in self.plan.sentences]

    def together_starts(self) -> list[np.ndarray]:
        """Each sentence's static vector's tip in the together panel."""
        assert self.together_map is not None
        return [self.together_map(s.steps[0].point) for s in self.plan.sentences]

    @property
    def together_origin(self) -> np.ndarray:
        assert self.together_map is not None
        return self.together_map(self.plan.projection.origin)

    def inner_of(self, si: int) -> Box:
        """The box sentence si's points are drawn in (a word outside it: a marker on its
        edge)."""
        x0, y0, x1, y1 = self.panel(si)
        d = 0.25 if self.multiples else 0.2  # a dart at the edge stays in its panel
        return (x0 + d, y0 + d, x1 - d, y1 - d)

    def tips(self, si: int) -> list[np.ndarray]:
        """The tip of sentence si's arrow at each step, in the scene."""
        to = self.to(si)
        return [to(st.point) for st in self.plan.sentences[si].steps]

    @property
    def start_points(self) -> list[np.ndarray]:
        """Each sentence's static vector's tip."""
        return [self.tips(si)[0] for si in range(len(self.plan.sentences))]

    @property
    def same_start(self) -> bool:
        """Whether every sentence starts from one static vector in the plan."""
        starts = [s.steps[0].point for s in self.plan.sentences]
        return all(np.allclose(p, starts[0]) for p in starts)

    @property
    def shared_start(self) -> bool:
        """Whether every sentence starts from one drawn static vector (one arrow, one
        label): the same vector, in one shared plot."""
        return self.same_start and not self.multiples

    def pull_starts(self, si: int) -> dict[int, np.ndarray]:
        """Where the arrow's tip is when each word of sentence si joins: its pull starts
        there."""
        tips, steps = self.tips(si), self.plan.sentences[si].steps
        return {i: tips[k - 1] for k in range(1, len(steps)) for i in steps[k].joined}

    def pull_marks(
        self, si: int, k: int, point_of: dict[tuple[int, int], int]
    ) -> dict[int, list[int]]:
        """The marks pulled at sentence si's step k: point -> the joining words drawn there
        (a group's words at its one mark), in the order the words join."""
        marks: dict[int, list[int]] = {}
        for i in self.plan.sentences[si].steps[k].joined:
            j = point_of.get((si, i))
            if j is not None:
                marks.setdefault(j, []).append(i)
        return marks

    def points(
        self, labelled_words: list[list[int]], label_cap: int
    ) -> tuple[list[Point], dict[tuple[int, int], int]]:
        """One point per distinct (word, point) and per group of words that join together,
        where it is drawn ("at": on the view's edge when it is outside), and (sentence,
        token) -> its index. labelled_words: per sentence the words with a panel row (the
        first label_cap of them get a label)."""
        points: list[Point] = []
        point_of: dict[tuple[int, int], int] = {}
        seen: dict[tuple[str, tuple[float, float]], int] = {}
        for si, s in enumerate(self.plan.sentences):
            labelled = set(labelled_words[si])
            pulled_from = self.pull_starts(si)
            grouped = self._groups(si, points, point_of)
            for w, point in plotted_words(s):
                if w.index in grouped:
                    continue
                key = (w.norm, point)
                # a word of another sentence drawn nearly there ([CLS]+[SEP] of each
                # sentence, a "." at the origin in model mode): one mark, "[special] ×3";
                # in small multiples each sentence's panel has its own marks
                key = key if self.multiples else self._same_key(seen, key, points, si)
                if key in seen and not self.multiples:  # the same word in two sentences:
                    j = seen[key]  # one neutral point
                    points[j]["sentences"].add(si)
                    points[j]["labelled"] |= w.index in labelled
                    point_of[(si, w.index)] = j
                    continue
                p = self.to(si)(point)
                seen[key] = point_of[(si, w.index)] = len(points)
                # Outside the view: a marker where the line from the tip to the word leaves it.
                points.append(self._point(shown_name(s, w.index), p, pulled_from.get(w.index), si))
                points[-1].update(special=w.reason == "special", sentences={si})
                points[-1]["labelled"] = w.index in labelled
        for pt in points:  # "[special] ×3": the specials of three sentences, one mark
            if pt.get("merged"):
                pt["text"] = f"{pt['text']} ×{len(pt['sentences'])}"
        n_labels: dict[int, int] = {}  # the words with a panel row are labelled, label_cap
        for pt in points:  # at most (in each small multiple)
            if pt["labelled"]:
                of = min(pt["sentences"]) if self.multiples else 0
                n_labels[of] = n_labels.get(of, 0) + 1
                pt["labelled"] = n_labels[of] <= label_cap
            o = self.origin_of(min(pt["sentences"]))
            near = np.linalg.norm(pt["at"][:2] - o[:2]) < ON_ORIGIN
            pt["ring"] = bool(not pt["outside"] and near)
        self._spread(points)
        return points, point_of

    def _spread(self, points: list[Point]) -> None:
        """Darts that would stack at one spot of an edge, apart along it (in each panel)."""
        n = len(self.panels) or 1
        views = [(self.inner_of(si), self.panel(si), self.origin_of(si)) for si in range(n)]
        view_of = [min(pt["sentences"]) if self.multiples else 0 for pt in points]
        spread_darts(points, views, view_of)

    def _same_key(self, seen: dict[Key, int], key: Key, points: list[Point], si: int) -> Key:
        """The key of another sentence's mark of the same word within SAME_MARK of this one
        (the sentences' [special]s knot at the origin: one mark stands for them; it is
        marked "merged"), or its own."""
        if key in seen:
            return key
        p = self.map(key[1])
        for k, j in seen.items():
            near = np.linalg.norm((points[j]["true"] - p)[:2]) < SAME_MARK
            if k[0] == key[0] and si not in points[j]["sentences"] and near:
                points[j]["merged"] = True
                return k
        return key

    def _point(self, text: str, p: np.ndarray, pulled_from: np.ndarray | None, si: int) -> Point:
        inner = self.inner_of(si)
        centre = np.array([(inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2, 0])
        outside = not (inner[0] <= p[0] <= inner[2] and inner[1] <= p[1] <= inner[3])
        start = centre if pulled_from is None else pulled_from
        spot = edge_point(start, p, inner) if outside else p
        return {"text": text, "special": False, "true": p, "at": spot, "outside": outside}

    def _groups(
        self, si: int, points: list[Point], point_of: dict[tuple[int, int], int]
    ) -> set[int]:
        """One mark per group of sentence si's words that join together ("12 more"), where
        they pull together: the mean of their points weighted by their weights (the output
        moves towards it, exactly: the projection is affine). Returns the grouped tokens."""
        s, grouped = self.plan.sentences[si], set()
        tips = self.tips(si)
        for k, st in enumerate(s.steps[1:], start=1):
            row = st.joined
            if len(row) < 2:
                continue
            weight = dict(zip(st.words, st.weights, strict=True))
            pts = np.array([s.words[i].point for i in row], dtype=float)  # [G, 2]
            w = np.array([weight[i] for i in row])  # [G]
            p = self.to(si)(tuple(w @ pts / max(float(w.sum()), 1e-300)))
            for i in row:
                point_of[(si, i)] = len(points)
            grouped |= set(row)
            points.append(self._point(f"{len(row)} more", p, tips[k - 1], si))
            points[-1].update(group=True, sentences={si}, labelled=True)
        return grouped

    def arrow_lines(self, si: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """The arrows a line drawn at sentence si's step k must not lie along: the static
        vectors, sentence si's arrow from step k on and the other sentences' last arrows (in
        small multiples, those of its own panel)."""
        o = self.origin_of(si)
        if self.multiples:
            return [(o, self.start_points[si]), *((o, t) for t in self.tips(si)[k:])]
        lines = [(o, p) for p in self.start_points]
        lines += [(o, t) for t in self.tips(si)[k:]]
        lines += [
            (o, self.map(s.final.point)) for sj, s in enumerate(self.plan.sentences) if sj != si
        ]
        return lines

    def trail_path(self, si: int, k: int) -> np.ndarray:
        """The trail of sentence si's step k as corner points [m, 3]: straight from the last
        tip to this one, or bowed when it would lie along an arrow (a trail step running on
        past the last arrow's head would make the head look mid-shaft); it stops short of
        the tip, under the arrowhead."""
        tips = self.tips(si)
        a, b, o = tips[k - 1], tips[k], self.origin_of(si)
        # from the arrow's head, nearly along its shaft, it reads as the shaft going on
        shaft = aligned(a - b, b - o) or aligned(b - a, b - o)
        bend = BEND if shaft or lies_on(a, b, self.arrow_lines(si, k)) else 0.0
        pts = bowed(a, b, bend, np.linspace(0.0, 1.0, 9 if bend else 2))  # [m, 3]
        last = pts[-1] - pts[-2]
        n = float(np.linalg.norm(last))
        if n > 1e-9:
            pts[-1] = pts[-1] - last / n * min(0.06, n / 3)
        return pts

    def pull_bend(self, si: int, k: int, at: np.ndarray) -> float:
        """How much the pull from a word at `at` to the tip before step k bows: 0, or BEND
        when a straight line would lie along an arrow or through the origin's cross (a word
        that projects onto the origin or onto the line of the tip's move); to the right
        (-BEND) where bowing left would leave the view (over the chips, say)."""
        tip, o = self.tips(si)[k - 1], self.origin_of(si)
        bent = aligned(at - tip, o - tip) or lies_on(at, tip, self.arrow_lines(si, k - 1))
        if not (bent or near_segment(o, at, tip, ON_LINE)):
            return 0.0
        peak = bowed(at, tip, BEND, np.array([0.5]))[0]  # bowed to its left: in the view?
        return BEND if contains(self.inner_of(si), peak, 0.0) else -BEND


PULL_DASH = 0.09  # a pull's dashes, and the gaps between them, this long
PULL_PIECES = 8  # a pull, for the layout and its check: at most this many straight pieces


def pull_width(weight: float) -> float:
    """A pull's stroke width: as thick as the weight the word (or group) gets."""
    return 2.5 + 10 * weight


def pull_dashes(a: np.ndarray, b: np.ndarray, bend: float, dash: float = PULL_DASH) -> int:
    """How many dashes a pull from a to b has (scenes.components.Connector draws them)."""
    length = float(np.linalg.norm(b - a)) * (1 + 2.7 * bend**2)  # the arc's, about
    return max(1, int(length / (2 * dash)))


def pull_corners(a: np.ndarray, b: np.ndarray, bend: float) -> np.ndarray:
    """A pull from a to b as a line of at most PULL_PIECES pieces through the ink it draws:
    the start of every few dashes (a dash starts at t = i/n of the bowed line) and the last
    dash's end, [m, 3]. The reader of the drawn scene takes the same dashes' ends."""
    n = pull_dashes(a, b, bend)
    stride = -(-n // PULL_PIECES)
    t = np.append(np.arange(0, n, stride) / n, (n - 0.5) / n)  # [m]
    return bowed(a, b, bend, t)


def zoomed_view(drift: np.ndarray, words: np.ndarray, panel: Box, zoom: float) -> Mapping:
    """A small multiple's view (drift_view, PANEL_MARGIN inside the panel); with a `zoom`
    under 1, the drift [D, 2] at that share of the scale that fits it alone, centred, or
    every word [W, 2] in view when that draws the drift larger."""
    if zoom >= 1.0 or not len(words):
        return drift_view(drift, words, panel, PANEL_MARGIN)
    every = fit_mapping(np.vstack([drift, words]), panel, PANEL_MARGIN)
    scale = zoom * fit_mapping(drift, panel, PANEL_MARGIN).scale
    if every.scale >= scale:
        return every
    middle = (drift.min(axis=0) + drift.max(axis=0)) / 2  # [2]
    at = np.array([(panel[0] + panel[2]) / 2, (panel[1] + panel[3]) / 2])
    return Mapping(scale, at - middle * scale)


def grid(box: Box, n: int, cols: int) -> tuple[Box, ...]:
    """n panels in `cols` columns filling box, PANEL_GAP apart, row by row from the top
    left (a last row of fewer panels is centred)."""
    rows = -(-n // cols)
    w = (box[2] - box[0] - (cols - 1) * PANEL_GAP) / cols
    h = (box[3] - box[1] - (rows - 1) * PANEL_GAP) / rows
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        in_row = min(cols, n - r * cols)
        x0 = box[0] + (cols - in_row) * (w + PANEL_GAP) / 2 + c * (w + PANEL_GAP)
        y1 = box[3] - r * (h + PANEL_GAP)
        out.append((x0, y1 - h, x0 + w, y1))
    return tuple(out)
