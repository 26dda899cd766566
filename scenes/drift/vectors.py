"""The static vector(s), each sentence's arrow and trail, and the lines labels stay off."""

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
from scenes.figure.plotmodel import TRAIL_HALF_WIDTH, arrow_style, static_styles
from scenes.layout import (
    Segment,
)


class VectorLayout(PointLayout):
    """The arrows and trails, and their lines as segments."""

    def build_vectors(self) -> None:
        """The static vector(s), each sentence's arrow and trail, at their final places."""
        plan, pal = self.plan, self.pal
        n = len(plan.sentences)
        self.start_points = self.geometry.start_points
        self.shared_start = self.geometry.shared_start
        styles = static_styles(n, self.shared_start)
        self.static_arrows = [
            VectorArrow(
                self.origin,
                p,
                color=pal.static if self.shared_start else pal.color(si),
                width=st.width,
                opacity=1.0 if self.shared_start else 0.55,
                tip_length=st.tip_length,
                tip_width=st.tip_width,
            )
            for si, (p, st) in enumerate(zip(self.start_points, styles, strict=False))
        ]
        self.arrows: list[VectorArrow] = []
        self.trails: list[list[VGroup]] = []  # per sentence, per step k >= 1
        for si in range(n):
            color = pal.color(si)
            tips = self.tips(si)
            st = arrow_style(si)  # later arrows thinner, on top: none hidden
            self.arrows.append(
                VectorArrow(
                    self.origin,
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

    def segments(self) -> list[tuple[str, Segment]]:
        """Every line a label must stay off: static vectors, every step's arrow and the arrow
        between steps as it moves, the trails."""
        out: list[tuple[str, Segment]] = []
        for j, a in enumerate(self.static_arrows):
            out += [(f"static vector {j}", seg) for seg in a.segments()]
        for si in range(len(self.plan.sentences)):
            tips = self.tips(si)
            arrow = self.arrows[si]
            for k, tip in enumerate(tips):
                frac = [0.0] if k == 0 else [1 / 3, 2 / 3, 1.0]
                for f in frac:
                    p = tips[k - 1] + (tip - tips[k - 1]) * f if k else tip
                    out += [
                        (f"arrow {si + 1} step {k}", seg) for seg in arrow.segments(self.origin, p)
                    ]
            for k in range(1, len(tips)):
                out += [(f"trail {si + 1} step {k}", seg) for seg in self.trail_segments(si, k)]
        return out

    def trail_segments(self, si: int, k: int) -> list[Segment]:
        pts = self.trail_path(si, k)
        return [
            (float(p[0]), float(p[1]), float(q[0]), float(q[1]), TRAIL_HALF_WIDTH)
            for p, q in zip(pts, pts[1:], strict=False)
        ]

    def final_lines(self) -> list[Segment]:
        """The lines of the last frame (static vectors, arrows, trails): a leader line
        crossing fewer of them is easier to follow."""
        out: list[Segment] = [seg for a in self.static_arrows for seg in a.segments()]
        for si in range(len(self.plan.sentences)):
            tips = self.tips(si)
            out += self.arrows[si].segments(self.origin, tips[-1])
            for k in range(1, len(tips)):
                out += self.trail_segments(si, k)
        return out
