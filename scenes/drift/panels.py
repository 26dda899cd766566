"""The panel column: per sentence its weights panel (title, scale line, bars) and its
equation; the summary of a comparison.
"""

from __future__ import annotations

import numpy as np
from manim import (
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
from scenes.drift.helpers import put_at
from scenes.figure.build import summary_equations
from scenes.figure.column import (
    BADGE_ROOM,
    BAR_W,
    SUMMARY_BADGE_GAP,
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
    panel_title,
    row_name,
    row_weights,
    special_rows,
    word_rows,
)
from scenes.figure.widgets import badge_box, centre, moved, union, width
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
                panel_title(s),
                pal,
                size=SIZES.body,
                max_width=PANEL_W - (BADGE_ROOM if self.multi else 0.0),
            )
            if self.multi:
                title = VGroup(self.badge(si), title).arrange(RIGHT, buff=TITLE_GAP)
            put_at(title, box.title)
            lines = [
                fitted(line, pal, size=SIZES.small, color=pal.muted, max_width=PANEL_W)
                for line in scale_text(plan, s).split("\n")
            ]
            for m, b in zip(lines, box.lines, strict=True):
                put_at(m, b)
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
            lines.add(
                VGroup(
                    *(put_at(StrutText(b.text, pal, size=SIZES.small, color=color), b.full)
                      for b in line)
                )
            )  # fmt: skip
        return Equation(lines, list(eq.terms))

    def build_summary(self) -> None:
        """A comparison's summary: its title, per sentence its badge and equation (with as
        many lines as the layout gives it), each block at the layout's place for it."""
        pal = self.pal
        if not self.multi:
            self.summary = None
            return
        assert self.lay.column.summary is not None
        head_box, block_boxes = self.lay.column.summary
        t = self.plan.sentences[0].target.text
        head = fitted(f"Where it ends up: {t}′ =", pal, size=SIZES.body, max_width=PANEL_W)
        put_at(head, head_box)
        blocks = []
        eqs = summary_equations(self.lay.column)
        for si, (eq_box, block) in enumerate(zip(eqs, block_boxes, strict=True)):
            # the badge beside the equation's first line; the two where the layout has them
            first = union(b.full for b in eq_box.lines[0])
            disc = badge_box(si + 1, SIZES.small)
            x = eq_box.box[0] - SUMMARY_BADGE_GAP - width(disc) / 2
            disc = moved(disc, x - centre(disc)[0], centre(first)[1] - centre(disc)[1])
            whole = union((eq_box.box, disc))
            dx, dy = block[0] - whole[0], block[3] - whole[3]
            eq = self.equation(si, eq_box.moved(dx, dy))
            badge = put_at(self.badge(si), moved(disc, dx, dy))
            blocks.append(VGroup(badge, eq))
        self.summary = VGroup(head, *blocks)
        self.summary_equations = [b[1] for b in blocks]
