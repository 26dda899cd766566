"""ProjectionScene: the twist. q, k and v come from learned matrices W_Q, W_K, W_V.

Beats: the sentence with simple attention's weights (q = k = v = x, stop-words and
punctuation left out); the learned projections of one real head and its weights over every
token and [CLS]/[SEP], side by side (the numbers count up); the head's value vectors in 2-D
with the output the simple weights would make; the head's real output, and the move between
the two. Both outputs mix the same values, so the move is the weights' doing. Numbers from
the plan's lecture section (`attention_math.lecture.head_comparison`), including which rows
a long sentence shows and the summed rest.
"""

from __future__ import annotations

from manim import *

from attention_math.lecture_data import HeadComparison
from attention_math.plan import Plan
from scenes import projection_notes
from scenes.beats import POSTER  # the poster's hold, as in every scene
from scenes.components import CountTo, Fade
from scenes.picture import (
    SMALL,
    WIDTH,
    X_LEFT,
    X_RIGHT,
    Y_TOP,
    arrow_between,
    at,
    box_of,
    leaders_of,
    picture_mapping,
    place_point_labels,
    sentence_chips,
)
from scenes.projection_notes import head_name
from scenes.projection_table import BAR, ProjectionTable

TABLE_RIGHT = 1.0  # the table is left of this x, the picture right of it
MAX_LABELS = 9  # value points drawn, each named: the largest weights of either kind


class ProjectionScene(ProjectionTable):
    """Simple attention next to a real head: the weights change and the output moves.

    The figure is built in setup (the header, footer and picture here; the weight table in
    scenes.projection_table); the beats animate it; the words are scenes.projection_notes'.
    """

    plan: Plan  # set by the pipeline, its NEEDS checked (scenes.job.check_needs)

    def setup(self) -> None:
        plan = self.load_plan()
        assert plan.lecture is not None and plan.lecture.head is not None  # NEEDS: checked
        self.s = plan.sentences[0]  # before the job was made (scenes.job.check_needs)
        self.h: HeadComparison = plan.lecture.head
        self.start_registry()
        self.build_header()
        self.build_footer()
        self.build_table()
        self.build_picture()
        self.check()

    def construct(self) -> None:
        self.show_poster()
        if self.final_only:  # the poster is the last frame
            return
        self.show_simple()
        self.tell("simple")
        self.show_learned()
        self.tell("learned")
        self.show_values()
        self.tell("values")
        self.show_move()
        self.wait(1.5)
        self.tell("move")

    def tell(self, beat: str) -> None:
        """The beat ends: its notes and caption (scenes.projection_notes)."""
        notes, caption = projection_notes.words(self.h, beat)
        self.beat(notes, caption=caption)

    # ---- layout ---------------------------------------------------------------------------
    def build_header(self) -> None:
        h = self.h
        keep = [h.rows[r] for r in self.shown() if h.rows[r] >= 0]
        self.chips = sentence_chips(self.s, self, max_width=WIDTH, max_rows=2, keep=keep)
        self.chips.move_to(at(X_LEFT + self.chips.width / 2, Y_TOP - self.chips.height / 2))
        self.sub = self.text(
            "subtitle",
            f"simple attention vs {h.model} {head_name(self.h)} (d = {h.d_head} per head)",
            SMALL,
            muted=True,
            max_width=WIDTH,
        )
        self.sub.move_to(
            at(X_LEFT + self.sub.width / 2, self.chips.get_bottom()[1] - 0.1 - self.sub.height / 2)
        )
        self.header = VGroup(self.chips, self.sub)
        self.body_top = self.sub.get_bottom()[1] - 0.25

    def build_footer(self) -> None:
        """The head's formula and what the picture is, in the theme's font."""
        h = self.h
        ev = h.basis.explained_variance_ratio
        lines = [
            (
                f"q = Wq x + bq,  k = Wk x + bk,  v = Wv x + bv,  w = softmax(q · k / √{h.d_head})",
                False,
            ),
            (
                f"x: the static vector (simple), the token's input to layer {h.layer + 1} (head)",
                True,
            ),
            (
                f"both outputs mix the head's values v · picture: their 2-D PCA "
                f"(PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%})",
                True,
            ),
        ]
        foot = self.footer(lines)
        self.formula, self.notes = foot[0], VGroup(*foot[1:])
        self.body_bottom = foot[0].get_top()[1] + 0.02 + 0.2

    def build_picture(self) -> None:
        pal, h = self.pal, self.h
        area = (self.x_learned + BAR + 1.3, self.body_bottom, X_RIGHT, self.body_top)
        pts = [*h.value_points, h.output_simple_point, h.output_learned_point]
        self.map = picture_mapping(pts, area, margin=0.35)
        size = [max(h.learned_weights[r], h.simple_weights[r] or 0.0) for r in range(len(h.rows))]
        labelled = set(sorted(self.shown(), key=lambda r: -size[r])[:MAX_LABELS])
        self.value_dots = VGroup()
        labels, anchors = [], []
        labelled.add(h.target_row)
        for r, p in enumerate(h.value_points):
            if r not in labelled:  # a dot without a name is a question: the light ones are left out
                continue
            q = self.map(p)
            target = r == h.target_row
            dot = Dot(q, radius=0.06 if target else 0.05, color=pal.text if target else pal.muted)
            self.value_dots.add(self.add_dot(f"value {r}", dot))
            labels.append(
                self.text(
                    f"value label {r}",
                    token_name(h.labels[r]),
                    SMALL,
                    muted=not target,
                    max_width=2.0,
                )
            )
            anchors.append(q)
        a, b = self.map(h.output_simple_point), self.map(h.output_learned_point)
        self.simple_dot = self.add_dot("simple output", Dot(a, radius=0.1, color=pal.color(0)))
        self.learned_dot = self.add_dot("learned output", Dot(b, radius=0.1, color=pal.color(1)))
        self.move = arrow_between(self, "move", a, b, pal.text, width=4)
        self.simple_label = self.text("simple label", "simple weights", SMALL)
        self.learned_label = self.text("learned label", "learned weights", SMALL)
        segs = [e.segment for e in self.registry if e.name == "move" and e.segment]
        self.leaders = place_point_labels(
            self,
            [self.simple_label, self.learned_label, *labels],
            [a, b, *anchors],
            area,
            segments=segs,
            points=[self.map(h.value_points[r]) for r in sorted(labelled)],
            avoid=[box_of(head) for head in self.heads],  # a long head name reaches in
        )
        self.value_labels = VGroup(*labels)

    # ---- beats ----------------------------------------------------------------------------
    def final_state(self) -> list[Mobject]:
        """What the last frame shows: both columns of weights, the values, both outputs and
        the move between them."""
        return [
            self.header, *self.heads, *self.names, *self.simple_cells, self.formula,
            *(VGroup(*c[:2]) for c in self.learned_cells), *(v for v, _ in self.learned_values),
            self.notes, self.value_dots, self.value_labels, self.leaders, self.simple_dot,
            self.simple_label, self.move, self.learned_dot, self.learned_label,
        ]  # fmt: skip

    def show_poster(self) -> None:
        """The first frame is the last one (a paused GIF shows the whole comparison), then it
        fades out and is built again: the loop returns to it without a cut."""
        for v, w in self.learned_values:
            v.set_value(w)
        final = self.final_state()
        self.add(*final)
        self.bring_to_front(self.simple_dot, self.learned_dot)
        self.wait(POSTER)
        if self.final_only:
            return
        self.play(*[Fade(m, out=True) for m in final], run_time=0.3)
        for v, _ in self.learned_values:
            v.set_value(0.0)

    def show_simple(self) -> None:
        self.play(
            Fade(self.header), Fade(self.heads[0]), *[Fade(n) for n in self.names], run_time=1.0
        )
        self.play(*[Fade(c) for c in self.simple_cells], run_time=0.8)

    def show_learned(self) -> None:
        self.play(Fade(self.formula), Fade(self.heads[1]), run_time=0.6)
        self.play(
            *[Fade(VGroup(*c[:2])) for c in self.learned_cells],
            *[CountTo(v, w, fade_in=True) for v, w in self.learned_values],
            run_time=1.2,
        )

    def show_values(self) -> None:
        self.play(
            Fade(self.notes),
            Fade(self.value_dots),
            Fade(self.value_labels),
            *[Fade(m) for m in leaders_of(self.leaders, range(2, 2 + len(self.value_labels)))],
            run_time=1.0,
        )
        simple = [Fade(m) for m in leaders_of(self.leaders, [0])]  # a leader with its label
        self.play(Fade(self.simple_dot), Fade(self.simple_label), *simple, run_time=0.6)

    def show_move(self) -> None:
        self.play(
            Create(self.move),
            Fade(self.learned_dot),
            Fade(self.learned_label),
            *[Fade(m) for m in leaders_of(self.leaders, [1])],
            run_time=1.2,
        )
        self.bring_to_front(self.simple_dot, self.learned_dot)


def token_name(label: str) -> str:
    """A value's name in the picture: a token with no letter or digit (".", ",") in quotes,
    so that its label reads as a token, not as one more dot (scenes.figure.names.shown_name)."""
    return label if any(c.isalnum() for c in label) else f"“{label}”"
