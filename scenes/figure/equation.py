"""How an equation's terms are set (no drawing): “bank′ = 0.56·bank + 0.26·river + …”, as
many terms as fit in lines as wide as the panel column, the words left out as "+ …", each
line after the first indented. The rules take the terms as anything with an ink width and
box (a StrutText drawn by scenes.drift.equation, a StrutBox measured by scenes.figure.build).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from scenes.figure.constants import EQ_INDENT, EQ_LEADING, EQ_SPACE

T = TypeVar("T")
Box = tuple[float, float, float, float]


class TermFit(Generic[T]):
    """The terms of an equation's right side, each made when first needed (a long
    sentence's equation shows only a few), and how many of them fit in a width.

    text: a term of a string, in the equation's size. ink: a term's ink width. labels: the
    terms' strings, in order ("0.56·bank", "+ 0.26·river", ...); with `keep_last`, the last
    one (the group's "+ 0.12·(5 more)") is always shown, after "+ …" when others are left
    out: every "N more" on screen counts the same words as the panel's row.
    """

    def __init__(
        self,
        text: Callable[[str], T],
        ink: Callable[[T], float],
        labels: list[str],
        keep_last: bool = False,
    ) -> None:
        self.text, self.ink = text, ink
        self.labels = labels[:-1] if keep_last else labels
        self.last = [text(labels[-1])] if keep_last else []
        self.built: list[T] = []
        self.dots = text("+ …")

    def first(self, k: int) -> list[T]:
        """The first k terms."""
        while len(self.built) < k:
            self.built.append(self.text(self.labels[len(self.built)]))
        return self.built[:k]

    def fit(self, first: list[T], width: float, max_lines: int) -> tuple[list[list[T]], int]:
        """After `first`, as many terms as fit in max_lines lines of `width` (one at least),
        then "+ …" if some are left out, then the kept last term: the lines, and how many
        of the terms before it they show."""
        n = len(self.labels)

        def items(k: int) -> list[T]:
            return [*first, *self.first(k), *([self.dots] if k < n else []), *self.last]

        shown = 1  # one term at least, even when it does not fit
        lines = wrap_terms(items(1), self.ink, width, max_lines) or [items(1)]
        for k in range(2, n + 1):
            found = wrap_terms(items(k), self.ink, width, max_lines)
            if found is None:
                break
            shown, lines = k, found
        return lines, shown


def wrap_terms(
    items: list[T], ink: Callable[[T], float], width: float, max_lines: int
) -> list[list[T]] | None:
    """items in lines of `width` (ink EQ_SPACE apart, lines after the first EQ_INDENT in);
    None when that takes more than max_lines lines or an item alone does not fit."""
    lines: list[list[T]] = [[]]
    used = 0.0
    for m in items:
        w = ink(m)
        room = width - (EQ_INDENT if len(lines) > 1 else 0.0)
        if lines[-1] and used + EQ_SPACE + w > room:
            lines.append([])
            used = 0.0
            room = width - EQ_INDENT
        if not lines[-1] and w > room:
            return None
        used += (EQ_SPACE if lines[-1] else 0.0) + w
        lines[-1].append(m)
    return lines if len(lines) <= max_lines else None


def line_shifts(
    lines: list[list[T]], ink: Callable[[T], Box], struts: Callable[[T], Box]
) -> list[list[tuple[float, float]]]:
    """How far each term moves to be set: ink to ink EQ_SPACE apart, lines after the first
    EQ_INDENT in, each line's struts centred EQ_LEADING under the last's (the struts are
    invisible)."""
    out: list[list[tuple[float, float]]] = []
    for li, line in enumerate(lines):
        x = EQ_INDENT if li else 0.0
        out.append([])
        for m in line:
            s, g = struts(m), ink(m)
            y = -li * ((s[3] - s[1]) + EQ_LEADING) - (s[1] + s[3]) / 2
            dx = x - g[0]
            out[-1].append((dx, y))
            x = g[2] + dx + EQ_SPACE
    return out
