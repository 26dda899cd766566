"""AttentionMathScene's left column: the sentence's header and the table of the computation.

The table lists the words taking part with their scores, scaled scores, weight bars and
weights, each number column aligned on the decimal point, then "+ N more" (the plan's rest)
and Σ w. Every mobject is registered with the scene's layout check as it is made
(`LectureScene.text`); the beats (scenes.attention_math_scene) only animate them.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import *

from attention_math.errors import InputError
from attention_math.lecture_data import WeightedSum
from attention_math.plan import Plan, Sentence, Step
from scenes.components import Counter, StrutText
from scenes.picture import (
    BODY,
    SMALL,
    WIDTH,
    X_LEFT,
    Y_BOTTOM,
    Y_TOP,
    LectureScene,
    at,
    number_template,
    place_right,
    sentence_chips,
)

BAR = 1.3  # length of a weight-1 bar
NAME_W = 1.7  # table words longer than this are cut with "…"


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


class AttentionMathTable(LectureScene):
    """The header and the table of AttentionMathScene, built in setup (read_plan first)."""

    plan: Plan  # set by the pipeline, its NEEDS checked (scenes.job.check_needs)
    s: Sentence  # the sentence drawn
    final: Step  # its final drift step: the words, scores and weights of the table
    ws: WeightedSum  # the lecture section's weighted sum: the chain and the rest

    def read_plan(self) -> Plan:
        """The plan's weighted sum, checked to hold its tip-to-tail chain (a plan made by an
        earlier version lacks it; that the plan has a weighted sum at all is its NEEDS,
        checked before the job was made: scenes.job.check_needs)."""
        plan = self.load_plan()
        assert plan.lecture is not None and plan.lecture.weighted_sum is not None  # NEEDS
        self.s = plan.sentences[0]
        self.final = self.s.final
        self.ws = plan.lecture.weighted_sum
        if not self.ws.chain:
            raise InputError(
                "this plan's weighted sum was made before the tip-to-tail chain was recorded; "
                "make the plan again with this version"
            )
        return plan

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
