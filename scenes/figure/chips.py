"""A sentence as chips: each word's role, and which chips fit in the room (no drawing).

One rule for every scene that shows a sentence as chips (the drift figure's header, the
lecture pictures' sentence): all the chips at the first size that fits; else, at the last
size, the target and the words that matter (a panel row, a term), as many of them as fit,
then the words nearest them as room allows; each run of the others one "…" chip. The chips'
widths come from the caller (measured however it draws them), so the rule needs no drawing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from attention_math.plan import Sentence
from scenes.figure.widgets import wrap


def chip_role(s: Sentence, index: int) -> str:
    """A word's chip role: "target", "context" (takes part) or "excluded" (a stop-word,
    punctuation, the other occurrence of the target ...)."""
    if index == s.target_index:
        return "target"
    return "context" if s.words[index].included else "excluded"


def chip_order(s: Sentence) -> list[int]:
    """The words that get a chip, in sentence order ([CLS]/[SEP] get a bar, not a chip)."""
    return [w.index for w in s.words if w.reason != "special"]


def elided(order: Sequence[int], shown: set[int]) -> list[int | None]:
    """The tokens of `order` that are shown, each run of the others as one None ("…")."""
    out: list[int | None] = []
    for i in order:
        if i in shown:
            out.append(i)
        elif not out or out[-1] is not None:
            out.append(None)
    return out


def wrapped_rows(widths: Iterable[float], max_width: float, gap: float) -> int:
    """How many rows items of these widths take, `gap` apart, wrapped at max_width (as
    `scenes.components.chip_rows` wraps them)."""
    return len(wrap(list(widths), max_width, gap))


@dataclass(frozen=True)
class ChipFit:
    """Which of a sentence's chips fit in rows `max_width` wide, `gap` apart.

    order: the chips' token indices in sentence order. width(i, size): chip i's width at a
    size (a font size or a scale: the caller's unit); i None: the "…" chip's. max_rows(size):
    how many rows the room holds at that size.
    """

    order: tuple[int, ...]
    width: Callable[[int | None, float], float]
    max_width: float
    gap: float
    max_rows: Callable[[float], int]

    def rows(self, shown: set[int], size: float) -> int:
        """How many rows the shown chips (and a "…" chip per run of the others) take."""
        widths = (self.width(i, size) for i in elided(self.order, shown))
        return wrapped_rows(widths, self.max_width, self.gap)

    def fits(self, shown: set[int], size: float) -> bool:
        return self.rows(shown, size) <= self.max_rows(size)

    def choose(
        self, sizes: Sequence[float], target: int, keep: Sequence[int] = ()
    ) -> tuple[set[int], float]:
        """The chips shown and their size: all of them at the first of `sizes` that fits;
        else at the last size the target and the `keep` words (in order) as long as they
        fit, then the words nearest them as room allows."""
        shown = set(self.order)
        for size in sizes:
            if self.fits(shown, size):
                return shown, size
        size = sizes[-1]
        kept = [target, *(i for i in keep if i in shown and i != target)]
        while len(kept) > 1 and not self.fits(set(kept), size):
            kept.pop()
        shown = set(kept)
        rest = sorted(
            (i for i in self.order if i not in shown),
            key=lambda i: (min(abs(i - j) for j in kept), i),
        )
        for i in rest:  # the nearest words around them, as room allows
            if self.fits(shown | {i}, size):
                shown.add(i)
        return shown, size


def rows_in_height(max_h: float, row_h: float, row_gap: float) -> int:
    """How many rows `row_h` tall, `row_gap` apart, a height max_h holds (0: not one)."""
    n = 0
    while (n + 1) * row_h + n * row_gap <= max_h + 1e-6:
        n += 1
    return n
