"""Plane geometry of the drift figure: points in boxes, segments crossing, lines along lines."""

from __future__ import annotations

import numpy as np

from scenes.figure.constants import ON_LINE
from scenes.layout import Box


def contains(b: Box, p: np.ndarray, tol: float = 0.02) -> bool:
    return b[0] - tol <= p[0] <= b[2] + tol and b[1] - tol <= p[1] <= b[3] + tol


def segments_cross(p: np.ndarray, q: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """For the segment p-q, whether it properly crosses each of `drawn` [L, 4]: [L] bools."""

    def side(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        return np.sign((b[0] - a[0]) * (c[..., 1] - a[1]) - (b[1] - a[1]) * (c[..., 0] - a[0]))

    r, t = drawn[:, :2], drawn[:, 2:]
    cross_rt = np.sign(
        (t[:, 0] - r[:, 0]) * (p[1] - r[:, 1]) - (t[:, 1] - r[:, 1]) * (p[0] - r[:, 0])
    ) != np.sign((t[:, 0] - r[:, 0]) * (q[1] - r[:, 1]) - (t[:, 1] - r[:, 1]) * (q[0] - r[:, 0]))
    return (side(p, q, r) != side(p, q, t)) & cross_rt


def pad_box(b: Box, p: float) -> Box:
    return (b[0] - p, b[1] - p, b[2] + p, b[3] + p)


def lies_on(
    p: np.ndarray, q: np.ndarray, lines: list[tuple[np.ndarray, np.ndarray]], tol: float = ON_LINE
) -> bool:
    """Whether the segment p-q runs along one of `lines` (a, b): both its ends within tol of
    the line through a and b, and overlapping a-b (or touching its ends)."""
    for a, b in lines:
        d = (b - a)[:2]
        length = float(np.linalg.norm(d))
        if length < 1e-9:
            continue
        u = d / length
        n = np.array([-u[1], u[0]])
        if max(abs(float(n @ (p - a)[:2])), abs(float(n @ (q - a)[:2]))) > tol:
            continue
        s0, s1 = sorted((float(u @ (p - a)[:2]), float(u @ (q - a)[:2])))
        if s1 >= -tol and s0 <= length + tol:
            return True
    return False


ALIGNED = np.cos(np.radians(20))  # lines closer than 20° to each other read as one


def aligned(u: np.ndarray, v: np.ndarray) -> bool:
    """Whether the directions u and v (from one point) are within 20° of each other."""
    nu, nv = float(np.linalg.norm(u[:2])), float(np.linalg.norm(v[:2]))
    return nu > 1e-9 and nv > 1e-9 and float(u[:2] @ v[:2]) / (nu * nv) > ALIGNED


def near_segment(c: np.ndarray, p: np.ndarray, q: np.ndarray, tol: float) -> bool:
    """Whether point c is within tol of the segment p-q."""
    d = (q - p)[:2]
    t = float(np.clip((c - p)[:2] @ d / max(float(d @ d), 1e-12), 0.0, 1.0))
    return float(np.linalg.norm((p + (q - p) * t - c)[:2])) < tol


def edge_point(centre: np.ndarray, p: np.ndarray, box: Box) -> np.ndarray:
    """Where the ray from centre towards p leaves box."""
    d = p - centre
    ts = []
    for axis, lo, hi in ((0, box[0], box[2]), (1, box[1], box[3])):
        if abs(d[axis]) > 1e-12:
            ts.append(((hi if d[axis] > 0 else lo) - centre[axis]) / d[axis])
    t = min(ts) if ts else 0.0
    return centre + d * t


def bowed(a: np.ndarray, b: np.ndarray, bend: float, t: np.ndarray) -> np.ndarray:
    """Points at parameters t [n] of the quadratic Bézier from a to b whose control point
    is bend × |b - a| to the left of the middle (a straight line for bend 0): [n, 3]."""
    d = b - a
    control = (a + b) / 2 + np.array([-d[1], d[0], 0.0]) * bend * 2  # the curve peaks at half
    t = t[:, None]  # [n, 1]
    return (1 - t) ** 2 * a + 2 * (1 - t) * t * control + t**2 * b  # [n, 3]
