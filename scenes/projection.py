"""ProjectionScene: the twist. q, k and v come from learned matrices W_Q, W_K, W_V.

Beats: the sentence with simple attention's weights (q = k = v = x, stop-words and
punctuation left out); the learned projections of one real head and its weights over every
token and [CLS]/[SEP], side by side; the head's value vectors in 2-D with the output the simple
weights would make; the head's real output, and the move between the two. Both outputs mix the
same values, so the move is the weights' doing. Numbers from the plan's lecture section
(`attention_math.lecture.head_comparison`).
"""

from __future__ import annotations

import numpy as np
from manim import *

from attention_math.lecture_data import HeadComparison
from attention_math.plan import Plan
from scenes.beats import BeatScene
from scenes.components import StrutText, fmt, label
from scenes.picture import (
    BOTTOM,
    box,
    caption,
    fit_header,
    fit_into,
    picture_mapping,
    place_point_labels,
    sentence_chips,
    union,
    vector_arrow,
)

MAX_ROWS = 14  # rows shown: the largest weights (either kind), in sentence order
TABLE_RIGHT = 1.3
BAR = 1.3


class ProjectionScene(BeatScene):
    """Simple attention next to a real head: the weights change and the output moves."""

    plan: Plan  # set by the pipeline; load_plan() checks it
    NEEDS = ("head_comparison",)  # the plan parts it draws (attention_math.request.PARTS)

    def setup(self) -> None:
        plan = self.load_plan()
        if plan.lecture is None or plan.lecture.head is None or not plan.sentences:
            raise RuntimeError(
                "ProjectionScene needs the plan's head comparison: render it "
                "with scenes.render or attention-drift render --scene"
            )
        self.s = plan.sentences[0]
        self.h: HeadComparison = plan.lecture.head
        self.build_header()
        self.build_footer()
        self.build_table()
        self.build_picture()
        self.check_layout(self.text_boxes())

    def construct(self) -> None:
        self.show_simple()
        self.beat("simple attention (q = k = v = x): " + self.notes_weights(simple=True))
        self.show_learned()
        self.beat(f"{self.head_name()} ({self.h.head_choice}): " + self.notes_weights(simple=False))
        self.show_values()
        x, y = self.h.output_simple_point
        self.beat(
            f"the head's values v in 2-D; mixed with the simple weights the output is at "
            f"({fmt(x)}, {fmt(y)})"
        )
        self.show_move()
        self.wait(1.5)
        x2, y2 = self.h.output_learned_point
        self.beat(f"with the learned weights the output moves to ({fmt(x2)}, {fmt(y2)})")

    def head_name(self) -> str:
        return f"layer {self.h.layer + 1}, head {self.h.head + 1}"

    # ---- layout ---------------------------------------------------------------------------
    def build_header(self) -> None:
        pal, h = self.pal, self.h
        self.chips, rows = sentence_chips(self.s, pal)
        self.sub = caption(
            f"simple attention vs {h.model} {self.head_name()} (d = {h.d_head} per head)", pal
        )
        self.header = fit_header(VGroup(rows, self.sub).arrange(DOWN, buff=0.16))

    def build_footer(self) -> None:
        pal, h = self.pal, self.h
        self.formula = MathTex(
            r"q = W_Q\,x + b_Q,\quad k = W_K\,x + b_K,\quad v = W_V\,x + b_V,\qquad "
            rf"w = \mathrm{{softmax}}\!\left(\frac{{q\cdot k}}{{\sqrt{{{h.d_head}}}}}\right)",
            color=pal.text,
            font_size=32,
        )
        ev = h.basis.explained_variance_ratio
        self.note = caption(
            f"x: the static vector (simple), the token's input to layer {h.layer + 1} (head) · "
            f"both outputs mix the head's values v, only the weights differ · 2-D PCA of the "
            f"values (PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%})",
            pal,
            size=16,
        )
        footer = VGroup(self.formula, self.note).arrange(DOWN, buff=0.12)
        if footer.width > 13.6:
            footer.scale_to_fit_width(13.6)
        footer.move_to([0, BOTTOM + footer.height / 2, 0])  # type: ignore[arg-type]
        self.footer = footer

    def rows(self) -> list[int]:
        """Row positions shown: all, or the MAX_ROWS with the largest weight of either kind."""
        h = self.h
        n = len(h.rows)
        if n <= MAX_ROWS:
            return list(range(n))
        size = [max(h.learned_weights[r], h.simple_weights[r] or 0.0) for r in range(n)]
        keep = sorted(range(n), key=lambda r: (-size[r], r))[:MAX_ROWS]
        return sorted(keep)

    def build_table(self) -> None:
        pal, h = self.pal, self.h
        area = (
            -6.95,
            self.footer.get_top()[1] + 0.25,
            TABLE_RIGHT,
            self.header.get_bottom()[1] - 0.3,
        )
        rows = self.rows()
        hidden = [r for r in range(len(h.rows)) if r not in rows]
        n = len(rows) + 1 + (1 if hidden else 0)
        rh = min(0.45, (area[3] - area[1]) / n)
        size = min(24.0, rh * 55)
        x_simple, x_learned = 0.25, 0.25 + BAR + 0.95
        self.head_simple = label("q = k = v = x", pal, size=size, color=pal.color(0))
        self.head_learned = label(self.head_name(), pal, size=size, color=pal.color(1))
        self.head_simple.move_to([x_simple, 0, 0], aligned_edge=LEFT)  # type: ignore[arg-type]
        self.head_learned.move_to([x_learned, 0, 0], aligned_edge=LEFT)  # type: ignore[arg-type]
        self.names: list[Mobject] = []
        self.simple_cells: list[Mobject] = []
        self.learned_cells: list[Mobject] = []
        self.numbers: list[Mobject] = []

        def cell(x: float, y: float, w: float | None, color: str) -> VGroup:
            track = Line([x, y, 0], [x + BAR, y, 0], stroke_width=1, color=pal.faint)  # type: ignore[arg-type]
            if w is None:
                dash = label("—", pal, size=size * 0.9, color=pal.faint)
                dash.next_to([x + BAR, y, 0], RIGHT, buff=0.1)  # type: ignore[arg-type]
                return VGroup(track, dash)
            length = max(BAR * w, 0.02)
            bar = Rectangle(
                width=length, height=rh * 0.55, stroke_width=0, fill_color=color, fill_opacity=0.9
            ).move_to([x + length / 2, y, 0])  # type: ignore[arg-type]
            value = label(fmt(w), pal, size=size * 0.9)
            value.next_to([x + BAR, y, 0], RIGHT, buff=0.1)  # type: ignore[arg-type]
            self.numbers.append(value)
            return VGroup(track, bar, value)

        for k, r in enumerate(rows):
            y = -(k + 1) * rh
            is_target = r == h.target_row
            special = h.rows[r] == -1
            name = StrutText(
                h.labels[r],
                pal,
                size=size,
                color=pal.static if is_target else (pal.muted if special else pal.text),
                weight="BOLD" if is_target else "NORMAL",
            )
            name.move_to([-0.15 - name.width / 2, y, 0])  # type: ignore[arg-type]
            self.names.append(name)
            self.simple_cells.append(cell(x_simple, y, h.simple_weights[r], pal.color(0)))
            self.learned_cells.append(cell(x_learned, y, h.learned_weights[r], pal.color(1)))
        self.more = VGroup()
        if hidden:
            y = -(len(rows) + 1) * rh
            s_rest = sum(h.simple_weights[r] or 0.0 for r in hidden)
            l_rest = sum(h.learned_weights[r] for r in hidden)
            self.more = VGroup(
                label(f"+ {len(hidden)} more", pal, size=size * 0.9, color=pal.muted).move_to(
                    np.array([-0.15, y, 0]), aligned_edge=RIGHT
                ),
                label(fmt(s_rest), pal, size=size * 0.9, color=pal.muted).next_to(
                    np.array([x_simple + BAR, y, 0]), RIGHT, buff=0.1
                ),
                label(fmt(l_rest), pal, size=size * 0.9, color=pal.muted).next_to(
                    np.array([x_learned + BAR, y, 0]), RIGHT, buff=0.1
                ),
            )
        self.table = VGroup(
            self.head_simple,
            self.head_learned,
            *self.names,  # type: ignore[arg-type]
            *self.simple_cells,  # type: ignore[arg-type]
            *self.learned_cells,  # type: ignore[arg-type]
            self.more,
        )
        fit_into(self.table, area, align="left")

    def build_picture(self) -> None:
        pal, h = self.pal, self.h
        area = (
            TABLE_RIGHT + 0.4,
            self.footer.get_top()[1] + 0.2,
            6.95,
            self.header.get_bottom()[1] - 0.3,
        )
        pts = [*h.value_points, h.output_simple_point, h.output_learned_point]
        self.map = picture_mapping(pts, area, margin=0.35)
        shown = set(self.rows())
        self.value_dots = VGroup()
        labels, anchors = [], []
        for r, p in enumerate(h.value_points):
            q = self.map(p)
            color = pal.static if r == h.target_row else pal.muted
            self.value_dots.add(Dot(q, radius=0.055 if r == h.target_row else 0.045, color=color))
            if r in shown:
                labels.append(label(h.labels[r], pal, size=18, color=color))
                anchors.append(q)
        a, b = self.map(h.output_simple_point), self.map(h.output_learned_point)
        self.simple_dot = Dot(a, radius=0.09, color=pal.color(0))
        self.learned_dot = Dot(b, radius=0.09, color=pal.color(1))
        self.move = vector_arrow(a, b, pal.highlight, width=4)
        self.simple_label = label("simple weights", pal, size=20, color=pal.color(0))
        self.learned_label = label("learned weights", pal, size=20, color=pal.color(1))
        self.leaders = place_point_labels(
            [self.simple_label, self.learned_label, *labels],
            [a, b, *anchors],
            area,
            [(a, b)],
            pal,
            points=[self.map(p) for p in h.value_points],
        )
        self.value_labels = VGroup(*labels)

    def text_boxes(self) -> list[tuple[str, tuple[float, float, float, float]]]:
        out = [(f"chip {c.word.text}", box(c)) for c in self.chips]
        out += [
            ("subtitle", box(self.sub)),
            ("formula", box(self.formula)),
            ("note", box(self.note)),
            ("head simple", box(self.head_simple)),
            ("head learned", box(self.head_learned)),
        ]
        out += [(f"row {m.text}", box(m)) for m in self.names]
        out += [(f"number {k}", box(m)) for k, m in enumerate(self.numbers)]
        out += [(f"more {k}", box(m)) for k, m in enumerate(self.more)]
        out += [
            (f"label {m.original_text}", box(m))
            for m in (self.simple_label, self.learned_label, *self.value_labels)
        ]
        return out

    def all_boxes(self) -> tuple[float, float, float, float]:
        return union(*(b for _, b in self.text_boxes()))

    # ---- notes ----------------------------------------------------------------------------
    def notes_weights(self, simple: bool) -> str:
        h = self.h
        pairs = []
        for r in range(len(h.rows)):
            w = h.simple_weights[r] if simple else h.learned_weights[r]
            if w is not None:
                pairs.append(f"{h.labels[r]} {fmt(w)}")
        return ", ".join(pairs)

    # ---- beats ----------------------------------------------------------------------------
    def show_simple(self) -> None:
        self.play(
            FadeIn(self.header, shift=0.2 * DOWN),
            FadeIn(self.head_simple),
            LaggedStart(*[FadeIn(n) for n in self.names], lag_ratio=0.05),
            run_time=1.2,
        )
        self.play(*[FadeIn(c) for c in self.simple_cells], FadeIn(self.more[:2]), run_time=1.0)

    def show_learned(self) -> None:
        self.play(Write(self.formula), FadeIn(self.head_learned), run_time=1.2)
        self.play(
            *[FadeIn(c, shift=0.2 * RIGHT) for c in self.learned_cells],
            FadeIn(self.more[2:]),
            run_time=1.2,
        )

    def show_values(self) -> None:
        self.play(
            FadeIn(self.note),
            LaggedStart(*[GrowFromCenter(d) for d in self.value_dots], lag_ratio=0.05),
            FadeIn(self.value_labels),
            FadeIn(self.leaders),
            run_time=1.2,
        )
        self.play(FadeIn(self.simple_dot, scale=1.5), FadeIn(self.simple_label), run_time=0.8)

    def show_move(self) -> None:
        self.play(
            GrowArrow(self.move),
            FadeIn(self.learned_dot, scale=1.5),
            FadeIn(self.learned_label),
            run_time=1.4,
        )
