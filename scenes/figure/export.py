"""STEM.figure.json, the web page's view of the figure model: per sentence its words (chip,
point, panel row, equation term: boxes in normalised frame coordinates, with the plan's
numbers) and arrow tips; per beat its time, caption and what is on screen; and every element
of the model. Read by scenes/app/webpage.py and web/figure.js.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from attention_math.plan import Plan, Sentence
from scenes.figure.chips import chip_role
from scenes.figure.model import Element, Figure
from scenes.figure.names import fmt
from scenes.layout import FRAME, Box

VERSION = 2  # 2: the model's elements, and the beats' states read from the model


def norm_point(p: Sequence[float] | np.ndarray, frame: Box = FRAME) -> list[float]:
    """A scene point as [x, y] in the frame, 0..1 from the left and from the top."""
    w, h = frame[2] - frame[0], frame[3] - frame[1]
    return [round((float(p[0]) - frame[0]) / w, 5), round((frame[3] - float(p[1])) / h, 5)]


def norm_box(b: Box, frame: Box = FRAME) -> list[float]:
    """A box as [left, top, right, bottom], normalised as `norm_point`."""
    return [*norm_point((b[0], b[3]), frame), *norm_point((b[2], b[1]), frame)]


def beat_state(figure: Figure, n: int) -> dict:
    """What beat n shows at its end: its place in the story, each sentence's arrow tip (None:
    not drawn) and trail steps drawn, and which panel, equation or summary shows."""
    b = figure.beats[n]
    n_sentences = len(figure.tips)

    def on(e: Element) -> bool:
        return n in e.shown

    arrows = [e for e in figure.of_kind("arrow") if on(e) and e.anchor is not None]
    tips = [next((e.anchor for e in arrows if e.sentence == si), None) for si in range(n_sentences)]
    trails = [e.sentence for e in figure.of_kind("trail") if on(e)]
    titles = [e.sentence for e in figure.of_kind("panel title") if on(e)]
    equations = [e.sentence for e in figure.of_kind("equation") if on(e)]
    return {
        "what": b.what,
        "sentence": b.sentence,
        "step": b.step,
        "tips": [None if t is None else norm_point(t, figure.frame) for t in tips],
        "trails": [trails.count(si) for si in range(n_sentences)],
        "panel": titles[0] if titles else None,
        "equation": equations[0] if equations else None,
        "summary": any(on(e) for e in figure.of_kind("summary title")),
    }


def page_data(
    figure: Figure,
    plan: Plan,
    *,
    pixels: tuple[int, int],
    colors: Sequence[str],
    times: Sequence[float],
    captions: Sequence[str],
) -> dict:
    """The page's data: the figure's words, tips and elements; the beats (their states from
    the model, `times[n]` the end of beat n, each from the previous one's end)."""
    beats, start = [], 0.0
    for n, (end, caption) in enumerate(zip(times, captions, strict=True)):
        beats.append({"end": round(float(end), 3), "caption": caption, "start": start,
                      **beat_state(figure, n)})  # fmt: skip
        start = round(float(end), 3)
    return {
        "version": VERSION,
        "scene": "DriftScene",
        "target": plan.target,
        "frame": list(pixels),
        "sentences": [
            _sentence(figure, plan.sentences[si], si, colors[si])
            for si in range(len(plan.sentences))
        ],
        "beats": beats,
        "elements": [_element(e, figure.frame) for e in figure.elements],
    }


def _element(e: Element, frame: Box) -> dict:
    return {
        "name": e.name,
        "kind": e.kind,
        "role": e.role,
        "sentence": e.sentence,
        "box": norm_box(e.box, frame),
        "shown": list(e.shown),
        "dimmed": list(e.dimmed),
        "moved": list(e.moved),
    }


def _sentence(figure: Figure, s: Sentence, si: int, color: str) -> dict:
    """A sentence's words with their boxes (a panel row or term: the word's own, not a
    group's) and the plan's numbers."""
    frame = figure.frame

    def box_of(kinds: tuple[str, ...], i: int, alone: bool = True) -> list[float] | None:
        found = [
            e.box
            for e in figure.of_kind(*kinds)
            if (si, i) in e.tokens and (not alone or len(e.tokens) == 1)
        ]
        if not found:
            return None
        union = (min(b[0] for b in found), min(b[1] for b in found),
                 max(b[2] for b in found), max(b[3] for b in found))  # fmt: skip
        return norm_box(union, frame)

    points = {t: e for e in figure.of_kind("point", "marker", "ring", "group") for t in e.tokens}
    final = dict(zip(s.final.words, range(len(s.final.words)), strict=True))
    words = []
    for w in s.words:
        pt, at = points.get((si, w.index)), final.get(w.index)
        words.append({
            "index": w.index,
            "text": w.text,
            "role": chip_role(s, w.index),
            "chip": box_of(("chip",), w.index),
            "point": norm_point(pt.anchor, frame) if pt is not None and pt.anchor else None,
            "point_box": norm_box(pt.box, frame) if pt is not None else None,
            "outside": pt is not None and pt.kind == "marker",
            "bar": box_of(("row", "track", "value"), w.index),
            "term_box": box_of(("term",), w.index),
            "score": round(float(s.final.scaled_scores[at]), 4) if at is not None else None,
            "weight": round(float(s.final.weights[at]), 4) if at is not None else None,
            "term": f"{fmt(float(s.final.weights[at]))}·{w.text}" if at is not None else None,
            "weights": [round(float(st.weights[st.words.index(w.index)]), 4)
                        if w.index in st.words else None for st in s.steps],
        })  # fmt: skip
    return {
        "text": s.text,
        "color": color,
        "tips": [norm_point(t, frame) for t in figure.tips[si]],
        "words": words,
    }
