"""The plot's view and marks: where each word is drawn (or its marker at the view's edge),
the origin, the key that names the marks.
"""

from __future__ import annotations

import numpy as np
from manim import (
    LEFT,
    ORIGIN,
    PI,
    RIGHT,
    Circle,
    Dot,
    Square,
    VGroup,
    VMobject,
)

from scenes.components import (
    EdgeMarker,
    OriginMark,
    chip_rows,
    label,
)
from scenes.drift.header import HeaderLayout
from scenes.figure.constants import (
    GUTTER,
    ON_ORIGIN,
)
from scenes.figure.geometry import (
    edge_point,
)
from scenes.figure.mapping import drift_view
from scenes.figure.names import (
    cut,
    plotted_words,
    word_name,
)
from scenes.layout import (
    Box,
)
from scenes.theme import SIZES


class PointLayout(HeaderLayout):
    """The plot's view, the words' marks and the key."""

    def source_name(self) -> str:
        e = self.plan.embedding
        if e.kind == "model":
            return "MiniLM value vectors"
        return "MiniLM embeddings" if e.kind == "minilm" else f"vectors ({e.name})"

    def view(self, plot_right: float, plot_bottom: float) -> None:
        """The plot's box, the view of the drift in it, the origin and the words' marks."""
        plan = self.plan
        self.plot_box: Box = (self.left, plot_bottom, plot_right, self.body_top)
        drift = [plan.projection.origin]
        for s in plan.sentences:
            drift += [st.point for st in s.steps]
        words = [point for s in plan.sentences for _, point in plotted_words(s)]
        self.map = drift_view(
            np.array(drift, dtype=float),
            np.array(words, dtype=float).reshape(-1, 2),
            self.plot_box,
            margin=0.55,
        )
        self.origin = self.map(plan.projection.origin)
        self.build_points()

    def build_key(self) -> VGroup:
        """One line saying what the marks of this figure mean (only those it draws): the
        edge dart, the ring at the origin, the group's diamond, v(·), [special], ′."""
        pal, plan = self.pal, self.plan
        muted = pal.muted
        entries: list[tuple[VMobject | None, str]] = []
        if any(pt["outside"] for pt in self.points):
            dart = EdgeMarker(ORIGIN, RIGHT, color=muted, size=0.26)
            entries.append((dart, "word off view"))
        if any(pt.get("ring") for pt in self.points):
            entries.append((Circle(radius=0.09, color=muted, stroke_width=2.5), "word at origin"))
        if any(pt.get("group") for pt in self.points):
            diamond = Square(0.12, stroke_width=0, fill_color=muted, fill_opacity=1).rotate(PI / 4)
            entries.append((diamond, "words joined"))
        if any(pt["special"] for pt in self.points):
            entries.append((None, "[special]: CLS+SEP"))
        for j, n in self.numbered.items():  # the legend
            entries.append((None, f"{n}: {self.points[j]['text']}"))
        t = cut(plan.target, 14)
        if plan.model is not None:
            entries.append((None, f"v({t}): value vector"))
        entries.append((None, f"{t}′: after attention"))
        parts: list[VMobject] = []
        for mark, text in entries:
            words = label(text, pal, size=SIZES.small, color=muted)
            parts.append(VGroup(mark, words).arrange(RIGHT, buff=0.1) if mark else words)
        self.key_parts = parts
        # Under the panel column too, when its panels and equations end above the key.
        wide = chip_rows(parts, max_width=self.right - self.left, buff=0.3, row_buff=0.08,
                         aligned_edge=LEFT)  # fmt: skip
        top = self.caption.get_top()[1] + 0.1 + wide.height
        if len(wide) > 1 and top + 0.2 < self.column_bottom():
            return wide
        width = self.col_x - GUTTER - self.left
        return chip_rows(parts, max_width=width, buff=0.3, row_buff=0.08, aligned_edge=LEFT)

    def column_bottom(self) -> float:
        """The lowest the panel column's texts reach (panels, equations, summary)."""
        column = [*self.panels, *self.equations]
        if self.summary is not None:
            column.append(self.summary)
        return min(m.get_bottom()[1] for m in column)

    def build_points(self) -> None:
        """Each context word's point (or, outside the view, a marker at its edge)."""
        self.collect_points()
        n_labels = 0  # the words with a panel row are labelled, MAX_WORD_LABELS at most
        for pt in self.points:
            if pt["labelled"]:
                n_labels += 1
                pt["labelled"] = n_labels <= self.label_cap
        for pt in self.points:
            pt["mob"] = self.point_mark(pt)
        self.dots = [pt["mob"] for pt in self.points]
        self.origin_mark = OriginMark(self.origin, color=self.pal.text)

    def collect_points(self) -> None:
        """self.points: one per distinct (word, point), where it is drawn ("at": on the
        view's edge when it is outside); self.point_of: (sentence, token) -> its index."""
        x0, y0, x1, y1 = self.plot_box
        inner = (x0 + 0.2, y0 + 0.2, x1 - 0.2, y1 - 0.2)
        centre = np.array([(inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2, 0])
        self.points: list[dict] = []
        self.point_of: dict[tuple[int, int], int] = {}
        seen: dict[tuple[str, tuple[float, float]], int] = {}
        for si, s in enumerate(self.plan.sentences):
            labelled = set(self.word_rows(si))
            pulled_from = self.pull_starts(si)
            grouped = self.add_groups(si, inner, centre)
            for w, point in plotted_words(s):
                if w.index in grouped:
                    continue
                key = (w.norm, point)
                if key in seen:  # the same word in two sentences: one neutral point
                    j = seen[key]
                    self.points[j]["sentences"].add(si)
                    self.points[j]["labelled"] |= w.index in labelled
                    self.point_of[(si, w.index)] = j
                    continue
                p = self.map(point)
                outside = not (inner[0] <= p[0] <= inner[2] and inner[1] <= p[1] <= inner[3])
                # Outside the view: a marker where the line from the tip to the word leaves it.
                spot = edge_point(pulled_from.get(w.index, centre), p, inner) if outside else p
                seen[key] = len(self.points)
                self.point_of[(si, w.index)] = len(self.points)
                self.points.append(
                    {
                        "text": word_name(s, w.index),
                        "special": w.reason == "special",
                        "true": p,
                        "at": spot,
                        "outside": outside,
                        "sentences": {si},
                        "labelled": w.index in labelled,
                    }
                )

    def add_groups(self, si: int, inner: Box, centre: np.ndarray) -> set[int]:
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
            p = self.map(tuple(w @ pts / max(float(w.sum()), 1e-300)))
            outside = not (inner[0] <= p[0] <= inner[2] and inner[1] <= p[1] <= inner[3])
            for i in row:
                self.point_of[(si, i)] = len(self.points)
            grouped |= set(row)
            self.points.append(
                {
                    "text": f"{len(row)} more",
                    "special": False,
                    "group": True,
                    "true": p,
                    "at": edge_point(tips[k - 1], p, inner) if outside else p,
                    "outside": outside,
                    "sentences": {si},
                    "labelled": True,
                }
            )
        return grouped

    def pull_starts(self, si: int) -> dict[int, np.ndarray]:
        """Where the arrow's tip is when each word of sentence si joins: its pull starts
        there."""
        tips, steps = self.tips(si), self.plan.sentences[si].steps
        return {i: tips[k - 1] for k in range(1, len(steps)) for i in steps[k].joined}

    def point_mark(self, pt: dict) -> VMobject:
        """A word's dot in its sentence's colour (neutral when sentences share it), or
        outside the view a marker at the edge pointing towards it; sets pt["color"]."""
        pal = self.pal
        color = (
            pal.special
            if pt["special"]
            else (pal.text if len(pt["sentences"]) > 1 else pal.color(min(pt["sentences"])))
        )
        pt["color"] = color
        if not pt["outside"] and np.linalg.norm(pt["at"][:2] - self.origin[:2]) < ON_ORIGIN:
            # A dot there would hide under the origin's cross and the arrows' tails: a ring
            # round them says "this word is at the origin".
            pt["ring"] = True
            return Circle(radius=0.2, color=color, stroke_width=3.5).move_to(pt["at"])
        if not pt["outside"] and pt.get("group"):  # several words as one: a diamond
            return (
                Square(0.15, stroke_width=0, fill_color=color, fill_opacity=1.0)
                .rotate(PI / 4)
                .move_to(pt["at"])
            )
        if not pt["outside"]:
            return Dot(pt["at"], radius=0.07 if pt["labelled"] else 0.045, color=color)
        # A word of "the rest" (no label): a smaller, fainter marker.
        size = 0.36 if pt["labelled"] else 0.22
        m = EdgeMarker(pt["at"], pt["true"] - pt["at"], color=color, size=size)
        if not pt["labelled"]:
            m.set_fill(opacity=0.6)
        return m

    def tips(self, si: int) -> list[np.ndarray]:
        """The tip of sentence si's arrow at each step, in the scene."""
        return [self.map(st.point) for st in self.plan.sentences[si].steps]
