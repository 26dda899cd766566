"""The whole layout, computed once before anything is drawn (scenes.figure.build), and its
check: the scene makes each mobject once, where the layout puts it."""

from __future__ import annotations

from manim import VMobject

from scenes.components import fitted
from scenes.drift.helpers import put_at
from scenes.drift.labels import LabelLayout
from scenes.figure.build import frame_edges, lay_out_figure
from scenes.figure.checks import frame_leader_problems
from scenes.figure.constants import GUTTER
from scenes.figure.model import Figure
from scenes.figure.panel import caption_text
from scenes.layout import Box, Item
from scenes.theme import SIZES


class DriftLayout(LabelLayout):
    """The layout in order: title, panels, header, summary, caption, plot; the items it
    checks (the figure model's)."""

    def build_layout(self) -> None:
        """The figure laid out without drawing (scenes.figure.build.lay_out_figure: the column,
        the plot in its rounds, the model), then its mobjects, each made once at its place."""
        plan = self.plan
        self.lay = lay_out_figure(plan)
        self.figure = self.lay.figure  # the layout as data: checked, drawn, exported
        self.label_cap = self.lay.label_cap
        self.multi = len(plan.sentences) > 1
        self.left, self.right, self.top, self.bottom = frame_edges()
        self.col_x = self.lay.column.col_x  # the panel column's left edge
        self.body_top = self.lay.column.body_top
        self.build_title()
        self.build_panels()
        self.build_header()
        self.build_summary()
        self.build_caption()
        self.build_plot()

    def build_caption(self) -> None:
        """What the plot shows, under it (its words cut to the plot's width)."""
        pal, box = self.pal, self.lay.column.caption
        self.caption = fitted(caption_text(self.plan), pal, size=SIZES.small, color=pal.muted,
                              max_width=self.col_x - GUTTER - self.left)  # fmt: skip
        put_at(self.caption, box)

    def build_plot(self) -> None:
        """The plot as the layout chose it (scenes.figure.plotmodel.PlotLayout): its view and
        mapping, the words' marks, the key, the vectors, the labels and leaders."""
        pl = self.lay.plot
        self.plot = pl
        self.numbered = dict(pl.numbered)  # point -> its number in the key's legend
        self.view()
        self.key = self.build_key()
        self.build_vectors()
        self.place_plot_labels()

    def figure_model(self) -> Figure:
        """The figure model the scene draws (scenes.figure.build.lay_out_figure)."""
        return self.figure

    def layout_items(self) -> list[Item]:
        """Everything on screen, for BeatScene.check_layout_items: the figure model's
        elements (texts with their sizes and the phase they show in, points, the origin,
        arrows and trails)."""
        return self.figure.items()

    def leader_problems(self) -> list[tuple[VMobject, str]]:
        """Each label whose leader line crosses, at a frame the check looks at, a drawn line
        (a static vector, an arrow, a trail), another leader, another label or another
        point, with what it crosses (scenes.figure.checks.frame_leader_problems, on the
        model)."""
        return [(self.label_named[n], what) for n, what in frame_leader_problems(self.figure)]

    def text_boxes(self) -> list[tuple[str, Box]]:
        """The texts of the last frame, with their boxes (the texts-only check)."""
        last = "summary" if self.multi else f"panel {len(self.plan.sentences)}"
        return [
            (it.name, it.box)
            for it in self.layout_items()
            if it.kind == "text" and it.phase in (None, last)
        ]
