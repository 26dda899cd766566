"""The header: the title and each sentence as chips, drawn where the figure's layout puts
them (scenes.figure.sentences: which chips show, at which size, the "…" of elided words)."""

from __future__ import annotations

from manim import VGroup, VMobject

from scenes.components import Badge, TokenChip, label
from scenes.drift.helpers import put_at
from scenes.drift.panels import PanelLayout
from scenes.figure.chips import chip_role
from scenes.figure.sentences import SentenceRow
from scenes.theme import SIZES


class HeaderLayout(PanelLayout):
    """The title and the sentences as chips."""

    def build_title(self) -> None:
        text, box = self.lay.column.title
        self.title = label(text, self.pal, size=SIZES.title)
        put_at(self.title, box)

    def build_header(self) -> None:
        """Each sentence's row: its badge (compared), its chips at the layout's size, a "…"
        where words are elided."""
        self.chips: list[dict[int, TokenChip]] = []
        self.sentence_rows: list[VGroup] = []
        self.badges: list[Badge] = []
        self.fillers: list[TokenChip] = []  # "…" where words are elided
        for si, row in enumerate(self.lay.column.sentences):
            group, chips = self.sentence_row(si, row)
            self.chips.append(chips)
            self.sentence_rows.append(group)
        self.header = VGroup(*self.sentence_rows)

    def sentence_row(self, si: int, row: SentenceRow) -> tuple[VGroup, dict[int, TokenChip]]:
        """Sentence si's chips (and "…"), each made at the body size, scaled to the row's size
        and put at its box."""
        pal, s = self.pal, self.plan.sentences[si]
        width = self.lay.column.header_room
        scale = row.size / SIZES.body
        chips: dict[int, TokenChip] = {}
        items: list[VMobject] = []
        for i, box in row.chips:
            if i is None:
                chip = TokenChip("…", pal, role="excluded", size=SIZES.body)
                self.fillers.append(chip)
            else:
                chip = TokenChip(s.words[i].text, pal, role=chip_role(s, i),
                                 color=pal.color(si), size=SIZES.body, max_width=width)  # fmt: skip
                chips[i] = chip
            if scale != 1.0:
                chip.scale(scale)
            items.append(put_at(chip, box))
        group = VGroup(*items)
        if row.badge is not None:
            badge = put_at(self.badge(si), row.badge)
            self.badges.append(badge)
            group = VGroup(badge, group)
        return group, chips
