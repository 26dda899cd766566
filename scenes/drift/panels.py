"""The panel column: per sentence its weights panel (title, scale line, bars) and its
equation; the summary of a comparison.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    Text,
    VGroup,
    VMobject,
)

from scenes.components import (
    StrutText,
    WeightBars,
    fitted,
)
from scenes.drift.base import DriftBase
from scenes.drift.equation import Equation, EquationTerms, set_lines
from scenes.drift.helpers import put_top_left
from scenes.figure.column import (
    BADGE_ROOM,
    BAR_W,
    EQ_GAP,
    LINE_GAP,
    NAME_TRACK_GAP,
    ROWS_DROP,
    ROWS_GAP,
    SUMMARY_BADGE_GAP,
    SUMMARY_GAP,
    TITLE_GAP,
)
from scenes.figure.constants import (
    EQ_STRUTS,
    NAME_W,
    PANEL_W,
    ROW_H,
)
from scenes.figure.names import scale_text
from scenes.figure.panel import (
    equation_strings,
    panel_rows,
    row_name,
    row_weights,
    shown_terms,
    special_rows,
    word_rows,
)
from scenes.theme import SIZES


class PanelLayout(DriftBase):
    """The panels, equations and summary of the panel column."""

    def panel_rows(self, si: int) -> list[tuple[int, ...]]:
        """The rows of sentence si's panel (scenes.figure.panel.panel_rows)."""
        return panel_rows(self.plan.sentences[si])

    def word_rows(self, si: int) -> list[int]:
        """Sentence si's words with a panel row of their own (scenes.figure.panel)."""
        return word_rows(self.plan.sentences[si])

    def row_weights(self, si: int, k: int) -> list[float | None]:
        """Each panel row's weight at step k (scenes.figure.panel.row_weights)."""
        return row_weights(self.plan.sentences[si], k)

    def row_name(self, si: int, row: tuple[int, ...]) -> str:
        return row_name(self.plan.sentences[si], row)

    def build_panels(self) -> None:
        plan, pal = self.plan, self.pal
        self.panels: list[VGroup] = []
        self.panel_titles: list[VMobject] = []  # per panel: its title (and badge, compared)
        self.scale_lines: list[list[Text]] = []  # per panel: how the weights were made
        self.bars: list[WeightBars] = []
        self.equations: list[Equation] = []
        for si, s in enumerate(plan.sentences):
            color = pal.color(si)
            title: VMobject = fitted(
                f"weights of “{s.target.text}”",
                pal,
                size=SIZES.body,
                max_width=PANEL_W - (BADGE_ROOM if self.multi else 0.0),
            )
            if self.multi:
                title = VGroup(self.badge(si), title).arrange(RIGHT, buff=TITLE_GAP)
            lines = [
                fitted(line, pal, size=SIZES.small, color=pal.muted, max_width=PANEL_W)
                for line in scale_text(plan, s).split("\n")
            ]
            rows = self.panel_rows(si)
            bars = WeightBars(
                [self.row_name(si, r) for r in rows],
                self.row_weights(si, 0),
                pal,
                color=color,
                bar_width=BAR_W,
                size=SIZES.small,
                row_height=ROW_H[1],
                colors=[pal.special if sp else None for sp in special_rows(s)],
                name_width=NAME_W,
                bold=[0],
            )
            self.bars.append(bars)
            self.panel_titles.append(title)
            self.scale_lines.append(lines)
            self.panels.append(VGroup(title, *lines, bars))
            self.equations.append(self.equation(si, PANEL_W))

    def panel_height(self, si: int, row_h: float) -> float:
        title, lines, bars = self.panel_titles[si], self.scale_lines[si], self.bars[si]
        n = len(bars.names)
        return title.height + sum(m.height + LINE_GAP for m in lines) + ROWS_GAP + n * row_h

    def place_panels(self) -> None:
        """Rows as tall as the column allows (between ROW_H), equation under the panel."""
        room = self.body_top - self.bottom
        for si in range(len(self.panels)):
            title, lines, bars = self.panel_titles[si], self.scale_lines[si], self.bars[si]
            eq = self.equations[si]
            n = len(bars.names)
            fixed = self.panel_height(si, 0.0) + EQ_GAP + eq.height
            row_h = float(np.clip((room - fixed) / n, *ROW_H))
            for i, row in enumerate(bars.rows):
                row.shift(np.array([0, -i * (row_h - ROW_H[1]), 0]))
            y = self.body_top
            put_top_left(title, self.col_x, y)
            y -= title.height + LINE_GAP
            for m in lines:
                put_top_left(m, self.col_x, y)
                y -= m.height + LINE_GAP
            y -= ROWS_DROP
            track_x = self.col_x + self.name_col_width() + NAME_TRACK_GAP
            bars.shift(np.array([track_x - bars.tracks[0].get_start()[0], 0, 0]))
            bars.shift(np.array([0, y - bars.get_top()[1], 0]))
            eq.move_to(np.array([self.col_x + eq.width / 2, 0, 0]))
            eq.shift(np.array([0, bars.get_bottom()[1] - EQ_GAP - eq.get_top()[1], 0]))

    def name_col_width(self) -> float:
        return max(n.width for b in self.bars for n in b.names)

    def equation(self, si: int, width: float, max_lines: int = 2, lhs: bool = True) -> Equation:
        """“bank′ = 0.56·bank + 0.26·river + … + 0.12·(5 more)” with the final weights, one
        term per panel row (final_terms): the target's first, then the largest, the group
        last; at most max_lines lines, the words left out as "+ …" (only the terms shown are
        built). `.terms` lists the (row, weight) pairs shown."""
        s, pal = self.plan.sentences[si], self.pal

        def text(t: str) -> StrutText:
            return StrutText(t, pal, size=SIZES.small, color=pal.color(si))

        first, labels, group = equation_strings(s, lhs)
        terms = EquationTerms(text, labels, keep_last=group)
        lines, shown = terms.fit([text(t) for t in first], width - EQ_STRUTS, max_lines)
        return Equation(set_lines(lines), shown_terms(s, shown, group))

    def build_summary(self) -> None:
        pal = self.pal
        if not self.multi:
            self.summary = None
            return
        t = self.plan.sentences[0].target.text
        head = fitted(f"Where it ends up: {t}′ =", pal, size=SIZES.body, max_width=PANEL_W)
        n = len(self.plan.sentences)
        room = self.body_top - self.bottom
        for lines in (2, 1):  # two lines per sentence when the column has room
            blocks = []
            for si in range(n):
                eq = self.equation(si, PANEL_W - BADGE_ROOM, max_lines=lines, lhs=False)
                badge = self.badge(si)
                badge.move_to(
                    np.array(
                        [
                            eq.get_left()[0] - SUMMARY_BADGE_GAP - badge.width / 2,
                            eq[0].get_center()[1],
                            0,
                        ]
                    )
                )
                blocks.append(VGroup(badge, eq))
            self.summary = VGroup(head, *blocks).arrange(DOWN, buff=SUMMARY_GAP, aligned_edge=LEFT)
            if self.summary.height <= room:
                break
        self.summary_equations = [b[1] for b in blocks]
