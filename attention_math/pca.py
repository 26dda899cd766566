"""High-dimensional vectors down to the 2-D picture: one PCA basis per render.

The basis is a PCA (scikit-learn's, in numpy) fitted once on an explicit reference set (the
words of every sentence in the render plus every step's output), so two sentences share one
picture. scikit-learn's sign convention (``svd_flip``) keeps the picture from mirroring
between runs. Projection is affine (x ↦ (x − mean) Cᵀ), and attention weights sum to 1, so
the 2-D point of a weighted sum equals the weighted sum of the 2-D points.

Dimension names: R reference vectors, M vectors to project, C vector size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attention_math.errors import InputError
from attention_math.plan import Projection

METHOD = "PCA, 2 components (SVD of the centred reference; scikit-learn's full solver and signs)"


@dataclass(frozen=True)
class Basis:
    """A fitted 2-D basis.  mean [C], components [2, C], explained_variance_ratio [2];
    n_reference: how many vectors it was fitted on."""

    mean: np.ndarray
    components: np.ndarray
    explained_variance_ratio: np.ndarray
    n_reference: int

    def project(self, x: np.ndarray) -> np.ndarray:
        """[M, C] or [C] -> [M, 2] or [2]."""
        return (x - self.mean) @ self.components.T  # [M, C] @ [C, 2] -> [M, 2]


def fit_basis(reference: np.ndarray) -> Basis:
    """Fit a 2-component PCA on reference [R, C]: the SVD of the centred vectors, with
    scikit-learn's sign convention (``svd_flip`` on the rows of Vᵀ: each component's largest
    entry is positive) and ratios, so the basis is ``PCA(n_components=2, svd_solver="full")``'s
    (tests/test_pca.py holds it to scikit-learn's). numpy alone: importing scikit-learn costs
    a second of every start."""
    if reference.ndim != 2 or reference.shape[1] < 2:
        raise InputError("vectors need at least 2 dimensions to be drawn in 2-D")
    if len(np.unique(reference, axis=0)) < 2:
        raise InputError(
            "all the words to draw have the same vector, so there is no direction to show; "
            "add context words (or {keep_stopwords})"
        )
    x = np.asarray(reference, dtype=np.float64)
    mean = x.mean(axis=0)  # [C]
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)  # s [k], vt [k, C]
    biggest = np.argmax(np.abs(vt), axis=1)  # [k]
    vt *= np.sign(vt[np.arange(len(vt)), biggest])[:, None]
    variance = s**2 / (len(x) - 1)  # [k]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = variance[:2] / variance.sum()
    return Basis(
        mean=mean,
        components=vt[:2].copy(),
        explained_variance_ratio=np.nan_to_num(ratio),
        n_reference=len(reference),
    )


def to_projection(basis: Basis, reference: str) -> Projection:
    """The plan's record of `basis`; reference: what it was fitted on, in words. Its origin is
    the point of the zero vector, where the scenes start arrows."""
    origin = basis.project(np.zeros(basis.mean.shape[0]))  # [C] -> [2]
    return Projection(
        method=METHOD,
        reference=reference,
        n_reference=basis.n_reference,
        mean=tuple(float(v) for v in basis.mean),
        components=(
            tuple(float(v) for v in basis.components[0]),
            tuple(float(v) for v in basis.components[1]),
        ),
        explained_variance_ratio=(
            float(basis.explained_variance_ratio[0]),
            float(basis.explained_variance_ratio[1]),
        ),
        origin=(float(origin[0]), float(origin[1])),
    )
