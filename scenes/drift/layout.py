"""The whole layout, computed once before anything is drawn, and its check."""

from __future__ import annotations

import numpy as np
from manim import (
    RIGHT,
    VGroup,
    VMobject,
)

from scenes.components import (
    fitted,
)
from scenes.drift.helpers import put_top_left
from scenes.drift.model import ModelLayout
from scenes.figure.build import BODY_GAP
from scenes.figure.checks import frame_leader_problems
from scenes.figure.constants import (
    FEW_WORD_LABELS,
    GUTTER,
    MARGIN,
    MAX_WORD_LABELS,
    PANEL_W,
)
from scenes.figure.labels import number_crossed_words
from scenes.figure.panel import caption_text
from scenes.figure.plotmodel import KEY_ABOVE, KEY_BESIDE, PLOT_GAP
from scenes.layout import (
    FRAME,
    Box,
    Item,
    check_items,
)
from scenes.theme import SIZES


class DriftLayout(ModelLayout):
    """The layout in order: title, panels, header, summary, plot; the items it checks."""

    def build_layout(self) -> None:
        plan = self.plan
        self.multi = len(plan.sentences) > 1
        self.left, self.right = FRAME[0] + MARGIN, FRAME[2] - MARGIN
        self.top, self.bottom = FRAME[3] - MARGIN, FRAME[1] + MARGIN
        self.col_x = self.right - PANEL_W  # the panel column's left edge
        self.build_title()
        self.build_panels()  # their height decides how much room the sentences get
        self.build_header()
        self.body_top = self.header.get_bottom()[1] - BODY_GAP
        self.place_panels()
        self.build_summary()
        if self.summary is not None:
            put_top_left(self.summary, self.col_x, self.body_top)
        self.label_cap = MAX_WORD_LABELS
        self.build_plot()
        clash = any("label" in p.what for p in check_items(self.layout_items()))
        if clash and len(self.word_labels) > FEW_WORD_LABELS:  # fewer names, placed apart
            self.label_cap = FEW_WORD_LABELS
            self.build_plot()

    def build_plot(self) -> None:
        pal = self.pal
        plot_right = self.col_x - GUTTER
        self.caption = fitted(
            caption_text(self.plan),
            pal,
            size=SIZES.small,
            color=pal.muted,
            max_width=plot_right - self.left,
        )
        self.caption.move_to(
            np.array([self.left + self.caption.width / 2, self.bottom + self.caption.height / 2, 0])
        )
        # A word label whose leader line would cross a line, a label or a point becomes a
        # number beside its point, named in the key's legend ("1 river"): short enough to
        # sit by the point with no leader.
        # (scenes.figure.labels.number_crossed_words: the rounds the figure builder takes too)
        self.numbered = number_crossed_words(  # point -> its number in the legend
            lambda numbered, strict: self.lay_out_with(plot_right, numbered, strict)
        )

    def lay_out_with(
        self, plot_right: float, numbered: dict[int, int], strict: bool
    ) -> tuple[int, list[int]]:
        """The plot laid out with these words numbered, strict placement or not: how many
        leader crossings the checked frames show, and the word labels' points whose leader
        crosses (or that the placement could not clear)."""
        self.numbered, self.strict_labels = numbered, strict
        self.lay_out_plot(plot_right)
        problems = self.leader_problems()
        crossing = {id(m) for m, _ in problems}
        bad = [
            j for j, m in self.word_labels.items() if id(m) in crossing or j in self.crossed_labels
        ]
        return len(problems), bad

    def lay_out_plot(self, plot_right: float) -> None:
        """The key, the plot's box and view, the vectors and the plot's labels."""
        self.key = VGroup()
        self.key_parts: list[VMobject] = []
        self.view(plot_right, self.caption.get_top()[1] + PLOT_GAP)
        self.key = self.build_key()
        room = plot_right - self.caption.get_right()[0] - KEY_BESIDE
        if len(self.key) == 1 and self.key.width <= room:  # on the caption's line
            self.key.next_to(self.caption, RIGHT, buff=KEY_BESIDE)
        else:  # on lines of their own above it: the plot gives up that room
            for _ in range(2):  # the new view may draw other marks: their key, once more
                put_top_left(
                    self.key, self.left, self.caption.get_top()[1] + KEY_ABOVE + self.key.height
                )
                height = self.key.height
                self.view(plot_right, self.key.get_top()[1] + PLOT_GAP)
                self.key = self.build_key()
                put_top_left(
                    self.key, self.left, self.caption.get_top()[1] + KEY_ABOVE + self.key.height
                )
                if self.key.height <= height + 1e-6:
                    break
        self.build_vectors()
        self.place_plot_labels()

    def layout_items(self) -> list[Item]:
        """Everything on screen, for BeatScene.check_layout_items: the figure model's
        elements (texts with their sizes and the phase they show in, points, the origin,
        arrows and trails)."""
        return self.figure_model().items()

    def leader_problems(self) -> list[tuple[VMobject, str]]:
        """Each label whose leader line crosses, at a frame the check looks at, a drawn line
        (a static vector, an arrow, a trail), another leader, another label or another
        point, with what it crosses (scenes.figure.checks.frame_leader_problems, on the
        model)."""
        by_name = {name: m for name, _, m, *_ in self.plot_labels()}
        return [(by_name[n], what) for n, what in frame_leader_problems(self.figure_model())]

    def text_boxes(self) -> list[tuple[str, Box]]:
        """The texts of the last frame, with their boxes (the texts-only check)."""
        last = "summary" if self.multi else f"panel {len(self.plan.sentences)}"
        return [
            (it.name, it.box)
            for it in self.layout_items()
            if it.kind == "text" and it.phase in (None, last)
        ]
