"""Plan coordinates (PCA units) to scene coordinates: a uniform scale and a shift, fitted
to a box (no drawing). Shared by the drift figure and the lecture pictures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenes.layout import Box


@dataclass
class Mapping:
    """Plan coordinates (PCA units) to scene coordinates: uniform scale, no distortion."""

    scale: float
    shift: np.ndarray

    def __call__(self, p: tuple[float, float] | list[float]) -> np.ndarray:
        x, y = (np.asarray(p[:2], dtype=float) * self.scale) + self.shift
        return np.array([x, y, 0.0])


def fit_mapping(points: np.ndarray, box: Box, margin: float) -> Mapping:
    """Fit points [M, 2] into box with a margin, keeping the aspect ratio."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    w, h = box[2] - box[0] - 2 * margin, box[3] - box[1] - 2 * margin
    s = float(min(w / span[0], h / span[1]))
    centre_data = (lo + hi) / 2
    centre_box = np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])
    return Mapping(s, centre_box - centre_data * s)


def drift_view(drift: np.ndarray, words: np.ndarray, box: Box, margin: float) -> Mapping:
    """The view of the plot: the drift (origin, static vector, every step: [D, 2]) drawn at
    least two thirds as large as it could be (so it fills at least half of the plot's
    shorter side); the words [W, 2] are in view too when that allows it, else the view is
    fitted to the drift alone (the scene marks the words outside at the edge).
    """
    everything = fit_mapping(np.vstack([drift, words]) if len(words) else drift, box, margin)
    tight = fit_mapping(drift, box, margin)
    extent = float((drift.max(axis=0) - drift.min(axis=0)).max()) * everything.scale
    half = 0.5 * min(box[2] - box[0], box[3] - box[1])
    return everything if everything.scale >= 0.65 * tight.scale and extent >= half else tight
