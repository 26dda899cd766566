"""The plot's view and marks: each word's mark (or its dart at the view's edge) where the
plot's layout puts it, the origin, the key that names the marks, at its place.
"""

from __future__ import annotations

import numpy as np
from manim import (
    ORIGIN,
    PI,
    RIGHT,
    Circle,
    Dot,
    Rectangle,
    Square,
    VGroup,
    VMobject,
)

from scenes.components import (
    EdgeMarker,
    OriginMark,
    VectorArrow,
    label,
)
from scenes.drift.header import HeaderLayout
from scenes.drift.helpers import put_at
from scenes.figure.plotmodel import KEY_MARK_GAP, key_marks
from scenes.figure.widgets import (
    DART,
    DIAMOND,
    DOT_RADIUS,
    KEY_ARROW,
    KEY_DART,
    KEY_DIAMOND,
    KEY_RING,
    RING_RADIUS,
)
from scenes.theme import SIZES


class PointLayout(HeaderLayout):
    """The plot's view, the words' marks and the key."""

    def source_name(self) -> str:
        e = self.plan.embedding
        if e.kind == "model":
            return "MiniLM value vectors"
        return "MiniLM embeddings" if e.kind == "minilm" else f"vectors ({e.name})"

    def view(self) -> None:
        """The plot's box and the view of the drift in it (the layout's mapping: every plot
        coordinate the scene draws at goes through it), the origin and the words' marks."""
        g = self.plot.geometry
        self.geometry = g
        self.plot_box = g.box
        self.map = g.map
        self.origin = g.origin
        # the layout's points, each with its mark (and colour) added here
        self.points = [dict(pt) for pt in self.plot.points]
        self.point_of = dict(self.plot.point_of)
        for pt in self.points:
            pt["mob"] = self.point_mark(pt)
        self.dots = [pt["mob"] for pt in self.points]
        # one origin per panel in small multiples (one in a shared plot), each panel framed
        # and numbered with its sentence's badge
        self.origin_marks = [OriginMark(o, color=self.pal.text) for o in g.origins]
        self.origin_mark = self.origin_marks[0]
        self.panel_frames = [
            Rectangle(width=b[2] - b[0], height=b[3] - b[1], stroke_color=self.pal.faint,
                      stroke_width=2).move_to(np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, 0]))
            for b in g.panels
        ]  # fmt: skip
        self.panel_badges = [
            put_at(self.badge(si), box) for si, box in enumerate(self.plot.badges)
        ] if g.multiples else []  # fmt: skip

    def build_key(self) -> VGroup:
        """One line saying what the marks of this figure mean (only those it draws): the
        edge dart, the ring at the origin, the group's diamond, v(·), [special], ′; each
        entry at the layout's place for it (scenes.figure.plotmodel.key_entries)."""
        pal, plan = self.pal, self.plan
        muted = pal.muted
        st = self.plot.static_in_key

        def drawn(kind: str) -> VMobject:
            if kind == "static" and st is not None:  # every panel's static vector
                return VectorArrow(ORIGIN, RIGHT * KEY_ARROW, color=pal.static, width=st.width,
                                   tip_length=st.tip_length, tip_width=st.tip_width)  # fmt: skip
            if kind == "dart":
                return EdgeMarker(ORIGIN, RIGHT, color=muted, size=KEY_DART)
            if kind == "ring":
                return Circle(radius=KEY_RING, color=muted, stroke_width=2.5)
            diamond = Square(KEY_DIAMOND, stroke_width=0, fill_color=muted, fill_opacity=1)
            return diamond.rotate(PI / 4)

        entries = [
            (None if kind is None else drawn(kind), text)
            for kind, text in key_marks(plan, self.points, self.numbered, st is not None)
        ]
        parts: list[VMobject] = []
        for (mark, text), box in zip(entries, self.plot.key, strict=True):
            words = label(text, pal, size=SIZES.small, color=muted)
            part = VGroup(mark, words).arrange(RIGHT, buff=KEY_MARK_GAP) if mark else words
            parts.append(put_at(part, box))
        self.key_parts = parts
        return VGroup(*parts)

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
            return Circle(radius=RING_RADIUS, color=color, stroke_width=3.5).move_to(pt["at"])
        if not pt["outside"] and pt.get("group"):  # several words as one: a diamond
            return (
                Square(DIAMOND, stroke_width=0, fill_color=color, fill_opacity=1.0)
                .rotate(PI / 4)
                .move_to(pt["at"])
            )
        if not pt["outside"]:
            return Dot(pt["at"], radius=DOT_RADIUS[int(pt["labelled"])], color=color)
        # A word of "the rest" (no label): a smaller, fainter marker.
        size = DART[int(pt["labelled"])]
        m = EdgeMarker(pt["at"], pt["true"] - pt["at"], color=color, size=size)
        if not pt["labelled"]:
            m.set_fill(opacity=0.6)
        return m

    def tips(self, si: int) -> list[np.ndarray]:
        """The tip of sentence si's arrow at each step, in the scene (the layout's mapping)."""
        return self.geometry.tips(si)
