"""An equation set as text: “bank′ = 0.56·bank + 0.26·river + …”, its terms wrapped in
lines as wide as the panel column, the words left out as "+ …".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from manim import (
    VGroup,
)

from scenes.components import (
    StrutText,
    box_of,
)
from scenes.figure.equation import TermFit, line_shifts
from scenes.figure.equation import wrap_terms as wrap_by_ink
from scenes.figure.names import (
    Row,
)


class Equation(VGroup):
    """The lines of an equation (VGroups of StrutTexts); `terms`: the (row, weight) pairs it
    shows (a row: one token index, or a group's)."""

    terms: list[tuple[Row, float]]

    def __init__(self, lines: VGroup, terms: list[tuple[Row, float]]) -> None:
        super().__init__(*lines)
        self.terms = terms


class EquationTerms(TermFit[StrutText]):
    """The terms of an equation's right side as StrutTexts (scenes.figure.equation.TermFit:
    each built when first needed, as many as fit)."""

    def __init__(
        self, text: Callable[[str], StrutText], labels: list[str], keep_last: bool = False
    ) -> None:
        super().__init__(text, _ink_width, labels, keep_last)


def _ink_width(m: StrutText) -> float:
    return float(m.glyphs.width)


def wrap_terms(
    items: list[StrutText], width: float, max_lines: int
) -> list[list[StrutText]] | None:
    """items in lines of `width` (scenes.figure.equation.wrap_terms, by their ink)."""
    return wrap_by_ink(items, _ink_width, width, max_lines)


def set_lines(lines: list[list[StrutText]]) -> VGroup:
    """The lines of an equation set in place (scenes.figure.equation.line_shifts): a
    VGroup per line."""
    rows = VGroup()
    shifts = line_shifts(lines, lambda m: box_of(m.glyphs), lambda m: box_of(m.struts))
    for line, moves in zip(lines, shifts, strict=True):
        for m, (dx, dy) in zip(line, moves, strict=True):
            m.shift(np.array([dx, dy, 0]))
        rows.add(VGroup(*line))
    return rows
