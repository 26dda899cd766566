"""The layout holds whatever the fonts measure.

- The label placer keeps the layout check's clearance (`scenes.layout.CLEARANCE`) from every
  obstacle it is given, so a label it calls free passes the check (before, it kept none
  round an obstacle given without a margin: the output's ring, 0.018 from its label with
  Noto Sans, failed the check that DejaVu Sans passed).
"""

from __future__ import annotations

import numpy as np

from scenes.layout import CLEARANCE, _place, box_at

BOUNDS = (-4.0, -3.0, 4.0, 3.0)


def _gap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """How far apart two boxes are along the axis that separates them most (< 0: they
    overlap), written here, not taken from scenes.layout."""
    return max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])


def test_a_label_placed_free_keeps_the_checks_clearance_from_every_obstacle() -> None:
    """Random rings round random anchors (an obstacle with no margin, as a ring is given):
    every label the placer calls free is at least CLEARANCE from every obstacle and every
    other label."""
    rng = np.random.default_rng(18)
    nearest = np.inf
    for _ in range(60):
        n = int(rng.integers(2, 7))
        anchors = [tuple(a) for a in rng.uniform([-3.0, -2.2], [3.0, 2.2], size=(n, 2))]
        sizes = [tuple(s) for s in rng.uniform([0.3, 0.2], [1.6, 0.35], size=(n, 2))]
        radius = rng.uniform(0.1, 0.3, size=n)
        rings = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(anchors, radius, strict=True)]
        centres, stuck = _place(anchors, sizes, BOUNDS, rings, spacing=0.0)
        if stuck:
            continue
        boxes = [box_at(*c, *s) for c, s in zip(centres, sizes, strict=True)]
        for i, b in enumerate(boxes):
            gaps = [_gap(b, o) for o in rings] + [_gap(b, o) for o in boxes[i + 1 :]]
            nearest = min(nearest, *gaps)
    assert CLEARANCE - 1e-9 <= nearest < CLEARANCE + 0.02  # held, and it was tight
