"""SenseSplitScene: one static vector for every sentence, then the real model's last-layer
vectors of the same word, clustering by sense.

Beats: the static picture (every sentence's dot on one spot: a word has one static vector);
the dots fly out to their contextual positions, sense by sense; the numbers (k-means
agreement, cosines within and across senses). Sentences are listed numbered, each with a dot
of its sense's colour (the text itself stays in the text colour).
"""

from __future__ import annotations

from manim import *

from attention_math.plan import Plan, SenseSplit
from scenes.components import Fade, fmt
from scenes.layout import Box
from scenes.picture import (
    SMALL,
    X_LEFT,
    X_RIGHT,
    LectureScene,
    at,
    leaders_of,
    picture_mapping,
    place_point_labels,
)

LIST_LEFT = -1.0  # the sentence list is right of this x, the picture left of it


class SenseSplitScene(LectureScene):
    """The target's contextual vectors in many sentences, coloured by sense."""

    plan: Plan  # set by the pipeline, its NEEDS checked (scenes.job.check_needs)
    data: SenseSplit
    last_phase = "spread"  # the texts of the last frame (text_boxes)

    def setup(self) -> None:
        plan = self.load_plan()  # plan, palette, background (scenes.beats.BeatScene)
        assert plan.senses is not None  # NEEDS: checked before the job was made (check_needs)
        self.data = plan.senses
        self.start_registry()
        self.build_header()
        self.build_footer()
        self.build_list()
        self.build_picture()
        self.check()

    def construct(self) -> None:
        self.tell_after_poster(self.story)  # the last frame first: a poster, a seamless loop

    def story(self) -> None:
        d, t = self.data, self.plan.target
        self.show_static()
        self.beat(
            f"static '{t}': one vector for all {len(d.points)} sentences",
            caption=f"Static vectors: “{t}” is one point in every sentence",
        )
        for i, sense in enumerate(d.senses):
            self.show_sense(i)
            n = sum(p.sense == sense for p in d.points)
            self.beat(
                f"sense '{sense}': {n} sentences",
                caption=f"The model's last layer: the {n} “{sense}” sentences' “{t}”",
            )
        self.show_numbers()
        self.beat(
            f"2-means agrees with the senses for {d.kmeans_agreement:.0%}; mean cosine within "
            f"{d.within_cosine:.3f}, across {d.across_cosine:.3f}",
            caption=f"The senses separate: cosine {fmt(d.within_cosine)} within a sense, "
            f"{fmt(d.across_cosine)} across",
        )

    # ---- layout ---------------------------------------------------------------------------
    def build_header(self) -> None:
        n, t = len(self.data.points), self.plan.target
        self.title = self.title_text(
            f"“{t}” in {n} sentences: one static vector, then the last layer"
        )
        self.body_top = self.title.get_bottom()[1] - 0.3

    def build_footer(self) -> None:
        d, plan = self.data, self.plan
        ev = plan.projection.explained_variance_ratio
        lines = [
            (
                f"2-means on the {plan.embedding.dim}-d vectors matches the senses for "
                f"{d.kmeans_agreement:.0%} of the sentences",
                False,
            ),
            (
                f"mean cosine within a sense {fmt(d.within_cosine)}, across senses "
                f"{fmt(d.across_cosine)}",
                False,
            ),
            (
                f"picture: 2-D PCA of the last-layer vectors (PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%})",
                True,
            ),
        ]
        self.foot = self.footer(lines)
        self.numbers, self.caption = VGroup(*self.foot[:2]), self.foot[2]
        self.body_bottom = self.foot[0].get_top()[1] + 0.02 + 0.25

    def build_list(self) -> None:
        """The legend, then the sentences numbered, each with its sense's dot."""
        pal, d = self.pal, self.data
        width = X_RIGHT - LIST_LEFT - 0.3
        y = self.body_top
        self.legend = VGroup()
        x = LIST_LEFT
        for i, s in enumerate(d.senses):
            dot = self.add_dot(f"legend dot {i}", Dot(radius=0.08, color=pal.color(i)))
            name = self.text(f"legend {i}", s, SMALL, max_width=2.5)
            name.move_to(at(x + 0.3 + name.width / 2, y - name.height / 2))
            dot.move_to(at(x + 0.1, name.get_center()[1]))
            self.legend.add(dot, name)
            x = name.get_right()[0] + 0.4
        y -= 0.5
        rows = len(d.points)
        step = min(0.38, (y - self.body_bottom) / max(rows, 1))
        self.rows = []
        for i, p in enumerate(d.points):
            dot = self.add_dot(f"row dot {i}", Dot(radius=0.06, color=self.sense_color(p.sense)))
            text = self.text(f"sentence {i + 1}", f"{i + 1:>2}  {p.text}", SMALL, max_width=width)
            text.move_to(at(LIST_LEFT + 0.3 + text.width / 2, y - step / 2))
            dot.move_to(at(LIST_LEFT + 0.1, text.get_center()[1]))
            self.rows.append(VGroup(dot, text))
            y -= step
        self.listing = VGroup(self.legend, *self.rows)

    def sense_color(self, sense: str) -> str:
        return self.pal.color(self.data.senses.index(sense))

    def build_picture(self) -> None:
        d = self.data
        self.plot_box: Box = (X_LEFT, self.body_bottom, LIST_LEFT - 0.4, self.body_top)
        self.map = picture_mapping([p.point for p in d.points], self.plot_box, margin=0.45)
        self.points = [self.map(p.point) for p in d.points]
        box = self.plot_box
        self.centre = np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, 0])
        for i, q in enumerate(self.points):
            self.add_dot(f"point {i + 1}", Dot(q, radius=0.09))
        self.num_labels = [
            self.text(f"point label {i + 1}", str(i + 1), SMALL) for i in range(len(d.points))
        ]
        self.leaders = place_point_labels(self, self.num_labels, self.points, self.plot_box)
        # the static beat: every dot on one spot, a label above it (not in the check: it is
        # gone before the points spread)
        self.static_label = self.text(
            "static label",
            f"static “{self.plan.target}”: one vector",
            SMALL,
            max_width=4.0,
            phase="static",
        )
        self.static_label.next_to(self.centre, UP, buff=0.25)
        self.static_dot = self.add_dot("static dot", Dot(self.centre, radius=0.1), "static")
        for e in self.registry:  # the spread points are not shown in the static beat
            if e.name.startswith(("point", "leader")) and e.phase is None:
                e.phase = "spread"

    # ---- beats -------------------------------------------------------------------------
    def show_static(self) -> None:
        self.dots = [Dot(self.centre, radius=0.09, color=self.pal.static) for _ in self.points]
        self.play(
            Fade(self.title),
            Fade(self.listing),
            Fade(self.caption),
            *[Fade(d) for d in self.dots],
            Fade(self.static_label),
            run_time=1.2,
        )
        self.wait(1.0)

    def show_sense(self, i: int) -> None:
        d, pal = self.data, self.pal
        idx = [j for j, p in enumerate(d.points) if p.sense == d.senses[i]]
        anims: list[Animation] = [
            self.dots[j].animate.move_to(self.points[j]).set_color(pal.color(i))  # type: ignore[misc]
            for j in idx
        ]
        anims += [Fade(self.num_labels[j]) for j in idx]
        anims += [Fade(m) for m in leaders_of(self.leaders, idx)]  # with their labels
        if i == 0:
            anims.append(Fade(self.static_label, out=True))
        self.play(*anims, run_time=1.5)
        self.wait(0.5)

    def show_numbers(self) -> None:
        self.play(Fade(self.numbers), run_time=0.8)
        self.wait(2)
