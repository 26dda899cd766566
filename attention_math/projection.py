"""High-dimensional vectors down to the 2-D picture: one PCA basis per render.

The basis is ``sklearn.decomposition.PCA`` fitted once on an explicit reference set (the
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


@dataclass(frozen=True)
class Basis:
    """A fitted 2-D basis.  mean [C], components [2, C], explained_variance_ratio [2]."""

    mean: np.ndarray
    components: np.ndarray
    explained_variance_ratio: np.ndarray

    def project(self, x: np.ndarray) -> np.ndarray:
        """[M, C] or [C] -> [M, 2] or [2]."""
        return (x - self.mean) @ self.components.T  # [M, C] @ [C, 2] -> [M, 2]


def fit_basis(reference: np.ndarray) -> Basis:
    """Fit PCA(n_components=2) on reference [R, C]."""
    from sklearn.decomposition import PCA

    if reference.ndim != 2 or reference.shape[1] < 2:
        raise InputError("vectors need at least 2 dimensions to be drawn in 2-D")
    if len(np.unique(reference, axis=0)) < 2:
        raise InputError(
            "all the words to draw have the same vector, so there is no direction to show; "
            "add context words (or --keep-stopwords)"
        )
    pca = PCA(n_components=2, svd_solver="full").fit(reference)
    ratio = pca.explained_variance_ratio_
    return Basis(
        mean=pca.mean_.astype(np.float64),
        components=pca.components_.astype(np.float64),
        explained_variance_ratio=np.nan_to_num(ratio.astype(np.float64)),
    )
