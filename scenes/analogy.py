"""AnalogyScene: queen − woman + man, with static vectors, and what is really nearest.

Beats: the words of the analogy as vectors from the origin; each term laid tip to tail
(queen, then − woman, then + man); the result with its nearest words in the full space,
listed with their cosines, the expected word marked with its true rank. All positions and
numbers come from the plan's lecture section (`attention_math.analogy`).
"""

from __future__ import annotations

import itertools

from manim import *

from attention_math.lecture_data import Analogy
from attention_math.plan import Plan
from scenes.beats import BeatScene
from scenes.components import fmt, label
from scenes.picture import (
    box,
    caption,
    fit_header,
    fit_into,
    picture_mapping,
    place_point_labels,
    vector_arrow,
)

PANEL_LEFT = 2.3  # the picture is left of this x, the list of neighbours right of it


class AnalogyScene(BeatScene):
    """Word vectors as directions: a − b + c, and its honest nearest neighbours."""

    plan: Plan  # set by the pipeline; load_plan() checks it
    NEEDS = ("analogy",)  # the plan parts it draws (attention_math.request.PARTS)

    def setup(self) -> None:
        plan = self.load_plan()
        if plan.lecture is None or plan.lecture.analogy is None:
            raise RuntimeError(
                "AnalogyScene needs an analogy plan: attention-drift render "
                '--scene AnalogyScene --analogy "queen - woman + man"'
            )
        self.a: Analogy = plan.lecture.analogy
        self.build_header(plan)
        self.build_panel()
        self.build_picture()
        self.check_layout(self.text_boxes())

    def construct(self) -> None:
        self.show_words()
        self.beat(self.notes_words())
        for k in range(len(self.a.terms)):
            self.add_term(k)
            self.beat(self.notes_term(k))
        self.show_neighbours()
        self.wait(1.5)
        self.beat(self.notes_neighbours())

    # ---- layout ---------------------------------------------------------------------------
    def term_text(self, k: int) -> str:
        t = self.a.terms[k]
        if k == 0:
            return t.word if t.sign > 0 else f"−{t.word}"
        return ("+ " if t.sign > 0 else "− ") + t.word

    def term_color(self, k: int) -> str:
        return self.pal.color(0) if self.a.terms[k].sign > 0 else self.pal.color(1)

    def build_header(self, plan) -> None:
        pal, a = self.pal, self.a
        parts = [
            label(self.term_text(k), pal, size=40, color=self.term_color(k))
            for k in range(len(a.terms))
        ]
        parts.append(label("≈ ?", pal, size=40, color=pal.muted))
        title = VGroup(*parts).arrange(RIGHT, buff=0.25)
        source = (
            "all-MiniLM-L6-v2 input embeddings"
            if plan.embedding.kind == "minilm"
            else plan.embedding.name
        )
        ev = a.basis.explained_variance_ratio
        self.sub = caption(
            f"static vectors ({plan.embedding.dim}-d {source}); picture: 2-D PCA of the "
            f"{len(a.terms)} words, the result and its {len(a.neighbours)} nearest words · "
            f"PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%}",
            pal,
            size=17,
        )
        self.title_parts = parts
        self.header = fit_header(VGroup(title, self.sub).arrange(DOWN, buff=0.16))

    def build_panel(self) -> None:
        pal, a = self.pal, self.a
        top = self.header.get_bottom()[1] - 0.35
        head = label("nearest words to the result", pal, size=24)
        sub = caption("cosine in the full space; input words left out", pal, size=17)
        rows = VGroup()
        self.neighbour_rows = []
        for r, n in enumerate(a.neighbours, start=1):
            hit = a.expected is not None and n.word.casefold() == a.expected.casefold()
            color = pal.highlight if hit else pal.text
            name = label(
                f"{r}. {n.word}", pal, size=24, color=color, weight="BOLD" if hit else "NORMAL"
            )
            value = label(fmt(n.cosine), pal, size=24, color=color)
            rows.add(VGroup(name, value))
            self.neighbour_rows.append((name, value))
        for name, value in rows:  # type: ignore[assignment]
            name.move_to(ORIGIN, aligned_edge=LEFT)
            value.move_to([3.2, 0, 0], aligned_edge=RIGHT)  # type: ignore[arg-type]
        rows.arrange(DOWN, buff=0.2, aligned_edge=LEFT)
        lines = [head, sub, rows]
        self.verdict = label(
            self.verdict_text(),
            pal,
            size=20,
            color=pal.highlight if a.expected_rank == 1 else pal.muted,
        )
        if a.expected is not None:
            lines.append(self.verdict)
        self.panel = VGroup(*lines).arrange(DOWN, buff=0.25, aligned_edge=LEFT)
        fit_into(self.panel, (PANEL_LEFT, -3.85, 6.95, top), align="left")

    def verdict_text(self) -> str:
        a = self.a
        if a.expected is None:
            return ""
        if a.expected_rank is None:
            return f"“{a.expected}” is not in the vocabulary searched"
        where = "first" if a.expected_rank == 1 else f"rank {a.expected_rank}"
        return (
            f"“{a.expected}”: {where} of {a.n_candidates} words, "
            f"cosine {fmt(a.expected_cosine or 0.0)}"
        )

    def build_picture(self) -> None:
        pal, a = self.pal, self.a
        area = (-6.95, -3.85, PANEL_LEFT - 0.3, self.header.get_bottom()[1] - 0.25)
        pts = [
            a.basis.origin,
            *a.path,
            *(t.point for t in a.terms),
            *(n.point for n in a.neighbours),
            a.result_point,
        ]
        self.map = picture_mapping(pts, area, margin=0.4)
        o = self.map(a.basis.origin)
        self.origin_dot = Dot(o, radius=0.05, color=pal.muted)
        self.word_arrows = VGroup(
            *[
                vector_arrow(o, self.map(t.point), pal.muted, width=2.5, opacity=0.7)
                for t in a.terms
            ]
        )
        tips = [self.map(p) for p in a.path]
        self.path_arrows = [
            vector_arrow(p, q, self.term_color(k), width=6)
            for k, (p, q) in enumerate(itertools.pairwise(tips))
        ]
        self.result_dot = Dot(tips[-1], radius=0.09, color=pal.highlight)
        self.neighbour_dots = VGroup(
            *[Dot(self.map(n.point), radius=0.06, color=pal.text) for n in a.neighbours]
        )
        self.word_labels = [label(t.word, pal, size=22, color=pal.muted) for t in a.terms]
        self.result_label = label("result", pal, size=22, color=pal.highlight)
        self.origin_label = label("0", pal, size=16, color=pal.muted)
        self.neighbour_labels = [label(n.word, pal, size=20, color=pal.text) for n in a.neighbours]
        labels = [self.result_label, self.origin_label, *self.word_labels, *self.neighbour_labels]
        anchors = [
            tips[-1],
            o,
            *(self.map(t.point) for t in a.terms),
            *(self.map(n.point) for n in a.neighbours),
        ]
        lines = [(o, self.map(t.point)) for t in a.terms] + list(itertools.pairwise(tips))
        self.leaders = place_point_labels(labels, anchors, area, lines, pal)

    def text_boxes(self) -> list[tuple[str, tuple[float, float, float, float]]]:
        out = [(f"title {k}", box(m)) for k, m in enumerate(self.title_parts)]
        out.append(("subtitle", box(self.sub)))
        out += [(f"panel {k}", box(m)) for k, m in enumerate(self.panel)]
        out += [
            (f"label {m.original_text}", box(m))
            for m in (
                self.result_label,
                self.origin_label,
                *self.word_labels,
                *self.neighbour_labels,
            )
        ]
        return out

    # ---- notes ----------------------------------------------------------------------------
    def notes_words(self) -> str:
        a = self.a
        words = ", ".join(f"{t.word} ({' '.join(t.pieces)})" for t in a.terms)
        return f"{a.expression}: static vectors of {words}"

    def notes_term(self, k: int) -> str:
        x, y = self.a.path[k + 1]
        return f"{self.term_text(k)}: the sum so far is at ({fmt(x)}, {fmt(y)}) in the picture"

    def notes_neighbours(self) -> str:
        near = ", ".join(f"{n.word} {fmt(n.cosine)}" for n in self.a.neighbours)
        verdict = self.verdict_text()
        return f"nearest to {self.a.expression}: {near}" + (f"; {verdict}" if verdict else "")

    # ---- beats ----------------------------------------------------------------------------
    def show_words(self) -> None:
        self.play(
            FadeIn(self.header, shift=0.2 * DOWN),
            FadeIn(self.origin_dot),
            FadeIn(self.origin_label),
            run_time=1.0,
        )
        self.play(
            LaggedStart(*[GrowArrow(a) for a in self.word_arrows], lag_ratio=0.2),  # type: ignore[arg-type]
            LaggedStart(*[FadeIn(m) for m in self.word_labels], lag_ratio=0.2),
            run_time=1.4,
        )

    def add_term(self, k: int) -> None:
        self.play(
            Indicate(self.title_parts[k], color=self.pal.highlight, scale_factor=1.1),
            GrowArrow(self.path_arrows[k]),
            run_time=1.0,
        )

    def show_neighbours(self) -> None:
        self.play(FadeIn(self.result_dot, scale=1.5), FadeIn(self.result_label), run_time=0.7)
        self.play(
            FadeIn(self.neighbour_dots),
            *[FadeIn(m) for m in self.neighbour_labels],
            FadeIn(self.leaders),
            FadeIn(self.panel, shift=0.2 * LEFT),
            run_time=1.4,
        )
