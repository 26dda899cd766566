"""AttentionMatrixScene: every word's attention weights at once, as a heat map.

Beats: the word × word matrix (row = the word attending, column = the word attended to, each
row summing to 1) with its colour scale; then the target's row outlined and read out (the
numbers count up). For simple attention the matrix is softmax(scale · X Xᵀ) over the words
taking part; for a real head (model mode, or --layer/--head) the head's weights merged into
words, with [CLS] + [SEP] as the last column.

Everything written about the matrix comes from the plan (`attention_math.lecture`): what it
is and whether stop-words were kept (`WeightMatrix.description`), which tokens were left out
and why (`left_out`), and, for a long sentence, which rows it shows (the target and the words
it attends to most) with the other columns summed as "N more" (`shown`, `rest`).
"""

from __future__ import annotations

from manim import *

from attention_math.lecture_data import WeightMatrix
from attention_math.plan import Plan
from scenes.beats import POSTER  # the poster's hold, as in every scene
from scenes.components import Counter, CountTo, Fade, StrutText, fmt
from scenes.matrix_notes import (
    cell_rows,
    column_names,
    left_out_text,
    shown_rows,
    words_matrix,
    words_target_row,
)
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

PANEL_LEFT = 2.6  # the matrix is left of this x, the target's row read out right of it
MAX_LISTED = 8  # weights of the target's row written out in the panel
LABEL_W = 2.0  # row and column labels longer than this are cut with "…"
LEGEND_H = 0.5  # room under the matrix for the colour scale

# why: the last frame holds the target's row and the whole matrix; a reader needs about 4 s
# to find the row, read its largest weight and compare it with the panel's (issue 19)
HOLD = 4.5


class AttentionMatrixScene(LectureScene):
    """The full attention matrix of a sentence with the target's row highlighted.

    What is drawn of the plan's matrix, and the words, are scenes.matrix_notes'.
    """

    plan: Plan  # set by the pipeline, its NEEDS checked (scenes.job.check_needs)

    def setup(self) -> None:
        plan = self.load_plan()
        assert plan.lecture is not None and plan.lecture.matrix is not None  # NEEDS: checked
        self.m: WeightMatrix = plan.lecture.matrix  # before the job was made (check_needs)
        self.s = plan.sentences[0]
        self.start_registry()
        self.build_header()
        self.build_cells()
        self.build_panel()
        self.check()

    def construct(self) -> None:
        self.show_poster()
        if self.final_only:  # the poster is the last frame
            return
        self.show_matrix()
        notes, caption = words_matrix(self.m, self.peak)
        self.beat(notes, caption=caption)
        self.show_target_row()
        self.wait(HOLD)
        notes, caption = words_target_row(self.m, self.s)
        self.beat(notes, caption=caption)

    def cell_rows(self) -> list[list[float]]:
        """The weights drawn, row by row: shown columns, the rest, [CLS]+[SEP]."""
        return cell_rows(self.m)

    # ---- layout ---------------------------------------------------------------------------
    def build_header(self) -> None:
        self.title = self.title_text("Who attends to whom: each row sums to 1")
        lines = [self.m.description]
        if left_out_text(self.m):
            lines.append(left_out_text(self.m))
        if len(shown_rows(self.m)) < len(self.m.rows):
            hidden = len(self.m.rows) - len(shown_rows(self.m))
            lines.append(
                f"the target and the {len(shown_rows(self.m)) - 1} words it attends to most; "
                f"the other {hidden} words' columns summed"
            )
        self.subs = []
        y = self.title.get_bottom()[1] - 0.08
        for k, line in enumerate(lines):
            t = self.text(f"subtitle {k}", line, SMALL, muted=True, max_width=WIDTH)
            t.move_to(at(X_LEFT + t.width / 2, y - t.height / 2))
            self.subs.append(t)
            y = t.get_bottom()[1] - 0.02
        self.header = VGroup(self.title, *self.subs)
        self.body_top = y - 0.25

    def build_cells(self) -> None:
        """The heat map: a square per weight (its number in it when the cells are wide
        enough), the row labels left of it, the column labels above it (written upwards), the
        target's row outlined, the colour scale under it."""
        rows, names = cell_rows(self.m), column_names(self.m)
        self.peak = max(max(r) for r in rows)
        labels_r = self.row_label_texts()
        labels_c = self.column_label_texts(names, labels_r, len(rows))
        room_w = PANEL_LEFT - 0.4 - X_LEFT - max(x.width for x in labels_r) - 0.1
        room_h = self.body_top - Y_BOTTOM - max(x.height for x in labels_c) - 0.1 - LEGEND_H
        cell = min(1.2, room_w / len(names), room_h / len(rows))
        x0 = X_LEFT + max(x.width for x in labels_r) + 0.1 + (room_w - cell * len(names)) / 2
        y0 = self.body_top - max(x.height for x in labels_c) - 0.1
        self.draw_cells(rows, cell, x0, y0)
        for i, lab in enumerate(labels_r):
            lab.move_to(at(x0 - 0.1 - lab.width / 2, y0 - (i + 0.5) * cell))
        for j, lab in enumerate(labels_c):
            lab.move_to(at(x0 + (j + 0.5) * cell, y0 + 0.1 + lab.height / 2))
        self.row_labels, self.col_labels = VGroup(*labels_r), VGroup(*labels_c)
        target = self.target_position()
        self.row_box = Rectangle(
            width=len(names) * cell + 0.08,
            height=cell + 0.08,
            stroke_color=self.pal.text,
            stroke_width=4,
        )
        self.row_box.move_to(at(x0 + len(names) * cell / 2, y0 - (target + 0.5) * cell))
        bottom = y0 - len(rows) * cell
        self.build_legend(x0, bottom - 0.3)

    def target_position(self) -> int:
        """The target's row among the rows shown."""
        return shown_rows(self.m).index(self.m.target_row)

    def row_label_texts(self) -> list[StrutText]:
        """The shown rows' words, the target's in bold."""
        target_k = self.target_position()
        row_names = [self.m.row_labels[r] for r in shown_rows(self.m)]
        return [
            self.text(
                f"row label {k}",
                t,
                SMALL,
                max_width=LABEL_W,
                weight="BOLD" if k == target_k else "NORMAL",
            )
            for k, t in enumerate(row_names)
        ]

    def column_label_texts(
        self, names: list[str], labels_r: list[StrutText], n_rows: int
    ) -> list[StrutText]:
        """The column labels, written upwards ("N more" and [CLS]+[SEP] muted). Rows never
        closer than their labels: the column labels give up length first, so that a long
        sentence's rows stay readable."""
        grey = {k for k, t in enumerate(names) if t == "[CLS]+[SEP]"}
        if self.m.rest:
            grey.add(len(shown_rows(self.m)))
        pitch = max(x.height for x in labels_r) + 0.04
        col_room = self.body_top - Y_BOTTOM - 0.1 - LEGEND_H - n_rows * pitch
        col_w = min(LABEL_W, max(col_room, 0.6))
        labels_c = [
            self.text(f"column label {k}", t, SMALL, max_width=col_w, muted=k in grey)
            for k, t in enumerate(names)
        ]
        for lab in labels_c:
            lab.rotate(PI / 2)
        return labels_c

    def draw_cells(self, rows: list[list[float]], cell: float, x0: float, y0: float) -> None:
        """A square per weight, shaded by weight over the peak, top left at (x0, y0); each
        square's number in it when the squares are wide enough."""
        pal = self.pal
        self.cells = VGroup()
        self.numbers = VGroup()
        number_w = StrutText("0.00", pal, size=SMALL).width + 0.1  # cells this wide or more
        for i, row in enumerate(rows):
            for j, w in enumerate(row):
                sq = Square(
                    side_length=cell * 0.94,
                    stroke_width=0.5,
                    stroke_color=pal.faint,
                    fill_color=pal.color(0),
                    fill_opacity=0.04 + 0.96 * w / self.peak,
                )
                sq.move_to(at(x0 + (j + 0.5) * cell, y0 - (i + 0.5) * cell))
                self.cells.add(sq)
                if cell >= number_w:
                    num = self.text(f"cell {i},{j}", fmt(w), SMALL).move_to(sq)
                    if pal.backdrop is not None:  # readable on any shade of the cell
                        num.set_stroke(pal.backdrop, width=5, background=True)
                    self.numbers.add(num)

    def build_legend(self, x: float, y: float) -> None:
        pal = self.pal
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
        lo = self.text("legend 0", "0", SMALL, muted=True)
        hi = self.text("legend peak", fmt(self.peak), SMALL, muted=True)
        self.legend = VGroup(lo, bar, hi).arrange(RIGHT, buff=0.12)
        self.legend.move_to(at(x + self.legend.width / 2, y))

    def build_panel(self) -> None:
        """The target's row, largest first, decimal-aligned numbers that count up."""
        m = self.m
        names, row = column_names(self.m), cell_rows(self.m)[shown_rows(self.m).index(m.target_row)]
        order = sorted(range(len(row)), key=lambda j: (-row[j], j))[:MAX_LISTED]
        width = X_RIGHT - PANEL_LEFT
        self.panel_head = self.text(
            "panel head", f"row of “{self.s.target.text}”", BODY, max_width=width
        )
        y = self.body_top - self.panel_head.height / 2
        self.panel_head.move_to(at(PANEL_LEFT + self.panel_head.width / 2, y))
        y -= 0.5
        template = number_template(row)
        self.panel_rows: list[tuple[StrutText, Counter, float]] = []
        for k, j in enumerate(order):
            value = self.counter(f"panel value {k}", 0.0, template)
            name = self.text(
                f"panel name {k}", names[j], SMALL, max_width=width - value.width - 0.3
            )
            name.move_to(at(PANEL_LEFT + name.width / 2, y))
            place_right(value, X_RIGHT, y)
            self.panel_rows.append((name, value, row[j]))
            y -= 0.4
        if len(row) > len(order):
            more = self.text("panel more", f"+ {len(row) - len(order)} smaller", SMALL, muted=True)
            more.move_to(at(PANEL_LEFT + more.width / 2, y))
            self.panel_more = VGroup(more)
        else:
            self.panel_more = VGroup()

    # ---- beats ----------------------------------------------------------------------------
    def final_state(self) -> list[Mobject]:
        """What the last frame shows: the matrix, the target's row boxed and read out."""
        return [
            self.header, self.row_labels, self.col_labels, self.cells, self.numbers,
            self.legend, self.row_box, self.panel_head,
            *(m for name, value, _ in self.panel_rows for m in (name, value)), self.panel_more,
        ]  # fmt: skip

    def show_poster(self) -> None:
        """The first frame is the last one (a paused GIF shows the whole matrix), then it
        fades out and is built again: the loop returns to it without a cut."""
        for _, value, w in self.panel_rows:
            value.set_value(w)
        self.add(*self.final_state())
        self.wait(POSTER)
        if self.final_only:
            return
        self.play(*[Fade(m, out=True) for m in self.final_state()], run_time=0.3)
        for _, value, _ in self.panel_rows:
            value.set_value(0.0)

    def show_matrix(self) -> None:
        self.play(Fade(self.header), Fade(self.row_labels), Fade(self.col_labels), run_time=0.8)
        self.play(Fade(self.cells), Fade(self.numbers), Fade(self.legend), run_time=1.2)

    def show_target_row(self) -> None:
        self.play(
            Create(self.row_box),
            Fade(self.panel_head),
            *[Fade(name) for name, _, _ in self.panel_rows],
            *[CountTo(value, w, fade_in=True) for _, value, w in self.panel_rows],
            Fade(self.panel_more),
            run_time=1.2,
        )
