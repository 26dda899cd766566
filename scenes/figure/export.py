"""STEM.figure.json, the web page's view of the figure model: every element of the model
(its name, kind, role, sentence, the words it stands for, its box in normalised frame
coordinates and the beats at whose end it is shown, dimmed or moving); per beat its time,
caption and what is on screen; per sentence the plan's numbers of its words. Every render of
a DriftScene writes it next to its media (scenes.app.pipeline); the web page
(scenes/app/media/webpage.py, web/figure.js) draws its hot regions and highlights from the
elements.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from attention_math.plan import Plan, Sentence
from scenes.figure.model import Element, Figure
from scenes.figure.names import fmt
from scenes.figure.narration import drift_caption
from scenes.layout import FRAME, Box

VERSION = 2  # 2: the model's elements (the page's hot regions), the beats' states from it


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
    """The page's data: the model's elements (what the page highlights and where), the beats
    (their states from the model) and per sentence the plan's numbers (the readout's).

    times: when each beat ended as the scene played it (each beat starts at the previous
      one's end); captions: each beat's. A pass that stopped at the poster (a still) played
      no beat: then the beats have no times (None) and their captions are the narration's.
    """
    n = len(figure.beats)
    timed = len(times) == n
    if len(captions) != n:
        captions = [drift_caption(plan, b.what, b.sentence or 0, b.step or 0) for b in figure.beats]
    beats, start = [], 0.0
    for k in range(n):
        end = round(float(times[k]), 3) if timed else None
        beats.append({"end": end, "caption": captions[k], "start": start if timed else None,
                      **beat_state(figure, k)})  # fmt: skip
        start = end or 0.0
    return {
        "version": VERSION,
        "scene": "DriftScene",
        "target": plan.target,
        "frame": list(pixels),
        "sentences": [
            _sentence(plan.sentences[si], colors[si]) for si in range(len(plan.sentences))
        ],
        "beats": beats,
        "elements": [_element(e, figure, plan) for e in figure.elements],
    }


def _element(e: Element, figure: Figure, plan: Plan) -> dict:
    """An element as the page reads it: its box (and anchor, and a line's pieces as
    [x0, y0, x1, y1]) normalised as `norm_box`, the (sentence, token) pairs it stands for
    (a trail step: the words that joined at that step) and its beats."""
    frame = figure.frame
    tokens = e.tokens
    if e.kind == "trail" and e.sentence is not None and e.anchor is not None:
        tokens = _joined_at(figure, plan, e.sentence, e.anchor)
    out: dict = {
        "name": e.name,
        "kind": e.kind,
        "role": e.role,
        "sentence": e.sentence,
        "box": norm_box(e.box, frame),
        "tokens": [list(t) for t in tokens],
        "shown": list(e.shown),
        "dimmed": list(e.dimmed),
        "moved": list(e.moved),
    }
    if e.anchor is not None:
        out["anchor"] = norm_point(e.anchor, frame)
    if e.segments:
        out["segments"] = [[*norm_point(s[:2], frame), *norm_point(s[2:4], frame)]
                           for s in e.segments]  # fmt: skip
    return out


def _joined_at(
    figure: Figure, plan: Plan, si: int, tip: tuple[float, float]
) -> tuple[tuple[int, int], ...]:
    """The words that joined at the step whose arrow tip is `tip` (a trail step ends there)."""
    tips = figure.tips[si]
    k = min(range(len(tips)), key=lambda j: math.dist(tips[j], tip))
    return tuple((si, i) for i in plan.sentences[si].steps[k].joined)


def _sentence(s: Sentence, color: str) -> dict:
    """A sentence's text, colour and the plan's numbers of every word in its final weighted
    sum: score, weight, term, and its weight at each step (None before it joined)."""
    final = dict(zip(s.final.words, range(len(s.final.words)), strict=True))
    words = []
    for w in s.words:
        at = final.get(w.index)
        if at is None:
            continue
        words.append({
            "index": w.index,
            "text": w.text,
            "score": round(float(s.final.scaled_scores[at]), 4),
            "weight": round(float(s.final.weights[at]), 4),
            "term": f"{fmt(float(s.final.weights[at]))}·{w.text}",
            "weights": [round(float(st.weights[st.words.index(w.index)]), 4)
                        if w.index in st.words else None for st in s.steps],
        })  # fmt: skip
    return {"text": s.text, "color": color, "words": words}
