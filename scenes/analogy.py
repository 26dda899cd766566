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
from scenes.components import Counter, CountTo, Fade, OriginMark, StrutText, fmt
from scenes.layout import Box
from scenes.picture import (
    BODY,
    SMALL,
    TITLE,
    WIDTH,
    X_LEFT,
    X_RIGHT,
    Y_BOTTOM,
    Y_TOP,
    LectureScene,
    arrow_between,
    at,
    number_template,
    picture_mapping,
    place_point_labels,
    place_right,
)

PANEL_LEFT = 1.6  # the picture is left of this x, the list of neighbours right of it
NEAR = 0.3  # ranked words drawn closer than this (scene units) share one label


class AnalogyScene(LectureScene):
    """Word vectors as directions: a − b + c, and its honest nearest neighbours."""

    plan: Plan  # set by the pipeline; load_plan() checks it

    def setup(self) -> None:
        plan = self.load_plan()
        if plan.lecture is None or plan.lecture.analogy is None:
            raise InputError(
                "AnalogyScene needs an analogy plan: attention-drift render "
                '--scene AnalogyScene --analogy "queen - woman + man"'
            )
        self.a: Analogy = plan.lecture.analogy
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
        self.show_words()
        self.beat(self.notes_words(), caption=self.caption_words())
        for k in range(len(self.a.terms)):
            self.add_term(k)
            self.beat(self.notes_term(k), caption=self.caption_term(k))
        self.show_neighbours()
        self.wait(1.5)
        self.beat(self.notes_neighbours(), caption=self.caption_neighbours())

    # ---- layout ---------------------------------------------------------------------------
    def term_text(self, k: int) -> str:
        t = self.a.terms[k]
        if k == 0:
            return t.word if t.sign > 0 else f"−{t.word}"
        return ("+ " if t.sign > 0 else "− ") + t.word

    def term_color(self, k: int) -> str:
        return self.pal.color(0) if self.a.terms[k].sign > 0 else self.pal.color(1)

    def build_header(self, plan: Plan) -> None:
        """The expression (each term underlined in its arrow's colour) and the source."""
        a = self.a
        parts = [self.text(f"title {k}", self.term_text(k), TITLE) for k in range(len(a.terms))]
        parts.append(self.text("title end", "≈ ?", TITLE, muted=True))
        title = VGroup(*parts).arrange(RIGHT, buff=0.25)
        if title.width > WIDTH:  # six long words: one size down rather than off the frame
            title.scale_to_fit_width(WIDTH)
        title.move_to(at(X_LEFT + title.width / 2, Y_TOP - title.height / 2))
        self.title_parts = parts
        self.underlines = VGroup()
        for k, m in enumerate(parts[:-1]):
            g = m.glyphs
            y = m.get_bottom()[1] - 0.06
            line = Line(
                at(g.get_left()[0], y),
                at(g.get_right()[0], y),
                stroke_width=5,
                color=self.term_color(k),
            )
            self.add_segment(f"underline {k}", line.get_start(), line.get_end(), 5)
            self.underlines.add(line)
        source = (
            f"{plan.embedding.dim}-d all-MiniLM-L6-v2 input embeddings"
            if plan.embedding.kind == "minilm"
            else f"{plan.embedding.dim}-d vectors of {plan.embedding.name}"
        )
        self.sub = self.text(
            "subtitle", f"static vectors: {source}", SMALL, muted=True, max_width=WIDTH
        )
        self.sub.move_to(
            at(X_LEFT + self.sub.width / 2, title.get_bottom()[1] - 0.12 - self.sub.height / 2)
        )
        self.title = title
        self.body_top = self.sub.get_bottom()[1] - 0.3

    def build_caption(self) -> None:
        """What the picture keeps and what it distorts, under it."""
        a = self.a
        top = a.neighbours[0].word if a.neighbours else a.terms[0].word
        lo, hi = min(a.kept), max(a.kept)
        share = f"{lo:.0%}" if round(lo, 2) == round(hi, 2) else f"{lo:.0%}–{hi:.0%}"
        lines = [
            f"picture: the plane of the result and “{top}”; arrows keep {share} of their length",
            "ranked words: at their true angle to the result, at its length",
        ]
        self.caption_lines = [
            self.text(f"caption {i}", t, SMALL, muted=True, max_width=WIDTH)
            for i, t in enumerate(lines)
        ]
        y = Y_BOTTOM
        for m in reversed(self.caption_lines):
            m.move_to(at(X_LEFT + m.width / 2, y + m.height / 2))
            y = m.get_top()[1] + 0.04
        self.body_bottom = y + 0.2

    def build_panel(self) -> None:
        """The ranked words with their cosines (decimal-aligned numbers that count up)."""
        a = self.a
        x0, width = PANEL_LEFT, X_RIGHT - PANEL_LEFT
        head = "nearest words to the result"
        self.panel_head = self.text("panel head", head, BODY, max_width=width)
        sub = f"cosine in {len(a.result)}-d, inputs left out"
        self.panel_sub = self.text("panel sub", sub, SMALL, muted=True, max_width=width)
        y = self.body_top - self.panel_head.height / 2
        for m in (self.panel_head, self.panel_sub):
            m.move_to(at(x0 + m.width / 2, y))
            y -= m.height / 2 + 0.12 + self.panel_sub.height / 2
        y -= 0.1
        template = number_template([n.cosine for n in a.neighbours] or [0.0])
        self.rows: list[tuple[StrutText, Counter]] = []
        self.finals: dict[int, float] = {}
        for r, n in enumerate(a.neighbours, start=1):
            hit = self.is_expected(n.word)
            value = self.counter(f"cosine {r}", 0.0, template, SMALL)
            name = self.text(
                f"neighbour {r}",
                f"{r}. {n.word}",
                SMALL,
                weight="BOLD" if hit else "NORMAL",
                max_width=width - value.width - 0.4,
            )
            name.move_to(at(x0 + name.width / 2, y))
            place_right(value, X_RIGHT, y)
            self.finals[id(value)] = n.cosine
            self.rows.append((name, value))
            y -= 0.42
        self.verdict = VGroup()
        if a.expected is not None:
            for i, line in enumerate(self.verdict_lines()):
                m = self.text(
                    f"verdict {i}",
                    line,
                    SMALL,
                    weight="BOLD" if i == 0 else "NORMAL",
                    max_width=width,
                )
                m.move_to(at(x0 + m.width / 2, y - 0.05))
                self.verdict.add(m)
                y -= 0.38
        self.marks_x = x0 - 0.2  # the expected word's row is marked left of it
        self.row_marks = VGroup()
        for (name, _), n in zip(self.rows, a.neighbours, strict=True):
            if self.is_expected(n.word):
                dot = Dot(name.get_left() + LEFT * 0.12, radius=0.06, color=self.pal.highlight)
                self.row_marks.add(self.add_dot("expected mark", dot))

    def is_expected(self, word: str) -> bool:
        e = self.a.expected
        return e is not None and word.casefold() == e.casefold()

    def verdict_lines(self) -> list[str]:
        a = self.a
        if a.expected is None:
            return []
        if a.expected_rank is None:
            return [f"“{a.expected}”", "is not in the vocabulary searched"]
        where = "first" if a.expected_rank == 1 else f"rank {a.expected_rank}"
        return [
            f"“{a.expected}”: {where} of {a.n_candidates} words",
            f"cosine {fmt(a.expected_cosine or 0.0)}",
        ]

    def build_picture(self) -> None:
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
            if self.is_expected(word):
                ring = Circle(radius=0.13, stroke_width=3, color=pal.highlight).move_to(self.map(p))
                self.expected_ring.add(self.add_dot("expected ring", ring))
                break
        self.place_labels(area, o, tips, ranked)

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

    # ---- notes and captions ------------------------------------------------------------------
    def notes_words(self) -> str:
        a = self.a
        words = ", ".join(f"{t.word} ({' '.join(t.pieces)})" for t in a.terms)
        kept = ", ".join(f"{t.word} {k:.0%}" for t, k in zip(a.terms, a.kept, strict=True))
        return f"{a.expression}: static vectors of {words}; length kept by the picture: {kept}"

    def caption_words(self) -> str:
        words = ", ".join(t.word for t in self.a.terms)
        return f"{words}: each word's static vector, an arrow from the origin"

    def notes_term(self, k: int) -> str:
        x, y = self.a.path[k + 1]
        return f"{self.term_text(k)}: the sum so far is at ({fmt(x)}, {fmt(y)}) in the picture"

    def caption_term(self, k: int) -> str:
        t = self.a.terms[k]
        if k == 0:
            return f"Start from “{t.word}”"
        verb = "add" if t.sign > 0 else "subtract"
        end = ": the result" if k == len(self.a.terms) - 1 else ""
        return f"{self.term_text(k)}: {verb} its vector, tip to tail{end}"

    def notes_neighbours(self) -> str:
        near = ", ".join(f"{n.word} {fmt(n.cosine)}" for n in self.a.neighbours)
        verdict = " ".join(self.verdict_lines())
        return f"nearest to {self.a.expression}: {near}" + (f"; {verdict}" if verdict else "")

    def caption_neighbours(self) -> str:
        a = self.a
        if not a.neighbours:
            return "No other word of the vocabulary to compare with"
        n = a.neighbours[0]
        return (
            f"Nearest to the result by cosine: “{n.word}” ({fmt(n.cosine)}), "
            f"the input words left out"
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
            run_time=1.2,
        )

    def add_term(self, k: int) -> None:
        self.play(
            Indicate(self.title_parts[k], color=self.pal.text, scale_factor=1.12),
            grow(self.path_arrows[k]),
            run_time=1.0,
        )

    def show_neighbours(self) -> None:
        self.play(Fade(self.result_dot), Fade(self.result_label), run_time=0.6)
        self.play(
            Create(self.circle),
            Fade(self.ranked_dots),
            Fade(self.expected_ring),
            *[Fade(m) for m in self.ranked_labels],
            Fade(self.leaders),
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
