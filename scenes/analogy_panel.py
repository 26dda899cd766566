"""AnalogyScene's texts around the picture: the expression as the title (each term
underlined in its arrow's colour) with the vectors' source, the caption saying what the
picture keeps, and the panel of the result's nearest words with their cosines and the
verdict on the expected word. Registered with the layout check as they are made; the beats
(scenes.analogy) only animate them.
"""

from __future__ import annotations

from manim import *

from attention_math.lecture_data import Analogy
from attention_math.plan import Plan
from scenes.analogy_notes import is_expected, term_text, verdict_lines
from scenes.components import Counter, StrutText
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
    at,
    number_template,
    place_right,
)

PANEL_LEFT = 1.6  # the picture is left of this x, the list of neighbours right of it
UNDERLINE = 0.06  # a title word's coloured underline, under its text box
UNDER_GAP = 0.2  # the subtitle's top under the title: clear of the underlines (5 px wide)


class AnalogyPanel(LectureScene):
    """The title, caption and neighbour panel of AnalogyScene, built in its setup."""

    plan: Plan  # set by the pipeline, its NEEDS checked (scenes.job.check_needs)
    a: Analogy  # the plan's analogy

    def term_color(self, k: int) -> str:
        return self.pal.color(0) if self.a.terms[k].sign > 0 else self.pal.color(1)

    def build_header(self, plan: Plan) -> None:
        """The expression (each term underlined in its arrow's colour) and the source."""
        a = self.a
        parts = [self.text(f"title {k}", term_text(self.a, k), TITLE) for k in range(len(a.terms))]
        parts.append(self.text("title end", "≈ ?", TITLE, muted=True))
        title = VGroup(*parts).arrange(RIGHT, buff=0.25)
        if title.width > WIDTH:  # six long words: one size down rather than off the frame
            title.scale_to_fit_width(WIDTH)
        title.move_to(at(X_LEFT + title.width / 2, Y_TOP - title.height / 2))
        self.title_parts = parts
        self.underlines = VGroup()
        for k, m in enumerate(parts[:-1]):
            g = m.glyphs
            y = m.get_bottom()[1] - UNDERLINE
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
            at(X_LEFT + self.sub.width / 2, title.get_bottom()[1] - UNDER_GAP - self.sub.height / 2)
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
            hit = is_expected(self.a, n.word)
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
        self.build_verdict(y)

    def build_verdict(self, y: float) -> None:
        """Under the ranked words (the last at y + 0.42): where the expected word ranks, and
        a dot marking its row."""
        a = self.a
        x0, width = PANEL_LEFT, X_RIGHT - PANEL_LEFT
        self.verdict = VGroup()
        if a.expected is not None:
            for i, line in enumerate(verdict_lines(self.a)):
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
            if is_expected(self.a, n.word):
                dot = Dot(name.get_left() + LEFT * 0.12, radius=0.06, color=self.pal.highlight)
                self.row_marks.add(self.add_dot("expected mark", dot))
