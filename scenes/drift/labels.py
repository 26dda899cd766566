"""The plot's labels (start, end, words): placed off every point, line and each other, with
leader lines where they sit far from their points.
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

from scenes.components import (
    Badge,
    box_of,
    fitted,
    label,
)
from scenes.drift.vectors import VectorLayout
from scenes.figure.constants import CUT_LABEL
from scenes.figure.labels import Placed, PlotLabel, place_plot_labels
from scenes.figure.names import (
    cut,
)
from scenes.theme import SIZES

Size = tuple[float, float]


class LabelLayout(VectorLayout):
    """The plot's labels and leaders."""

    strict_labels = True  # no leader across a line (the layout may fall back: DriftLayout)

    def place_plot_labels(self) -> None:
        """Start, end and word labels, placed off every point, line and each other; a label
        whose leader cannot pass clear takes its shorter form."""
        self.label_badges: list[Badge] = []
        self.start_labels = self.build_start_labels()
        self.end_labels = self.build_end_labels()
        self.word_labels: dict[int, Text] = {
            j: self.word_label(str(self.numbered[j]) if j in self.numbered else pt["text"], pt)
            for j, pt in enumerate(self.points)
            if pt["labelled"]
        }
        labels = [*self.start_labels, *self.end_labels, *self.word_labels.values()]
        forms = self.shorter_forms()
        places = place_plot_labels(
            [
                PlotLabel(kind, (float(a[0]), float(a[1])), (m.width, m.height), short)
                for kind, a, m, short in zip(
                    self.label_kinds(), self.label_anchors(), labels,
                    [tuple((f.width, f.height) for f in fs) for fs in forms], strict=True,
                )
            ],
            self.plot_box,
            [box_of(pt["mob"]) for pt in self.points] + [box_of(self.origin_mark)],
            [seg for _, seg in self.segments()],
            self.final_lines(),
            strict=self.strict_labels,
        )  # fmt: skip
        labels = [m if p.variant == 0 else forms[i][p.variant - 1] for i, (m, p) in
                  enumerate(zip(labels, places, strict=True))]  # fmt: skip
        self.label_badges += [m for m in labels if isinstance(m, Badge)]
        n_start, n_fixed = len(self.start_labels), len(self.start_labels) + len(self.end_labels)
        self.start_labels, self.end_labels = labels[:n_start], labels[n_start:n_fixed]
        words = list(self.word_labels)
        self.word_labels = {j: labels[n_fixed + n] for n, j in enumerate(words)}  # type: ignore[misc]
        # the word labels whose leader still crosses (the layout numbers them)
        self.crossed_labels = {j for n, j in enumerate(words) if places[n_fixed + n].crossed}
        self.draw_leaders(labels, places)

    def draw_leaders(self, labels: list[VMobject], places: list[Placed]) -> None:
        """Each label at its place, its leader line (if any) from its point."""
        pal = self.pal
        # A leader shows with its label: the end labels' come and go with them (an end label
        # appears when its sentence ends), the others are always on (self.leaders).
        self.leader_of: dict[int, Line] = {}  # id(label) -> its leader line
        for m, place in zip(labels, places, strict=True):
            m.move_to(np.array([*place.centre, 0.0]))
            if place.leader is not None:
                a, end = place.leader
                line = Line(np.array([*a, 0.0]), np.array([*end, 0.0]), stroke_width=1.5,
                            color=pal.muted, stroke_opacity=0.7)  # fmt: skip
                self.leader_of[id(m)] = line
        self.end_leaders = [self.leader_of.get(id(m)) for m in self.end_labels]
        ends = {id(m) for m in self.end_labels}
        self.leaders = VGroup(
            *(self.leader_of[id(m)] for m in labels if id(m) in self.leader_of.keys() - ends)
        )
        if pal.backdrop is not None:  # a line under a label leaves its letters readable
            in_badges = {id(x) for b in self.label_badges for x in b.get_family()}
            for m in labels:
                for part in m.family_members_with_points():
                    if id(part) not in in_badges and isinstance(part, VMobject):
                        part.set_stroke(pal.backdrop, width=6, background=True)

    def word_label(self, text: str, pt: dict) -> Text:
        return fitted(text, self.pal, size=SIZES.small, color=pt["color"], max_width=2.2)

    def short_label(self, j: int) -> list[Text]:
        """Word j's label cut to CUT_LABEL characters with "…" (none for a number, a
        group's "N more", [special] or a word already that short)."""
        pt, text = self.points[j], self.points[j]["text"]
        if j in self.numbered or pt.get("group") or pt["special"] or len(text) <= CUT_LABEL:
            return []
        return [self.word_label(cut(text, CUT_LABEL), pt)]

    def short_start(self, si: int) -> list[VMobject]:
        """A start label's shorter form: the target cut to CUT_LABEL characters."""
        if len(self.plan.target) <= CUT_LABEL:
            return []
        return [self.start_label(cut(self.plan.target, CUT_LABEL), si)]

    def short_end(self, si: int) -> list[VMobject]:
        """A compared sentence's end label's shorter form: its badge alone."""
        return [self.badge(si)] if self.multi else []

    def shorter_forms(self) -> list[list[VMobject]]:
        """Each plot label's shorter forms, tried in turn when no place lets its leader pass
        clear: a word cut with "…", a compared sentence's end label as its badge alone (the
        key says what ′ means), a start label with the target cut."""
        forms: list[list[VMobject]] = [self.short_start(si) for si in range(len(self.start_labels))]
        forms += [self.short_end(si) for si in range(len(self.end_labels))]
        return forms + [list(self.short_label(j)) for j in self.word_labels]

    def label_anchors(self) -> list[np.ndarray]:
        """The points the plot's labels name, in their order (start, end, words)."""
        return [
            *self.start_points[: len(self.start_labels)],
            *(self.map(s.final.point) for s in self.plan.sentences),
            *(self.points[j]["at"] for j in self.word_labels),
        ]

    def label_kinds(self) -> list[str]:
        """The plot's labels in order: "start"s, "end"s, then "word" or "outside" (a word
        whose marker is at the view's edge)."""
        return [
            *["start"] * len(self.start_labels),
            *["end"] * len(self.end_labels),
            *("outside" if self.points[j]["outside"] else "word" for j in self.word_labels),
        ]

    def build_start_labels(self) -> list[VMobject]:
        """The static vector's label: one, or one per sentence with its badge when the
        sentences' static vectors differ."""
        n = 1 if self.shared_start else len(self.plan.sentences)
        return [self.start_label(cut(self.plan.target, 14), si) for si in range(n)]

    def start_label(self, name: str, si: int) -> VMobject:
        """The start label naming the target `name` (sentence si's, with its badge, when the
        sentences' static vectors differ)."""
        pal = self.pal
        text = f"v({name})" if self.plan.model is not None else f"{name} (static)"
        if self.shared_start:
            return label(text, pal, size=SIZES.body, color=pal.static)
        return self.with_badge(label(text, pal, size=SIZES.body, color=pal.color(si)), si)

    def build_end_labels(self) -> list[VMobject]:
        """Where each sentence takes the target: “bank′” in bold, in the sentence's colour
        (with its badge when compared)."""
        pal = self.pal
        end = cut(self.plan.sentences[0].target.text, 14)
        out: list[VMobject] = []
        for si in range(len(self.plan.sentences)):
            t = label(f"{end}′", pal, size=SIZES.body, color=pal.color(si), weight="BOLD")
            out.append(self.with_badge(t, si) if self.multi else t)
        return out

    def with_badge(self, t: VMobject, si: int) -> VGroup:
        badge = self.badge(si)
        self.label_badges.append(badge)
        return VGroup(t, badge).arrange(RIGHT, buff=0.1)
