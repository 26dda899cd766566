"""LayerDriftScene: the target's hidden state after each layer of the real model, one path per
sentence, next to the cosine per layer; the picture agrees with the numbers.

The picture (`attention_math.lecture.layer_view`): each layer's *direction* of the target's
hidden state (a unit vector), in a plane chosen so that the split the cosines state is seen:
with two sentences, across is the difference of their last-layer directions, so the two end
points are exactly as far apart as in the full space (√(2 − 2·cos)); up is the change the
layers make to both. The chart: the cosine per layer on an axis that spans the data, in a
neutral colour when it compares sentences.

Beats: the sentences at layer 0 (the embedding output); one beat per layer (the paths grow,
the chart extends, the numbers count); the summary.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from manim import *

from attention_math.lecture_data import LayerView
from attention_math.plan import Plan, SentenceModel
from scenes.components import Counter, CountTo, Fade, StrutText, fmt
from scenes.layout import Box
from scenes.picture import (
    SMALL,
    WIDTH,
    X_LEFT,
    X_RIGHT,
    Y_BOTTOM,
    LectureScene,
    at,
    number_template,
    picture_mapping,
    place_point_labels,
    place_right,
)

CHART_LEFT = 1.3  # the chart is right of this x, the picture left of it
SWATCH = 0.34  # length of a sentence's colour swatch


class LayerDriftScene(LectureScene):
    """The target's path through the layers, for one sentence or several."""

    plan: Plan  # set by the pipeline; load_plan() checks it

    def setup(self) -> None:
        self.load_plan()  # plan, palette, background (scenes.beats.BeatScene)
        plan = self.plan
        if plan.model is None or plan.lecture is None or plan.lecture.layers is None:
            raise ValueError(
                "LayerDriftScene needs a model-mode plan with its layer view: "
                "attention-drift render --mode model --scene LayerDriftScene"
            )
        self.view: LayerView = plan.lecture.layers
        self.n_layers = plan.model.n_layers
        self.start_registry()
        self.build_header()
        self.build_caption()
        self.build_chart()
        self.build_picture()
        self.check()

    def construct(self) -> None:
        self.show_start()
        self.beat(self.notes(0), caption=self.caption_of(0))
        for layer in range(1, self.n_layers + 1):
            self.show_layer(layer)
            self.beat(self.notes(layer), caption=self.caption_of(layer))
        self.wait(1.5)
        self.beat(self.notes(self.n_layers, summary=True), caption=self.caption_of(None))

    # ---- numbers and words -----------------------------------------------------------------
    def sentence_models(self) -> list[SentenceModel]:
        return [s.model for s in self.plan.sentences if s.model is not None]

    def line_name(self, a: int, b: int) -> str:
        if a == b:
            return "cosine with layer 0"
        return "cosine" if len(self.plan.sentences) == 2 else f"({a + 1}) · ({b + 1})"

    def notes(self, layer: int, summary: bool = False) -> str:
        parts = [f"{self.line_name(a, b)} {fmt(vals[layer])}" for a, b, vals in self.view.lines]
        head = f"layer 0 → {layer}" if summary else f"layer {layer}"
        if summary:
            parts = [
                f"{self.line_name(a, b)} {fmt(vals[0])} → {fmt(vals[layer])}"
                for a, b, vals in self.view.lines
            ]
        return f"{head}: " + "; ".join(parts)

    def caption_of(self, layer: int | None) -> str:
        t, n = self.plan.target, len(self.plan.sentences)
        lines = self.view.lines
        if layer is None:
            if n == 1:
                v = lines[0][2]
                return (
                    f"Through {self.n_layers} layers “{t}” turns away from its layer-0 direction "
                    f"(cosine {fmt(v[-1])})"
                )
            ends = ", ".join(f"({b + 1}) {fmt(v[-1])}" for _, b, v in lines)
            return f"Layer 0 → {self.n_layers}: the “{t}”s split; cosine with (1): {ends}"
        if layer == 0:
            if n == 1:
                return f"Layer 0, the embedding output: “{t}” before any attention"
            v0 = ", ".join(fmt(v[0]) for _, _, v in lines)
            return f"Layer 0, the embedding output: the “{t}”s point the same way (cosine {v0})"
        if n == 1:
            return f"Layer {layer}: cosine {fmt(lines[0][2][layer])} with layer 0"
        vals = ", ".join(f"({b + 1}) {fmt(v[layer])}" for _, b, v in lines)
        return f"Layer {layer}: cosine of each “{t}” with (1): {vals}"

    # ---- layout --------------------------------------------------------------------------
    def build_header(self) -> None:
        plan, pal = self.plan, self.pal
        m = plan.model
        assert m is not None
        self.title = self.title_text(f"“{plan.target}” through the {m.n_layers} layers of {m.name}")
        y = self.title.get_bottom()[1] - 0.16
        self.rows = VGroup()
        for si, s in enumerate(plan.sentences):
            swatch = Line(ORIGIN, RIGHT * SWATCH, stroke_width=8, color=pal.color(si))
            text = self.text(
                f"sentence {si + 1}", f"({si + 1}) {s.text}", SMALL, max_width=WIDTH - SWATCH - 0.15
            )
            text.move_to(at(X_LEFT + SWATCH + 0.15 + text.width / 2, y - text.height / 2))
            swatch.move_to(at(X_LEFT + SWATCH / 2, text.get_center()[1]))
            self.add_mark(f"swatch {si + 1}", swatch)
            self.rows.add(VGroup(swatch, text))
            y = text.get_bottom()[1] - 0.1
        self.body_top = y - 0.2

    def build_caption(self) -> None:
        self.caption = self.text("caption", self.view.view, SMALL, muted=True, max_width=WIDTH)
        self.caption.move_to(
            at(X_LEFT + self.caption.width / 2, Y_BOTTOM + self.caption.height / 2)
        )
        self.body_bottom = self.caption.get_top()[1] + 0.25

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
            short = "cosine" if len(view.lines) == 1 else self.line_name(a, b)
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

    def build_picture(self) -> None:
        """The paths of the directions, every layer's point, the layer numbers, the ends."""
        pal, view = self.pal, self.view
        area: Box = (X_LEFT, self.body_bottom, CHART_LEFT - 0.4, self.body_top)
        pts = [p for path in view.points for p in path]
        self.map = picture_mapping(pts, area, margin=0.45)
        self.paths = [[self.map(p) for p in path] for path in view.points]
        self.path_lines: list[list[Line]] = []
        self.path_dots: list[list[Dot]] = []
        for si, path in enumerate(self.paths):
            segs, dots = self.dotted_path(path, pal.color(si), f"path {si + 1}", f"point {si + 1}")
            self.path_lines.append(segs)
            self.path_dots.append(dots)
        self.heads = [
            Dot(path[0], radius=0.1, color=pal.color(si)) for si, path in enumerate(self.paths)
        ]
        for si, d in enumerate(self.heads):  # where they end, for the check
            self.add_dot(f"head {si + 1}", d.copy().move_to(self.paths[si][-1]))
        # layer numbers (at sentence 1's points) and each path's "(k)" at its end
        numbers = [self.text("layer label 0", "layer 0", SMALL, muted=True)]
        if len(self.paths) <= 2:  # more paths: the chart's axis numbers the layers
            numbers += [
                self.text(f"layer label {i}", str(i), SMALL, muted=True)
                for i in range(1, self.n_layers + 1)
            ]
        ends = []
        if len(self.paths) > 1:
            ends = [
                self.text(f"end {si + 1}", f"({si + 1})", SMALL) for si in range(len(self.paths))
            ]
        anchors = [*self.paths[0][: len(numbers)], *(path[-1] for path in self.paths[: len(ends)])]
        path_segs = [e.segment for e in self.registry if e.segment and e.name.startswith("path")]
        others = [p for path in self.paths[1:] for p in path]
        self.leaders = place_point_labels(
            self, [*numbers, *ends], anchors, area, segments=path_segs, points=others
        )
        self.layer_labels, self.end_labels = numbers, ends

    # ---- beats -------------------------------------------------------------------------------
    def show_start(self) -> None:
        first = [d[0] for d in self.chart_dots]
        self.play(
            *[
                Fade(m)
                for m in (
                    self.title,
                    self.rows,
                    self.caption,
                    self.chart_title,
                    self.layer_word,
                    self.layer_count,
                    *self.readouts,
                    self.chart_axes,
                    self.leaders,
                )
            ],
            *[GrowFromCenter(d) for d in self.heads],
            Fade(self.layer_labels[0]),
            *[Fade(d) for d in first],
            *[Fade(m) for m in self.readout_names()],
            Fade(self.swatches),
            run_time=1.0,
        )
        self.wait(0.8)

    def readout_names(self) -> list[Mobject]:
        return [e.mob for e in self.registry if e.name.startswith("readout name") and e.mob]

    def show_layer(self, layer: int) -> None:
        anims: list[Animation] = []
        for si, path in enumerate(self.paths):
            self.add(self.path_dots[si][layer - 1])
            anims.append(Create(self.path_lines[si][layer - 1]))
            anims.append(self.heads[si].animate.move_to(path[layer]).build())
        for k, (_, _, vals) in enumerate(self.view.lines):
            anims.append(Create(self.chart_lines[k][layer - 1]))
            anims.append(Fade(self.chart_dots[k][layer]))
            anims.append(CountTo(self.readouts[k], vals[layer]))
        anims.append(CountTo(self.layer_count, layer))
        if layer < len(self.layer_labels):
            anims.append(Fade(self.layer_labels[layer]))
        if layer == self.n_layers:
            anims += [Fade(m) for m in self.end_labels]
        self.play(*anims, run_time=1.0)
        self.bring_to_front(*self.heads)
        self.wait(0.4)


def kept_ticks(last: int, stride: int) -> list[int]:
    """The tick labels drawn (indices up to `last`): every `stride`-th from the first, and the
    top one always (the one under it goes if too close)."""
    keep = list(range(0, last + 1, stride))
    if keep[-1] != last:
        keep[-1:] = [last] if len(keep) > 1 and last - keep[-1] < stride else [keep[-1], last]
    return keep
