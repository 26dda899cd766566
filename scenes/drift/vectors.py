"""The static vector(s), each sentence's arrow and trail, at the layout's places (its
mapping and geometry: scenes.figure.plot.PlotGeometry; their styles: scenes.figure.plotmodel)."""

from __future__ import annotations

import numpy as np
from manim import (
    VGroup,
    VMobject,
)

from scenes.components import (
    TrailDot,
    VectorArrow,
)
from scenes.drift.points import PointLayout
from scenes.figure.plotmodel import arrow_style


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
                opacity=1.0 if same else 0.55,
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

    def arrow_lines(self, si: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """The arrows a line drawn at sentence si's step k must not lie along."""
        return self.geometry.arrow_lines(si, k)

    def trail_path(self, si: int, k: int) -> np.ndarray:
        """The trail of sentence si's step k as corner points [m, 3] (PlotGeometry)."""
        return self.geometry.trail_path(si, k)
