"""The panel column as data (no drawing): each sentence's panel (title, scale lines, rows:
name, track, bar, number) and equation, and the summary of a comparison, with their boxes,
measured (scenes.figure.widgets) and placed as the drift scene places its mobjects
(scenes.drift.panels).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attention_math.plan import Plan, Sentence
from scenes.figure.constants import EQ_STRUTS, NAME_W, PANEL_W, ROW_H
from scenes.figure.equation import TermFit, line_shifts
from scenes.figure.names import Row, final_terms, scale_text
from scenes.figure.panel import (
    equation_strings,
    panel_rows,
    panel_title,
    row_name,
    row_weights,
    shown_terms,
)
from scenes.figure.widgets import (
    BarRow,
    Box,
    StrutBox,
    badge_box,
    bar_rows,
    centre,
    fitted_text,
    height,
    moved,
    strut_text,
    top_left,
    union,
    width,
)
from scenes.theme import SIZES

BADGE_ROOM = 0.55  # a compared sentence's badge and its gap, before its panel title
TITLE_GAP = 0.15  # between a badge and its title
LINE_GAP = 0.08  # between a panel's title and scale lines
ROWS_GAP = 0.2  # what a panel's height counts for the gap above its rows
ROWS_DROP = 0.12  # the rows' top under the last scale line's gap
EQ_GAP = 0.3  # between a panel's rows and its equation
BAR_W = 2.0  # a weight of 1
NAME_TRACK_GAP = 0.15  # between the widest row name and the tracks


@dataclass
class EquationBox:
    """An equation set in lines: its items (StrutBoxes, placed), the (row, weight) pairs it
    shows."""

    lines: list[list[StrutBox]]
    terms: list[tuple[Row, float]]

    @property
    def box(self) -> Box:
        return union(b.full for line in self.lines for b in line)

    def moved(self, dx: float, dy: float) -> EquationBox:
        return EquationBox([[b.moved(dx, dy) for b in line] for line in self.lines], self.terms)


def equation(s: Sentence, room: float, max_lines: int = 2, lhs: bool = True) -> EquationBox:
    """The panel's (or the summary's) equation of a sentence (PanelLayout.equation), at
    the origin of its first line's struts."""
    first, labels, group = equation_strings(s, lhs)

    def text(t: str) -> StrutBox:
        return strut_text(t, SIZES.small)

    terms = TermFit(text, lambda b: width(b.ink), labels, keep_last=group)
    lines, shown = terms.fit([text(t) for t in first], room - EQ_STRUTS, max_lines)
    weights = [w for _, w in final_terms(s)]
    if group and max(weights[shown:-1], default=0.0) > weights[-1]:
        # a term left out weighs more than the group's: the group goes into "+ …" too
        group = False
        terms = TermFit(text, lambda b: width(b.ink), labels)
        lines, shown = terms.fit([text(t) for t in first], room - EQ_STRUTS, max_lines)
    shifts = line_shifts(lines, lambda b: b.ink, lambda b: b.struts)
    placed = [
        [b.moved(*d) for b, d in zip(line, ds, strict=True)]
        for line, ds in zip(lines, shifts, strict=True)
    ]
    return EquationBox(placed, shown_terms(s, shown, group))


@dataclass
class PanelBox:
    """One sentence's panel and equation."""

    title: Box
    lines: list[Box]
    rows: list[BarRow]
    equation: EquationBox
    row_tokens: list[Row] = field(default_factory=list)

    def moved(self, dx: float, dy: float) -> PanelBox:
        return PanelBox(moved(self.title, dx, dy), [moved(b, dx, dy) for b in self.lines],
                        [r.moved(dx, dy) for r in self.rows], self.equation.moved(dx, dy),
                        self.row_tokens)  # fmt: skip

    def height_at(self, row_h: float) -> float:
        """The panel's height with rows row_h apart (PanelLayout.panel_height)."""
        lines = sum(height(b) + LINE_GAP for b in self.lines)
        return height(self.title) + lines + ROWS_GAP + len(self.rows) * row_h


def panel(plan: Plan, si: int, multi: bool, eq_lines: int = 2) -> PanelBox:
    """Sentence si's panel, unplaced (PanelLayout.build_panels), its equation in at most
    `eq_lines` lines."""
    s = plan.sentences[si]
    _, title = fitted_text(panel_title(s), SIZES.body,
                           PANEL_W - (BADGE_ROOM if multi else 0.0))  # fmt: skip
    if multi:  # the badge, then the title, centres on one line
        badge = badge_box(si + 1, SIZES.small)
        bx, by = badge[2] + TITLE_GAP - title[0], centre(badge)[1] - centre(title)[1]
        title = union((badge, moved(title, bx, by)))
    lines = [fitted_text(line, SIZES.small, PANEL_W)[1] for line in scale_text(plan, s).split("\n")]
    rows = panel_rows(s)
    bars = bar_rows([row_name(s, r) for r in rows], row_weights(s, 0), bar_width=BAR_W,
                    size=SIZES.small, row_height=ROW_H[1], name_width=NAME_W, bold=[0])  # fmt: skip
    return PanelBox(title, lines, bars, equation(s, PANEL_W, eq_lines), rows)


def place_panel(p: PanelBox, col_x: float, top: float, bottom: float, names_w: float) -> PanelBox:
    """A panel placed at the column's top (PanelLayout.place_panels): rows as tall as the
    column allows (between ROW_H), the equation under them."""
    n = len(p.rows)
    fixed = p.height_at(0.0) + EQ_GAP + height(p.equation.box)
    row_h = float(np.clip((top - bottom - fixed) / n, *ROW_H))
    rows = [r.moved(0.0, -i * (row_h - ROW_H[1])) for i, r in enumerate(p.rows)]
    title = top_left(p.title, col_x, top)
    y = top - (height(title) + LINE_GAP)
    lines = []
    for b in p.lines:
        lines.append(top_left(b, col_x, y))
        y -= height(b) + LINE_GAP
    y -= ROWS_DROP
    track_x = col_x + names_w + NAME_TRACK_GAP
    dx = track_x - rows[0].track[0]
    dy = y - union(r.box for r in rows)[3]
    rows = [r.moved(dx, dy) for r in rows]
    eq = p.equation.box
    bars_bottom = union(r.box for r in rows)[1]
    equation = p.equation.moved(col_x - eq[0], bars_bottom - EQ_GAP - eq[3])
    return PanelBox(title, lines, rows, equation, p.row_tokens)


def summary(plan: Plan, col_x: float, top: float, bottom: float) -> tuple[Box, list[Box]]:
    """The summary of a comparison (PanelLayout.build_summary): its title and per sentence
    its badge and equation, two lines each when the column has room, placed at its top."""
    t = plan.sentences[0].target.text
    _, head = fitted_text(f"Where it ends up: {t}′ =", SIZES.body, PANEL_W)
    blocks: list[Box] = []
    for lines in (2, 1):
        blocks = []
        for si, s in enumerate(plan.sentences):
            eq = equation(s, PANEL_W - BADGE_ROOM, max_lines=lines, lhs=False)
            box, first = eq.box, union(b.full for b in eq.lines[0])
            badge = badge_box(si + 1, SIZES.small)
            at_x = box[0] - SUMMARY_BADGE_GAP - width(badge) / 2
            blocks.append(union((box, moved(badge, at_x, centre(first)[1]))))
        stack = stacked([head, *blocks], SUMMARY_GAP)
        if height(union(stack)) <= top - bottom:
            break
    stack = stacked([head, *blocks], SUMMARY_GAP)
    whole = union(stack)
    dx, dy = col_x - whole[0], top - whole[3]
    placed = [moved(b, dx, dy) for b in stack]
    return placed[0], placed[1:]


SUMMARY_GAP = 0.18  # between the summary's blocks
SUMMARY_BADGE_GAP = 0.18  # between a summary block's badge and its equation


def stacked(boxes: list[Box], gap: float) -> list[Box]:
    """Boxes one under another, `gap` apart, left-aligned to the first (VGroup.arrange(DOWN,
    aligned_edge=LEFT))."""
    out = [boxes[0]]
    for b in boxes[1:]:
        last = out[-1]
        out.append(moved(b, last[0] - b[0], last[1] - gap - b[3]))
    return out
