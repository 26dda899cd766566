"""HeadsScene: every head of every layer at once, as small multiples (BertViz's model view,
CircuitsVis' attention_heads): where the target's attention goes in each of them.

Each panel is one head: a bar per token of the sentence, top to bottom in sentence order, as
long as the weight the target gives it (pieces merged into words), and a last, grey bar for
[CLS] + [SEP], apart. The head the render draws elsewhere (`--layer/--head`, or the automatic
choice) is outlined and read out on the right, with one line saying why it was chosen.

Every number comes from the plan: the weights from its ledger
(`attention_math.lecture_data.Ledger`, `LedgerLayer.weights`), the chosen head and why from
`plan.model`. Beats: the grid; the chosen head.
"""

from __future__ import annotations

import re

from manim import *

from attention_math.plan import Plan
from scenes.components import Counter, CountTo, Fade, StrutText, fmt
from scenes.picture import (
    BODY,
    SMALL,
    WIDTH,
    X_LEFT,
    X_RIGHT,
    LectureScene,
    at,
    number_template,
    place_right,
)
from scenes.theme import PALETTES

PANEL_LEFT = 2.75  # the grid is left of this x, the chosen head's read-out right of it
MAX_LISTED = 10  # rows of the read-out; more words: the largest, in sentence order, + "N more"
LABEL_W = 2.0  # read-out word labels longer than this are cut with "…"
BAR_W = 1.0  # the read-out's longest bar (weight 1)


class HeadsScene(LectureScene):
    """The target's attention in every head (layers × heads), the chosen head outlined."""

    plan: Plan  # set by the pipeline, its NEEDS checked (scenes.job.check_needs)

    def setup(self) -> None:
        self.ledger = self.load_ledger()
        model = self.plan.model
        assert model is not None  # NEEDS (scenes.job.check_needs)
        self.layer, self.head = model.layer_index, model.head_index
        self.start_registry()
        self.build_header()
        self.build_footer()
        self.build_grid()
        self.build_readout()
        self.check()

    def construct(self) -> None:
        self.tell_after_poster(self.story)  # the last frame first: a poster, a seamless loop

    def story(self) -> None:
        self.show_grid()
        self.beat(self.grid_notes(), caption=self.grid_caption())
        self.show_chosen()
        self.wait(1.5)
        self.beat(self.chosen_notes(), caption=self.chosen_caption())

    # ---- numbers and words -----------------------------------------------------------------
    @property
    def target(self) -> str:
        return self.ledger.labels[self.ledger.target_row]

    def chosen_row(self) -> list[float]:
        """The chosen head's weights [R] (the mean over heads for --head mean)."""
        layer = self.ledger.layers[self.layer]
        if self.head is None:
            return list(layer.word_weights)
        return list(layer.weights[self.head])

    def which(self) -> str:
        h = "the mean over heads" if self.head is None else f"head {self.head + 1}"
        return f"layer {self.layer + 1}, {h}"

    def reason(self) -> str:
        """Why the outlined head, in one line, from the plan's head_choice."""
        assert self.plan.model is not None
        choice = self.plan.model.head_choice
        share = re.search(r"\((\d+\s?%)", choice)
        if choice.startswith("auto: ") and share:
            return (
                f"outlined: {self.which()}: most weight on other content words "
                f"({share[1]}{self.over()})"
            )
        return f"outlined: {self.which()}, as chosen for this render"

    def over(self) -> str:
        """ ", mean of 2 sentences" when the choice was made over compared ones too."""
        n = len(self.plan.sentences)
        return f", mean of {n} sentences" if n > 1 else ""

    def top_word(self) -> int:
        """The word (not [CLS]+[SEP]) the chosen head gives the most weight."""
        row = self.chosen_row()[:-1]
        return max(range(len(row)), key=lambda r: row[r])

    def grid_notes(self) -> str:
        special = [
            sum(w[-1] for w in layer.weights) / len(layer.weights) for layer in self.ledger.layers
        ]
        per_layer = ", ".join(f"layer {i + 1} {fmt(s)}" for i, s in enumerate(special))
        return f"{self.n_layers} × {self.n_heads} heads; mean weight on [CLS]+[SEP]: {per_layer}"

    def grid_caption(self) -> str:
        return (
            f"All {self.n_layers * self.n_heads} heads: where “{self.target}” looks "
            f"(grey: [CLS]+[SEP])"
        )

    def chosen_notes(self) -> str:
        row = self.chosen_row()
        parts = ", ".join(f"{w} {fmt(x)}" for w, x in zip(self.ledger.labels, row, strict=True))
        return f"{self.which()}: {parts}; {self.reason()}"

    def chosen_caption(self) -> str:
        top = self.top_word()
        return (
            f"{self.which().capitalize()}: most weight on “{self.ledger.labels[top]}” "
            f"({fmt(self.chosen_row()[top])})"
        )

    # ---- layout ----------------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        return len(self.ledger.layers)

    @property
    def n_heads(self) -> int:
        return len(self.ledger.layers[0].weights)

    def build_header(self) -> None:
        m = self.plan.model
        assert m is not None
        self.title = self.title_text(f"Where “{self.target}” looks, in every head of {m.name}")
        sub = self.text(
            "subtitle",
            "one panel per head: a bar per word, in sentence order; grey, last: [CLS]+[SEP]",
            SMALL,
            muted=True,
            max_width=WIDTH,
        )
        sub.move_to(at(X_LEFT + sub.width / 2, self.title.get_bottom()[1] - 0.08 - sub.height / 2))
        self.header = VGroup(self.title, sub)
        self.body_top = sub.get_bottom()[1] - 0.2

    def build_footer(self) -> None:
        (self.reason_line,) = self.footer([(self.reason(), False)])
        self.body_bottom = self.reason_line.get_top()[1] + 0.2

    def build_grid(self) -> None:
        """Row labels (layers), column labels (heads), a panel per head with its bars."""
        rows = [self.text(f"layer {i + 1}", f"layer {i + 1}", SMALL) for i in range(self.n_layers)]
        cols = [self.text(f"head {j + 1}", str(j + 1), SMALL) for j in range(self.n_heads)]
        head_word = self.text("heads label", "head", SMALL, muted=True)
        label_w = max(r.width for r in rows)
        x0 = X_LEFT + label_w + 0.15
        top = self.body_top - max(head_word.height, cols[0].height) - 0.1
        cell_w = (PANEL_LEFT - 0.35 - x0) / self.n_heads
        cell_h = min((top - self.body_bottom) / self.n_layers, 1.4 * cell_w)
        self.cell = (x0, top, cell_w, cell_h)
        for i, lab in enumerate(rows):
            lab.move_to(at(x0 - 0.15 - lab.width / 2, top - (i + 0.5) * cell_h))
        for j, lab in enumerate(cols):
            lab.move_to(at(x0 + (j + 0.5) * cell_w, top + 0.1 + lab.height / 2))
        head_word.move_to(at(x0 - 0.15 - head_word.width / 2, cols[0].get_center()[1]))
        self.labels = VGroup(*rows, *cols, head_word)
        self.panels = [
            [self.panel(i, j) for j in range(self.n_heads)] for i in range(self.n_layers)
        ]
        self.outline = self.outline_box()

    def panel_box(self, i: int, j: int) -> tuple[float, float, float, float]:
        """The inner box (left, bottom, width, height) of layer i, head j's panel."""
        x0, top, cw, ch = self.cell
        pad = min(0.06, cw * 0.08)
        return (x0 + j * cw + pad, top - (i + 1) * ch + pad, cw - 2 * pad, ch - 2 * pad)

    def panel(self, i: int, j: int) -> VGroup:
        """A faint frame and a bar per member (R): weight 1 spans the panel's width."""
        left, bottom, w, h = self.panel_box(i, j)
        frame = Rectangle(width=w, height=h, stroke_width=1, stroke_color=self.pal.faint)
        frame.move_to(at(left + w / 2, bottom + h / 2))
        weights = self.ledger.layers[i].weights[j]
        pitch = h / len(weights)
        bars = VGroup()
        for r, x in enumerate(weights):
            if x * w < 0.004:  # nothing visible
                continue
            color = self.pal.muted if r == len(weights) - 1 else self.pal.color(0)
            bar = Rectangle(
                width=x * w, height=pitch * 0.8, stroke_width=0, fill_color=color, fill_opacity=1
            )
            bar.move_to(at(left + x * w / 2, bottom + h - (r + 0.5) * pitch))
            bars.add(bar)
        return VGroup(frame, bars)

    def outline_box(self) -> Rectangle:
        """Around the chosen head's panel (or the whole layer, for the mean over heads)."""
        x0, top, cw, ch = self.cell
        width = cw * (self.n_heads if self.head is None else 1)
        left = x0 + (0 if self.head is None else self.head * cw)
        box = Rectangle(width=width, height=ch, stroke_width=4, stroke_color=self.pal.text)
        box.move_to(at(left + width / 2, top - (self.layer + 0.5) * ch))
        return box

    def listed(self) -> list[int]:
        """The read-out's members: all, or the MAX_LISTED - 1 largest words and [CLS]+[SEP],
        in sentence order."""
        row = self.chosen_row()
        words = range(len(row) - 1)
        if len(row) <= MAX_LISTED:
            return list(range(len(row)))
        top = sorted(words, key=lambda r: (-row[r], r))[: MAX_LISTED - 1]
        return [*sorted(top), len(row) - 1]

    def build_readout(self) -> None:
        """The chosen head: a row per listed member (word, bar, number that counts)."""
        row, listed = self.chosen_row(), self.listed()
        self.read_head = self.text(
            "readout head",
            self.which() if self.head is not None else f"layer {self.layer + 1}, mean",
            BODY,
            max_width=X_RIGHT - PANEL_LEFT,
        )
        y = self.body_top - self.read_head.height / 2
        self.read_head.move_to(at(PANEL_LEFT + self.read_head.width / 2, y))
        y -= 0.55
        template = number_template(row)
        self.label_room = min(LABEL_W, max(fitted_width(self.ledger.labels[r]) for r in listed))
        self.read_rows: list[tuple[StrutText, Rectangle, Counter, float]] = []
        for k, r in enumerate(listed):
            special = r == len(row) - 1
            name = self.text(
                f"readout name {k}",
                self.ledger.labels[r],
                SMALL,
                muted=special,
                weight="BOLD" if r == self.ledger.target_row else "NORMAL",
                max_width=LABEL_W,
            )
            name.move_to(at(PANEL_LEFT + name.width / 2, y))
            bar = Rectangle(
                width=max(row[r] * BAR_W, 0.01),
                height=0.2,
                stroke_width=0,
                fill_color=self.pal.muted if special else self.pal.color(0),
                fill_opacity=1,
            )
            bar.move_to(at(PANEL_LEFT + self.label_room + 0.15 + bar.width / 2, y))
            self.add_mark(f"readout bar {k}", bar)
            value = self.counter(f"readout value {k}", 0.0, template)
            place_right(value, X_RIGHT, y)
            self.read_rows.append((name, bar, value, row[r]))
            y -= 0.38
        hidden = len(row) - len(listed)
        self.read_more = VGroup()
        if hidden:
            rest = sum(row[r] for r in range(len(row)) if r not in listed)
            more = self.text("readout more", f"{hidden} more, Σ {fmt(rest)}", SMALL, muted=True)
            more.move_to(at(PANEL_LEFT + more.width / 2, y))
            self.read_more.add(more)

    # ---- beats -----------------------------------------------------------------------------
    def show_grid(self) -> None:
        self.play(Fade(self.header), Fade(self.labels), run_time=0.8)
        for i in range(self.n_layers):
            self.play(*[Fade(p) for p in self.panels[i]], run_time=0.35)
        self.wait(1.0)

    def show_chosen(self) -> None:
        self.play(
            Create(self.outline),
            Fade(self.reason_line),
            Fade(self.read_head),
            *[Fade(name) for name, _, _, _ in self.read_rows],
            *[GrowFromEdge(bar, LEFT) for _, bar, _, _ in self.read_rows],
            *[CountTo(value, w, fade_in=True) for _, _, value, w in self.read_rows],
            Fade(self.read_more),
            run_time=1.2,
        )


def fitted_width(label: str) -> float:
    """The width of a read-out label at the small size (at most LABEL_W)."""
    return min(LABEL_W, StrutText(label, PALETTES["dark"], size=SMALL).width)
