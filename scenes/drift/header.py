"""The header: the title and each sentence as chips, wrapped and, when long, elided."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    VGroup,
    VMobject,
)

from attention_math.plan import Sentence
from scenes.components import (
    Badge,
    TokenChip,
    chip_rows,
    fitted,
)
from scenes.drift.helpers import put_top_left
from scenes.drift.panels import PanelLayout
from scenes.figure.build import BODY_GAP, BODY_MIN, TITLE_GAP
from scenes.figure.chips import ChipFit, chip_role, elided, rows_in_height
from scenes.figure.column import EQ_GAP
from scenes.figure.constants import (
    CHIP_BUFF,
    ROW_H,
)
from scenes.figure.panel import title_text
from scenes.figure.sentences import BADGE_GAP, BADGE_W, CHIP_ROW_GAP, SENTENCE_GAP
from scenes.theme import SIZES


class HeaderLayout(PanelLayout):
    """The title and the sentences as chips."""

    def build_title(self) -> None:
        pal = self.pal
        self.title = fitted(
            title_text(self.plan),
            pal,
            size=SIZES.title,
            max_width=self.right - self.left,
        )
        put_top_left(self.title, self.left, self.top)

    def build_header(self) -> None:
        plan = self.plan
        n = len(plan.sentences)
        badge_w = BADGE_W if self.multi else 0.0
        width = self.right - self.left - badge_w
        panel_need = max(
            self.panel_height(si, ROW_H[0]) + EQ_GAP + self.equations[si].height for si in range(n)
        )
        body_min = max(panel_need, BODY_MIN)
        room = self.title.get_bottom()[1] - TITLE_GAP - (self.bottom + body_min + BODY_GAP)
        per_sentence = (room - SENTENCE_GAP * (n - 1)) / n
        self.chips: list[dict[int, TokenChip]] = []
        self.sentence_rows: list[VGroup] = []
        self.badges: list[Badge] = []
        self.fillers: list[TokenChip] = []  # "…" where words are elided
        for si, s in enumerate(plan.sentences):
            row, chips = self.sentence_row(si, s, width, per_sentence)
            self.chips.append(chips)
            self.sentence_rows.append(row)
        header = VGroup(*self.sentence_rows).arrange(DOWN, buff=SENTENCE_GAP, aligned_edge=LEFT)
        header.move_to(np.array([self.left + header.width / 2, 0, 0]))
        header.shift(np.array([0, self.title.get_bottom()[1] - TITLE_GAP - header.get_top()[1], 0]))
        self.header = header

    def sentence_row(
        self, si: int, s: Sentence, width: float, max_h: float
    ) -> tuple[VGroup, dict[int, TokenChip]]:
        """A sentence as chips, wrapped. If it needs more room than max_h: the chips at the
        small size, then words elided with "…" (shown_chips)."""
        pal = self.pal
        chips = self.sentence_chips(si, s, width)
        dots = TokenChip("…", pal, role="excluded", size=SIZES.body)
        shown, scale = self.shown_chips(si, chips, dots, width, max_h)
        items: list[VMobject] = []
        for i in elided(list(chips), shown):
            if i is None:
                filler = TokenChip("…", pal, role="excluded", size=SIZES.body)
                items.append(filler)
                self.fillers.append(filler)
            else:
                items.append(chips[i])
        if scale != 1.0:
            for m in items:
                m.scale(scale)
        group = chip_rows(
            items, max_width=width, buff=CHIP_BUFF, row_buff=CHIP_ROW_GAP, aligned_edge=LEFT
        )
        if self.multi:
            badge = self.badge(si)
            badge.next_to(group[0], LEFT, buff=BADGE_GAP)
            group = VGroup(badge, group)
            self.badges.append(badge)
        return group, {i: chip for i, chip in chips.items() if i in shown}

    def sentence_chips(self, si: int, s: Sentence, width: float) -> dict[int, TokenChip]:
        """A chip per word of sentence si, by token index, in the sentence's colour."""
        return {
            w.index: TokenChip(
                w.text, self.pal, role=chip_role(s, w.index), color=self.pal.color(si),
                size=SIZES.body, max_width=width,
            )
            for w in s.words
            if w.reason != "special"  # [CLS]/[SEP] get a bar, not a chip
        }  # fmt: skip

    def shown_chips(
        self, si: int, chips: dict[int, TokenChip], dots: TokenChip, width: float, max_h: float
    ) -> tuple[set[int], float]:
        """Which chips of sentence si fit in rows `width` wide and max_h high, and their
        scale (scenes.figure.chips.ChipFit): all of them at the body size (the small size
        with three sentences or more), else at the small size; else the target and the
        words with a panel row as long as they fit, then the words nearest them."""
        small = SIZES.small / SIZES.body
        fit = ChipFit(
            tuple(chips),
            lambda i, scale: (dots if i is None else chips[i]).width * scale,
            width,
            CHIP_BUFF,
            lambda scale: rows_in_height(max_h, dots.height * scale, CHIP_ROW_GAP),
        )
        sizes = (1.0, small) if len(self.plan.sentences) <= 2 else (small,)
        keep = [i for i in self.word_rows(si) if i in chips]
        return fit.choose(sizes, self.plan.sentences[si].target_index, keep)
