"""AttentionMathScene: one attention read-out, computed on screen step by step.

Beats: the sentence and the words taking part; the scores q · k; the scaled scores (each
number counts from its score to c · s); the softmax turning them into weights (bars grow,
numbers count, Σ w = 1); the values as vectors; the weighted values laid tip to tail into the
output, with its equation.

Every number is read from the plan (the final drift step, and the lecture section's
weighted sum: its 2-D arrows, the chain of the largest terms plus "the rest", the table's
"N more" line) and written in one typeface (the theme's font, `Counter`): formulas are text,
no LaTeX digits. Columns are aligned on the decimal point. The tip-to-tail sum has its own
view, fitted to it (its zoom against the values' view is written under it), so it is drawn
large; with many words it shows the largest terms and then the rest as one arrow.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from manim import *

from attention_math.errors import InputError
from attention_math.lecture_data import Group as Terms
from attention_math.plan import Plan
from scenes.components import Counter, CountTo, Fade, OriginMark, StrutText, cut, fmt, swap
from scenes.figure.names import scale_text
from scenes.layout import Box
from scenes.picture import (
    BODY,
    SMALL,
    WIDTH,
    X_LEFT,
    X_RIGHT,
    Y_BOTTOM,
    Y_TOP,
    LectureScene,
    arrow_between,
    at,
    box_of,
    number_template,
    picture_mapping,
    place_point_labels,
    place_right,
    sentence_chips,
)

COLUMN = -0.2  # the table is left of this x, the formulas and pictures right of it
BAR = 1.3  # length of a weight-1 bar
NAME_W = 1.7  # table words longer than this are cut with "…"
STEPS = ("scores", "scaled", "weights", "values", "sum")
POSTER = 1.5  # the first frame's hold: the whole computation, as at the end


@dataclass(frozen=True)
class TableLayout:
    """The table's type size, row height, number templates (scores, weights) and columns:
    the right edges of the words and of the number columns, the left edge of the bars."""

    size: float
    rh: float
    t_scores: str
    t_weights: str
    x_name: float
    x_score: float
    x_scaled: float
    x_bar: float
    x_weight: float


class AttentionMathScene(LectureScene):
    """q · k, scale, softmax, weighted sum of values: the post's computation, with numbers."""

    plan: Plan  # set by the pipeline; load_plan() checks it
    last_phase = "sum"  # the texts of the last frame (text_boxes)

    def setup(self) -> None:
        plan = self.load_plan()
        if plan.lecture is None or plan.lecture.weighted_sum is None or not plan.sentences:
            raise InputError(
                "AttentionMathScene needs the plan's weighted sum: render it with "
                "attention-drift render --scene AttentionMathScene"
            )
        self.s = plan.sentences[0]
        self.final = self.s.final
        self.ws = plan.lecture.weighted_sum
        if not self.ws.chain:
            raise InputError(
                "this plan's weighted sum was made before the tip-to-tail chain was recorded; "
                "make the plan again with this version"
            )
        self.start_registry()
        self.build_header(plan)
        self.build_table()
        self.build_formulas(plan)
        self.build_equation()
        self.build_values()
        self.build_sum()
        self.check()

    def construct(self) -> None:
        self.show_poster()
        if self.final_only:  # the poster is the last frame
            return
        self.show_sentence()
        self.beat(self.notes_sentence(), caption=self.caption_of("sentence"))
        self.show_scores()
        self.beat(self.notes_column("q·k", self.final.scores), caption=self.caption_of("scores"))
        self.show_scaled()
        self.beat(
            f"× scale ({scale_text(self.plan, self.s)}): "
            + self.notes_column("", self.final.scaled_scores),
            caption=self.caption_of("scaled"),
        )
        self.show_weights()
        self.beat(
            "softmax → weights (sum 1): " + self.notes_column("", self.final.weights),
            caption=self.caption_of("weights"),
        )
        self.show_values()
        self.beat(
            "values v = x: each word's static vector, drawn in 2-D (PCA)",
            caption=self.caption_of("values"),
        )
        self.show_sum()
        self.wait(1.5)
        self.beat(self.notes_sum(), caption=self.caption_of("sum"))

    # ---- layout ---------------------------------------------------------------------------
    def build_header(self, plan: Plan) -> None:
        keep = list(self.final.words)
        self.chips = sentence_chips(self.s, self, max_width=WIDTH, max_rows=2, keep=keep)
        self.chips.move_to(at(X_LEFT + self.chips.width / 2, Y_TOP - self.chips.height / 2))
        source = (
            "all-MiniLM-L6-v2 embeddings"
            if plan.embedding.kind == "minilm"
            else plan.embedding.name
        )
        self.subtitle = self.text(
            "subtitle",
            f"simple attention: q = k = v = x, each word's static vector ({plan.embedding.dim}-d "
            f"{source})",
            SMALL,
            muted=True,
            max_width=WIDTH,
        )
        y = self.chips.get_bottom()[1] - 0.1 - self.subtitle.height / 2
        self.subtitle.move_to(at(X_LEFT + self.subtitle.width / 2, y))
        self.header = VGroup(self.chips, self.subtitle)
        self.body_top = self.subtitle.get_bottom()[1] - 0.25

    def table_positions(self) -> list[int]:
        """Positions (in the final step's order) of the table's rows: the first TABLE_ROWS
        (the rest is the plan's `rest` group)."""
        n = len(self.final.words)
        rest = self.ws.rest
        return list(range(n - len(rest.words))) if rest is not None else list(range(n))

    def build_table(self) -> None:
        """The words with their scores, scaled scores, weight bars and weights (each column
        aligned on the decimal point), then "+ N more" (the plan's rest) and Σ w."""
        rows = self.table_positions()
        size = self.table_size = BODY if len(rows) <= 6 else SMALL
        words = [self.table_word(j, size) for j in rows]
        t = self.table_layout(rows, words)
        self.bar_x = t.x_bar
        y = self.body_top - t.rh / 2
        self.build_table_heads(t, y)
        self.words: list[StrutText] = []
        self.scores: list[Counter] = []
        self.scaled: list[Counter] = []
        self.bars: list[Rectangle] = []
        self.tracks: list[Line] = []
        self.values: list[Counter] = []
        for j, w in zip(rows, words, strict=True):
            y -= t.rh
            self.add_table_row(t, j, w, y)
        self.extra = VGroup()
        if self.ws.rest is not None:
            y -= t.rh
            more = self.text("more", f"+ {len(self.ws.rest.words)} more", t.size, muted=True)
            more.move_to(at(t.x_name - more.width / 2, y))
            self.add_bar(y, t.rh, self.ws.rest.weight, self.pal.muted)
            rest = place_right(self.counter("rest weight", 0.0, t.t_weights, t.size), t.x_weight, y)
            self.values.append(rest)
            self.extra.add(more)
        y -= t.rh
        self.sum_name = self.text("sum name", "Σ w", t.size, muted=True)
        self.sum_name.move_to(at(self.bar_x + BAR - self.sum_name.width / 2, y))
        self.total = place_right(self.counter("sum", 0.0, t.t_weights, t.size), t.x_weight, y)
        self.weight_targets = [*self.final.weights[: len(rows)]]
        if self.ws.rest is not None:
            self.weight_targets.append(self.ws.rest.weight)
        self.table_right = t.x_weight
        self.table_bottom = y - t.rh / 2

    def table_word(self, j: int, size: float) -> StrutText:
        """The registered name of the table's row j (the target in bold)."""
        i = self.final.words[j]
        bold = "BOLD" if i == self.s.target_index else "NORMAL"
        return self.text(f"word {j}", self.s.words[i].text, size, weight=bold, max_width=NAME_W)

    def table_layout(self, rows: list[int], words: list[StrutText]) -> TableLayout:
        """The row height (the lines fit between the header and the bottom margin), the
        number templates and the columns' x, from the widest word and the widest number."""
        final, size = self.final, self.table_size
        n_lines = 1 + len(rows) + (1 if self.ws.rest else 0) + 1  # head, rows, rest, Σ
        rh = min(0.52 if size == BODY else 0.42, (self.body_top - Y_BOTTOM) / n_lines)
        t_scores = number_template([*final.scores, *final.scaled_scores])
        t_weights = number_template([*final.weights, 1.0])
        probe = Counter(0.0, size=size, color=self.pal.text, template=t_scores)
        num_w = probe.width
        more_w = (
            StrutText(f"+ {len(final.words)} more", self.pal, size=size).width
            if self.ws.rest
            else 0
        )
        name_w = max(more_w, *(w.width for w in words))
        x_name = X_LEFT + name_w  # right edge of the words
        x_score = x_name + 0.3 + num_w  # right edges of the number columns
        x_scaled = x_score + 0.35 + num_w
        x_bar = x_scaled + 0.3
        x_weight = x_bar + BAR + 0.15 + probe.width
        return TableLayout(
            size, rh, t_scores, t_weights, x_name, x_score, x_scaled, x_bar, x_weight
        )

    def build_table_heads(self, t: TableLayout, y: float) -> None:
        """The columns' names: q · k and c · s over their numbers, w over the bars."""
        self.heads = [
            self.text("head q·k", "q · k", t.size, muted=True),
            self.text("head c·s", "c · s", t.size, muted=True),
            self.text("head w", "w", t.size, muted=True),
        ]
        for h, x in zip(self.heads, (t.x_score, t.x_scaled, t.x_bar + BAR / 2), strict=True):
            h.move_to(at(x - (h.width / 2 if h is not self.heads[2] else 0), y))

    def add_table_row(self, t: TableLayout, j: int, word: StrutText, y: float) -> None:
        """Row j at y: its word, score, scaled score (a copy of the score until it counts),
        weight bar and weight (0 until it counts)."""
        final = self.final
        word.move_to(at(t.x_name - word.width / 2, y))
        self.words.append(word)
        self.scores.append(
            place_right(
                self.counter(f"score {j}", final.scores[j], t.t_scores, t.size), t.x_score, y
            )
        )
        self.scaled.append(
            place_right(
                self.counter(f"scaled {j}", final.scores[j], t.t_scores, t.size), t.x_scaled, y
            )
        )
        self.add_bar(y, t.rh, final.weights[j], self.pal.color(0))
        self.values.append(
            place_right(self.counter(f"weight {j}", 0.0, t.t_weights, t.size), t.x_weight, y)
        )

    def add_bar(self, y: float, rh: float, w: float, color: str) -> None:
        track = Line(
            at(self.bar_x, y), at(self.bar_x + BAR, y), stroke_width=1, color=self.pal.faint
        )
        length = max(BAR * w, 0.02)
        bar = Rectangle(
            width=length, height=rh * 0.5, stroke_width=0, fill_color=color, fill_opacity=0.9
        )
        bar.move_to(at(self.bar_x + length / 2, y))
        self.tracks.append(track)
        self.bars.append(bar)

    def build_formulas(self, plan: Plan) -> None:
        """One formula per step, in the same place at the top of the right column (text in
        the theme's font: the numbers in it look like every other number)."""
        s = self.s
        c = fmt(s.scale, 3)
        rule = plan.attention.scale_rule
        if rule == "auto":
            c_def = f"c = 1 / (q · q) = {c}"
        elif rule == "1/sqrt(d)":
            c_def = f"c = 1 / √{plan.embedding.dim} = {c}"
        else:
            c_def = f"c = {c}"
        t = cut(s.target.text, 14)
        lines = {
            "scores": ["s = q · k, for every word"],
            "scaled": [f"c · s, with {c_def}"],
            "weights": ["w = softmax(c · s)", "= exp(c · s) / Σ exp(c · s)"],
            "values": ["v = x: a word's value is its vector"],
            "sum": [f"{t}′ = Σ w · v"],
        }
        self.x0 = max(COLUMN, self.table_right + 0.45)
        self.formulas: dict[str, VGroup] = {}
        for step in STEPS:
            group = VGroup(
                *[
                    self.text(
                        f"formula {step} {k}", line, BODY, phase=step, max_width=X_RIGHT - self.x0
                    )
                    for k, line in enumerate(lines[step])
                ]
            )
            self.formulas[step] = group.arrange(DOWN, aligned_edge=LEFT, buff=0.04)
        tallest = max(g.height for g in self.formulas.values())
        widest = max(g.width for g in self.formulas.values())
        # Under the table when it leaves room (the equation goes there too), else top right.
        self.left = (
            self.table_bottom - Y_BOTTOM >= tallest + 1.4 and widest <= self.x0 - 0.3 - X_LEFT
        )
        x, top = (X_LEFT, self.table_bottom - 0.35) if self.left else (self.x0, self.body_top)
        for group in self.formulas.values():
            group.move_to(at(x + group.width / 2, top - group.height / 2))
        self.pictures_top = self.body_top
        if not self.left:
            self.pictures_top = min(g.get_bottom()[1] for g in self.formulas.values()) - 0.25

    def build_equation(self) -> None:
        """The output with numbers, from the chain (largest terms, then the rest), wrapped,
        at the bottom of its column."""
        s, chain = self.s, self.ws.chain
        terms = [f"{fmt(g.weight)}·{self.group_name(g)}" for g in chain]
        pieces = [f"{s.target.text}′ = {terms[0]}", *(f"+ {t}" for t in terms[1:])]
        x0 = X_LEFT if self.left else self.x0
        width = (self.x0 - 0.3 if self.left else X_RIGHT) - x0
        lines: list[str] = [""]
        for p in pieces:
            trial = f"{lines[-1]} {p}".strip()
            if lines[-1] and StrutText(trial, self.pal, size=SMALL).width > width:
                lines.append(p)
            else:
                lines[-1] = trial
        self.equation = VGroup(
            *[
                self.text(f"equation {k}", line, SMALL, max_width=width, phase="sum")
                for k, line in enumerate(lines)
            ]
        )
        self.equation.arrange(DOWN, aligned_edge=LEFT, buff=0.04)
        self.equation.move_to(at(x0 + self.equation.width / 2, Y_BOTTOM + self.equation.height / 2))
        self.pictures_bottom = Y_BOTTOM if self.left else self.equation.get_top()[1] + 0.2

    def group_name(self, g: Terms) -> str:
        """A chain arrow's word (cut after 12 characters), or "(N more)" for the rest."""
        if len(g.words) > 1:
            return f"({len(g.words)} more)"
        word = self.s.words[g.words[0]].text
        return cut(word, 12)

    def area(self) -> Box:
        return (self.x0, self.pictures_bottom, X_RIGHT, self.pictures_top)

    def build_values(self) -> None:
        """The values as arrows from the origin (2-D PCA of the plan), the largest labelled."""
        pal, s, ws = self.pal, self.s, self.ws
        origin = self.plan.projection.origin
        pts = [origin, *(self.point_of(i) for i in ws.words)]
        self.values_map = picture_mapping(pts, self.area(), margin=0.35)
        o = self.values_map(origin)
        self.values_origin = self.add_mark(
            "origin (values)", OriginMark(o, color=pal.muted, arm=0.12), "values"
        )
        labelled = {g.words[0] for g in ws.chain if len(g.words) == 1}
        self.value_arrows = VGroup()
        labels, anchors = [], []
        for i in ws.words:
            p = self.values_map(self.point_of(i))
            color = pal.text if i == s.target_index else pal.muted
            a = arrow_between(
                self, f"value {i}", o, p, color, width=3, opacity=0.85, phase="values"
            )
            self.value_arrows.add(a)
            if i in labelled:
                labels.append(
                    self.text(
                        f"value label {i}",
                        s.words[i].text,
                        SMALL,
                        muted=i != s.target_index,
                        max_width=2.2,
                        phase="values",
                    )
                )
                anchors.append(p)
        segs = [e.segment for e in self.registry if e.phase == "values" and e.segment]
        self.value_leaders = place_point_labels(
            self, labels, anchors, self.area(), segments=segs, points=[o]
        )
        self.value_labels = VGroup(*labels)

    def point_of(self, i: int) -> tuple[float, float]:
        point = self.s.words[i].point
        assert point is not None, i  # every word of the weighted sum has a vector
        return point

    def build_sum(self) -> None:
        """The weighted values tip to tail, in a view fitted to them; each arrow labelled
        with its term; the output marked with a ring (its arrowhead stays visible)."""
        pal, ws = self.pal, self.ws
        origin = self.plan.projection.origin
        tips = [origin, *(g.tip for g in ws.chain)]
        area = self.area()
        note_h = 0.4
        inner = (area[0], area[1] + note_h, area[2], area[3])
        self.sum_map = picture_mapping(tips, inner, margin=0.5)
        pts = [self.sum_map(p) for p in tips]
        self.sum_origin = self.add_mark(
            "origin (sum)", OriginMark(pts[0], color=pal.muted, arm=0.12), "sum"
        )
        self.sum_arrows = [
            arrow_between(self, f"term {k}", a, b, pal.color(0), width=6, phase="sum")
            for k, (a, b) in enumerate(itertools.pairwise(pts))
        ]
        self.out_ring = self.add_dot(
            "output", Circle(radius=0.16, stroke_width=3, color=pal.text).move_to(pts[-1]), "sum"
        )
        # the sum itself: one arrow from the origin to where the terms end
        self.resultant = arrow_between(
            self, "resultant", pts[0], pts[-1], pal.text, width=4, phase="sum"
        )
        self.label_sum(pts, inner)
        self.build_zoom_note(area)

    def label_sum(self, pts: list[np.ndarray], inner: Box) -> None:
        """The output's name at its ring and each term ("0.56·bank") at its arrow's middle,
        clear of the arrows."""
        self.out_label = self.text(
            "output label",
            f"{self.s.target.text}′",
            SMALL,
            weight="BOLD",
            max_width=2.5,
            phase="sum",
        )
        term_labels = [
            self.text(
                f"term label {k}",
                f"{fmt(g.weight)}·{self.group_name(g)}",
                SMALL,
                max_width=2.6 if len(self.ws.chain) < 6 else 1.9,  # many terms: shorter
                phase="sum",
            )
            for k, g in enumerate(self.ws.chain)
        ]
        mids = [(a + b) / 2 for a, b in itertools.pairwise(pts)]
        segs = [e.segment for e in self.registry if e.phase == "sum" and e.segment]
        self.sum_leaders = place_point_labels(
            self,
            [self.out_label, *term_labels],
            [pts[-1], *mids],
            inner,
            segments=segs,
            points=pts,
            avoid=[box_of(self.out_ring)],  # wider than a point
        )
        self.term_labels = term_labels

    def build_zoom_note(self, area: Box) -> None:
        """Under the sum: how much larger than the values' view it is drawn."""
        zoom = self.sum_map.scale / self.values_map.scale
        self.zoom_note = self.text(
            "zoom note",
            f"Σ w · v tip to tail, drawn ×{zoom:.1f} the values' scale",
            SMALL,
            muted=True,
            max_width=area[2] - area[0],
            phase="sum",
        )
        self.zoom_note.move_to(
            at(area[0] + self.zoom_note.width / 2, area[1] + self.zoom_note.height / 2)
        )

    # ---- notes and captions -----------------------------------------------------------------
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

    def notes_sum(self) -> str:
        terms = " + ".join(
            f"{fmt(w)}·{self.s.words[i].text}"
            for i, w in zip(self.final.words, self.final.weights, strict=True)
        )
        return f"{self.s.target.text}′ = {terms}"

    def caption_of(self, step: str) -> str:
        t, n = self.s.target.text, len(self.final.words)
        top = self.ws.chain[0]
        return {
            "sentence": f"“{t}” attends to {n} words of the sentence (itself included)",
            "scores": f"Scores: the dot product of “{t}”'s query with each word's key",
            "scaled": f"Each score times c = {fmt(self.s.scale, 3)}",
            "weights": "Softmax turns the scaled scores into weights that sum to 1",
            "values": "Values: each word's static vector, an arrow from the origin",
            "sum": f"{t}′: the weighted values tip to tail; the largest, "
            f"{fmt(top.weight)}·{self.group_name(top)}, first",
        }[step]

    # ---- beats ----------------------------------------------------------------------------
    def final_state(self) -> list[Mobject]:
        """What the last frame shows: the table counted out, the sum tip to tail, its
        resultant and the equation."""
        return [
            self.header, *self.words, self.extra, *self.heads, self.formulas["sum"],
            *self.scores, *self.scaled, *self.tracks, *self.bars, *self.values, self.sum_name,
            self.total, self.sum_origin, self.zoom_note, *self.sum_arrows, *self.term_labels,
            self.resultant, self.out_ring, self.out_label, self.sum_leaders, self.equation,
        ]  # fmt: skip

    def show_poster(self) -> None:
        """The first frame is the last one (a paused GIF shows the whole computation), then
        it fades out and is built again: the loop returns to it without a cut."""
        counted = [
            *zip(self.scaled, self.final.scaled_scores, strict=False),
            *zip(self.values, self.weight_targets, strict=True),
            (self.total, 1.0),
        ]
        start = [c.value for c, _ in counted]
        for c, v in counted:
            c.set_value(v)
        final = self.final_state()
        self.add(*final)
        self.wait(POSTER)
        if self.final_only:
            return
        self.play(*[Fade(m, out=True) for m in final], run_time=0.3)
        for (c, _), v in zip(counted, start, strict=True):
            c.set_value(v)

    def show_sentence(self) -> None:
        self.play(Fade(self.header), *[Fade(w) for w in self.words], Fade(self.extra), run_time=1.0)

    def show_scores(self) -> None:
        self.play(
            Fade(self.heads[0]),
            Fade(self.formulas["scores"]),
            *[Fade(m) for m in self.scores],
            run_time=1.0,
        )

    def show_scaled(self) -> None:
        """The scaled column starts as a copy of the scores and counts to c · s."""
        self.play(
            *swap([self.formulas["scores"]], [self.formulas["scaled"]]),
            Fade(self.heads[1]),
            *[Fade(m) for m in self.scaled],
            run_time=0.4,
        )
        self.play(
            *[CountTo(m, v) for m, v in zip(self.scaled, self.final.scaled_scores, strict=False)],
            run_time=1.2,
        )

    def show_weights(self) -> None:
        self.play(
            *swap([self.formulas["scaled"]], [self.formulas["weights"]]),
            Fade(self.heads[2]),
            *[Fade(t) for t in self.tracks],
            *[GrowFromEdge(b, LEFT) for b in self.bars],
            *[
                CountTo(m, v, fade_in=True)
                for m, v in zip(self.values, self.weight_targets, strict=True)
            ],
            Fade(self.sum_name),
            CountTo(self.total, 1.0, fade_in=True),
            run_time=1.4,
        )

    def show_values(self) -> None:
        self.play(
            *swap([self.formulas["weights"]], [self.formulas["values"]]),
            Fade(self.values_origin),
            *[Create(a) for a in self.value_arrows],
            Fade(self.value_labels),
            Fade(self.value_leaders),
            run_time=1.4,
        )

    def show_sum(self) -> None:
        self.play(
            *swap([self.formulas["values"]], [self.formulas["sum"]]),
            *[
                Fade(m, out=True)
                for m in (
                    self.values_origin,
                    self.value_arrows,
                    self.value_labels,
                    self.value_leaders,
                )
            ],
            Fade(self.sum_origin),
            Fade(self.zoom_note),
            run_time=0.6,
        )
        rt = max(0.4, min(0.9, 4.0 / len(self.sum_arrows)))
        for a, lab in zip(self.sum_arrows, self.term_labels, strict=True):
            self.play(Create(a), Fade(lab), run_time=rt)
        self.play(
            Create(self.resultant),
            Fade(self.out_ring),
            Fade(self.out_label),
            Fade(self.sum_leaders),
            Fade(self.equation),
            run_time=1.0,
        )
