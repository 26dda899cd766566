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
)
from scenes.figure.constants import (
    EQ_INDENT,
    EQ_SPACE,
)
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


class EquationTerms:
    """The terms of an equation's right side as StrutTexts, each built when first needed (a
    long sentence's equation shows only a few), and how many of them fit in a width.

    text: a StrutText of a string, in the equation's size and colour. labels: the terms'
    strings, in order ("0.56·bank", "+ 0.26·river", ...); with `keep_last`, the last one
    (the group's "+ 0.12·(5 more)") is always shown, after "+ …" when others are left out:
    every "N more" on screen counts the same words as the panel's row.
    """

    def __init__(
        self, text: Callable[[str], StrutText], labels: list[str], keep_last: bool = False
    ) -> None:
        self.text = text
        self.labels = labels[:-1] if keep_last else labels
        self.last = [text(labels[-1])] if keep_last else []
        self.built: list[StrutText] = []
        self.dots = text("+ …")

    def first(self, k: int) -> list[StrutText]:
        """The first k terms."""
        while len(self.built) < k:
            self.built.append(self.text(self.labels[len(self.built)]))
        return self.built[:k]

    def fit(
        self, first: list[StrutText], width: float, max_lines: int
    ) -> tuple[list[list[StrutText]], int]:
        """After `first`, as many terms as fit in max_lines lines of `width` (one at least),
        then "+ …" if some are left out, then the kept last term: the lines, and how many
        of the terms before it they show."""
        n = len(self.labels)

        def items(k: int) -> list[StrutText]:
            return [*first, *self.first(k), *([self.dots] if k < n else []), *self.last]

        shown = 1  # one term at least, even when it does not fit
        lines = wrap_terms(items(1), width, max_lines) or [items(1)]
        for k in range(2, n + 1):
            found = wrap_terms(items(k), width, max_lines)
            if found is None:
                break
            shown, lines = k, found
        return lines, shown


def wrap_terms(
    items: list[StrutText], width: float, max_lines: int
) -> list[list[StrutText]] | None:
    """items in lines of `width` (ink EQ_SPACE apart, lines after the first EQ_INDENT in);
    None when that takes more than max_lines lines or an item alone does not fit."""
    lines: list[list[StrutText]] = [[]]
    used = 0.0
    for m in items:
        ink = float(m.glyphs.width)
        room = width - (EQ_INDENT if len(lines) > 1 else 0.0)
        if lines[-1] and used + EQ_SPACE + ink > room:
            lines.append([])
            used = 0.0
            room = width - EQ_INDENT
        if not lines[-1] and ink > room:
            return None
        used += (EQ_SPACE if lines[-1] else 0.0) + ink
        lines[-1].append(m)
    return lines if len(lines) <= max_lines else None


def set_lines(lines: list[list[StrutText]]) -> VGroup:
    """The lines of an equation set in place: a VGroup per line, lines after the first
    indented by EQ_INDENT."""
    rows = VGroup()
    for li, line in enumerate(lines):
        x = EQ_INDENT if li else 0.0
        for m in line:  # ink to ink, one space apart (the struts are invisible)
            y = -li * (m.struts.height + 0.08) - m.struts.get_center()[1]
            m.shift(np.array([x - m.glyphs.get_left()[0], y, 0]))
            x = m.glyphs.get_right()[0] + EQ_SPACE
        rows.add(VGroup(*line))
    return rows
