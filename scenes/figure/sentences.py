"""The figure's header as data (no drawing): the title and each sentence as chips, wrapped
and, when long, elided (scenes.figure.chips), with a compared sentence's badge; boxes
measured (scenes.figure.widgets) and placed as scenes.drift.header places its mobjects.
"""

from __future__ import annotations

from dataclasses import dataclass

from attention_math.plan import Sentence
from scenes.figure.chips import ChipFit, chip_order, chip_role, elided, rows_in_height
from scenes.figure.constants import CHIP_BUFF
from scenes.figure.panel import word_rows
from scenes.figure.widgets import (
    Box,
    badge_box,
    centre,
    chip_box,
    chip_weight,
    height,
    moved,
    strut_text,
    union,
    width,
    wrap,
)
from scenes.theme import SIZES

CHIP_ROW_GAP = 0.1  # between a sentence's rows of chips
BADGE_GAP = 0.2  # between a sentence's badge and its first row
BADGE_W = 0.55  # what a badge takes of the header's width
SENTENCE_GAP = 0.14  # between sentences


@dataclass
class SentenceRow:
    """A sentence's chips (token index -> box; None: a "…"), in order, its badge, each
    chip's text (as shown: a long word cut) and the chips' font size."""

    chips: list[tuple[int | None, Box]]
    badge: Box | None
    texts: dict[int, str]
    size: float

    @property
    def box(self) -> Box:
        boxes = [b for _, b in self.chips] + ([self.badge] if self.badge is not None else [])
        return union(boxes)

    def moved(self, dx: float, dy: float) -> SentenceRow:
        badge = None if self.badge is None else moved(self.badge, dx, dy)
        chips = [(i, moved(b, dx, dy)) for i, b in self.chips]
        return SentenceRow(chips, badge, self.texts, self.size)


def scaled(box: Box, k: float) -> Box:
    """A box scaled by k about its centre."""
    cx, cy = centre(box)
    w, h = width(box) * k / 2, height(box) * k / 2
    return (cx - w, cy - h, cx + w, cy + h)


def sentence_row(
    s: Sentence, si: int, n: int, room: float, max_h: float, badge: bool
) -> SentenceRow:
    """Sentence s as chips in rows `room` wide (HeaderLayout.sentence_row): all of them at
    the body size (the small size with three sentences or more), else at the small size;
    else the target and the words with a panel row as long as they fit, then the nearest
    words; each run of the others one "…"."""
    words = {
        i: strut_text(s.words[i].text, SIZES.body, chip_weight(chip_role(s, i)), room)
        for i in chip_order(s)
    }
    chips = {i: chip_box(w) for i, w in words.items()}
    dots = chip_box(strut_text("…", SIZES.body))
    fit = ChipFit(
        tuple(chips),
        lambda i, k: width(dots if i is None else chips[i]) * k,
        room,
        CHIP_BUFF,
        lambda k: rows_in_height(max_h, height(dots) * k, CHIP_ROW_GAP),
    )
    sizes = (1.0, SIZES.small / SIZES.body) if n <= 2 else (SIZES.small / SIZES.body,)
    keep = [i for i in word_rows(s) if i in chips]
    shown, k = fit.choose(sizes, s.target_index, keep)
    items = [(i, dots if i is None else chips[i]) for i in elided(list(chips), shown)]
    if k != 1.0:
        items = [(i, scaled(b, k)) for i, b in items]
    rows = chip_rows(items, room)
    placed = [c for row in rows for c in row]
    texts = {i: words[i].text for i in shown}
    if not badge:
        return SentenceRow(placed, None, texts, SIZES.body * k)
    first = union(b for _, b in rows[0])
    disc = badge_box(si + 1, SIZES.small)
    at = (first[0] - BADGE_GAP - disc[2], centre(first)[1] - centre(disc)[1])
    return SentenceRow(placed, moved(disc, *at), texts, SIZES.body * k)


Chip = tuple[int | None, Box]


def chip_rows(items: list[Chip], room: float) -> list[list[Chip]]:
    """Chips left to right CHIP_BUFF apart, centres on a line, wrapped into rows `room`
    wide, rows CHIP_ROW_GAP apart and left-aligned (scenes.components.chip_rows)."""
    out: list[list[Chip]] = []
    top = 0.0
    for row in wrap([width(b) for _, b in items], room, CHIP_BUFF):
        h = max(height(items[j][1]) for j in row) if row else 0.0
        x, cy = 0.0, top - h / 2
        out.append([])
        for j in row:
            i, b = items[j]
            out[-1].append((i, moved(b, x - b[0], cy - centre(b)[1])))
            x += width(b) + CHIP_BUFF
        top -= h + CHIP_ROW_GAP
    return out
