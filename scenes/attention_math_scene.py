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

from manim import *

from attention_math.plan import Plan
from scenes.attention_math_notes import caption_of, notes_of
from scenes.attention_math_pictures import AttentionMathPictures
from scenes.beats import POSTER  # the poster's hold, as in every scene
from scenes.components import CountTo, Fade, swap
from scenes.picture import leaders_of


class AttentionMathScene(AttentionMathPictures):
    """q · k, scale, softmax, weighted sum of values: the post's computation, with numbers.

    The figure is built in setup (scenes.attention_math_table: the header and the table;
    scenes.attention_math_pictures: the formulas, values and sum); the beats animate it;
    the words are scenes.attention_math_notes'.
    """

    plan: Plan  # set by the pipeline, its NEEDS checked (scenes.job.check_needs)
    last_phase = "sum"  # the texts of the last frame (text_boxes)

    def setup(self) -> None:
        plan = self.read_plan()
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
        self.tell("sentence")
        self.show_scores()
        self.tell("scores")
        self.show_scaled()
        self.tell("scaled")
        self.show_weights()
        self.tell("weights")
        self.show_values()
        self.tell("values")
        self.show_sum()
        self.wait(1.5)
        self.tell("sum")

    def tell(self, step: str) -> None:
        """The step's beat ends: its notes and caption (scenes.attention_math_notes)."""
        notes = notes_of(self.plan, self.s, step)
        self.beat(notes, caption=caption_of(self.s, self.ws, step))

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
        for k, (a, lab) in enumerate(zip(self.sum_arrows, self.term_labels, strict=True)):
            leader = leaders_of(self.sum_leaders, [k + 1])  # with its label
            self.play(Create(a), Fade(lab), *map(Fade, leader), run_time=rt)
        self.play(
            Create(self.resultant),
            Fade(self.out_ring),
            Fade(self.out_label),
            *map(Fade, leaders_of(self.sum_leaders, [0])),
            Fade(self.equation),
            run_time=1.0,
        )
