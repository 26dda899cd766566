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
from scenes.drift.equation import Equation
from scenes.drift.helpers import put_top_left
from scenes.figure.build import summary_equations
from scenes.figure.column import (
    BADGE_ROOM,
    BAR_W,
    SUMMARY_BADGE_GAP,
    SUMMARY_GAP,
    TITLE_GAP,
    EquationBox,
)
from scenes.figure.constants import (
    NAME_W,
    PANEL_W,
    ROW_H,
)
from scenes.figure.names import scale_text
from scenes.figure.panel import (
    panel_rows,
    row_name,
    row_weights,
    special_rows,
    word_rows,
)
from scenes.figure.widgets import centre
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
        """Each sentence's panel (title, scale lines, bars) and equation, where the layout
        puts them (scenes.figure.column)."""
        plan, pal = self.plan, self.pal
        self.panels: list[VGroup] = []
        self.panel_titles: list[VMobject] = []  # per panel: its title (and badge, compared)
        self.scale_lines: list[list[Text]] = []  # per panel: how the weights were made
        self.bars: list[WeightBars] = []
        self.equations: list[Equation] = []
        for si, (s, box) in enumerate(zip(plan.sentences, self.lay.column.panels, strict=True)):
            color = pal.color(si)
            title: VMobject = fitted(
                f"weights of “{s.target.text}”",
                pal,
                size=SIZES.body,
                max_width=PANEL_W - (BADGE_ROOM if self.multi else 0.0),
            )
            if self.multi:
                title = VGroup(self.badge(si), title).arrange(RIGHT, buff=TITLE_GAP)
            put_top_left(title, box.title[0], box.title[3])
            lines = [
                fitted(line, pal, size=SIZES.small, color=pal.muted, max_width=PANEL_W)
                for line in scale_text(plan, s).split("\n")
            ]
            for m, b in zip(lines, box.lines, strict=True):
                put_top_left(m, b[0], b[3])
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
            for row, track, at in zip(bars.rows, bars.tracks, box.rows, strict=True):
                x, y = track.get_start()[:2]
                row.shift(np.array([at.track[0] - x, centre(at.track)[1] - y, 0.0]))
            self.bars.append(bars)
            self.panel_titles.append(title)
            self.scale_lines.append(lines)
            self.panels.append(VGroup(title, *lines, bars))
            self.equations.append(self.equation(si, box.equation))

    def equation(self, si: int, eq: EquationBox) -> Equation:
        """“bank′ = 0.56·bank + 0.26·river + … + 0.12·(5 more)” as the layout sets it
        (scenes.figure.column.equation: which terms, in which lines, where): each item a
        StrutText at its box. `.terms` lists the (row, weight) pairs shown."""
        pal, color = self.pal, self.pal.color(si)
        lines = VGroup()
        for line in eq.lines:
            items = [StrutText(b.text, pal, size=SIZES.small, color=color) for b in line]
            for m, b in zip(items, line, strict=True):
                m.shift(np.array([b.full[0] - m.get_left()[0], b.full[3] - m.get_top()[1], 0]))
            lines.add(VGroup(*items))
        return Equation(lines, list(eq.terms))

    def build_summary(self) -> None:
        """A comparison's summary: its title, per sentence its badge and equation (with as
        many lines as the layout gives it), at the layout's place."""
        pal = self.pal
        if not self.multi:
            self.summary = None
            return
        assert self.lay.column.summary is not None
        head_box, _ = self.lay.column.summary
        t = self.plan.sentences[0].target.text
        head = fitted(f"Where it ends up: {t}′ =", pal, size=SIZES.body, max_width=PANEL_W)
        blocks = []
        for si, eq_box in enumerate(summary_equations(self.lay.column)):
            eq = self.equation(si, eq_box)
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
        put_top_left(self.summary, head_box[0], head_box[3])
        self.summary_equations = [b[1] for b in blocks]
