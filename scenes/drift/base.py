"""The drift scene's state, shared by its layout parts: the plan, the figure's layout
(scenes.figure.build.FigureLayout, computed once without drawing) and the mobjects made
from it (declared here, made by the parts in scenes.drift.panels ... scenes.drift.layout).
"""

from __future__ import annotations

import numpy as np
from manim import (
    Line,
    Text,
    VGroup,
    VMobject,
)

from attention_math.plan import Plan
from scenes.beats import BeatScene
from scenes.components import (
    Badge,
    OriginMark,
    TokenChip,
    VectorArrow,
    WeightBars,
)
from scenes.drift.equation import Equation
from scenes.figure.build import FigureLayout
from scenes.figure.mapping import Mapping
from scenes.figure.model import Figure
from scenes.figure.plot import PlotGeometry
from scenes.figure.plotmodel import PlotLayout
from scenes.layout import (
    Box,
)
from scenes.theme import SIZES


class DriftBase(BeatScene):
    """What every part of the drift figure reads: the plan, the palette and the mobjects
    built by the layout."""

    plan: Plan  # set by the pipeline (or ATTENTION_DRIFT_PLAN for `manim`); load_plan() checks
    theme: str = "dark"
    # the layout the scene drew, per beat, written there as JSON (STEM.figure.json: the HTML
    # page's highlights and chapters read it); None: not written
    figure_file: str | None = None

    # set by build_layout (the layout mixins below), read by the beats
    lay: FigureLayout  # where everything goes (scenes.figure.build.lay_out_figure)
    figure: Figure  # its model: checked, drawn, exported
    plot: PlotLayout  # the plot's layout (view, mapping, marks, key, labels, leaders)
    multi: bool
    left: float
    right: float
    top: float
    bottom: float
    col_x: float
    body_top: float
    title: VMobject
    header: VGroup
    panels: list[VGroup]
    panel_titles: list[VMobject]
    scale_lines: list[list[Text]]
    bars: list[WeightBars]
    equations: list[Equation]
    chips: list[dict[int, TokenChip]]
    sentence_rows: list[VGroup]
    badges: list[Badge]
    fillers: list[TokenChip]
    summary: VGroup | None
    summary_equations: list[VMobject]
    label_cap: int
    caption: VMobject
    numbered: dict[int, int]
    key: VGroup
    key_parts: list[VMobject]
    plot_box: Box
    geometry: PlotGeometry
    map: Mapping
    origin: np.ndarray
    points: list[dict]
    point_of: dict[tuple[int, int], int]
    dots: list[VMobject]
    origin_mark: OriginMark  # the only one, or the first panel's (origin_marks)
    origin_marks: list[OriginMark]
    panel_frames: list[VMobject]  # small multiples: each panel's frame and badge
    panel_badges: list[Badge]
    together: list[VMobject]  # small multiples: the outputs together (none without)
    together_frame: VMobject
    together_title: Text
    together_origin: OriginMark
    together_statics: list[VectorArrow]
    together_arrows: list[VectorArrow]
    together_badges: list[Badge]
    start_points: list[np.ndarray]
    shared_start: bool
    static_arrows: list[VectorArrow]
    arrows: list[VectorArrow]
    trails: list[list[VGroup]]
    label_badges: list[Badge]
    start_labels: list[VMobject]
    end_labels: list[VMobject]
    word_labels: dict[int, Text]
    leader_of: dict[int, Line]
    label_named: dict[str, VMobject]
    end_leaders: list[Line | None]
    leaders: VGroup
    rings: dict[tuple[int, int], VMobject]
    connectors: list[VMobject]

    def badge(self, si: int) -> Badge:
        """Sentence si's numbered badge, in its colour."""
        return Badge(si + 1, self.pal, color=self.pal.color(si), size=SIZES.small)
