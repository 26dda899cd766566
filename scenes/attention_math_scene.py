"""AttentionMathScene: one attention read-out, computed on screen step by step.

Beats: the sentence and the words taking part; the scores q · kᵢ; the scaled scores; the
softmax turning them into weights (bars that sum to 1); the values as vectors; the weighted
values laid tip to tail into the output, with the formula and its numbers. Every number is
read from the plan: the final drift step (scores, scaled_scores, weights, output) and the
lecture section's weighted sum (the 2-D arrows). Formulas are MathTex skeletons (symbols and
numbers only); words are Text.
"""

from __future__ import annotations

import itertools

from manim import *

from attention_math.plan import Plan
from scenes.beats import BeatScene
from scenes.components import StrutText, fmt, label
from scenes.drift import scale_text
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

MAX_ROWS = 12  # table rows shown; beyond, the smallest weights are summed in one line
MAX_TERMS = 6  # terms of the output's formula written out (all are in the notes)
TABLE_RIGHT = 1.2  # the table is left of this x, the picture right of it
BAR = 1.5  # length of a weight-1 bar


class AttentionMathScene(BeatScene):
    """q · k, scale, softmax, weighted sum of values: the post's computation, with numbers."""

    plan: Plan  # set by the pipeline; load_plan() checks it
    NEEDS = ("weighted_sum",)  # the plan parts it draws (attention_math.request.PARTS)

    def setup(self) -> None:
        plan = self.load_plan()
        if plan.lecture is None or plan.lecture.weighted_sum is None or not plan.sentences:
            raise RuntimeError(
                "AttentionMathScene needs the plan's weighted sum: render it with "
                "scenes.render or attention-drift render --scene"
            )
        self.s = plan.sentences[0]
        self.final = self.s.final
        self.ws = plan.lecture.weighted_sum
        self.build_header(plan)
        self.build_footer(plan)
        self.build_table()
        self.build_picture(plan)
        self.check_layout(self.text_boxes())

    def construct(self) -> None:
        self.show_sentence()
        self.beat(self.notes_sentence())
        self.show_scores()
        self.beat(self.notes_column("q·k", self.final.scores))
        self.show_scaled()
        self.beat(
            f"× scale ({scale_text(self.plan, self.s)}): "
            + self.notes_column("", self.final.scaled_scores)
        )
        self.show_weights()
        self.beat("softmax → weights (sum 1): " + self.notes_column("", self.final.weights))
        self.show_values()
        self.beat("values v = x: each word's static vector, drawn in 2-D (PCA)")
        self.show_sum()
        self.wait(1.5)
        self.beat(f"{self.s.target.text}′ = " + " + ".join(self.terms))

    # ---- layout ---------------------------------------------------------------------------
    def build_header(self, plan: Plan) -> None:
        pal = self.pal
        self.chips, rows = sentence_chips(self.s, pal)
        source = (
            "all-MiniLM-L6-v2 embeddings"
            if plan.embedding.kind == "minilm"
            else plan.embedding.name
        )
        self.subtitle = caption(
            f"simple attention: q = k = v = x, each word's static vector "
            f"({plan.embedding.dim}-d {source})",
            pal,
        )
        self.header = fit_header(VGroup(rows, self.subtitle).arrange(DOWN, buff=0.16))

    def build_footer(self, plan: Plan) -> None:
        """One formula per step (swapped in the same place) and the output with numbers."""
        pal, s = self.pal, self.s
        c = fmt(s.scale, 3)  # a positive number: no minus for LaTeX to meet
        rule = plan.attention.scale_rule
        if rule == "auto":
            c_def = rf"c = 1/\lVert q \rVert^2 = {c}"
        elif rule == "1/sqrt(d)":
            c_def = rf"c = 1/\sqrt{{{plan.embedding.dim}}} = {c}"
        else:
            c_def = rf"c = {c}"
        tex = [
            r"s_i = q \cdot k_i",
            rf"c\, s_i, \qquad {c_def}",
            r"w_i = \mathrm{softmax}(c\, s)_i = \frac{e^{\,c\, s_i}}{\sum_j e^{\,c\, s_j}}",
            r"v_i = x_i",
            r"\mathrm{output} = \sum_i w_i\, v_i",
        ]
        self.formulas = [MathTex(t, color=pal.text, font_size=38) for t in tex]
        terms = self.terms = [
            f"{fmt(w)}·{self.s.words[i].text}"
            for i, w in zip(self.final.words, self.final.weights, strict=True)
        ]
        shown = terms[:MAX_TERMS]
        if len(terms) > MAX_TERMS:
            shown.append(f"… ({len(terms) - MAX_TERMS} more)")
        self.output_text = label(
            f"{s.target.text}′ = " + " + ".join(shown), pal, size=24, color=pal.color(0)
        )
        if self.output_text.width > 13.6:
            self.output_text.scale_to_fit_width(13.6)
        self.output_text.move_to([0, BOTTOM + self.output_text.height / 2, 0])  # type: ignore[arg-type]
        base = self.output_text.get_top()[1] + 0.15
        for f in self.formulas:
            if f.width > 13.6:
                f.scale_to_fit_width(13.6)
            f.move_to([0, base + f.height / 2, 0])  # type: ignore[arg-type]
        self.footer_top = max(f.get_top()[1] for f in self.formulas)

    def rows(self) -> list[int]:
        """Positions (in the final step's order) of the table rows: target first, then by
        weight; at most MAX_ROWS (the rest summed in `rest`)."""
        n = len(self.final.words)
        return list(range(min(n, MAX_ROWS)))

    def build_table(self) -> None:
        pal, s, final = self.pal, self.s, self.final
        area = (-6.95, self.footer_top + 0.25, TABLE_RIGHT, self.header.get_bottom()[1] - 0.3)
        rows = self.rows()
        n = len(rows) + 1 + (1 if len(final.words) > MAX_ROWS else 0)
        rh = min(0.5, (area[3] - area[1]) / n)
        size = min(26.0, rh * 52)
        col = [0.0, 1.35, 2.7, 3.35]  # word right edge, scores, scaled, bars start
        heads = [
            MathTex(t, color=pal.muted, font_size=size * 1.3)
            for t in (r"q\cdot k_i", r"c\,s_i", r"w_i")
        ]
        for h, x in zip(heads, (col[1], col[2], col[3] + BAR / 2), strict=True):
            h.move_to([x, 0, 0])  # type: ignore[arg-type]
        self.heads = heads
        self.words, self.scores, self.scaled, self.bars, self.values = [], [], [], [], []
        for r, j in enumerate(rows):
            y = -(r + 1) * rh
            i = final.words[j]
            color = pal.static if i == s.target_index else pal.text
            w = StrutText(
                s.words[i].text,
                pal,
                size=size,
                color=color,
                weight="BOLD" if i == s.target_index else "NORMAL",
            )
            w.move_to([col[0] - w.width / 2, y, 0])  # type: ignore[arg-type]
            sc = label(fmt(final.scores[j]), pal, size=size).move_to([col[1], y, 0])  # type: ignore[arg-type]
            ss = label(fmt(final.scaled_scores[j]), pal, size=size).move_to([col[2], y, 0])  # type: ignore[arg-type]
            length = max(BAR * final.weights[j], 0.02)
            bar = Rectangle(
                width=length,
                height=rh * 0.55,
                stroke_width=0,
                fill_color=pal.color(0),
                fill_opacity=0.9,
            )
            bar.move_to([col[3] + length / 2, y, 0])  # type: ignore[arg-type]
            track = Line([col[3], y, 0], [col[3] + BAR, y, 0], stroke_width=1, color=pal.faint)  # type: ignore[arg-type]
            val = label(fmt(final.weights[j]), pal, size=size * 0.95)
            val.next_to([col[3] + BAR, y, 0], RIGHT, buff=0.12)  # type: ignore[arg-type]
            self.words.append(w)
            self.scores.append(sc)
            self.scaled.append(ss)
            self.bars.append(VGroup(track, bar))
            self.values.append(val)
        y = -(len(rows) + 1) * rh
        extra = VGroup()
        if len(final.words) > MAX_ROWS:
            rest = sum(final.weights[MAX_ROWS:])
            more = label(
                f"+ {len(final.words) - MAX_ROWS} more words", pal, size=size * 0.9, color=pal.muted
            ).move_to([col[0], y, 0], aligned_edge=RIGHT)  # type: ignore[arg-type]
            rest_val = label(fmt(rest), pal, size=size * 0.9, color=pal.muted)
            rest_val.next_to([col[3] + BAR, y, 0], RIGHT, buff=0.12)  # type: ignore[arg-type]
            extra = VGroup(more, rest_val)
            y -= rh
        self.total = label(
            f"Σ w = {fmt(sum(final.weights))}", pal, size=size * 0.95, color=pal.muted
        )
        self.total.next_to([col[3] + BAR, y, 0], RIGHT, buff=0.12)  # type: ignore[arg-type]
        self.table = VGroup(
            *heads,
            *self.words,
            *self.scores,
            *self.scaled,
            *self.bars,
            *self.values,
            extra,
            self.total,
        )
        self.extra = extra
        fit_into(self.table, area, align="left")

    def point_of(self, i: int) -> tuple[float, float]:
        """The 2-D point of word i (every word of the weighted sum has a vector)."""
        point = self.s.words[i].point
        assert point is not None, i
        return point

    def build_picture(self, plan: Plan) -> None:
        pal, s, ws = self.pal, self.s, self.ws
        area = (TABLE_RIGHT + 0.35, self.footer_top + 0.2, 6.95, self.header.get_bottom()[1] - 0.3)
        origin = plan.projection.origin
        pts = [origin, *ws.tips, *(self.point_of(i) for i in ws.words)]
        self.map = picture_mapping(pts, area, margin=0.35)
        o = self.map(origin)
        self.origin_dot = Dot(o, radius=0.05, color=pal.muted)
        shown = set(self.final.words[:MAX_ROWS])
        self.value_arrows, labels, anchors = VGroup(), [], []
        for i in ws.words:
            p = self.map(self.point_of(i))
            color = pal.static if i == s.target_index else pal.muted
            self.value_arrows.add(vector_arrow(o, p, color, width=2.5, opacity=0.7))
            if i in shown:
                labels.append(label(s.words[i].text, pal, size=20, color=color))
                anchors.append(p)
        tips = [o, *(self.map(t) for t in ws.tips)]
        self.sum_arrows = VGroup(
            *[vector_arrow(a, b, pal.color(0), width=5) for a, b in itertools.pairwise(tips)]
        )
        self.out_dot = Dot(tips[-1], radius=0.08, color=pal.color(0))
        self.out_label = label(f"{s.target.text}′", pal, size=22, color=pal.color(0))
        self.origin_label = label("0", pal, size=16, color=pal.muted)
        lines = [(o, self.map(self.point_of(i))) for i in ws.words]
        lines += list(itertools.pairwise(tips))
        all_labels = [self.out_label, self.origin_label, *labels]
        self.leaders = place_point_labels(
            all_labels, [tips[-1], o, *anchors], area, lines, pal, points=tips
        )
        self.value_labels = VGroup(*labels)
        self.picture_area = area

    def text_boxes(self) -> list[tuple[str, tuple[float, float, float, float]]]:
        out = [(f"chip {c.word.text}", box(c)) for c in self.chips]
        out.append(("subtitle", box(self.subtitle)))
        out.append(("formula", union(*(box(f) for f in self.formulas))))
        out.append(("output", box(self.output_text)))
        out += [(f"head {k}", box(h)) for k, h in enumerate(self.heads)]
        for k, m in enumerate([*self.words, *self.scores, *self.scaled, *self.values]):
            out.append((f"table {k}", box(m)))
        if len(self.extra):
            out += [(f"more {k}", box(m)) for k, m in enumerate(self.extra)]
        out.append(("total", box(self.total)))
        out += [
            (f"label {m.original_text}", box(m))
            for m in (self.out_label, self.origin_label, *self.value_labels)
        ]
        return out

    # ---- notes ----------------------------------------------------------------------------
    def notes_sentence(self) -> str:
        s = self.s
        used = ", ".join(s.words[i].text for i in self.final.words)
        left = [w.text for w in s.words if w.is_word and not w.included]
        return f"“{s.text}” — target “{s.target.text}”; attending over: {used}" + (
            f"; left out: {', '.join(left)}" if left else ""
        )

    def notes_column(self, name: str, values: tuple[float, ...]) -> str:
        pairs = ", ".join(
            f"{self.s.words[i].text} {fmt(v)}"
            for i, v in zip(self.final.words, values, strict=True)
        )
        return f"{name}: {pairs}" if name else pairs

    # ---- beats ----------------------------------------------------------------------------
    def show_sentence(self) -> None:
        self.play(
            FadeIn(self.header, shift=0.2 * DOWN),
            LaggedStart(*[FadeIn(w) for w in self.words], lag_ratio=0.1),
            run_time=1.2,
        )

    def show_scores(self) -> None:
        self.play(
            FadeIn(self.heads[0]),
            Write(self.formulas[0]),
            LaggedStart(*[FadeIn(m, shift=0.1 * LEFT) for m in self.scores], lag_ratio=0.1),
            run_time=1.2,
        )

    def show_scaled(self) -> None:
        self.play(
            FadeIn(self.heads[1]),
            FadeTransform(self.formulas[0], self.formulas[1]),
            *[TransformFromCopy(a, b) for a, b in zip(self.scores, self.scaled, strict=True)],
            run_time=1.2,
        )

    def show_weights(self) -> None:
        self.play(
            FadeIn(self.heads[2]),
            FadeTransform(self.formulas[1], self.formulas[2]),
            *[GrowFromEdge(b, LEFT) for b in self.bars],
            *[FadeIn(v) for v in self.values],
            FadeIn(self.extra),
            FadeIn(self.total),
            run_time=1.4,
        )

    def show_values(self) -> None:
        self.play(
            FadeTransform(self.formulas[2], self.formulas[3]),
            FadeIn(self.origin_dot, self.origin_label),
            LaggedStart(*[GrowArrow(a) for a in self.value_arrows], lag_ratio=0.1),  # type: ignore[arg-type]
            FadeIn(self.value_labels),
            FadeIn(self.leaders),
            run_time=1.4,
        )

    def show_sum(self) -> None:
        self.play(FadeTransform(self.formulas[3], self.formulas[4]), run_time=0.6)
        rt = max(0.25, min(0.8, 4.0 / len(self.sum_arrows)))
        for a in self.sum_arrows:
            self.play(GrowArrow(a), run_time=rt)  # type: ignore[arg-type]
        self.play(
            FadeIn(self.out_dot, scale=1.5),
            FadeIn(self.out_label),
            Write(self.output_text),
            run_time=1.2,
        )
