"""An independent reader of what DriftScene drew: the figure model (scenes.figure.model.Figure)
read back from the scene's mobjects (every element it draws, with its box, what it is, its
sentence and the beats it shows in, scenes.figure.story). The scene draws the model
scenes.figure.build computes without manim; tests/test_figure_model.py holds what this
reads equal to that model, element for element.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import Mobject, Text, VMobject

from scenes.components import box_of
from scenes.drift.helpers import label_text
from scenes.figure.chips import chip_role
from scenes.figure.model import Element, Figure
from scenes.figure.panel import panel_rows
from scenes.figure.plot import PULL_PIECES
from scenes.figure.plot_elements import line
from scenes.figure.plotmodel import TRAIL_HALF_WIDTH
from scenes.figure.story import Story
from scenes.layout import Segment
from scenes.theme import SIZES


def read_figure(scene: Any) -> Figure:
    """The figure the scene's mobjects show (a DriftScene laid out, or rendered)."""
    return FigureReader(scene).figure_model()


def _xy(p: np.ndarray) -> tuple[float, float]:
    return (float(p[0]), float(p[1]))


class LineElements:
    """The plot's lines as elements of the model, read from the arrows and trails drawn."""

    def __init__(self, scene: Any) -> None:
        self.s = scene
        self.plan = scene.plan
        self.origin = scene.origin_mark.get_center()  # the origin's cross is centred on it
        # small multiples: each sentence's arrows start at its panel's origin
        self.origins = [m.get_center() for m in scene.origin_marks]

    def origin_of(self, si: int) -> np.ndarray:
        return self.origins[si] if len(self.origins) > 1 else self.origin

    def own(self, si: int | None, story: Story) -> tuple[int, ...]:
        """The beats a part of sentence si's own (None: shared) is dimmed in."""
        return () if si is None else story.dimmed(si)

    def tips(self, si: int) -> list[np.ndarray]:
        """Sentence si's arrow's tip at each step: where its trail's dots are, then where
        the arrow ends (the last step)."""
        dots = [t[1].get_center() for t in self.s.trails[si]]
        return [*dots, self.s.arrows[si].end]

    def trail_segments(self, si: int, k: int) -> list[Segment]:
        """Sentence si's trail of step k as drawn: its line's corners, pairwise."""
        path = self.s.trails[si][k - 1][0]
        starts, ends = path.get_start_anchors(), path.get_end_anchors()
        return [(float(p[0]), float(p[1]), float(q[0]), float(q[1]), TRAIL_HALF_WIDTH)
                for p, q in zip(starts, ends, strict=True)]  # fmt: skip

    def line_elements(self, story: Story) -> list[Element]:
        """The static vector(s), each sentence's arrow at each step (and as it turns, a
        third and two thirds of the way), its trail steps, its pulls."""
        out: list[Element] = []
        for j, a in enumerate(self.s.static_arrows):
            si = None if self.s.shared_start else j
            out.append(
                self.line(
                    f"static vector {j}",
                    "static",
                    a.segments(),
                    si,
                    story.always,
                    dimmed=self.own(si, story),
                    anchor=_xy(a.end),
                )
            )
        for si in range(len(self.plan.sentences)):
            tips, arrow, dim = self.tips(si), self.s.arrows[si], story.dimmed(si)
            for k, tip in enumerate(tips):
                if k:  # as it turns: a third and two thirds of the way
                    turning = [tips[k - 1] + (tip - tips[k - 1]) * f for f in (1 / 3, 2 / 3)]
                    segs = [seg for p in turning for seg in arrow.segments(self.origin_of(si), p)]
                    out.append(self.line(f"arrow {si + 1} turning to step {k}", "arrow", segs,
                                         si, (), moved=(story.index("step", si, k),)))  # fmt: skip
                segs = arrow.segments(self.origin_of(si), tip)
                out.append(self.line(f"arrow {si + 1} step {k}", "arrow", segs, si,
                                     story.arrow_at(si, k), dimmed=dim,
                                     anchor=_xy(tip)))  # fmt: skip
            for k in range(1, len(tips)):
                out.append(
                    self.line(
                        f"trail {si + 1} step {k}",
                        "trail",
                        self.trail_segments(si, k),
                        si,
                        story.joined(si, k),
                        dimmed=dim,
                        anchor=_xy(tips[k]),
                    )
                )
            for k in range(1, len(tips)):
                out += self.pull_elements(si, k, story)
        return out + self.together_lines(story)

    def pull_elements(self, si: int, k: int, story: Story) -> list[Element]:
        """Sentence si's pulls at step k as drawn (the Connectors the scene made for it):
        from the mark's point through the start of every few of its dashes to the last
        dash's end (at most PULL_PIECES pieces), as thick as its stroke; shown in that step,
        standing for the step's words drawn at that mark."""
        out = []
        joined = self.plan.sentences[si].steps[k].joined
        for j, rope in self.s.pulls[si][k - 1]:
            tokens = tuple((si, i) for i in joined if self.s.point_of.get((si, i)) == j)
            dashes = rope.points.reshape(-1, 4, 3)  # [n, 4, 3]: one straight cubic per dash
            stride = -(-len(dashes) // PULL_PIECES)
            pts = [*dashes[::stride, 0], dashes[-1, 3]]
            hw = rope.get_stroke_width() / 200
            segs = [(*_xy(p), *_xy(q), hw) for p, q in zip(pts, pts[1:], strict=False)]
            name = f"pull {si + 1} step {k} from {self.s.points[j]['text']}#{j}"
            out.append(self.line(name, "pull", segs, si, (story.index("step", si, k),),
                                 anchor=_xy(dashes[0, 0]), tokens=tokens))  # fmt: skip
        return out

    def together_lines(self, story: Story) -> list[Element]:
        """The outputs together (small multiples): the static vector(s) drawn there (one
        for all, or each sentence's), each sentence's output arrow and the badge by it."""
        out: list[Element] = []
        shown, statics = story.summary(), self.s.together_statics if self.s.together else []
        for j, a in enumerate(statics):
            si = None if len(statics) == 1 else j
            out.append(self.line(f"together static {j}", "together static", a.segments(), si,
                                 shown, anchor=_xy(a.end)))  # fmt: skip
        if not self.s.together:
            return out
        for si, a in enumerate(self.s.together_arrows):
            out.append(self.line(f"together arrow {si + 1}", "together arrow", a.segments(), si,
                                 shown, anchor=_xy(a.end)))  # fmt: skip
        for si, b in enumerate(self.s.together_badges):
            out.append(Element(f"together badge {si + 1}", "together badge", box_of(b),
                               sentence=si, size=b.font_size, shown=shown))  # fmt: skip
        return out

    def line(
        self,
        name: str,
        kind: str,
        segs: list[Segment],
        si: int | None,
        shown: tuple[int, ...],
        **kw: object,
    ) -> Element:
        """A line element (scenes.figure.plot_elements.line)."""
        return line(name, kind, segs, si, shown, **kw)


class FigureReader(LineElements):
    """The scene's mobjects read back as a Figure: `figure_model()`."""

    def figure_model(self) -> Figure:
        """Every element of the layout, in drawing order, with the beats it shows in."""
        story = Story(self.plan)
        elements = [
            *self.header_elements(story),
            *self.panel_elements(story),
            *self.plot_elements(story),
            *self.line_elements(story),
        ]
        tips = tuple(tuple(_xy(t) for t in self.tips(si)) for si in range(len(self.plan.sentences)))
        return Figure(self.plan.target, tuple(elements), story.beats, tips)

    def text(self, name: str, kind: str, m: Mobject, size: float, **kw: object) -> Element:
        """A text element from its mobject (shown all the time unless said)."""
        kw.setdefault("shown", self.story_always)
        return Element(name, kind, box_of(m), size=size, **kw)  # type: ignore[arg-type]

    @property
    def story_always(self) -> tuple[int, ...]:
        return Story(self.plan).always

    def header_elements(self, story: Story) -> list[Element]:
        """The title, the caption, the key; each sentence's chips (with the rings of the
        words that join), badge and "…"."""
        out = [
            self.text("title", "title", self.s.title, SIZES.title, text=label_text(self.s.title))
        ]
        for si, chips in enumerate(self.s.chips):
            s, dim = self.plan.sentences[si], story.dimmed(si)
            joins = {i: k for k, st in enumerate(s.steps[1:], start=1) for i in st.joined}
            for i, c in chips.items():
                name = f"chip {si + 1}:{c.word.text}#{i}"
                out.append(
                    self.text(
                        name,
                        "chip",
                        c,
                        c.word.font_size,
                        role=chip_role(s, i),
                        tokens=((si, i),),
                        sentence=si,
                        text=c.word.text,
                        dimmed=dim,
                    )
                )
                if i in joins:
                    x0, y0, x1, y1 = box_of(c.box)
                    ring = (x0 - 0.03, y0 - 0.03, x1 + 0.03, y1 + 0.03)
                    when = story.joined(si, joins[i])
                    out.append(
                        Element(
                            f"ring {si + 1}:{c.word.text}#{i}",
                            "chip ring",
                            ring,
                            sentence=si,
                            shown=when,
                            dimmed=dim,
                        )
                    )
        for si, b in enumerate(self.s.badges):
            out.append(
                self.text(
                    f"badge {si + 1}", "badge", b, b.font_size, sentence=si, dimmed=story.dimmed(si)
                )
            )
        for n, f in enumerate(self.s.fillers):
            out.append(self.text(f"elided words {n + 1}", "elided", f, f.word.font_size, text="…"))
        out.append(self.text("caption", "caption", self.s.caption, SIZES.small))
        out += [
            self.text(f"key {i + 1}", "key", m, SIZES.small) for i, m in enumerate(self.s.key_parts)
        ]
        return out

    def panel_elements(self, story: Story) -> list[Element]:
        """Each sentence's panel (title, scale lines, rows: name, track, value), equation
        (and its terms) and the summary."""
        out: list[Element] = []
        for si in range(len(self.s.panels)):
            phase, shown, moved = f"panel {si + 1}", story.panel(si), story.moving(si)
            kw = {"sentence": si, "phase": phase, "shown": shown}
            title, lines, bars = self.s.panel_titles[si], self.s.scale_lines[si], self.s.bars[si]
            out.append(self.text(f"panel {si + 1} title", "panel title", title, SIZES.body, **kw))
            out += [
                self.text(f"panel {si + 1} scale {j + 1}", "scale", m, SIZES.small, **kw)
                for j, m in enumerate(lines)
            ]
            rows = panel_rows(self.plan.sentences[si])
            for r, (name, track, value) in enumerate(
                zip(bars.names, bars.tracks, bars.values, strict=True)
            ):
                row = f"{si + 1}:{name.text}#{r}"
                of = {"tokens": tuple((si, t) for t in rows[r]), **kw}
                out.append(self.text(f"row {row}", "row", name, SIZES.small, text=name.text, **of))
                out.append(Element(f"track {row}", "track", box_of(track), moved=moved, **of))  # type: ignore[arg-type]
                out.append(
                    self.text(f"value {row}", "value", value, SIZES.small, moved=moved, **of)
                )
            out += self.equation_elements(si, story, phase)
        if self.s.summary is not None:
            head, *blocks = self.s.summary
            kw = {"phase": "summary", "shown": story.summary()}
            out.append(self.text("summary title", "summary title", head, SIZES.body, **kw))
            out += [
                self.text(f"summary {i + 1}", "summary", b, SIZES.small, sentence=i, **kw)
                for i, b in enumerate(blocks)
            ]
        return out

    def equation_elements(self, si: int, story: Story, phase: str) -> list[Element]:
        """Sentence si's equation, and each term it shows (by its panel row's tokens)."""
        eq, shown = self.s.equations[si], story.equation(si)
        out = [
            self.text(
                f"equation {si + 1}",
                "equation",
                eq,
                SIZES.small,
                sentence=si,
                phase=phase,
                shown=shown,
            )
        ]
        # the terms after "bank′ =", without the "+ …" of the terms left out
        parts = [m for line in eq.submobjects for m in line.submobjects if m.text != "+ …"][1:]
        for (row, _), m in zip(eq.terms, parts, strict=False):
            name = f"term {si + 1}:{'+'.join(map(str, row))}"
            tokens = tuple((si, t) for t in row)
            out.append(
                self.text(
                    name,
                    "term",
                    m,
                    SIZES.small,
                    sentence=si,
                    phase=phase,
                    shown=shown,
                    text=m.text,
                    tokens=tokens,
                )
            )
        return out

    def plot_elements(self, story: Story) -> list[Element]:
        """The words' marks, the origin, the start, end and word labels, their leaders."""
        return self.mark_elements(story) + self.label_elements(story)

    def mark_elements(self, story: Story) -> list[Element]:
        """Each word's mark (a dot, an edge marker, a ring, a group's diamond), the origin."""
        out: list[Element] = []
        of: dict[int, list[tuple[int, int]]] = {}
        for key, j in self.s.point_of.items():
            of.setdefault(j, []).append(key)
        for j, pt in enumerate(self.s.points):
            kind = "ring" if pt["ring"] else "group" if pt.get("group") else "point"
            kind = "marker" if pt["outside"] else kind
            si = min(pt["sentences"]) if len(pt["sentences"]) == 1 else None
            out.append(
                Element(
                    f"point {pt['text']}#{j}",
                    kind,
                    box_of(pt["mob"]),
                    role=pt["text"],
                    sentence=si,
                    anchor=_xy(pt["at"]),
                    tokens=tuple(sorted(of.get(j, []))),
                    shown=story.always,
                    dimmed=self.own(si, story),
                )
            )
        if not self.s.panel_frames:
            out.append(Element("origin", "origin", box_of(self.s.origin_mark),
                               anchor=_xy(self.origin), shown=story.always))  # fmt: skip
            return out
        for si, (frame, badge, origin) in enumerate(
            zip(self.s.panel_frames, self.s.panel_badges, self.s.origin_marks, strict=True)
        ):  # small multiples: a frame, a badge and an origin per panel
            dim = self.own(si, story)
            out.append(Element(f"panel frame {si + 1}", "frame", box_of(frame), sentence=si,
                               shown=story.always, dimmed=dim))  # fmt: skip
            out.append(Element(f"panel badge {si + 1}", "badge", box_of(badge), sentence=si,
                               size=badge.font_size, shown=story.always, dimmed=dim))  # fmt: skip
            out.append(Element(f"origin {si + 1}", "origin", box_of(origin), sentence=si,
                               anchor=_xy(origin.get_center()), shown=story.always,
                               dimmed=dim))  # fmt: skip
        if self.s.together:  # and the outputs together, in the poster and the summary
            shown, title, origin = story.summary(), self.s.together_title, self.s.together_origin
            out.append(Element("together frame", "together frame", box_of(self.s.together_frame),
                               shown=shown))  # fmt: skip
            out.append(self.text("together title", "together title", title, SIZES.small,
                                 text=label_text(title), shown=shown))  # fmt: skip
            out.append(Element("together origin", "together origin", box_of(origin),
                               anchor=_xy(origin.get_center()), shown=shown))  # fmt: skip
        return out

    def label_elements(self, story: Story) -> list[Element]:
        """The start, end and word labels and their leaders."""
        out: list[Element] = []
        for name, kind, mob, size, si, role in self.plot_labels():
            shown = story.end_label(si) if kind == "end label" and si is not None else story.always
            dim = self.own(si, story)
            out.append(
                self.text(
                    name,
                    kind,
                    mob,
                    size,
                    sentence=si,
                    role=role,
                    text=label_text(mob),
                    shown=shown,
                    dimmed=dim,
                )
            )
            line = self.s.leader_of.get(id(mob))
            if line is not None:
                a, b = line.get_start(), line.get_end()
                seg = (*_xy(a), *_xy(b), 0.0075)
                out.append(
                    Element(
                        f"leader of {name}",
                        "leader",
                        box_of(line),
                        sentence=si,
                        segments=(seg,),
                        anchor=_xy(a),
                        shown=shown,
                        dimmed=dim,
                    )
                )
        return out

    def plot_labels(self) -> list[tuple[str, str, VMobject, float, int | None, str]]:
        """The plot's labels: (name, kind, mobject, size, own sentence or None, role: a word
        label's point)."""
        out: list[tuple[str, str, VMobject, float, int | None, str]] = []
        for si, m in enumerate(self.s.start_labels):
            own = None if self.s.shared_start else si
            name = f"start label {label_text(m)}" + ("" if own is None else f" {si + 1}")
            out.append((name, "start label", m, SIZES.body, own, ""))
        for si, m in enumerate(self.s.end_labels):
            size = float(m.font_size) if isinstance(m, Text) else SIZES.body  # a badge: body
            out.append((f"end label {si + 1}", "end label", m, size, si, ""))
        for j, m in self.s.word_labels.items():
            pt = self.s.points[j]
            own = min(pt["sentences"]) if len(pt["sentences"]) == 1 else None
            point = f"point {pt['text']}#{j}"
            out.append((f"label {label_text(m)}#{j}", "word label", m, SIZES.small, own, point))
        return out
