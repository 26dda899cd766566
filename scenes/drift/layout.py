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
from scenes.figure.checks import frame_leader_problems
from scenes.figure.constants import (
    FEW_WORD_LABELS,
    GUTTER,
    MARGIN,
    MAX_NUMBERED,
    MAX_WORD_LABELS,
    NUMBERING_ROUNDS,
    PANEL_W,
)
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
        self.body_top = self.header.get_bottom()[1] - 0.3
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
        plan, pal = self.plan, self.pal
        ev = plan.projection.explained_variance_ratio
        plot_right = self.col_x - GUTTER
        self.caption = fitted(
            f"PCA of {plan.embedding.dim}-d {self.source_name()} "
            f"(PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%})",
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
        self.numbered: dict[int, int] = {}  # point -> its number in the legend
        for round_ in range(NUMBERING_ROUNDS):
            crossing = {id(m) for m, _ in self.lay_out_least_crossed(plot_right)}
            bad = [
                j
                for j, m in self.word_labels.items()
                if (id(m) in crossing or j in self.crossed_labels) and j not in self.numbered
            ][: MAX_NUMBERED - len(self.numbered)]
            if not bad or round_ == NUMBERING_ROUNDS - 1:
                break
            for j in bad:
                self.numbered[j] = len(self.numbered) + 1

    def lay_out_least_crossed(self, plot_right: float) -> list[tuple[VMobject, str]]:
        """The plot laid out with strict label placement (no leader across any line of any
        frame), or where that leaves a leader crossing, with the plain one (fewest lines
        crossed) if its leaders cross less at the frames the check looks at. Returns the
        crossings left."""
        found: dict[bool, list[tuple[VMobject, str]]] = {}
        for strict in (True, False):
            self.strict_labels = strict
            self.lay_out_plot(plot_right)
            found[strict] = self.leader_problems()
            if not found[strict]:
                return []
        if len(found[True]) < len(found[False]):
            self.strict_labels = True
            self.lay_out_plot(plot_right)
            return self.leader_problems()
        return found[False]

    def lay_out_plot(self, plot_right: float) -> None:
        """The key, the plot's box and view, the vectors and the plot's labels."""
        self.key = VGroup()
        self.key_parts: list[VMobject] = []
        self.view(plot_right, self.caption.get_top()[1] + 0.15)
        self.key = self.build_key()
        room = plot_right - self.caption.get_right()[0] - 0.4
        if len(self.key) == 1 and self.key.width <= room:  # on the caption's line
            self.key.next_to(self.caption, RIGHT, buff=0.4)
        else:  # on lines of their own above it: the plot gives up that room
            for _ in range(2):  # the new view may draw other marks: their key, once more
                put_top_left(self.key, self.left, self.caption.get_top()[1] + 0.1 + self.key.height)
                height = self.key.height
                self.view(plot_right, self.key.get_top()[1] + 0.15)
                self.key = self.build_key()
                put_top_left(self.key, self.left, self.caption.get_top()[1] + 0.1 + self.key.height)
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
