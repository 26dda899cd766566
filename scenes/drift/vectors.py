"""The static vector(s), each sentence's arrow and trail, at the layout's places (its
mapping and geometry: scenes.figure.plot.PlotGeometry; their styles: scenes.figure.plotmodel)."""

from __future__ import annotations

import numpy as np
from manim import (
    Rectangle,
    VGroup,
    VMobject,
)

from scenes.components import (
    Connector,
    OriginMark,
    TrailDot,
    VectorArrow,
    label,
)
from scenes.drift.helpers import put_at
from scenes.drift.points import PointLayout
from scenes.figure.plotmodel import ArrowStyle, arrow_style
from scenes.figure.together import TITLE
from scenes.theme import SIZES


class VectorLayout(PointLayout):
    """The arrows and trails."""

    def build_vectors(self) -> None:
        """The static vector(s), each sentence's arrow and trail, at their final places."""
        plan, pal = self.plan, self.pal
        n = len(plan.sentences)
        g = self.geometry
        self.start_points = g.start_points
        self.shared_start = g.shared_start
        same = g.same_start  # one static vector in the plan (one per panel, or one in all)
        self.static_arrows = [
            VectorArrow(
                g.origin_of(j),
                p,
                color=pal.static if same else pal.color(j),
                width=st.width,
                opacity=1.0 if same else 0.8,  # thin already: faint was pastel on white
                tip_length=st.tip_length,
                tip_width=st.tip_width,
            )
            for j, p, st in self.plot.statics()
        ]
        self.arrows: list[VectorArrow] = []
        self.trails: list[list[VGroup]] = []  # per sentence, per step k >= 1
        for si in range(n):
            color = pal.color(si)
            tips = self.tips(si)
            st = arrow_style(si)  # later arrows thinner, on top: none hidden
            self.arrows.append(
                VectorArrow(
                    g.origin_of(si),
                    tips[-1],
                    color=color,
                    width=st.width,
                    tip_length=st.tip_length,
                    tip_width=st.tip_width,
                )
            )
            trail = []
            for k in range(1, len(tips)):
                seg = VMobject(stroke_width=5, stroke_color=color)
                seg.set_points_as_corners(self.trail_path(si, k))
                trail.append(VGroup(seg, TrailDot(tips[k - 1], pal, color)))
            self.trails.append(trail)
        self.build_pulls()
        self.build_together()

    def build_pulls(self) -> None:
        """Each step's pulls, made once where the layout puts them (PlotLayout.pulls): a
        dashed line from each pulled mark's point to the tip before the step, as thick as
        its weight; `pulls[si][k - 1]` holds step k's as (point, line)."""
        g = self.geometry
        self.pulls: list[list[list[tuple[int, Connector]]]] = []
        for si in range(len(self.plan.sentences)):
            color, tips = self.pal.color(si), self.tips(si)
            self.pulls.append([
                [(j, Connector(self.points[j]["at"], tips[k - 1], color=color, width=width,
                               bend=g.pull_bend(si, k, self.points[j]["at"])))
                 for j, _, width, _ in self.plot.pulls(si, k)]
                for k in range(1, len(tips))
            ])  # fmt: skip

    def build_together(self) -> None:
        """Small multiples' panel of the outputs together (scenes.figure.together), where the
        layout puts it: its frame, title, origin, static vector(s), each sentence's output
        in its colour and the badge naming it; `together` lists them in drawing order (none
        without that panel)."""
        pal, tp = self.pal, self.plot.outputs
        self.together: list[VMobject] = []
        if tp is None:
            return
        b = tp.box
        self.together_frame = Rectangle(width=b[2] - b[0], height=b[3] - b[1],
                                        stroke_color=pal.faint, stroke_width=2)  # fmt: skip
        put_at(self.together_frame, b)
        self.together_title = put_at(label(TITLE, pal, size=SIZES.small, color=pal.muted), tp.title)
        self.together_origin = OriginMark(tp.origin, color=pal.text)
        same = len(tp.statics) == 1
        self.together_statics = [
            self.arrow_of(tp.origin, tip, pal.static if same else pal.color(j), st,
                          1.0 if same else 0.55)
            for j, (_, tip, st) in enumerate(tp.statics)
        ]  # fmt: skip
        self.together_arrows = [
            self.arrow_of(tp.origin, tip, pal.color(si), st, 1.0)
            for si, (tip, st) in enumerate(zip(tp.tips, tp.styles, strict=True))
        ]
        self.together_badges = [put_at(self.badge(si), box) for si, box in enumerate(tp.badges)]
        self.together = [self.together_frame, self.together_origin, *self.together_statics,
                         *self.together_arrows, self.together_title,
                         *self.together_badges]  # fmt: skip

    @staticmethod
    def arrow_of(
        origin: np.ndarray, tip: np.ndarray, color: str, st: ArrowStyle, opacity: float
    ) -> VectorArrow:
        """An arrow from origin to tip in a style of scenes.figure.plotmodel."""
        return VectorArrow(origin, tip, color=color, width=st.width, opacity=opacity,
                           tip_length=st.tip_length, tip_width=st.tip_width)  # fmt: skip

    def arrow_lines(self, si: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """The arrows a line drawn at sentence si's step k must not lie along."""
        return self.geometry.arrow_lines(si, k)

    def trail_path(self, si: int, k: int) -> np.ndarray:
        """The trail of sentence si's step k as corner points [m, 3] (PlotGeometry)."""
        return self.geometry.trail_path(si, k)
