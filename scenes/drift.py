"""DriftScene: the target's static vector drifts as each context word gets its weight.

Beats: the sentence(s) as chips; the 2-D space with the context words as points; the static
vector; then per sentence, one step per context word (chip highlighted, weight bars
renormalised, the arrow moving to that step's output and leaving a faint trail); the final
formula with the real numbers. Everything drawn comes from the plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import *

from attention_math.plan import Plan, Sentence
from scenes.beats import BeatScene
from scenes.components import TokenChip, TrailDot, WeightBars, chip_rows, fmt, label
from scenes.layout import FRAME, Box, place_labels

HEADER_TOP = 3.8
MARGIN = 0.25
PANEL_LEFT = 1.9  # the plot is left of this x, the weights panel right of it


def scale_text(plan: Plan, sentence: Sentence) -> str:
    """How the weights were made (simple mode: the scale), as shown on screen."""
    if plan.model is not None:
        m = plan.model
        head = "mean of heads" if m.head_index is None else f"head {m.head_index + 1}"
        text = f"layer {m.layer_index + 1}, {head}: real softmax(q·k/√{m.d_head})"
        if m.drop_specials:
            text += "\n[CLS]/[SEP] dropped, weights renormalised"
        return text
    rule = plan.attention.scale_rule
    dim = plan.embedding.dim
    if rule == "auto":
        return f"scale = 1/‖q‖² = {sentence.scale:.3g}"
    if rule == "1/sqrt(d)":
        return f"scale = 1/√{dim} = {sentence.scale:.3g}"
    return f"scale = {sentence.scale:.3g}"


@dataclass
class Mapping:
    """Plan coordinates (PCA units) to scene coordinates: uniform scale, no distortion."""

    scale: float
    shift: np.ndarray

    def __call__(self, p: tuple[float, float] | list[float]) -> np.ndarray:
        x, y = (np.asarray(p[:2], dtype=float) * self.scale) + self.shift
        return np.array([x, y, 0.0])


def fit_mapping(points: np.ndarray, box: Box, margin: float) -> Mapping:
    """Fit points [M, 2] into box with a margin, keeping the aspect ratio."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    w, h = box[2] - box[0] - 2 * margin, box[3] - box[1] - 2 * margin
    s = float(min(w / span[0], h / span[1]))
    centre_data = (lo + hi) / 2
    centre_box = np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])
    return Mapping(s, centre_box - centre_data * s)


class DriftScene(BeatScene):
    """The drift of the target's vector, for one sentence or several compared."""

    plan: Plan | None = None  # set by scenes.render (or ATTENTION_DRIFT_PLAN for `manim`)
    theme: str = "dark"

    # ---- configuration -------------------------------------------------------------------
    def setup(self) -> None:
        self.load_plan()  # plan, palette, background (scenes.beats.BeatScene)
        self.build_layout()
        self.check_layout(self.text_boxes())

    def construct(self) -> None:
        plan = self.plan  # each beat ends with self.beat(notes): a slide / still boundary
        self.show_sentences()
        self.beat(drift_notes(plan, "sentences"))
        self.show_space()
        self.beat(drift_notes(plan, "space"))
        self.show_static()
        self.beat(drift_notes(plan, "static"))
        for si in range(len(self.plan.sentences)):
            self.show_panel(si)
            self.beat(drift_notes(plan, "panel", si))
            for k in range(1, len(self.plan.sentences[si].steps)):
                self.add_word(si, k)
                self.beat(drift_notes(plan, "step", si, k))
            self.show_formula(si)
            if si == len(self.plan.sentences) - 1:
                self.wait(2)
            self.beat(drift_notes(plan, "formula", si))

    # ---- layout (computed once, checked before anything is drawn) -------------------------
    def build_layout(self) -> None:
        plan, pal = self.plan, self.pal
        assert plan is not None
        multi = len(plan.sentences) > 1
        # Header: one chip row (wrapped if needed) per sentence.
        self.chips: list[dict[int, TokenChip]] = []  # per sentence: token index -> chip
        rows = VGroup()
        for si, s in enumerate(plan.sentences):
            chips = {
                w.index: TokenChip(
                    w.text, pal, role=self.role(s, w.index), color=pal.color(si), size=24
                )
                for w in s.words
                if w.reason != "special"  # [CLS]/[SEP] get a bar, not a chip
            }
            self.chips.append(chips)
            group = chip_rows(list(chips.values()), max_width=13.0 if not multi else 12.6)
            if multi:
                marker = Dot(radius=0.09, color=pal.color(si))
                group = VGroup(marker, group).arrange(RIGHT, buff=0.2)
            rows.add(group)
        rows.arrange(DOWN, buff=0.14)
        if rows.height > 2.4:
            rows.scale_to_fit_height(2.4)
        if rows.width > 13.8:
            rows.scale_to_fit_width(13.8)
        rows.move_to([0, HEADER_TOP - rows.height / 2, 0])
        self.header = rows

        # Footer: the caption and one formula per sentence (shown at the end).
        self.formulas = [self.formula(si) for si in range(len(plan.sentences))]
        ev = plan.projection.explained_variance_ratio
        self.caption = label(
            f"2-D PCA of {plan.embedding.dim}-d {self.source_name()} · "
            f"PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%} of variance",
            pal,
            size=18,
            color=pal.muted,
        )
        footer = VGroup(*self.formulas, self.caption).arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        if footer.width > 13.8:
            footer.scale_to_fit_width(13.8)
        footer.move_to([0, FRAME[1] + 0.15 + footer.height / 2, 0]).to_edge(LEFT, buff=0.3)
        self.footer = footer

        # Weights panels (one per sentence, same place).
        top = self.header.get_bottom()[1] - 0.25
        bottom = self.footer.get_top()[1] + 0.2
        self.panel_box: Box = (PANEL_LEFT, bottom, FRAME[2] - 0.2, top)
        self.panels = [self.panel(si, len(s.steps) - 1) for si, s in enumerate(plan.sentences)]

        # Plot: every point the scene will show, fitted into the left area.
        self.plot_box: Box = (FRAME[0] + 0.2, bottom, PANEL_LEFT - 0.2, top)
        pts = [plan.projection.origin]
        for s in plan.sentences:
            pts += [w.point for w in s.words if w.point is not None]
            pts += [st.point for st in s.steps]
        self.map = fit_mapping(np.array(pts, dtype=float), self.plot_box, margin=0.55)
        self.place_plot_labels()

    def role(self, s: Sentence, index: int) -> str:
        if index == s.target_index:
            return "target"
        return "context" if s.words[index].included else "excluded"

    def source_name(self) -> str:
        e = self.plan.embedding
        if e.kind == "model":
            return "value vectors of all-MiniLM-L6-v2"
        return "all-MiniLM-L6-v2 embeddings" if e.kind == "minilm" else e.name

    def place_plot_labels(self) -> None:
        """Word points, their labels and the end labels, placed so none overlap."""
        plan, pal = self.plan, self.pal
        seen: dict[tuple[str, tuple[float, float]], int] = {}
        self.word_points: list[tuple[str, np.ndarray, str]] = []  # text, scene point, colour
        for si, s in enumerate(plan.sentences):
            for w in s.words:
                if not w.included or w.index == s.target_index or w.point is None:
                    continue
                key = (w.norm, w.point)
                if key in seen:  # the same word in two sentences: one neutral point
                    j = seen[key]
                    self.word_points[j] = (w.text, self.map(w.point), pal.text)
                    continue
                seen[key] = len(self.word_points)
                self.word_points.append((w.text, self.map(w.point), pal.color(si)))
        self.dots = VGroup(*[Dot(p, radius=0.06, color=c) for _, p, c in self.word_points])
        size = 22 if len(self.word_points) <= 12 else 18
        target = plan.sentences[0].target
        origin = self.map(plan.projection.origin)
        # Where each sentence's drift starts: the static vector (simple mode: the same for
        # every sentence) or the target's own value vector (model mode: one per sentence).
        self.start_points = [self.map(s.steps[0].point) for s in plan.sentences]
        shared = all(np.allclose(p, self.start_points[0]) for p in self.start_points)
        multi = len(plan.sentences) > 1
        start = f"v({plan.target})" if plan.model is not None else f"{plan.target} (static)"
        # The labels that matter most are placed first, nearest their points.
        self.start_labels = (
            [label(start, pal, size=size, color=pal.static)]
            if shared
            else [
                label(f"{start} ({si + 1})", pal, size=size, color=pal.color(si))
                for si in range(len(plan.sentences))
            ]
        )
        self.start_colors = [pal.static] if shared else list(pal.series)
        self.origin_label = label("0", pal, size=16, color=pal.muted)
        self.end_labels = [
            label(
                f"{target.text}′" + (f" ({si + 1})" if multi else ""),
                pal,
                size=size,
                color=pal.color(si),
            )
            for si in range(len(plan.sentences))
        ]
        words = [label(t, pal, size=size, color=c) for t, _, c in self.word_points]
        labels = [*self.start_labels, *self.end_labels, self.origin_label, *words]
        anchors = [
            *(p[:2] for p in self.start_points[: len(self.start_labels)]),
            *(self.map(s.final.point)[:2] for s in plan.sentences),
            origin[:2],
            *(p[:2] for _, p, _ in self.word_points),
        ]
        spots = list(anchors)
        for s in plan.sentences:  # arrows and trails: keep labels off their lines
            tips = [self.map(st.point) for st in s.steps]
            for a, b in [*((origin, t) for t in tips), *zip(tips, tips[1:], strict=False)]:
                n = max(2, int(np.linalg.norm(b - a) / 0.1))
                spots += [a[:2] + (b[:2] - a[:2]) * f for f in np.linspace(0, 1, n)]
        obstacles: list[Box] = [(p[0] - 0.07, p[1] - 0.07, p[0] + 0.07, p[1] + 0.07) for p in spots]
        centres = place_labels(
            anchors, [(m.width, m.height) for m in labels], self.plot_box, obstacles=obstacles
        )
        self.leaders = VGroup()
        for m, c, a in zip(labels, centres, anchors, strict=True):
            m.move_to([c[0], c[1], 0])
            gap_x = max(abs(c[0] - a[0]) - m.width / 2, 0.0)
            gap_y = max(abs(c[1] - a[1]) - m.height / 2, 0.0)
            if np.hypot(gap_x, gap_y) > 0.45:  # placed far away: a leader line to its point
                end = m.get_critical_point(np.sign([a[0] - c[0], a[1] - c[1], 0]))
                self.leaders.add(
                    Line([a[0], a[1], 0], end, stroke_width=1, color=pal.muted, stroke_opacity=0.6)
                )
        self.word_labels = VGroup(*words)

    def text_boxes(self) -> list[tuple[str, Box]]:
        """Every text the scene shows, with its box, for the layout check."""

        def box(m: Mobject) -> Box:
            return (m.get_left()[0], m.get_bottom()[1], m.get_right()[0], m.get_top()[1])

        out: list[tuple[str, Box]] = []
        for si, chips in enumerate(self.chips):
            out += [(f"chip {si}:{c.word.text}", box(c)) for c in chips.values()]
        out += [(f"label {m.text}", box(m)) for m in self.word_labels]
        out += [(f"start label {m.text}", box(m)) for m in self.start_labels]
        out += [("origin label", box(self.origin_label))]
        out += [(f"end label {m.text}", box(m)) for m in self.end_labels]
        out += [(f"formula {i}", box(f)) for i, f in enumerate(self.formulas)]
        out += [("caption", box(self.caption))]
        # The widest panel stands for all of them (they share one place and one at a time).
        widest = max(self.panels, key=lambda p: p.width)
        out += [("weights panel", box(widest))]
        return out

    # ---- mobjects made from the plan ----------------------------------------------------
    def member_order(self, si: int) -> list[int]:
        """Token indices in the order they join: target first, then as added."""
        return list(self.plan.sentences[si].final.words)

    def panel(self, si: int, k: int) -> VGroup:
        """The weights panel of sentence si at step k."""
        s, pal = self.plan.sentences[si], self.pal
        step = s.steps[k]
        weight_of = dict(zip(step.words, step.weights, strict=True))
        order = self.member_order(si)
        bx = self.panel_box
        row_height = min(0.42, (bx[3] - bx[1] - 0.9) / len(order))  # many words: tighter rows
        bars = WeightBars(
            [s.words[i].text for i in order],
            [weight_of.get(i) for i in order],
            pal,
            color=pal.color(si),
            bar_width=2.0,
            size=min(22.0, row_height * 75),
            row_height=row_height,
            colors=[pal.special if s.words[i].reason == "special" else None for i in order],
        )
        title = label(f"weights of “{s.target.text}”", pal, size=22)
        sub = label(scale_text(self.plan, s), pal, size=18, color=pal.muted)
        group = VGroup(title, sub, bars).arrange(DOWN, buff=0.18, aligned_edge=LEFT)
        h_max, w_max = bx[3] - bx[1], bx[2] - bx[0]
        if group.height > h_max:
            group.scale_to_fit_height(h_max)
        if group.width > w_max:
            group.scale_to_fit_width(w_max)
        group.move_to([bx[0] + group.width / 2, bx[3] - group.height / 2, 0])
        return group

    def formula(self, si: int) -> Text:
        """“bank′ = 0.56·bank + 0.26·river + …” with the final weights."""
        s, pal = self.plan.sentences[si], self.pal
        final = s.final
        terms = [
            f"{fmt(w)}·{s.words[i].text}" for i, w in zip(final.words, final.weights, strict=True)
        ]
        lines, line = [], f"{s.target.text}′ = "
        for j, t in enumerate(terms):
            piece = t if j == 0 else " + " + t
            if len(line) + len(piece) > 110 and j > 0:
                lines.append(line)
                line = "      + " + t
            else:
                line += piece
        lines.append(line)
        return label("\n".join(lines), pal, size=22, color=pal.color(si))

    # ---- beats ------------------------------------------------------------------------------
    def show_sentences(self) -> None:
        self.play(FadeIn(self.header, shift=0.2 * DOWN), run_time=1.0)

    def show_space(self) -> None:
        origin = self.map(self.plan.projection.origin)
        self.origin_dot = Dot(origin, radius=0.05, color=self.pal.muted)
        self.play(
            FadeIn(self.origin_dot, self.origin_label),
            LaggedStart(*[GrowFromCenter(d) for d in self.dots], lag_ratio=0.1),
            LaggedStart(*[FadeIn(m) for m in self.word_labels], lag_ratio=0.1),
            FadeIn(self.leaders),
            FadeIn(self.caption),
            run_time=1.5,
        )

    def arrow(self, point: np.ndarray, color: str, width: float = 5) -> Arrow:
        origin = self.map(self.plan.projection.origin)
        return Arrow(
            origin,
            point,
            buff=0,
            color=color,
            stroke_width=width,
            max_tip_length_to_length_ratio=0.12,
            tip_length=0.22,
        )

    def show_static(self) -> None:
        arrows = [
            self.arrow(p, c) for p, c in zip(self.start_points, self.start_colors, strict=False)
        ]
        self.play(
            *[GrowArrow(a) for a in arrows], *[FadeIn(m) for m in self.start_labels], run_time=1.0
        )
        self.wait(0.5)

    def show_panel(self, si: int) -> None:
        self.current_panel = self.panel(si, 0)
        self.moving = self.arrow(self.start_points[si], self.pal.color(si), width=6)
        anims: list[Animation] = [FadeIn(self.current_panel), GrowArrow(self.moving)]
        if si > 0:
            anims.append(FadeOut(self.previous_panel))
        self.play(*anims, run_time=0.8)

    def add_word(self, si: int, k: int) -> None:
        """Step k: the next context word joins; weights renormalise; the arrow moves."""
        s = self.plan.sentences[si]
        step, prev = s.steps[k], s.steps[k - 1]
        color = self.pal.color(si)
        chip = self.chips[si].get(step.added)
        new_panel = self.panel(si, k)
        a, b = self.map(prev.point), self.map(step.point)
        trail = VGroup(
            TrailDot(a, self.pal, color),
            Line(a, b, color=color, stroke_width=2, stroke_opacity=0.5),
        )
        rt = float(np.clip(6.0 / (len(s.steps) - 1), 0.6, 1.6))
        if chip is not None:
            self.play(Indicate(chip, color=self.pal.highlight, scale_factor=1.15), run_time=0.5)
        else:  # [special]: no chip; keep the beat's length
            self.wait(0.5)
        self.play(
            ReplacementTransform(self.current_panel, new_panel),
            Transform(self.moving, self.arrow(b, color, width=6)),
            FadeIn(trail),
            run_time=rt,
        )
        self.current_panel = new_panel
        self.wait(0.3)

    def show_formula(self, si: int) -> None:
        self.play(FadeIn(self.end_labels[si]), Write(self.formulas[si]), run_time=1.2)
        self.moving.set_stroke(opacity=0.85)
        self.previous_panel = self.current_panel
        self.wait(1.0)


# --------------------------------------------------------------------------------------------
# presenter notes for the drift (DriftScene), from the plan's numbers


def drift_notes(plan: Plan, what: str, si: int = 0, k: int = 0) -> str:
    """Notes for a DriftScene beat: "sentences", "space", "static", "panel", "step", "formula"."""
    if what == "sentences":
        texts = " / ".join(f"“{s.text}”" for s in plan.sentences)
        return f"{texts} — the target “{plan.target}”"
    if what == "space":
        ev = plan.projection.explained_variance_ratio
        return (
            f"the words as points: 2-D PCA of {plan.embedding.dim}-d vectors "
            f"(PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%} of the variance)"
        )
    s = plan.sentences[si]
    if what == "static":
        return f"“{s.target.text}” alone: its own vector, weight 1.00"
    if what == "panel":
        return f"sentence {si + 1}: “{s.text}”"
    step = s.steps[k]
    pairs = ", ".join(
        f"{s.words[i].text} {_fmt(w)}" for i, w in zip(step.words, step.weights, strict=True)
    )
    if what == "step":
        added = s.words[step.added].text if step.added is not None else ""
        return f"“{added}” joins; the weights renormalise: {pairs}"
    terms = " + ".join(
        f"{_fmt(w)}·{s.words[i].text}" for i, w in zip(s.final.words, s.final.weights, strict=True)
    )
    return f"{s.target.text}′ = {terms}"


def _fmt(x: float) -> str:
    return f"{x:.2f}".replace("-", "−")
