"""SenseSplitScene: one static vector for every sentence, then the real model's last-layer
vectors of the same word, clustering by sense.

Beats: the static picture (all sentences share one point); the points fly out to their
contextual positions, sense by sense; the numbers (k-means agreement, cosines).
"""

from __future__ import annotations

import numpy as np
from manim import *

from attention_math.plan import Plan, SenseSplit
from scenes.beats import BeatScene
from scenes.components import fmt, label
from scenes.drift import FRAME, fit_mapping
from scenes.layout import Box
from scenes.picture import box, place_point_labels

LIST_LEFT = 1.2  # the sentence list is right of this x


class SenseSplitScene(BeatScene):
    """The target's contextual vectors in many sentences, coloured by sense."""

    plan: Plan  # set by the pipeline; load_plan() checks it
    data: SenseSplit
    NEEDS = ("senses",)  # the plan parts it draws (attention_math.request.PARTS)

    def setup(self) -> None:
        self.load_plan()  # plan, palette, background (scenes.beats.BeatScene)
        if self.plan.senses is None:
            raise ValueError("SenseSplitScene needs a sense plan (--scene SenseSplitScene)")
        self.build_layout()
        self.check_layout(self.text_boxes())

    def construct(self) -> None:
        # each beat ends with self.beat(notes): a slide / still boundary
        d = self.data
        self.show_static()
        self.beat(f"static '{self.plan.target}': one vector for all {len(d.points)} sentences")
        for i, sense in enumerate(d.senses):
            self.show_sense(i)
            self.beat(f"sense '{sense}': {sum(p.sense == sense for p in d.points)} sentences")
        self.show_numbers()
        self.beat(
            f"2-means agrees with the senses for {d.kmeans_agreement:.0%}; mean cosine within "
            f"{d.within_cosine:.3f}, across {d.across_cosine:.3f}"
        )

    def build_layout(self) -> None:
        plan, pal = self.plan, self.pal
        assert plan.senses is not None  # setup() checked
        d = self.data = plan.senses
        n = len(d.points)
        self.title = label(
            f"“{plan.target}” in {n} sentences: static vector vs. all-MiniLM-L6-v2's last layer",
            pal,
            size=26,
        )
        self.title.to_corner(UL, buff=0.3)
        if self.title.width > 13.6:
            self.title.scale_to_fit_width(13.6).to_corner(UL, buff=0.3)
        ev = plan.projection.explained_variance_ratio
        self.numbers = label(
            f"2-means on the {plan.embedding.dim}-d vectors matches the senses for "
            f"{d.kmeans_agreement:.0%} of sentences · mean cosine within a sense "
            f"{fmt(d.within_cosine)}, across senses {fmt(d.across_cosine)}",
            pal,
            size=18,
        )
        self.caption = label(
            f"2-D PCA of the last-layer vectors · PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%} of variance",
            pal,
            size=18,
            color=pal.muted,
        )
        foot = VGroup(self.numbers, self.caption).arrange(DOWN, buff=0.1, aligned_edge=LEFT)
        if foot.width > 13.6:
            foot.scale_to_fit_width(13.6)
        foot.to_corner(DL, buff=0.3)
        top = self.title.get_bottom()[1] - 0.3
        bottom = foot.get_top()[1] + 0.25

        # The sentence list, numbered, coloured by sense.
        rows = []
        for i, p in enumerate(d.points):
            color = pal.color(d.senses.index(p.sense))
            rows.append(label(f"{i + 1:>2}  {p.text}", pal, size=18, color=color))
        legend = [label(f"● {s}", pal, size=20, color=pal.color(i)) for i, s in enumerate(d.senses)]
        self.legend = VGroup(*legend).arrange(RIGHT, buff=0.4)
        self.listing = VGroup(self.legend, *rows).arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        max_w, max_h = FRAME[2] - 0.3 - LIST_LEFT, top - bottom
        if self.listing.width > max_w:
            self.listing.scale_to_fit_width(max_w)
        if self.listing.height > max_h:
            self.listing.scale_to_fit_height(max_h)
        self.listing.move_to([LIST_LEFT + self.listing.width / 2, top - self.listing.height / 2, 0])  # type: ignore[arg-type]
        self.rows = rows

        # Plot: the contextual points, numbered.
        self.plot_box: Box = (FRAME[0] + 0.3, bottom, LIST_LEFT - 0.3, top)
        pts = np.array([p.point for p in d.points])
        self.map = fit_mapping(pts, self.plot_box, margin=0.45)
        self.points = [self.map(p.point) for p in d.points]
        self.centre = self.map(pts.mean(axis=0))
        self.static_label = label(
            f"static “{plan.target}”: one vector for all {n}", pal, size=20, color=pal.static
        )
        self.static_label.next_to(self.centre, UP, buff=0.2)
        self.num_labels = [
            label(str(i + 1), pal, size=16, color=pal.color(d.senses.index(p.sense)))
            for i, p in enumerate(d.points)
        ]
        place_point_labels(self.num_labels, self.points, self.plot_box)
        self.foot = foot

    def text_boxes(self) -> list[tuple[str, Box]]:
        out = [
            ("title", box(self.title)),
            ("numbers", box(self.numbers)),
            ("caption", box(self.caption)),
            ("legend", box(self.legend)),
        ]
        out += [(f"sentence {i + 1}", box(r)) for i, r in enumerate(self.rows)]
        out += [(f"point label {m.text}", box(m)) for m in self.num_labels]
        return out

    # ---- beats -------------------------------------------------------------------------
    def show_static(self) -> None:
        self.dots = [Dot(self.centre, radius=0.09, color=self.pal.static) for _ in self.points]
        self.play(
            FadeIn(self.title),
            FadeIn(self.listing),
            FadeIn(self.caption),
            *[FadeIn(d) for d in self.dots],
            FadeIn(self.static_label),
            run_time=1.2,
        )
        self.wait(1.0)

    def show_sense(self, i: int) -> None:
        d, pal = self.data, self.pal
        idx = [j for j, p in enumerate(d.points) if p.sense == d.senses[i]]
        anims = [self.dots[j].animate.move_to(self.points[j]).set_color(pal.color(i)) for j in idx]
        anims += [FadeIn(self.num_labels[j]) for j in idx]  # type: ignore[misc]
        if i == 0:
            anims.append(FadeOut(self.static_label))  # type: ignore[arg-type]
        self.play(*anims, run_time=1.5)
        self.wait(0.5)

    def show_numbers(self) -> None:
        self.play(FadeIn(self.numbers), run_time=0.8)
        self.wait(2)
