"""AttentionMathScene's right column: the formulas, the equation, the values and the sum.

The values are arrows from the origin in the plan's 2-D PCA view; the weighted values are
laid tip to tail in a view of their own, fitted to them (its zoom against the values' view
is written under it), with each term labelled and the output ringed. Built in setup after
the table (scenes.attention_math_table), whose right edge and bottom they are placed by.
"""

from __future__ import annotations

import itertools

from manim import *

from attention_math.plan import Plan
from scenes.attention_math_notes import formula_lines, group_name
from scenes.attention_math_table import AttentionMathTable
from scenes.components import OriginMark, StrutText, fmt
from scenes.layout import Box
from scenes.picture import (
    BODY,
    SMALL,
    X_LEFT,
    X_RIGHT,
    Y_BOTTOM,
    arrow_between,
    at,
    box_of,
    picture_mapping,
    place_point_labels,
)

COLUMN = -0.2  # the table is left of this x, the formulas and pictures right of it
STEPS = ("scores", "scaled", "weights", "values", "sum")


class AttentionMathPictures(AttentionMathTable):
    """The formulas, the equation, the values and the tip-to-tail sum of AttentionMathScene."""

    def build_formulas(self, plan: Plan) -> None:
        """One formula per step, in the same place at the top of the right column (text in
        the theme's font: the numbers in it look like every other number)."""
        lines = formula_lines(plan, self.s)
        self.x0 = max(COLUMN, self.table_right + 0.45)
        self.formulas: dict[str, VGroup] = {}
        for step in STEPS:
            group = VGroup(
                *[
                    self.text(
                        f"formula {step} {k}", line, BODY, phase=step, max_width=X_RIGHT - self.x0
                    )
                    for k, line in enumerate(lines[step])
                ]
            )
            self.formulas[step] = group.arrange(DOWN, aligned_edge=LEFT, buff=0.04)
        tallest = max(g.height for g in self.formulas.values())
        widest = max(g.width for g in self.formulas.values())
        # Under the table when it leaves room (the equation goes there too), else top right.
        self.left = (
            self.table_bottom - Y_BOTTOM >= tallest + 1.4 and widest <= self.x0 - 0.3 - X_LEFT
        )
        x, top = (X_LEFT, self.table_bottom - 0.35) if self.left else (self.x0, self.body_top)
        for group in self.formulas.values():
            group.move_to(at(x + group.width / 2, top - group.height / 2))
        self.pictures_top = self.body_top
        if not self.left:
            self.pictures_top = min(g.get_bottom()[1] for g in self.formulas.values()) - 0.25

    def build_equation(self) -> None:
        """The output with numbers, from the chain (largest terms, then the rest), wrapped,
        at the bottom of its column."""
        s, chain = self.s, self.ws.chain
        terms = [f"{fmt(g.weight)}·{group_name(self.s, g)}" for g in chain]
        pieces = [f"{s.target.text}′ = {terms[0]}", *(f"+ {t}" for t in terms[1:])]
        x0 = X_LEFT if self.left else self.x0
        width = (self.x0 - 0.3 if self.left else X_RIGHT) - x0
        lines: list[str] = [""]
        for p in pieces:
            trial = f"{lines[-1]} {p}".strip()
            if lines[-1] and StrutText(trial, self.pal, size=SMALL).width > width:
                lines.append(p)
            else:
                lines[-1] = trial
        self.equation = VGroup(
            *[
                self.text(f"equation {k}", line, SMALL, max_width=width, phase="sum")
                for k, line in enumerate(lines)
            ]
        )
        self.equation.arrange(DOWN, aligned_edge=LEFT, buff=0.04)
        self.equation.move_to(at(x0 + self.equation.width / 2, Y_BOTTOM + self.equation.height / 2))
        self.pictures_bottom = Y_BOTTOM if self.left else self.equation.get_top()[1] + 0.2

    def area(self) -> Box:
        return (self.x0, self.pictures_bottom, X_RIGHT, self.pictures_top)

    def build_values(self) -> None:
        """The values as arrows from the origin (2-D PCA of the plan), the largest labelled."""
        pal, s, ws = self.pal, self.s, self.ws
        origin = self.plan.projection.origin
        pts = [origin, *(self.point_of(i) for i in ws.words)]
        self.values_map = picture_mapping(pts, self.area(), margin=0.35)
        o = self.values_map(origin)
        self.values_origin = self.add_mark(
            "origin (values)", OriginMark(o, color=pal.muted, arm=0.12), "values"
        )
        labelled = {g.words[0] for g in ws.chain if len(g.words) == 1}
        self.value_arrows = VGroup()
        labels, anchors = [], []
        for i in ws.words:
            p = self.values_map(self.point_of(i))
            color = pal.text if i == s.target_index else pal.muted
            a = arrow_between(
                self, f"value {i}", o, p, color, width=3, opacity=0.85, phase="values"
            )
            self.value_arrows.add(a)
            if i in labelled:
                labels.append(
                    self.text(
                        f"value label {i}",
                        s.words[i].text,
                        SMALL,
                        muted=i != s.target_index,
                        max_width=2.2,
                        phase="values",
                    )
                )
                anchors.append(p)
        segs = [e.segment for e in self.registry if e.phase == "values" and e.segment]
        self.value_leaders = place_point_labels(
            self, labels, anchors, self.area(), segments=segs, points=[o]
        )
        self.value_labels = VGroup(*labels)

    def point_of(self, i: int) -> tuple[float, float]:
        point = self.s.words[i].point
        assert point is not None, i  # every word of the weighted sum has a vector
        return point

    def build_sum(self) -> None:
        """The weighted values tip to tail, in a view fitted to them; each arrow labelled
        with its term; the output marked with a ring (its arrowhead stays visible)."""
        pal, ws = self.pal, self.ws
        origin = self.plan.projection.origin
        tips = [origin, *(g.tip for g in ws.chain)]
        area = self.area()
        note_h = 0.4
        inner = (area[0], area[1] + note_h, area[2], area[3])
        self.sum_map = picture_mapping(tips, inner, margin=0.5)
        pts = [self.sum_map(p) for p in tips]
        self.sum_origin = self.add_mark(
            "origin (sum)", OriginMark(pts[0], color=pal.muted, arm=0.12), "sum"
        )
        self.sum_arrows = [
            arrow_between(self, f"term {k}", a, b, pal.color(0), width=6, phase="sum")
            for k, (a, b) in enumerate(itertools.pairwise(pts))
        ]
        self.out_ring = self.add_dot(
            "output", Circle(radius=0.16, stroke_width=3, color=pal.text).move_to(pts[-1]), "sum"
        )
        # the sum itself: one arrow from the origin to where the terms end
        self.resultant = arrow_between(
            self, "resultant", pts[0], pts[-1], pal.text, width=4, phase="sum"
        )
        self.label_sum(pts, inner)
        self.build_zoom_note(area)

    def label_sum(self, pts: list[np.ndarray], inner: Box) -> None:
        """The output's name at its ring and each term ("0.56·bank") at its arrow's middle,
        clear of the arrows."""
        self.out_label = self.text(
            "output label",
            f"{self.s.target.text}′",
            SMALL,
            weight="BOLD",
            max_width=2.5,
            phase="sum",
        )
        term_labels = [
            self.text(
                f"term label {k}",
                f"{fmt(g.weight)}·{group_name(self.s, g)}",
                SMALL,
                max_width=2.6 if len(self.ws.chain) < 6 else 1.9,  # many terms: shorter
                phase="sum",
            )
            for k, g in enumerate(self.ws.chain)
        ]
        mids = [(a + b) / 2 for a, b in itertools.pairwise(pts)]
        segs = [e.segment for e in self.registry if e.phase == "sum" and e.segment]
        self.sum_leaders = place_point_labels(
            self,
            [self.out_label, *term_labels],
            [pts[-1], *mids],
            inner,
            segments=segs,
            points=pts,
            avoid=[box_of(self.out_ring)],  # wider than a point
        )
        self.term_labels = term_labels

    def build_zoom_note(self, area: Box) -> None:
        """Under the sum: how much larger than the values' view it is drawn."""
        zoom = self.sum_map.scale / self.values_map.scale
        self.zoom_note = self.text(
            "zoom note",
            f"Σ w · v tip to tail, drawn ×{zoom:.1f} the values' scale",
            SMALL,
            muted=True,
            max_width=area[2] - area[0],
            phase="sum",
        )
        self.zoom_note.move_to(
            at(area[0] + self.zoom_note.width / 2, area[1] + self.zoom_note.height / 2)
        )
