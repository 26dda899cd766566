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
    bowed,
)
from scenes.drift.points import PointLayout
from scenes.figure.constants import (
    BEND,
)
from scenes.figure.geometry import (
    aligned,
    lies_on,
)
from scenes.layout import (
    Segment,
)


class VectorLayout(PointLayout):
    """The arrows and trails, and their lines as segments."""

    def build_vectors(self) -> None:
        """The static vector(s), each sentence's arrow and trail, at their final places."""
        plan, pal = self.plan, self.pal
        n = len(plan.sentences)
        self.start_points = [self.tips(si)[0] for si in range(n)]
        self.shared_start = all(np.allclose(p, self.start_points[0]) for p in self.start_points)
        widths = [7.5 - 1.2 * si for si in range(n)]  # later arrows thinner, on top: none hidden
        if self.shared_start:
            self.static_arrows = [
                VectorArrow(
                    self.origin,
                    self.start_points[0],
                    color=pal.static,
                    width=9,
                    tip_length=0.28,
                    tip_width=0.26,
                )
            ]
        else:
            self.static_arrows = [
                VectorArrow(
                    self.origin,
                    p,
                    color=pal.color(si),
                    width=3,
                    opacity=0.55,
                    tip_length=0.2,
                    tip_width=0.16,
                )
                for si, p in enumerate(self.start_points)
            ]
        self.arrows: list[VectorArrow] = []
        self.trails: list[list[VGroup]] = []  # per sentence, per step k >= 1
        for si in range(n):
            color = pal.color(si)
            tips = self.tips(si)
            w = widths[si]
            self.arrows.append(
                VectorArrow(
                    self.origin,
                    tips[-1],
                    color=color,
                    width=w,
                    tip_length=0.16 + 0.012 * w,
                    tip_width=0.12 + 0.012 * w,
                )
            )
            trail = []
            for k in range(1, len(tips)):
                seg = VMobject(stroke_width=5, stroke_color=color)
                seg.set_points_as_corners(self.trail_path(si, k))
                trail.append(VGroup(seg, TrailDot(tips[k - 1], pal, color)))
            self.trails.append(trail)

    def arrow_lines(self, si: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """The arrows a line drawn at sentence si's step k must not lie along: the static
        vectors, sentence si's arrow from step k on and the other sentences' last arrows."""
        lines = [(self.origin, p) for p in self.start_points]
        tips = self.tips(si)
        lines += [(self.origin, t) for t in tips[k:]]
        lines += [
            (self.origin, self.map(s.final.point))
            for sj, s in enumerate(self.plan.sentences)
            if sj != si
        ]
        return lines

    def trail_path(self, si: int, k: int) -> np.ndarray:
        """The trail of sentence si's step k as corner points [m, 3]: straight from the last
        tip to this one, or bowed when it would lie along an arrow (a trail step running on
        past the last arrow's head would make the head look mid-shaft); it stops short of
        the tip, under the arrowhead."""
        tips = self.tips(si)
        a, b = tips[k - 1], tips[k]
        # from the arrow's head, nearly along its shaft, it reads as the shaft going on
        shaft = aligned(a - b, b - self.origin) or aligned(b - a, b - self.origin)
        bend = BEND if shaft or lies_on(a, b, self.arrow_lines(si, k)) else 0.0
        pts = bowed(a, b, bend, np.linspace(0.0, 1.0, 9 if bend else 2))  # [m, 3]
        last = pts[-1] - pts[-2]
        n = float(np.linalg.norm(last))
        if n > 1e-9:
            pts[-1] = pts[-1] - last / n * min(0.06, n / 3)
        return pts

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
            (float(p[0]), float(p[1]), float(q[0]), float(q[1]), 0.03)
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
