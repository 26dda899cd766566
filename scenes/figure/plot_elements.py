"""The plot's elements of the figure model (scenes.figure.model.Element), from its layout
as data (scenes.figure.plotmodel.PlotLayout): the words' marks and the origin, the labels
and their leaders, the static vector(s), each sentence's arrow at every step and as it
turns, its trail; with the beats each shows in (scenes.figure.story). Named as
scenes.drift.model names the drawn ones.
"""

from __future__ import annotations

import numpy as np

from scenes.figure.model import Element
from scenes.figure.plotmodel import PlotLayout, arrow_style, mark_box
from scenes.figure.story import Story
from scenes.figure.together import TITLE
from scenes.layout import Box, Segment
from scenes.theme import SIZES


def _xy(p: np.ndarray) -> tuple[float, float]:
    return (float(p[0]), float(p[1]))


def own(si: int | None, story: Story) -> tuple[int, ...]:
    """The beats a part of sentence si's own (None: shared) is dimmed in."""
    return () if si is None else story.dimmed(si)


def line(
    name: str, kind: str, segs: list[Segment], si: int | None, shown: tuple[int, ...], **kw: object
) -> Element:
    """A line element: its segments, and as box their bounds with their half widths."""
    boxes = [
        (min(x0, x1) - hw, min(y0, y1) - hw, max(x0, x1) + hw, max(y0, y1) + hw)
        for x0, y0, x1, y1, hw in segs
    ]
    box: Box = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    return Element(name, kind, box, sentence=si, segments=tuple(segs), shown=shown, **kw)  # type: ignore[arg-type]


def mark_elements(pl: PlotLayout, story: Story) -> list[Element]:
    """Each word's mark (a dot, an edge marker, a ring, a group's diamond), the origin."""
    out: list[Element] = []
    of: dict[int, list[tuple[int, int]]] = {}
    for key, j in pl.point_of.items():
        of.setdefault(j, []).append(key)
    for j, pt in enumerate(pl.points):
        kind = "ring" if pt["ring"] else "group" if pt.get("group") else "point"
        kind = "marker" if pt["outside"] else kind
        si = min(pt["sentences"]) if len(pt["sentences"]) == 1 else None
        out.append(
            Element(
                f"point {pt['text']}#{j}",
                kind,
                mark_box(pt),
                role=pt["text"],
                sentence=si,
                anchor=_xy(pt["at"]),
                tokens=tuple(sorted(of.get(j, []))),
                shown=story.always,
                dimmed=own(si, story),
            )
        )
    g = pl.geometry
    if not g.multiples:
        out.append(
            Element("origin", "origin", pl.origin_box(), anchor=_xy(pl.origin), shown=story.always)
        )
        return out
    for si, panel in enumerate(g.panels):  # a panel per sentence: its frame, badge, origin
        out.append(Element(f"panel frame {si + 1}", "frame", panel, sentence=si,
                           shown=story.always, dimmed=own(si, story)))  # fmt: skip
        out.append(Element(f"panel badge {si + 1}", "badge", pl.badges[si],
                           sentence=si, size=SIZES.small, shown=story.always,
                           dimmed=own(si, story)))  # fmt: skip
        out.append(Element(f"origin {si + 1}", "origin", pl.origin_box(si), sentence=si,
                           anchor=_xy(g.origin_of(si)), shown=story.always,
                           dimmed=own(si, story)))  # fmt: skip
    tp = pl.outputs  # and the outputs together, once the story is told
    if tp is None:
        return out
    shown = story.summary()
    out.append(Element("together frame", "together frame", tp.box, shown=shown))
    out.append(Element("together title", "together title", tp.title, size=SIZES.small,
                       text=TITLE, shown=shown))  # fmt: skip
    out.append(Element("together origin", "together origin", tp.origin_box,
                       anchor=_xy(tp.origin), shown=shown))  # fmt: skip
    return out


def label_elements(pl: PlotLayout, story: Story) -> list[Element]:
    """The start, end and word labels and their leaders."""
    out: list[Element] = []
    for t in pl.labels:
        si = t.own
        shown = story.end_label(si) if t.kind == "end label" and si is not None else story.always
        dim = own(si, story)
        out.append(
            Element(
                t.name,
                t.kind,
                t.box,
                size=t.size,
                sentence=si,
                role=t.role,
                text=t.text,
                shown=shown,
                dimmed=dim,
            )
        )
        seg = pl.leaders.get(t.name)
        if seg is not None:
            x0, y0, x1, y1, _ = seg
            box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            out.append(
                Element(
                    f"leader of {t.name}",
                    "leader",
                    box,
                    sentence=si,
                    segments=(seg,),
                    anchor=(x0, y0),
                    shown=shown,
                    dimmed=dim,
                )
            )
    return out


def line_elements(pl: PlotLayout, story: Story) -> list[Element]:
    """The static vector(s), each sentence's arrow at each step (and as it turns, a third
    and two thirds of the way), its trail steps, its pulls."""
    out: list[Element] = []
    g = pl.geometry
    for j, segs in enumerate(pl.static_lines()):
        si = None if g.shared_start else j  # in small multiples, each panel's own
        out.append(
            line(
                f"static vector {j}",
                "static",
                segs,
                si,
                story.always,
                dimmed=own(si, story),
                anchor=_xy(g.start_points[j]),
            )
        )
    for si in range(len(pl.plan.sentences)):
        tips, st, dim = g.tips(si), arrow_style(si), story.dimmed(si)
        for k, tip in enumerate(tips):
            if k:  # as it turns: a third and two thirds of the way
                turning = [tips[k - 1] + (tip - tips[k - 1]) * f for f in (1 / 3, 2 / 3)]
                segs = [seg for p in turning for seg in pl.arrow(p, st, si)]
                out.append(
                    line(
                        f"arrow {si + 1} turning to step {k}",
                        "arrow",
                        segs,
                        si,
                        (),
                        moved=(story.index("step", si, k),),
                    )
                )
            out.append(
                line(
                    f"arrow {si + 1} step {k}",
                    "arrow",
                    pl.arrow(tip, st, si),
                    si,
                    story.arrow_at(si, k),
                    dimmed=dim,
                    anchor=_xy(tip),
                )
            )
        for k in range(1, len(tips)):
            out.append(
                line(
                    f"trail {si + 1} step {k}",
                    "trail",
                    pl.trail_segments(si, k),
                    si,
                    story.joined(si, k),
                    dimmed=dim,
                    anchor=_xy(tips[k]),
                )
            )
        for k in range(1, len(tips)):
            out += pull_elements(pl, story, si, k)
    return out + together_lines(pl, story)


def pull_elements(pl: PlotLayout, story: Story, si: int, k: int) -> list[Element]:
    """Sentence si's pulls at step k (PlotLayout.pulls): each a dashed line from a pulled
    mark's point (its anchor) to the tip, standing for the words pulled there, on screen
    only in that step's beat."""
    beat = (story.index("step", si, k),)
    out = []
    for j, members, _, segs in pl.pulls(si, k):
        name, tokens = pull_name(si, k, pl.points[j]["text"], j), tuple((si, i) for i in members)
        at = _xy(pl.points[j]["at"])
        out.append(line(name, "pull", segs, si, beat, anchor=at, tokens=tokens))
    return out


def pull_name(si: int, k: int, text: str, j: int) -> str:
    """A pull's element name: "pull 1 step 2 from river#3"."""
    return f"pull {si + 1} step {k} from {text}#{j}"


def together_lines(pl: PlotLayout, story: Story) -> list[Element]:
    """The together panel's static vector(s), each sentence's output arrow and the badge
    naming it (small multiples; none in one shared plot)."""
    tp = pl.outputs
    if tp is None:
        return []
    shown = story.summary()
    out = [
        line(f"together static {j}", "together static", segs, si, shown, anchor=_xy(tip))
        for j, ((si, tip, _), segs) in enumerate(zip(tp.statics, tp.static_lines(), strict=True))
    ]
    for si, segs in enumerate(tp.arrow_lines()):
        out.append(line(f"together arrow {si + 1}", "together arrow", segs, si, shown,
                        anchor=_xy(tp.tips[si])))  # fmt: skip
    for si, b in enumerate(tp.badges):
        out.append(Element(f"together badge {si + 1}", "together badge", b, sentence=si,
                           size=SIZES.small, shown=shown))  # fmt: skip
    return out
