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

from manim import *

from attention_math.lecture_data import LayerView
from attention_math.plan import Plan
from scenes import layers_notes
from scenes.components import CountTo, Fade
from scenes.layers_chart import CHART_LEFT, SWATCH, LayerChart
from scenes.layout import Box
from scenes.picture import (
    SMALL,
    WIDTH,
    X_LEFT,
    Y_BOTTOM,
    at,
    leaders_of,
    picture_mapping,
    place_point_labels,
)


class LayerDriftScene(LayerChart):
    """The target's path through the layers, for one sentence or several.

    The figure is built in setup (the header, the caption and the picture here; the chart in
    scenes.layers_chart); the beats animate it; the words are scenes.layers_notes'.
    """

    plan: Plan  # set by the pipeline, its NEEDS checked (scenes.job.check_needs)

    def setup(self) -> None:
        plan = self.load_plan()  # plan, palette, background (scenes.beats.BeatScene)
        assert plan.model is not None and plan.lecture is not None  # NEEDS: checked before
        assert plan.lecture.layers is not None  # the job was made (scenes.job.check_needs)
        self.view: LayerView = plan.lecture.layers
        self.n_layers = plan.model.n_layers
        self.start_registry()
        self.build_header()
        self.build_caption()
        self.build_chart()
        self.build_picture()
        self.check()

    def construct(self) -> None:
        self.tell_after_poster(self.story)  # the last frame first: a poster, a seamless loop

    def story(self) -> None:
        self.show_start()
        self.beat(self.notes(0), caption=self.caption_of(0))
        for layer in range(1, self.n_layers + 1):
            self.show_layer(layer)
            self.beat(self.notes(layer), caption=self.caption_of(layer))
        self.wait(1.5)
        self.beat(self.notes(self.n_layers, summary=True), caption=self.caption_of(None))

    def notes(self, layer: int, summary: bool = False) -> str:
        return layers_notes.notes(self.plan, self.view, layer, summary)

    def caption_of(self, layer: int | None) -> str:
        return layers_notes.caption_of(self.plan, self.view, self.n_layers, layer)

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
                    *leaders_of(self.leaders, [0]),  # "layer 0"'s, if any
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
            anims += [Fade(m) for m in leaders_of(self.leaders, [layer])]
        if layer == self.n_layers:
            anims += [Fade(m) for m in self.end_labels]
            ends = range(len(self.layer_labels), len(self.layer_labels) + len(self.end_labels))
            anims += [Fade(m) for m in leaders_of(self.leaders, ends)]
        self.play(*anims, run_time=1.0)
        self.bring_to_front(*self.heads)
        self.wait(0.4)
