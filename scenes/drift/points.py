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
)
from scenes.figure.names import (
    cut,
)
from scenes.figure.plot import PlotGeometry
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
        self.plot_box = (self.left, plot_bottom, plot_right, self.body_top)
        self.geometry = PlotGeometry.fitted(self.plan, self.plot_box)
        self.map = self.geometry.map
        self.origin = self.geometry.origin
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
        specials = [len(pt["sentences"]) for pt in self.points if pt["special"]]
        if specials:  # one mark for the sentences' [special]s when they knot together
            n = max(specials)
            of = f" of {n} sentences" if n > 1 else ""
            entries.append((None, f"[special]: [CLS]+[SEP]{of}"))
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
        """Each context word's point (or, outside the view, a marker at its edge): where,
        from the plot's geometry; its mark, drawn there."""
        rows = [self.word_rows(si) for si in range(len(self.plan.sentences))]
        self.points, self.point_of = self.geometry.points(rows, self.label_cap)
        for pt in self.points:
            pt["mob"] = self.point_mark(pt)
        self.dots = [pt["mob"] for pt in self.points]
        self.origin_mark = OriginMark(self.origin, color=self.pal.text)

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
        if pt["ring"]:
            # A dot there would hide under the origin's cross and the arrows' tails: a ring
            # round them says "this word is at the origin".
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
        return self.geometry.tips(si)
