"""ContributionScene: what attention moves, not only its weights (Kobayashi et al., EMNLP
2020): a word can get much weight and move the target little, or the other way round.

First, layer by layer, each word's weight (the mean over the layer's heads) next to what it
adds to the target's attention output, ‖Σ_h α · v W_O,hᵀ‖ (bars on one scale for every
layer, numbers that count). Then the target's drift through the layers: each layer's step
(the attention sublayer's output, before the residual and LayerNorm) as a bar as long as the
step, split by word along the step's direction (parts against it go left of zero).

Every number comes from the plan's ledger (`attention_math.lecture_data.Ledger`).
"""

from __future__ import annotations

from manim import *

from attention_math.lecture_data import Ledger, LedgerLayer
from attention_math.plan import Plan
from scenes.components import Counter, CountTo, Fade, StrutText, fmt
from scenes.picture import (
    BODY,
    SMALL,
    WIDTH,
    X_LEFT,
    X_RIGHT,
    Y_BOTTOM,
    LectureScene,
    at,
    number_template,
    place_right,
)

MAX_ROWS = 10  # words listed; more: the target, [CLS]+[SEP] and those that move most
NAME_W = 2.0  # word labels longer than this are cut with "…"
WEIGHT_W = 2.6  # the weight bar at weight 1
GAP = 0.35
COLOURED = 3  # words with a colour of their own in the drift; the others share one


class StepSplit(LectureScene):
    """The drift part of ContributionScene: each layer's step split by word (a row per
    layer, the legend under it). Needs `ledger`, `target`, `special`, `subtitle`, `body_top`
    and `bar` from the scene."""

    ledger: Ledger
    subtitle: StrutText
    body_top: float

    @property
    def target(self) -> str:
        return self.ledger.labels[self.ledger.target_row]

    @property
    def special(self) -> int:
        return len(self.ledger.labels) - 1

    @staticmethod
    def bar(x: float, y: float, width: float, colour: str, height: float = 0.22) -> Rectangle:
        """A bar from x, centred on y (at least a hairline, so that it can grow)."""
        width = max(width, 0.01)
        bar = Rectangle(
            width=width, height=height, stroke_width=0, fill_color=colour, fill_opacity=1
        )
        return bar.move_to(at(x + width / 2, y))

    def drift_order(self) -> list[int]:
        """Words by what they move along the steps, summed over layers, most first."""
        total = {
            r: sum(layer.along[r] for layer in self.ledger.layers)
            for r in range(len(self.ledger.labels))
            if r != self.special
        }
        return sorted(total, key=lambda r: (-total[r], r))

    def drift_notes(self) -> str:
        lines = []
        for i, layer in enumerate(self.ledger.layers):
            top = max(range(len(layer.along)), key=lambda r: layer.along[r])
            lines.append(
                f"layer {i + 1} step {fmt(layer.output_norm)}: “{self.ledger.labels[top]}” "
                f"{fmt(layer.along[top])}"
            )
        return "; ".join(lines)

    def drift_caption(self) -> str:
        first = self.drift_order()[0]
        layers = [
            str(i + 1)
            for i, layer in enumerate(self.ledger.layers)
            if max(range(len(layer.along)), key=lambda r: layer.along[r]) == first
        ]
        where = f"layer{'s' if len(layers) > 1 else ''} {', '.join(layers)}" if layers else ""
        return f"Through the layers, “{self.ledger.labels[first]}” moves “{self.target}” most" + (
            f" (the largest part in {where})" if where else ""
        )

    # ---- layout: the drift -----------------------------------------------------------------
    def drift_colours(self) -> dict[int, str]:
        """Each member's colour in the drift: the COLOURED words that move most their own,
        the other words muted, [CLS]+[SEP] the palette's special colour."""
        colours = {r: self.pal.muted for r in range(len(self.ledger.labels))}
        for k, r in enumerate(self.drift_order()[:COLOURED]):
            colours[r] = self.pal.color(k)
        colours[self.special] = self.pal.special
        return colours

    def build_drift(self) -> None:
        """A row per layer: its label, its step split by member (and b_O), its length; the
        legend under it."""
        sub = self.text(
            "drift subtitle",
            f"each layer's attention output for “{self.target}”, split by word along it",
            SMALL,
            muted=True,
            max_width=WIDTH,
            phase="drift",
        )
        sub.move_to(self.subtitle.get_center() + (sub.width - self.subtitle.width) / 2 * RIGHT)
        self.drift_sub = sub
        self.legend = self.build_legend()
        layers = self.ledger.layers
        labels = [
            self.text(f"drift layer {i + 1}", f"layer {i + 1}", SMALL, phase="drift")
            for i in range(len(layers))
        ]
        lengths = [
            self.text(f"drift step {i + 1}", fmt(la.output_norm), SMALL, phase="drift")
            for i, la in enumerate(layers)
        ]
        x0 = X_LEFT + max(m.width for m in labels) + 0.3
        x1 = X_RIGHT - max(m.width for m in lengths) - 0.3
        parts = [[*la.along, la.bias_along] for la in layers]
        neg = max(-sum(p for p in row if p < 0) for row in parts)
        pos = max(sum(p for p in row if p > 0) for row in parts)
        scale = (x1 - x0) / (neg + pos)
        zero = x0 + neg * scale
        top, bottom = self.body_top - 0.1, self.legend.get_top()[1] + 0.35
        pitch = min(0.7, (top - bottom) / len(layers))
        colours = [*self.drift_colours().values(), self.pal.faint]
        self.drift_rows: list[VGroup] = []
        for i, row in enumerate(parts):
            y = top - (i + 0.5) * pitch
            labels[i].move_to(at(x0 - 0.3 - labels[i].width / 2, y))
            lengths[i].move_to(at(X_RIGHT - lengths[i].width / 2, y))
            self.drift_rows.append(
                self.step_bar(row, colours, zero, scale, y, min(0.4, pitch * 0.6))
            )
            self.add_mark(f"drift bar {i + 1}", self.drift_rows[-1], phase="drift")
        self.zero_line = Line(
            at(zero, top),
            at(zero, top - len(layers) * pitch),
            stroke_width=1.5,
            color=self.pal.text,
        )
        self.add_segment("zero", (zero, top), (zero, top - len(layers) * pitch), 1.5, "drift")
        self.drift_labels = VGroup(*labels, *lengths)

    def step_bar(
        self, parts: list[float], colours: list[str], zero: float, scale: float, y: float, h: float
    ) -> VGroup:
        """One step split in parts: positive ones stacked right of zero, negative ones left."""
        segments = VGroup()
        right = left = zero
        for part, colour in zip(parts, colours, strict=True):
            width = abs(part) * scale
            if width < 0.003:
                continue
            x = right if part > 0 else left - width
            seg = self.bar(x, y, width, colour, h)
            seg.set_stroke(self.pal.background or BLACK, width=1)
            segments.add(seg)
            if part > 0:
                right += width
            else:
                left -= width
        return segments

    def build_legend(self) -> VGroup:
        """Swatches and names of the drift's colours, in a row (two if needed), at the bottom."""
        names = [self.ledger.labels[r] for r in self.drift_order()[:COLOURED]]
        entries = [
            *zip(names, [self.pal.color(k) for k in range(len(names))], strict=True),
            ("other words", self.pal.muted),
            ("[CLS]+[SEP]", self.pal.special),
            ("bias b_O", self.pal.faint),
        ]
        legend, x, y = VGroup(), X_LEFT, Y_BOTTOM + 0.15
        for k, (name, colour) in enumerate(entries):
            text = self.text(f"legend {k}", name, SMALL, phase="drift", max_width=NAME_W)
            if x + 0.4 + text.width > X_RIGHT:
                x, y = X_LEFT, y + 0.45
            swatch = self.bar(x, y, 0.28, colour, 0.22)
            self.add_mark(f"legend swatch {k}", swatch, phase="drift")
            text.move_to(at(x + 0.4 + text.width / 2, y))
            legend.add(swatch, text)
            x += 0.4 + text.width + 0.45
        return legend

    # ---- beat ------------------------------------------------------------------------------
    def grow_drift(self) -> None:
        """The drift's texts and legend, then the rows one layer at a time."""
        self.play(
            Fade(self.drift_sub), Fade(self.drift_labels), Fade(self.legend),
            Create(self.zero_line), run_time=0.6,
        )  # fmt: skip
        for row in self.drift_rows:
            self.play(*[GrowFromEdge(s, LEFT) for s in row], run_time=0.4)


class ContributionScene(StepSplit):
    """Weights next to what they move, per layer; then each layer's step split by word."""

    plan: Plan  # set by the pipeline, its NEEDS checked (scenes.job.check_needs)

    def setup(self) -> None:
        self.ledger = self.load_ledger()
        self.start_registry()
        self.build_header()
        self.build_table()
        self.build_drift()
        self.last_phase = "drift"
        self.check()

    def construct(self) -> None:
        self.tell_after_poster(self.story)  # the last frame first: a poster, a seamless loop

    def story(self) -> None:
        self.show_table()
        for i in range(len(self.ledger.layers)):
            if i:
                self.show_layer(i)
            self.wait(1.0)
            self.beat(self.layer_notes(i), caption=self.layer_caption(i))
        self.show_drift()
        self.wait(1.5)
        self.beat(self.drift_notes(), caption=self.drift_caption())

    # ---- numbers and words -----------------------------------------------------------------
    def shown(self) -> list[int]:
        """The members listed, in sentence order ([CLS]+[SEP] last): all, or the target,
        [CLS]+[SEP] and the words that move most in any layer."""
        n = len(self.ledger.labels)
        if n <= MAX_ROWS:
            return list(range(n))
        most = {r: max(layer.word_norms[r] for layer in self.ledger.layers) for r in range(n)}
        keep = {self.ledger.target_row, self.special}
        for r in sorted(range(n), key=lambda r: (-most[r], r)):
            if len(keep) >= MAX_ROWS - 1:  # one row for "N more"
                break
            keep.add(r)
        return sorted(keep)

    def layer_notes(self, i: int) -> str:
        layer = self.ledger.layers[i]
        parts = "; ".join(
            f"{w}: weight {fmt(a)}, moves {fmt(n)}"
            for w, a, n in zip(
                self.ledger.labels, layer.word_weights, layer.word_norms, strict=True
            )
        )
        return f"layer {i + 1} (step ‖{fmt(layer.output_norm)}‖): {parts}"

    def layer_caption(self, i: int) -> str:
        """The member with the most weight and the one that moves most, with both numbers."""
        layer, labels = self.ledger.layers[i], self.ledger.labels
        heavy = max(range(len(labels)), key=lambda r: layer.word_weights[r])
        mover = max(range(len(labels)), key=lambda r: layer.word_norms[r])
        first = f"Layer {i + 1}: “{labels[heavy]}” gets {fmt(layer.word_weights[heavy])}"
        if mover == heavy:
            return f"{first} of the weight and moves most ({fmt(layer.word_norms[mover])})"
        return (
            f"{first} of the weight, moves {fmt(layer.word_norms[heavy])}; “{labels[mover]}” "
            f"gets {fmt(layer.word_weights[mover])}, moves {fmt(layer.word_norms[mover])}"
        )

    # ---- layout: the table -----------------------------------------------------------------
    def build_header(self) -> None:
        m = self.plan.model
        assert m is not None
        self.title = self.title_text(f"What attention moves: “{self.target}” in {m.name}")
        self.subtitle = self.text(
            "subtitle",
            f"weight: mean over {len(self.ledger.layers[0].weights)} heads; moves: what the "
            f"word adds, ‖Σ heads weight · value · W_O‖",
            SMALL,
            muted=True,
            max_width=WIDTH,
            phase="table",
        )
        self.subtitle.move_to(
            at(
                X_LEFT + self.subtitle.width / 2,
                self.title.get_bottom()[1] - 0.08 - self.subtitle.height / 2,
            )
        )
        self.body_top = self.subtitle.get_bottom()[1] - 0.25

    def build_table(self) -> None:
        """The layer's number, the column heads, a row per listed member."""
        layer0 = self.ledger.layers[0]
        y = self.body_top
        self.layer_word = self.text("layer word", "layer", BODY, phase="table")
        self.layer_word.move_to(at(X_LEFT + self.layer_word.width / 2, y - 0.2))
        self.layer_count = self.counter("layer number", 1, "0", BODY, digits=0, phase="table")
        place_right(self.layer_count, self.layer_word.get_right()[0] + 0.35, y - 0.2)
        self.x_weight = X_LEFT + NAME_W + GAP
        template_w = number_template([w for la in self.ledger.layers for w in la.word_weights])
        template_n = number_template([n for la in self.ledger.layers for n in la.word_norms])
        probe_w = StrutText(template_w, self.pal, size=SMALL).width
        self.weight_end = self.x_weight + WEIGHT_W + 0.15 + probe_w
        self.x_moves = self.weight_end + GAP + 0.2
        probe_n = StrutText(template_n, self.pal, size=SMALL).width
        self.moves_w = X_RIGHT - self.x_moves - 0.15 - probe_n
        self.peak = max(n for la in self.ledger.layers for n in la.word_norms)
        heads = [
            ("column weight", "weight", self.x_weight),
            ("column moves", "moves", self.x_moves),
        ]
        y -= 0.2
        self.columns = VGroup(self.layer_word, self.layer_count)
        for name, text, x in heads:
            t = self.text(name, text, SMALL, muted=True, phase="table")
            t.move_to(at(x + t.width / 2, y))
            self.columns.add(t)
        y -= 0.5
        self.rows: list[tuple[int, Rectangle, Counter, Rectangle, Counter]] = []
        self.row_names = VGroup()
        pitch = min(0.42, (y - Y_BOTTOM - 0.6) / (len(self.shown()) + 1))
        for k, r in enumerate(self.shown()):
            self.rows.append(self.table_row(k, r, y, layer0, template_w, template_n))
            y -= pitch
        (self.table_note,) = [
            self.text(
                "table note",
                f"weight bars: 0 to 1; moves bars: one scale for every layer (longest "
                f"{fmt(self.peak)})",
                SMALL,
                muted=True,
                max_width=WIDTH,
                phase="table",
            )
        ]
        self.table_note.move_to(at(X_LEFT + self.table_note.width / 2, Y_BOTTOM + 0.15))
        self.table_more = VGroup()
        hidden = len(self.ledger.labels) - len(self.shown())
        if hidden:
            more = self.text("table more", f"{hidden} more words", SMALL, muted=True, phase="table")
            more.move_to(at(X_LEFT + more.width / 2, y))
            self.table_more.add(more)

    def table_row(
        self, k: int, r: int, y: float, layer: LedgerLayer, template_w: str, template_n: str
    ) -> tuple[int, Rectangle, Counter, Rectangle, Counter]:
        """One member's row: its name, weight bar and number, moves bar and number."""
        special = r == self.special
        name = self.text(
            f"row name {k}",
            self.ledger.labels[r],
            SMALL,
            muted=special,
            weight="BOLD" if r == self.ledger.target_row else "NORMAL",
            max_width=NAME_W,
            phase="table",
        )
        name.move_to(at(X_LEFT + name.width / 2, y))
        self.row_names.add(name)
        colour = self.pal.muted if special else self.pal.color(0)
        w_bar = self.bar(self.x_weight, y, layer.word_weights[r] * WEIGHT_W, colour)
        n_bar = self.bar(self.x_moves, y, layer.word_norms[r] / self.peak * self.moves_w, colour)
        self.add_mark(f"weight bar {k}", w_bar, phase="table")
        self.add_mark(f"moves bar {k}", n_bar, phase="table")
        w_num = self.counter(f"weight {k}", layer.word_weights[r], template_w, phase="table")
        place_right(w_num, self.weight_end, y)
        n_num = self.counter(f"moves {k}", layer.word_norms[r], template_n, phase="table")
        place_right(n_num, X_RIGHT, y)
        return r, w_bar, w_num, n_bar, n_num

    # ---- beats -----------------------------------------------------------------------------
    def show_table(self) -> None:
        self.play(
            Fade(self.title), Fade(self.subtitle), Fade(self.columns), Fade(self.table_note),
            run_time=0.8,
        )  # fmt: skip
        self.play(
            Fade(self.row_names),
            *[GrowFromEdge(m, LEFT) for _, w, _, n, _ in self.rows for m in (w, n)],
            *[Fade(m) for _, _, w, _, n in self.rows for m in (w, n)],
            Fade(self.table_more),
            run_time=1.2,
        )

    def show_layer(self, i: int) -> None:
        layer = self.ledger.layers[i]
        anims: list[Animation] = [CountTo(self.layer_count, i + 1)]
        for r, w_bar, w_num, n_bar, n_num in self.rows:
            w = max(layer.word_weights[r] * WEIGHT_W, 0.01)
            n = max(layer.word_norms[r] / self.peak * self.moves_w, 0.01)
            anims += [
                w_bar.animate.stretch_to_fit_width(w).align_to(at(self.x_weight, 0), LEFT).build(),
                n_bar.animate.stretch_to_fit_width(n).align_to(at(self.x_moves, 0), LEFT).build(),
                CountTo(w_num, layer.word_weights[r]),
                CountTo(n_num, layer.word_norms[r]),
            ]
        self.play(*anims, run_time=1.0)

    def show_drift(self) -> None:
        table: list[Mobject] = [self.subtitle, self.columns, self.row_names, self.table_more]
        table += [self.table_note, *(m for row in self.rows for m in row[1:])]
        self.play(*[FadeOut(m) for m in table], run_time=0.6)
        self.grow_drift()
