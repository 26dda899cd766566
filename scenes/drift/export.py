"""STEM.figure.json: the layout the scene drew, in normalised frame coordinates."""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import (
    Mobject,
    VGroup,
    config,
)

from scenes.components import (
    box_of,
)
from scenes.drift.equation import Equation
from scenes.figure.chips import chip_role
from scenes.figure.names import (
    fmt,
)


def norm_point(p: np.ndarray | tuple[float, float]) -> list[float]:
    """A scene point as [x, y] in the frame, 0..1 from the left and from the top."""
    w, h = config.frame_width, config.frame_height
    return [round((float(p[0]) + w / 2) / w, 5), round((h / 2 - float(p[1])) / h, 5)]


def _norm_box(m: Mobject) -> list[float]:
    """A mobject's box as [left, top, right, bottom], normalised as `_norm`."""
    x0, y0, x1, y1 = box_of(m)
    return [*norm_point((x0, y1)), *norm_point((x1, y0))]


def _terms(eq: Equation, lhs: bool) -> list[Mobject]:
    """An equation's term texts, in `eq.terms` order (after the left side when it has one)."""
    parts: list[Mobject] = [m for line in eq.submobjects for m in line.submobjects]
    return parts[int(lhs) : int(lhs) + len(eq.terms)]


def figure_layout(scene: Any, beats: list[dict]) -> dict:
    """STEM.figure.json: per sentence its words (chip, point, panel row, equation term, with
    their boxes and the plan's numbers) and arrow tips; the beats (`DriftScene.beat_state`),
    each from the previous one's end to its own."""
    start = 0.0
    for b in beats:
        b["start"], start = start, b["end"]
    return {
        "version": 1,
        "scene": "DriftScene",
        "target": scene.plan.target,
        "frame": [config.pixel_width, config.pixel_height],
        "sentences": [_sentence_layout(scene, si) for si in range(len(scene.plan.sentences))],
        "beats": beats,
    }


def _sentence_layout(scene: Any, si: int) -> dict:
    s = scene.plan.sentences[si]
    rows = {r[0]: n for n, r in enumerate(scene.panel_rows(si)) if len(r) == 1}
    eq = scene.equations[si]
    assert isinstance(eq, Equation)
    terms = dict(zip([row for row, _ in eq.terms], _terms(eq, True), strict=True))
    bars = scene.bars[si]
    final = dict(zip(s.final.words, range(len(s.final.words)), strict=True))
    words = []
    for w in s.words:
        j = scene.point_of.get((si, w.index))
        pt = scene.points[j] if j is not None else None
        n = rows.get(w.index)
        at = final.get(w.index)
        words.append({
            "index": w.index,
            "text": w.text,
            "role": chip_role(s, w.index),
            "chip": _norm_box(scene.chips[si][w.index]) if w.index in scene.chips[si] else None,
            "point": norm_point(pt["at"]) if pt is not None else None,
            "point_box": _norm_box(pt["mob"]) if pt is not None else None,
            "outside": bool(pt["outside"]) if pt is not None else False,
            "bar": _norm_box(VGroup(bars.names[n], bars.tracks[n], bars.values[n]))
            if n is not None else None,
            "term_box": _norm_box(terms[(w.index,)]) if (w.index,) in terms else None,
            "score": round(float(s.final.scaled_scores[at]), 4) if at is not None else None,
            "weight": round(float(s.final.weights[at]), 4) if at is not None else None,
            "term": f"{fmt(float(s.final.weights[at]))}·{w.text}" if at is not None else None,
            "weights": [round(float(st.weights[st.words.index(w.index)]), 4)
                        if w.index in st.words else None for st in s.steps],
        })  # fmt: skip
    return {
        "text": s.text,
        "color": scene.pal.color(si),
        "tips": [norm_point(t) for t in scene.tips(si)],
        "words": words,
    }
