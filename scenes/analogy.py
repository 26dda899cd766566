"""AnalogyScene: queen − woman + man, with static vectors, and what is really nearest.

Beats: the words of the analogy as vectors from the origin; each term laid tip to tail
(queen, then − woman, then + man); the result with its nearest words in the full space,
listed with their cosines (the numbers count up), the expected word marked with its true
rank.

The picture keeps the relation the list states (`attention_math.analogy`): it is the plane
of the result and its top neighbour, where the terms' projected arrows add up exactly to the
result; the ranked words sit at their true angle to the result, at the result's length, so
the nearest drawn point is the first word of the list. What the plane loses (the share of
each word's length it keeps) is written under it.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from manim import *

from attention_math.errors import InputError
from attention_math.lecture_data import Analogy
from attention_math.plan import Plan
from scenes import analogy_notes as say
from scenes.analogy_panel import PANEL_LEFT, AnalogyPanel
from scenes.components import CountTo, Fade, OriginMark
from scenes.layout import Box
from scenes.picture import (
    SMALL,
    X_LEFT,
    arrow_between,
    leaders_of,
    picture_mapping,
    place_point_labels,
)

NEAR = 0.3  # ranked words drawn closer than this (scene units) share one label


class AnalogyScene(AnalogyPanel):
    """Word vectors as directions: a − b + c, and its honest nearest neighbours.

    The figure is built in setup (the texts in scenes.analogy_panel, the picture here); the
    beats animate it; the words are scenes.analogy_notes'.
    """

    plan: Plan  # set by the pipeline, its NEEDS checked (scenes.job.check_needs)

    def setup(self) -> None:
        plan = self.load_plan()
        assert plan.lecture is not None and plan.lecture.analogy is not None  # NEEDS: checked
        self.a: Analogy = plan.lecture.analogy  # before the job was made (check_needs)
        if not self.a.view:
            raise InputError(
                "this analogy plan was made before the picture kept the cosines (a PCA "
                "picture); make the plan again with this version"
            )
        self.start_registry()
        self.build_header(plan)
        self.build_caption()
        self.build_panel()
        self.build_picture()
        self.check()

    def construct(self) -> None:
        self.tell_after_poster(self.story)  # the last frame first: a poster, a seamless loop

    def story(self) -> None:
        a = self.a
        self.show_words()
        self.beat(say.notes_words(a), caption=say.caption_words(a))
        for k in range(len(a.terms)):
            self.add_term(k)
            self.beat(say.notes_term(a, k), caption=say.caption_term(a, k))
        self.show_neighbours()
        self.wait(1.5)
        self.beat(say.notes_neighbours(a), caption=say.caption_neighbours(a))

    # ---- the picture -----------------------------------------------------------------------
    def build_picture(self) -> None:
        """The words' vectors from the origin, the terms tip to tail, the result and its
        ranked neighbours, and every label."""
        pal, a = self.pal, self.a
        area: Box = (X_LEFT, self.body_bottom, PANEL_LEFT - 0.35, self.body_top)
        ranked = [(r, n.word, n.point) for r, n in enumerate(a.neighbours, start=1)]
        if a.expected_point is not None and a.expected is not None:
            ranked.append((a.expected_rank or 0, a.expected, a.expected_point))
        pts = [a.basis.origin, *a.path, *(t.point for t in a.terms), a.result_point]
        pts += [p for _, _, p in ranked]
        self.map = picture_mapping(pts, area, margin=0.4)
        o = self.map(a.basis.origin)
        self.origin_mark = self.add_mark("origin", OriginMark(o, color=pal.muted, arm=0.12))
        self.word_arrows = [
            arrow_between(
                self, f"vector {t.word}", o, self.map(t.point), pal.muted, width=3, opacity=0.8
            )
            for t in a.terms
        ]
        tips = [self.map(p) for p in a.path]
        self.path_arrows = [
            arrow_between(self, f"term {k}", p, q, self.term_color(k), width=6)
            for k, (p, q) in enumerate(itertools.pairwise(tips))
        ]
        self.build_result(o, ranked)
        self.place_labels(area, o, tips, ranked)

    def build_result(self, o: np.ndarray, ranked: list) -> None:
        """The result's dot, the ranked words' dots (the expected one ringed) and the arc
        through them."""
        pal, a = self.pal, self.a
        result = self.map(a.result_point)
        # the result's circle, through the ranked words: equal length, only the angle differs
        radius = float(np.linalg.norm(result - o))
        angles = [0.0]
        for _, _, p in ranked:
            d = self.map(p) - o
            angles.append(math.atan2(d[1], d[0]))
        start, end = min(angles) - 0.08, max(angles) + 0.08
        self.circle = Arc(
            radius=radius,
            start_angle=start,
            angle=end - start,
            arc_center=o,
            stroke_width=2,
            color=pal.faint,
        )
        self.result_dot = self.add_dot("result", Dot(result, radius=0.1, color=pal.highlight))
        self.ranked_dots = VGroup()
        for _, word, p in ranked:
            dot = Dot(self.map(p), radius=0.06, color=pal.text)
            self.ranked_dots.add(self.add_dot(f"ranked {word}", dot))
        self.expected_ring = VGroup()
        for _, word, p in ranked:
            if say.is_expected(self.a, word):
                ring = Circle(radius=0.13, stroke_width=3, color=pal.highlight).move_to(self.map(p))
                self.expected_ring.add(self.add_dot("expected ring", ring))
                break

    def place_labels(self, area: Box, o: np.ndarray, tips: list[np.ndarray], ranked: list) -> None:
        """The words at their arrows' tips, "result", and the ranked words (those drawn at one
        spot share a label: "2 prince · 3 queens")."""
        a = self.a
        self.word_labels = [self.text(f"word {t.word}", t.word, SMALL, muted=True) for t in a.terms]
        self.result_label = self.text("result label", "result", SMALL)
        groups: list[list[tuple[int, str, tuple[float, float]]]] = []
        for item in ranked:
            p = self.map(item[2])
            for g in groups:
                if np.linalg.norm(self.map(g[0][2]) - p) < NEAR:
                    g.append(item)
                    break
            else:
                groups.append([item])
        self.ranked_labels = []
        for g in groups:  # two names a line
            names = [f"{r} {w}" for r, w, _ in g]
            lines = [" · ".join(names[i : i + 2]) for i in range(0, len(names), 2)]
            block = VGroup(
                *[
                    self.text(f"ranked label {g[0][0]}.{k}", line, SMALL, max_width=4.0)
                    for k, line in enumerate(lines)
                ]
            ).arrange(DOWN, buff=0.05, aligned_edge=LEFT)
            self.ranked_labels.append(block)
        anchors = [
            *(self.map(t.point) for t in a.terms),
            self.map(a.result_point),
            *(self.map(g[0][2]) for g in groups),
        ]
        segs = [e.segment for e in self.registry if e.kind == "segment" and e.segment]
        self.leaders = place_point_labels(
            self,
            [*self.word_labels, self.result_label, *self.ranked_labels],
            anchors,
            area,
            segments=segs,
            points=[o, *tips, *(self.map(p) for _, _, p in ranked)],
        )

    # ---- beats ----------------------------------------------------------------------------
    def show_words(self) -> None:
        self.play(
            *[Fade(m) for m in (self.title, self.underlines, self.sub, *self.caption_lines)],
            Fade(self.origin_mark),
            run_time=0.8,
        )
        self.play(
            *[grow(arrow) for arrow in self.word_arrows],
            *[Fade(m) for m in self.word_labels],
            *[Fade(m) for m in leaders_of(self.leaders, range(len(self.word_labels)))],
            run_time=1.2,
        )

    def add_term(self, k: int) -> None:
        self.play(
            Indicate(self.title_parts[k], color=self.pal.text, scale_factor=1.12),
            grow(self.path_arrows[k]),
            run_time=1.0,
        )

    def show_neighbours(self) -> None:
        result = leaders_of(self.leaders, [len(self.word_labels)])  # with its label
        self.play(Fade(self.result_dot), Fade(self.result_label), *map(Fade, result), run_time=0.6)
        self.play(
            Create(self.circle),
            Fade(self.ranked_dots),
            Fade(self.expected_ring),
            *[Fade(m) for m in self.ranked_labels],
            *[Fade(m) for m in leaders_of(self.leaders, range(len(self.word_labels) + 1, 999))],
            Fade(self.panel_head),
            Fade(self.panel_sub),
            *[Fade(name) for name, _ in self.rows],
            *[CountTo(value, self.finals[id(value)], fade_in=True) for _, value in self.rows],
            Fade(self.row_marks),
            Fade(self.verdict),
            run_time=1.4,
        )
        self.bring_to_front(self.result_dot)


def grow(arrow: VMobject) -> Animation:
    """A VectorArrow growing from its start (Manim's GrowArrow needs an Arrow)."""
    return Create(arrow)
