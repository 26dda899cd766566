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

from attention_math.errors import InputError
from attention_math.lecture_data import HeadComparison
from attention_math.plan import Plan
from scenes.components import Counter, CountTo, Fade, StrutText, fmt
from scenes.picture import (
    SMALL,
    WIDTH,
    X_LEFT,
    X_RIGHT,
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

TABLE_RIGHT = 1.0  # the table is left of this x, the picture right of it
BAR = 1.2  # length of a weight-1 bar
NAME_W = 1.9  # row names longer than this are cut with "…"
POSTER = 1.5  # the first frame's hold: the whole comparison, as at the end
MAX_LABELS = 9  # value points drawn, each named: the largest weights of either kind


class ProjectionScene(LectureScene):
    """Simple attention next to a real head: the weights change and the output moves."""

    plan: Plan  # set by the pipeline; load_plan() checks it

    def setup(self) -> None:
        plan = self.load_plan()
        if plan.lecture is None or plan.lecture.head is None or not plan.sentences:
            raise InputError(
                "ProjectionScene needs the plan's head comparison: render it with "
                "attention-drift render --scene ProjectionScene"
            )
        self.s = plan.sentences[0]
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
        self.beat(
            "simple attention (q = k = v = x): " + self.notes_weights(simple=True),
            caption="Simple attention: the weights of the words taking part",
        )
        self.show_learned()
        self.beat(
            f"{self.head_name()} ({self.h.head_choice}): " + self.notes_weights(simple=False),
            caption=f"{self.head_name()}: learned q, k, v give every token a weight",
        )
        self.show_values()
        x, y = self.h.output_simple_point
        self.beat(
            f"the head's values v in 2-D; mixed with the simple weights the output is at "
            f"({fmt(x)}, {fmt(y)})",
            caption="The head's values; mixed with the simple weights they give this output",
        )
        self.show_move()
        self.wait(1.5)
        x2, y2 = self.h.output_learned_point
        self.beat(
            f"with the learned weights the output moves to ({fmt(x2)}, {fmt(y2)})",
            caption="The same values mixed with the learned weights: the output moves",
        )

    def head_name(self) -> str:
        return f"layer {self.h.layer + 1}, head {self.h.head + 1}"

    def shown(self) -> list[int]:
        """The rows shown (every row in plans made before `shown`)."""
        return list(self.h.shown) if self.h.shown else list(range(len(self.h.rows)))

    # ---- layout ---------------------------------------------------------------------------
    def build_header(self) -> None:
        h = self.h
        keep = [h.rows[r] for r in self.shown() if h.rows[r] >= 0]
        self.chips = sentence_chips(self.s, self, max_width=WIDTH, max_rows=2, keep=keep)
        self.chips.move_to(at(X_LEFT + self.chips.width / 2, Y_TOP - self.chips.height / 2))
        self.sub = self.text(
            "subtitle",
            f"simple attention vs {h.model} {self.head_name()} (d = {h.d_head} per head)",
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

    def build_table(self) -> None:
        """Each shown row's simple and learned weight, bar and number side by side, under a
        head naming the two kinds; then "+ N more" (the rows not shown, summed)."""
        pal, h = self.pal, self.h
        rows = self.shown()
        more = len(rows) < len(h.rows)
        n_lines = 1 + len(rows) + (1 if more else 0)
        rh = min(0.42, (self.body_top - self.body_bottom) / n_lines)
        learned = [h.learned_weights[r] for r in rows] + ([h.rest_learned] if more else [])
        simple = [h.simple_weights[r] or 0.0 for r in rows] + ([h.rest_simple] if more else [])
        template = number_template([*learned, *simple])
        num_w = Counter(0.0, size=SMALL, color=pal.text, template=template).width
        names = [
            StrutText(h.labels[r], pal, size=SMALL, weight="BOLD", max_width=NAME_W).width
            for r in rows
        ]
        x_name = X_LEFT + max(names)
        self.x_simple = x_name + 0.25
        self.x_learned = self.x_simple + BAR + 0.15 + num_w + 0.35
        y = self.body_top - rh / 2
        self.build_table_heads(y, num_w)
        self.names: list[StrutText] = []
        self.simple_cells: list[VGroup] = []
        self.learned_cells: list[VGroup] = []
        self.learned_values: list[tuple[Counter, float]] = []
        self.numbers: list[tuple[Counter, float]] = []  # every weight shown, with its value
        for k, r in enumerate([*rows, None] if more else rows):
            y -= rh
            name = self.row_name(k, r, hidden=len(h.rows) - len(rows))
            name.move_to(at(x_name - name.width / 2, y))
            self.names.append(name)
            ws, wl = self.row_weights(r)
            self.simple_cells.append(
                self.cell(
                    f"simple {k}", self.x_simple, y, rh, ws, pal.color(0), template, count=False
                )
            )
            self.learned_cells.append(
                self.cell(
                    f"learned {k}", self.x_learned, y, rh, wl, pal.color(1), template, count=True
                )
            )

    def build_table_heads(self, y: float, num_w: float) -> None:
        """Over each column its colour's swatch and its name: "simple", the head's name."""
        pal = self.pal
        heads = [
            ("simple", pal.color(0), self.x_simple, self.x_learned - self.x_simple - 0.7),
            (self.head_name(), pal.color(1), self.x_learned, BAR + num_w + 0.6),
        ]
        self.heads = []
        for k, (text, color, x, room) in enumerate(heads):
            swatch = Square(side_length=0.2, stroke_width=0, fill_color=color, fill_opacity=0.9)
            swatch.move_to(at(x + 0.1, y))
            self.add_mark(f"swatch {k}", swatch)
            t = self.text(f"head {k}", text, SMALL, max_width=room)
            t.move_to(at(x + 0.3 + t.width / 2, y))
            self.heads.append(VGroup(swatch, t))

    def row_name(self, k: int, r: int | None, hidden: int) -> StrutText:
        """Row r's token (the target bold, [CLS]/[SEP] muted), or "+ N more" for r = None."""
        h = self.h
        if r is None:
            return self.text("more", f"+ {hidden} more", SMALL, muted=True)
        return self.text(
            f"row {k}",
            h.labels[r],
            SMALL,
            muted=h.rows[r] == -1,
            weight="BOLD" if r == h.target_row else "NORMAL",
            max_width=NAME_W,
        )

    def row_weights(self, r: int | None) -> tuple[float | None, float]:
        """Row r's simple weight (None where simple attention gives it none) and learned
        weight; r = None: the rows not shown, summed."""
        h = self.h
        if r is None:
            return h.rest_simple, h.rest_learned
        return h.simple_weights[r], h.learned_weights[r]

    def cell(
        self,
        name: str,
        x: float,
        y: float,
        rh: float,
        w: float | None,
        color: str,
        template: str,
        count: bool,
    ) -> VGroup:
        """A bar on its track and its number (a dash where simple attention has no weight)."""
        track = Line(at(x, y), at(x + BAR, y), stroke_width=1, color=self.pal.faint)
        if w is None:
            dash = self.text(f"{name} none", "—", SMALL, muted=True)
            dash.move_to(at(x + BAR + 0.15 + dash.width / 2, y))
            return VGroup(track, dash)
        length = max(BAR * w, 0.02)
        bar = Rectangle(
            width=length, height=rh * 0.5, stroke_width=0, fill_color=color, fill_opacity=0.9
        ).move_to(at(x + length / 2, y))
        value = self.counter(f"{name} value", 0.0 if count else w, template)
        place_right(value, x + BAR + 0.15 + value.width, y)
        self.numbers.append((value, w))
        if count:
            self.learned_values.append((value, w))
        return VGroup(track, bar, value)

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
                self.text(f"value label {r}", h.labels[r], SMALL, muted=not target, max_width=2.0)
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
            Fade(self.leaders),
            run_time=1.0,
        )
        self.play(Fade(self.simple_dot), Fade(self.simple_label), run_time=0.6)

    def show_move(self) -> None:
        self.play(Create(self.move), Fade(self.learned_dot), Fade(self.learned_label), run_time=1.2)
        self.bring_to_front(self.simple_dot, self.learned_dot)
