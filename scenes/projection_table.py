"""ProjectionScene's table: each shown row's simple and learned weight, bar and number side
by side, under a head naming the two kinds, then "+ N more" (the rows not shown, summed).
Registered with the layout check as it is made; the beats (scenes.projection) animate it.
"""

from __future__ import annotations

from manim import *

from attention_math.lecture_data import HeadComparison
from scenes.components import Counter, StrutText
from scenes.picture import (
    SMALL,
    X_LEFT,
    LectureScene,
    at,
    number_template,
    place_right,
)
from scenes.projection_notes import head_name

BAR = 1.2  # length of a weight-1 bar
NAME_W = 1.9  # row names longer than this are cut with "…"


class ProjectionTable(LectureScene):
    """The weight table of ProjectionScene, built in its setup between body_top and
    body_bottom."""

    h: HeadComparison  # the plan's head comparison
    body_top: float  # the table's top (under the header)
    body_bottom: float  # its bottom (over the footer)

    def shown(self) -> list[int]:
        """The rows shown (every row in plans made before `shown`)."""
        return list(self.h.shown) if self.h.shown else list(range(len(self.h.rows)))

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
            (head_name(self.h), pal.color(1), self.x_learned, BAR + num_w + 0.6),
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
