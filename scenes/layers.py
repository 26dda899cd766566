"""LayerDriftScene: the target's hidden state after each layer of the real model, as one path
per sentence in a shared 2-D basis; the paths start together and separate.

Beats: the sentences; layer 0 (the embedding output); one beat per layer, moving every
sentence's point to its next hidden state while the cosine panel fills in; the summary.
"""

from __future__ import annotations

import itertools

import numpy as np
from manim import *

from attention_math.plan import Plan, SentenceModel
from scenes.beats import BeatScene
from scenes.components import WeightBars, fmt, label
from scenes.drift import FRAME, fit_mapping
from scenes.layout import Box
from scenes.picture import box, place_point_labels

PANEL_LEFT = 2.3


class LayerDriftScene(BeatScene):
    """The target's path through the layers, for one sentence or several."""

    plan: Plan  # set by the pipeline; load_plan() checks it
    NEEDS = ("model",)  # the plan parts it draws (attention_math.request.PARTS)

    def setup(self) -> None:
        self.load_plan()  # plan, palette, background (scenes.beats.BeatScene)
        if self.plan.model is None:
            raise ValueError("LayerDriftScene needs a model-mode plan (--mode model)")
        self.build_layout()
        self.check_layout(self.text_boxes())

    def construct(self) -> None:
        # each beat ends with self.beat(notes): a slide / still boundary
        _, values, _ = self.panel_rows()
        self.show_sentences()
        self.beat("; ".join(s.text for s in self.plan.sentences))
        for layer in range(self.n_layers + 1):
            self.show_layer(layer)
            self.beat(f"layer {layer}: cosine {values[layer]:.3f}")
        self.show_summary()
        self.beat(f"layer 0: {values[0]:.3f} -> layer {self.n_layers}: {values[-1]:.3f}")

    # ---- layout --------------------------------------------------------------------------
    def build_layout(self) -> None:
        plan, pal = self.plan, self.pal
        m = plan.model
        assert m is not None  # setup() checked
        self.n_layers = m.n_layers
        lines = [
            label(
                f"“{plan.target}” through the {m.n_layers} layers of all-MiniLM-L6-v2", pal, size=28
            )
        ]
        for si, s in enumerate(plan.sentences):
            lines.append(label(f"({si + 1}) {s.text}", pal, size=22, color=pal.color(si)))
        self.header = VGroup(*lines).arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        if self.header.width > 13.6:
            self.header.scale_to_fit_width(13.6)
        self.header.to_corner(UL, buff=0.3)

        ev = m.layer_basis.explained_variance_ratio
        self.caption = label(
            f"2-D PCA of the {len(self.sentence_models()[0].target_hidden[0])}-d hidden states · "
            f"PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%} of variance · layer 0 = embedding output",
            pal,
            size=18,
            color=pal.muted,
        )
        self.caption.to_corner(DL, buff=0.3)
        top = self.header.get_bottom()[1] - 0.25
        bottom = self.caption.get_top()[1] + 0.2
        self.plot_box: Box = (FRAME[0] + 0.3, bottom, PANEL_LEFT - 0.3, top)
        self.panel_box: Box = (PANEL_LEFT, bottom, FRAME[2] - 0.3, top)

        pts = np.array([p for sm in self.sentence_models() for p in sm.layer_points])
        self.map = fit_mapping(pts, self.plot_box, margin=0.5)
        self.paths = [[self.map(p) for p in sm.layer_points] for sm in self.sentence_models()]

        # One label per distinct point: "0".."6" (paths that coincide share a label).
        labels, anchors = [], []
        seen: list[tuple[np.ndarray, int]] = []
        for si, path in enumerate(self.paths):
            for layer, p in enumerate(path):
                if any(np.allclose(p, q, atol=1e-3) and lay == layer for q, lay in seen):
                    continue
                seen.append((p, layer))
                shared = sum(np.allclose(p, other[layer], atol=1e-3) for other in self.paths) > 1
                color = pal.text if shared else pal.color(si)
                labels.append(label(str(layer), pal, size=18, color=color))
                anchors.append(p)
        segments = [(a, b) for path in self.paths for a, b in itertools.pairwise(path)]
        place_point_labels(labels, anchors, self.plot_box, segments)
        self.layer_labels = labels
        self.label_layer = [int(x.text) for x in labels]
        self.panel = self.make_panel(self.n_layers)
        _, values, _ = self.panel_rows()
        self.summary = label(
            f"layer 0: {fmt(values[0])}  →  layer {self.n_layers}: {fmt(values[-1])}",
            pal,
            size=22,
        )
        self.summary.next_to(self.panel, DOWN, buff=0.3, aligned_edge=LEFT)

    def sentence_models(self) -> list[SentenceModel]:
        """Each sentence's model numbers (a model-mode plan has them for every sentence)."""
        return [s.model for s in self.plan.sentences if s.model is not None]

    def panel_rows(self) -> tuple[str, list[float], str]:
        """Title and values of the panel: cosine between the sentences (or to layer 0)."""
        plan = self.plan
        if len(plan.sentences) > 1:
            return (
                "cosine of (1) and (2) per layer",
                list(self.sentence_models()[1].cosine_to_first),
                plan.sentences[1].text,
            )
        return (
            "cosine to layer 0 per layer",
            list(self.sentence_models()[0].cosine_to_layer0),
            plan.sentences[0].text,
        )

    def make_panel(self, upto: int) -> VGroup:
        pal = self.pal
        title, values, _ = self.panel_rows()
        rows = [f"layer {i}" for i in range(self.n_layers + 1)]
        bars = WeightBars(
            rows,
            [max(v, 0.0) if i <= upto else None for i, v in enumerate(values)],
            pal,
            color=pal.color(1 if len(self.plan.sentences) > 1 else 0),
            bar_width=2.2,
            size=22,
        )
        group = VGroup(label(title, pal, size=22), bars).arrange(DOWN, buff=0.25, aligned_edge=LEFT)
        bx = self.panel_box
        if group.height > bx[3] - bx[1]:
            group.scale_to_fit_height(bx[3] - bx[1])
        if group.width > bx[2] - bx[0]:
            group.scale_to_fit_width(bx[2] - bx[0])
        return group.move_to([bx[0] + group.width / 2, bx[3] - group.height / 2, 0])  # type: ignore[arg-type]

    def text_boxes(self) -> list[tuple[str, Box]]:
        out = [(f"header {i}", box(m)) for i, m in enumerate(self.header)]
        out += [(f"layer label {m.text}#{i}", box(m)) for i, m in enumerate(self.layer_labels)]
        out += [
            ("caption", box(self.caption)),
            ("panel", box(self.panel)),
            ("summary", box(self.summary)),
        ]
        return out

    # ---- beats -------------------------------------------------------------------------
    def show_sentences(self) -> None:
        self.play(FadeIn(self.header), FadeIn(self.caption), run_time=1.0)

    def show_layer(self, layer: int) -> None:
        pal = self.pal
        labels = [
            m for m, lay in zip(self.layer_labels, self.label_layer, strict=True) if lay == layer
        ]
        if layer == 0:
            self.dots = [
                Dot(path[0], radius=0.08, color=pal.color(si)) for si, path in enumerate(self.paths)
            ]
            self.current_panel = self.make_panel(0)
            self.play(
                *[GrowFromCenter(d) for d in self.dots],
                *[FadeIn(m) for m in labels],
                FadeIn(self.current_panel),
                run_time=1.0,
            )
            self.wait(0.5)
            return
        segments = [
            Line(path[layer - 1], path[layer], color=pal.color(si), stroke_width=3)
            for si, path in enumerate(self.paths)
        ]
        marks = [
            Dot(path[layer - 1], radius=0.04, color=pal.color(si), fill_opacity=0.6)
            for si, path in enumerate(self.paths)
        ]
        new_panel = self.make_panel(layer)
        self.add(*marks)
        self.play(
            *[Create(s) for s in segments],
            *[
                d.animate.move_to(path[layer])
                for d, path in zip(self.dots, self.paths, strict=True)
            ],
            *[FadeIn(m) for m in labels],
            ReplacementTransform(self.current_panel, new_panel),
            run_time=1.0,
        )
        self.current_panel = new_panel
        self.wait(0.3)

    def show_summary(self) -> None:
        self.play(FadeIn(self.summary), run_time=0.8)
        self.wait(2)
