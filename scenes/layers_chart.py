"""LayerDriftScene's chart: the cosine per layer, right of the picture.

Its title, a readout of numbers that count (one per line, wrapped to the chart's width),
axes spanning the data with as many tick labels as fit, and one line per compared pair,
neutral when it compares two sentences. Every mark is registered with the scene's layout
check as it is made; the beats (scenes.layers) only animate them.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from manim import *

from attention_math.lecture_data import LayerView
from attention_math.plan import Plan
from scenes.components import Counter, StrutText, fmt
from scenes.layers_notes import line_name
from scenes.picture import (
    SMALL,
    X_RIGHT,
    LectureScene,
    at,
    number_template,
    place_right,
)

CHART_LEFT = 1.3  # the chart is right of this x, the picture left of it
SWATCH = 0.34  # length of a sentence's colour swatch


class LayerChart(LectureScene):
    """The chart of LayerDriftScene, built in its setup between body_top and body_bottom."""

    plan: Plan  # set by the pipeline, its NEEDS checked (scenes.job.check_needs)
    view: LayerView  # the plan's layer view
    n_layers: int
    body_top: float  # the chart's top (under the header)
    body_bottom: float  # its bottom (over the caption)

    def build_chart(self) -> None:
        """The cosine per layer: title, readout (numbers that count), axes spanning the data,
        one line per compared pair."""
        self.build_chart_title()
        self.build_readout()
        self.build_axes()
        # the lines, one segment per layer
        self.chart_lines: list[list[Line]] = []
        self.chart_dots: list[list[Dot]] = []
        for k, (a, b, vals) in enumerate(self.view.lines):
            pts = [np.array([self.chart_x(i), self.chart_y(v), 0]) for i, v in enumerate(vals)]
            segs, dots = self.dotted_path(
                pts, self.line_color(a, b), f"chart line {k}", f"chart dot {k}"
            )
            self.chart_lines.append(segs)
            self.chart_dots.append(dots)

    def build_chart_title(self) -> None:
        title = {
            1: "cosine with layer 0, per layer",
            2: f"cosine of the two “{self.plan.target}”s, per layer",
        }.get(len(self.plan.sentences), "cosine with (1), per layer")
        self.chart_title = self.text("chart title", title, SMALL, max_width=X_RIGHT - CHART_LEFT)
        self.chart_title.move_to(
            at(CHART_LEFT + self.chart_title.width / 2, self.body_top - self.chart_title.height / 2)
        )

    def build_readout(self) -> None:
        """Under the chart title, "layer 0" and one number per line, wrapped to the chart's
        width; with more than one line each number has its line's colour as a swatch."""
        view, x0 = self.view, CHART_LEFT
        y = self.chart_title.get_bottom()[1] - 0.3
        self.layer_word = self.text("readout layer", "layer", SMALL, muted=True)
        self.layer_word.move_to(at(x0 + self.layer_word.width / 2, y))
        self.layer_count = self.counter("readout layer number", 0, "0", digits=0)
        place_right(self.layer_count, self.layer_word.get_right()[0] + 0.3, y)
        x = self.layer_count.get_right()[0] + 0.45
        self.readouts: list[Counter] = []
        all_values = [v for _, _, vals in view.lines for v in vals]
        template = number_template(all_values)
        self.swatches = VGroup()  # more than one line: each readout with its line's colour
        for k, (a, b, vals) in enumerate(view.lines):
            short = "cosine" if len(view.lines) == 1 else line_name(self.plan, a, b)
            name = self.text(f"readout name {k}", short, SMALL, muted=True)
            sw = SWATCH + 0.1 if len(view.lines) > 1 else 0.0
            if x + sw + name.width + 0.9 > X_RIGHT and k:
                x, y = x0, y - 0.4
            if sw:
                line = Line(
                    at(x, y), at(x + SWATCH, y), stroke_width=6, color=self.line_color(a, b)
                )
                self.swatches.add(self.add_mark(f"readout swatch {k}", line))
            name.move_to(at(x + sw + name.width / 2, y))
            c = self.counter(f"readout {k}", vals[0], template)
            place_right(c, name.get_right()[0] + 0.15 + c.width, y)
            self.readouts.append(c)
            x = c.get_right()[0] + 0.4
        self.readout_bottom = y - 0.25

    def build_axes(self) -> None:
        """The axes under the readout: a grid line and a label per cosine tick (as many
        labels as fit), the layer numbers under the x axis, its name under them."""
        view = self.view
        tick_labels = [self.text(f"tick {fmt(t)}", fmt(t), SMALL, muted=True) for t in view.ticks]
        label_w = max(m.width for m in tick_labels)
        self.ax_left = CHART_LEFT + label_w + 0.15
        self.ax_right = X_RIGHT - 0.2
        xl = self.text("axis layer", "layer", SMALL, muted=True)
        xl.move_to(at((self.ax_left + self.ax_right) / 2, self.body_bottom + xl.height / 2))
        layer_ticks = [
            self.text(f"layer tick {i}", str(i), SMALL, muted=True)
            for i in range(self.n_layers + 1)
        ]
        self.ax_bottom = xl.get_top()[1] + 0.15 + layer_ticks[0].height + 0.12
        self.ax_top = self.readout_bottom - 0.2
        tick_labels = self.place_tick_labels(tick_labels)
        for i, m in enumerate(layer_ticks):
            m.move_to(at(self.chart_x(i), self.ax_bottom - 0.12 - m.height / 2))
        grid = self.grid_lines()
        axis = Line(
            at(self.ax_left, self.ax_bottom),
            at(self.ax_right, self.ax_bottom),
            stroke_width=2,
            color=self.pal.muted,
        )
        self.add_segment(
            "x axis", (self.ax_left, self.ax_bottom), (self.ax_right, self.ax_bottom), 2
        )
        self.chart_axes = VGroup(grid, axis, *tick_labels, *layer_ticks, xl)
        lo, hi = view.axis
        assert lo < hi

    def place_tick_labels(self, tick_labels: list[StrutText]) -> list[StrutText]:
        """Each cosine tick's label left of the axis; returns the ones drawn (the others
        leave the registry)."""
        ticks, ys = self.view.ticks, self.chart_y
        # every tick has a grid line; labels on as many as fit (the first and last always)
        gap = ys(ticks[1]) - ys(ticks[0]) if len(ticks) > 1 else 1.0
        stride = max(1, math.ceil((tick_labels[0].height + 0.06) / gap))
        keep = kept_ticks(len(ticks) - 1, stride)
        for k, (t, m) in enumerate(zip(ticks, tick_labels, strict=True)):
            m.move_to(at(self.ax_left - 0.15 - m.width / 2, ys(t)))
            if k not in keep:
                self.registry = [e for e in self.registry if e.mob is not m]
        return [m for k, m in enumerate(tick_labels) if k in keep]

    def grid_lines(self) -> VGroup:
        """A faint line across the chart at every cosine tick."""
        grid = VGroup()
        for t in self.view.ticks:
            y = self.chart_y(t)
            grid.add(
                Line(
                    at(self.ax_left, y),
                    at(self.ax_right, y),
                    stroke_width=1,
                    color=self.pal.faint,
                )
            )
            self.add_segment(f"grid {fmt(t)}", (self.ax_left, y), (self.ax_right, y), 1)
        return grid

    def dotted_path(
        self, pts: list[np.ndarray], color: str, line_name: str, dot_name: str
    ) -> tuple[list[Line], list[Dot]]:
        """A line through the points, one registered segment per layer ("{line_name} layer
        i", from 1), and a registered dot at every layer's point ("{dot_name} layer i")."""
        segs = []
        for i, (p, q) in enumerate(itertools.pairwise(pts)):
            segs.append(Line(p, q, stroke_width=4, color=color))
            self.add_segment(f"{line_name} layer {i + 1}", p, q, 4)
        dots = [
            self.add_dot(f"{dot_name} layer {i}", Dot(p, radius=0.06, color=color))
            for i, p in enumerate(pts)
        ]
        return segs, dots

    def chart_x(self, layer: int) -> float:
        return self.ax_left + 0.2 + (self.ax_right - self.ax_left - 0.4) * layer / self.n_layers

    def chart_y(self, v: float) -> float:
        lo, hi = self.view.axis
        return self.ax_bottom + 0.15 + (self.ax_top - self.ax_bottom - 0.15) * (v - lo) / (hi - lo)

    def line_color(self, a: int, b: int) -> str:
        """Neutral when the line compares two sentences; with more than one compared
        sentence, the compared one's colour (its readout has a swatch of it)."""
        n = len(self.plan.sentences)
        if a == b:
            return self.pal.color(a)
        return self.pal.text if n == 2 else self.pal.color(b)


def kept_ticks(last: int, stride: int) -> list[int]:
    """The tick labels drawn (indices up to `last`): every `stride`-th from the first, and the
    top one always (the one under it goes if too close)."""
    keep = list(range(0, last + 1, stride))
    if keep[-1] != last:
        keep[-1:] = [last] if len(keep) > 1 and last - keep[-1] < stride else [keep[-1], last]
    return keep
