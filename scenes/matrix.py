"""AttentionMatrixScene: every word's attention weights at once, as a heat map.

Beats: the word × word matrix (row = the word attending, column = the word attended to, each
row summing to 1), with its colour scale; then the target's row highlighted and read out. For
simple attention the matrix is softmax(scale · X Xᵀ) over the included words; for a real head
(model mode, or --layer/--head) the head's weights merged into words, with [CLS] + [SEP] as
the last column. Numbers from the plan's lecture section (`attention_math.lecture`).
"""

from __future__ import annotations

from manim import *

from attention_math.lecture_data import WeightMatrix
from attention_math.plan import Plan
from scenes.beats import BeatScene
from scenes.components import fmt, label
from scenes.picture import box, caption, fit_header, fit_into

PANEL_LEFT = 3.0  # the matrix is left of this x, the target's row read out right of it
MAX_LISTED = 10  # weights of the target's row written out in the panel
NUMBERS_UP_TO = 9  # cells carry their number when the matrix has at most this many columns


class AttentionMatrixScene(BeatScene):
    """The full attention matrix of a sentence with the target's row highlighted."""

    plan: Plan  # set by the pipeline; load_plan() checks it
    NEEDS = ("matrix",)  # the plan parts it draws (attention_math.request.PARTS)

    def setup(self) -> None:
        plan = self.load_plan()
        if plan.lecture is None or plan.lecture.matrix is None or not plan.sentences:
            raise RuntimeError(
                "AttentionMatrixScene needs the plan's weight matrix: render it "
                "with scenes.render or attention-drift render --scene"
            )
        self.m: WeightMatrix = plan.lecture.matrix
        self.s = plan.sentences[0]
        self.build_header()
        self.build_matrix()
        self.build_panel()
        self.check_layout(self.text_boxes())

    def construct(self) -> None:
        self.show_matrix()
        self.beat(
            f"{self.m.description}; {len(self.m.rows)} rows × {len(self.m.columns)} "
            f"columns, each row sums to 1; largest weight {fmt(self.peak)}"
        )
        self.show_target_row()
        self.wait(1.5)
        self.beat(
            f"row of “{self.s.target.text}”: "
            + ", ".join(
                f"{c} {fmt(w)}" for c, w in zip(self.m.column_labels, self.row, strict=True)
            )
        )

    # ---- layout ---------------------------------------------------------------------------
    def build_header(self) -> None:
        pal, m = self.pal, self.m
        title = label(
            "who attends to whom: each row is one word's weights, summing to 1", pal, size=26
        )
        if m.mode == "simple":
            what = (
                "simple attention (q = k = v = static vectors), stop-words and punctuation left out"
            )
        else:
            head = "mean over heads" if m.head is None else f"head {m.head + 1}"
            what = (
                f"all-MiniLM-L6-v2, layer {(m.layer or 0) + 1}, {head}: word pieces merged "
                f"into words; the [CLS]+[SEP] column completes each row"
            )
        self.title = title
        self.sub = caption(what, pal, size=17)
        self.header = fit_header(VGroup(title, self.sub).arrange(DOWN, buff=0.14), max_height=1.0)

    def build_matrix(self) -> None:
        pal, m = self.pal, self.m
        weights = [list(r) for r in m.weights]
        self.peak = max(max(r) for r in weights)
        n_rows, n_cols = len(m.rows), len(m.columns)
        top = self.header.get_bottom()[1] - 0.2
        longest = max(len(t) for t in (*m.row_labels, *m.column_labels))
        font = 22.0 if n_cols <= 10 else (18.0 if n_cols <= 18 else 14.0)
        label_room = min(2.2, 0.12 * longest * font / 18 + 0.3)
        cell = min(
            1.0,
            (top - label_room - (-3.3)) / n_rows,
            (PANEL_LEFT - 0.4 - (-6.9) - label_room) / n_cols,
        )
        font = min(font, cell * 60)
        x0 = -6.9 + label_room
        y0 = top - label_room
        self.cells = VGroup()
        self.cell_numbers = VGroup()
        for i, row in enumerate(weights):
            for j, w in enumerate(row):
                sq = Square(
                    side_length=cell * 0.94,
                    stroke_width=0.5,
                    stroke_color=pal.faint,
                    fill_color=pal.color(0),
                    fill_opacity=0.04 + 0.96 * w / self.peak,
                )
                sq.move_to([x0 + (j + 0.5) * cell, y0 - (i + 0.5) * cell, 0])  # type: ignore[arg-type]
                self.cells.add(sq)
                if n_cols <= NUMBERS_UP_TO:
                    ink = pal.background if (w / self.peak > 0.55 and pal.background) else pal.text
                    num = label(fmt(w), pal, size=min(18.0, cell * 26), color=ink).move_to(sq)
                    self.cell_numbers.add(num)
        self.row_labels = VGroup()
        for i, t in enumerate(m.row_labels):
            is_target = i == m.target_row
            lab = label(
                t,
                pal,
                size=font,
                color=pal.static if is_target else pal.text,
                weight="BOLD" if is_target else "NORMAL",
            )
            lab.move_to([x0 - 0.1 - lab.width / 2, y0 - (i + 0.5) * cell, 0])  # type: ignore[arg-type]
            self.row_labels.add(lab)
        self.col_labels = VGroup()
        for j, t in enumerate(m.column_labels):
            lab = label(t, pal, size=font, color=pal.muted if m.columns[j] == -1 else pal.text)
            lab.rotate(PI / 2)
            lab.move_to([x0 + (j + 0.5) * cell, y0 + 0.1 + lab.height / 2, 0])  # type: ignore[arg-type]
            self.col_labels.add(lab)
        target = m.target_row
        self.row_box = Rectangle(
            width=n_cols * cell + 0.06,
            height=cell + 0.06,
            stroke_color=pal.highlight,
            stroke_width=4,
        )
        self.row_box.move_to([x0 + n_cols * cell / 2, y0 - (target + 0.5) * cell, 0])  # type: ignore[arg-type]
        self.grid_bottom = y0 - n_rows * cell
        # colour scale
        bar = VGroup(
            *[
                Square(
                    side_length=0.22,
                    stroke_width=0,
                    fill_color=pal.color(0),
                    fill_opacity=0.04 + 0.96 * k / 10,
                )
                for k in range(11)
            ]
        )
        bar.arrange(RIGHT, buff=0)
        lo = label("0", pal, size=16, color=pal.muted)
        hi = label(fmt(self.peak), pal, size=16, color=pal.muted)
        self.legend = VGroup(lo, bar, hi).arrange(RIGHT, buff=0.12)
        self.legend.move_to([x0, self.grid_bottom - 0.3, 0], aligned_edge=LEFT)  # type: ignore[arg-type]
        # a small matrix sits in the middle of its area rather than in the corner
        whole = VGroup(
            self.cells,
            self.cell_numbers,
            self.row_labels,
            self.col_labels,
            self.row_box,
            self.legend,
        )
        cx = (-6.9 + PANEL_LEFT - 0.4) / 2
        cy = (top + -3.85) / 2
        whole.shift([max(0.0, cx - whole.get_center()[0]), min(0.0, cy - whole.get_center()[1]), 0])  # type: ignore[arg-type]

    def build_panel(self) -> None:
        pal, m = self.pal, self.m
        self.row = list(m.weights[m.target_row])
        order = sorted(range(len(self.row)), key=lambda j: (-self.row[j], j))
        head = label(f"row of “{self.s.target.text}”", pal, size=24, color=pal.highlight)
        lines = VGroup()
        for j in order[:MAX_LISTED]:
            name = label(m.column_labels[j], pal, size=22)
            value = label(fmt(self.row[j]), pal, size=22)
            lines.add(VGroup(name, value))
        width = max(n.width for n, _ in lines) + 0.3
        for k, (name, value) in enumerate(lines):  # type: ignore[assignment]
            name.move_to([0, -0.42 * k, 0], aligned_edge=LEFT)  # type: ignore[arg-type]
            value.move_to([width + 0.8, -0.42 * k, 0], aligned_edge=RIGHT)  # type: ignore[arg-type]
        parts = [head, lines]
        if len(order) > MAX_LISTED:
            rest = sum(self.row[j] for j in order[MAX_LISTED:])
            parts.append(
                label(
                    f"+ {len(order) - MAX_LISTED} more: {fmt(rest)}", pal, size=20, color=pal.muted
                )
            )
        parts.append(label(f"Σ = {fmt(sum(self.row))}", pal, size=20, color=pal.muted))
        self.panel = VGroup(*parts).arrange(DOWN, buff=0.2, aligned_edge=LEFT)
        self.panel_lines = lines
        fit_into(
            self.panel, (PANEL_LEFT, -3.85, 6.95, self.header.get_bottom()[1] - 0.3), align="left"
        )

    def text_boxes(self) -> list[tuple[str, tuple[float, float, float, float]]]:
        out = [("title", box(self.title)), ("subtitle", box(self.sub))]
        out += [(f"row label {m.original_text}", box(m)) for m in self.row_labels]
        out += [(f"column label {k}", box(m)) for k, m in enumerate(self.col_labels)]
        out += [(f"legend {k}", box(m)) for k, m in enumerate(self.legend) if k != 1]
        out += [(f"panel {k}", box(m)) for k, m in enumerate(self.panel)]
        return out

    # ---- beats ----------------------------------------------------------------------------
    def show_matrix(self) -> None:
        self.play(
            FadeIn(self.header, shift=0.2 * DOWN),
            FadeIn(self.row_labels),
            FadeIn(self.col_labels),
            run_time=1.0,
        )
        self.play(
            LaggedStart(*[FadeIn(c) for c in self.cells], lag_ratio=0.5 / len(self.cells)),
            FadeIn(self.cell_numbers),
            FadeIn(self.legend),
            run_time=1.5,
        )

    def show_target_row(self) -> None:
        self.play(Create(self.row_box), FadeIn(self.panel, shift=0.2 * LEFT), run_time=1.2)
