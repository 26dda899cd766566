"""The drift figure's own animations (in place, copying nothing) and rate functions."""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import (
    Circle,
    smooth,
)

from scenes.components import (
    InPlace,
    VectorArrow,
)


def early(t: float) -> float:
    """Smooth over the first 60 % of the time, then still (the numbers settle early)."""
    return float(smooth(min(1.0, t / 0.6)))


class MoveArrow(InPlace):
    """The sentence's arrow turning from one step's output to the next."""

    def __init__(
        self, arrow: VectorArrow, origin: np.ndarray, a: np.ndarray, b: np.ndarray, **kwargs: Any
    ) -> None:
        self.arrow, self.origin, self.a, self.b = arrow, origin, a, b
        super().__init__(arrow, **kwargs)

    def interpolate_mobject(self, alpha: float) -> None:
        t = self.rate_func(alpha)
        self.arrow.put(self.origin, self.a + (self.b - self.a) * t)


class Pulse(InPlace):
    """A ring growing out of a word's point and fading: this word acts now."""

    def __init__(self, point: np.ndarray, color: str) -> None:
        self.point = point
        self.ring = Circle(radius=0.08, stroke_width=3, color=color).move_to(point)
        super().__init__(self.ring, introducer=True, remover=True)

    def interpolate_mobject(self, alpha: float) -> None:
        a = min(1.0, 2.5 * alpha)  # the first 40 % of the step; then gone
        self.ring.scale_to_fit_width(2 * (0.08 + 0.16 * a)).move_to(self.point)
        self.ring.set_stroke(opacity=1.0 if a < 1.0 else 0.0)
