"""The plot's labels (start, end, words), each in the form and at the place the plot's
layout chose for it (scenes.figure.plotmodel.PlotLayout.labels, placed by
scenes.figure.labels), with its leader line where it sits far from its point.
"""

from __future__ import annotations

import numpy as np
from manim import (
    RIGHT,
    Line,
    Text,
    VGroup,
    VMobject,
)

from scenes.components import Badge, label
from scenes.drift.vectors import VectorLayout
from scenes.figure.plotmodel import LABEL_BADGE_GAP, PlotText
from scenes.figure.widgets import centre
from scenes.theme import SIZES


class LabelLayout(VectorLayout):
    """The plot's labels and leaders."""

    def place_plot_labels(self) -> None:
        """Start, end and word labels as the layout has them (a shorter form where it took
        one), at their places, with their leaders."""
        self.label_badges: list[Badge] = []
        self.start_labels: list[VMobject] = []
        self.start_label_of: dict[int | None, list[VMobject]] = {}  # by its own sentence
        self.end_labels: list[VMobject] = []
        self.word_labels: dict[int, Text] = {}
        self.label_named: dict[str, VMobject] = {}  # the model's name -> the label drawn
        labels = []
        for t in self.plot.labels:
            m = self.plot_label(t)
            x, y = centre(t.box)
            m.move_to(np.array([x, y, 0.0]))
            if t.kind == "start label":
                self.start_labels.append(m)
                self.start_label_of[t.own] = [m]
            elif t.kind == "end label":
                self.end_labels.append(m)
            else:
                self.word_labels[t.point] = m  # type: ignore[assignment]
            self.label_named[t.name] = m
            labels.append((t, m))
        self.draw_leaders(labels)

    def plot_label(self, t: PlotText) -> VMobject:
        """The label the layout's text `t` stands for: a start label (with its badge when
        the sentences' static vectors differ), an end label “bank′” in bold (with its badge
        when compared, or its badge alone), a word's name or number."""
        pal = self.pal
        if t.kind == "start label":
            if t.own is None or self.geometry.multiples:  # small multiples: the panel's badge
                color = pal.static if self.geometry.same_start else pal.color(t.own or 0)
                return label(t.text, pal, size=SIZES.body, color=color)
            return self.with_badge(label(t.text, pal, size=SIZES.body, color=pal.color(t.own)),
                                   t.own)  # fmt: skip
        if t.kind == "end label":
            si = t.own or 0
            if not t.text:  # the shorter form: the badge alone (the key says what ′ means)
                badge = self.badge(si)
                self.label_badges.append(badge)
                return badge
            m = label(t.text, pal, size=t.size, color=pal.color(si), weight="BOLD")
            return self.with_badge(m, si) if self.multi and not self.geometry.multiples else m
        pt = self.points[t.point]
        return label(t.text, pal, size=SIZES.small, color=pt["color"])

    def draw_leaders(self, labels: list[tuple[PlotText, VMobject]]) -> None:
        """Each label's leader line (if any) from its point."""
        pal = self.pal
        # A leader shows with its label: the end labels' come and go with them (an end label
        # appears when its sentence ends), the others are always on (self.leaders).
        self.leader_of: dict[int, Line] = {}  # id(label) -> its leader line
        for t, m in labels:
            seg = self.plot.leaders.get(t.name)
            if seg is not None:
                a, end = np.array([seg[0], seg[1], 0.0]), np.array([seg[2], seg[3], 0.0])
                self.leader_of[id(m)] = Line(a, end, stroke_width=1.5, color=pal.muted,
                                             stroke_opacity=0.7)  # fmt: skip
        self.end_leaders = [self.leader_of.get(id(m)) for m in self.end_labels]
        ends = {id(m) for m in self.end_labels}
        self.leaders = VGroup(
            *(self.leader_of[id(m)] for _, m in labels if id(m) in self.leader_of.keys() - ends)
        )
        if pal.backdrop is not None:  # a line under a label leaves its letters readable
            in_badges = {id(x) for b in self.label_badges for x in b.get_family()}
            for _, m in labels:
                for part in m.family_members_with_points():
                    if id(part) not in in_badges and isinstance(part, VMobject):
                        part.set_stroke(pal.backdrop, width=6, background=True)

    def with_badge(self, t: VMobject, si: int) -> VGroup:
        badge = self.badge(si)
        self.label_badges.append(badge)
        return VGroup(t, badge).arrange(RIGHT, buff=LABEL_BADGE_GAP)
