"""The drift figure as data: every element on screen (chip, point, arrow, trail segment,
label, leader, panel row, equation term, key, title ...) with its box in frame coordinates,
what it is and means, its sentence, and the beats at whose end it is shown, dimmed or moving.

Renderers draw it (the Manim scene), read it (the web page's highlights: `to_json`) and
check it (`items` for scenes.layout.check_items; `frame_items` for one moment of a beat),
without a renderer. The beats are those of `beats` (scenes.figure.narration.beat_plan).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from attention_math.plan import Plan
from scenes.figure.narration import beat_plan
from scenes.layout import FRAME, Box, Item, Segment, segment_box

# What the layout check takes each kind for (scenes.layout.KINDS): a text, a word's mark, the
# origin's cross, a line.
CHECK_KIND = {
    "point": "dot", "marker": "dot", "ring": "dot", "group": "dot",
    "origin": "mark",
    "static": "segment", "arrow": "segment", "trail": "segment", "pull": "segment",
    # not checked as boxes: a leader touches its label by design (scenes.figure.checks
    # checks leaders), a term lies in its equation, a track in its row, a ring round its chip
    "leader": "", "term": "", "track": "", "chip ring": "",
    # a small multiple's frame holds its panel (its badge is checked, as a text)
    "frame": "",
    # the outputs together (scenes.figure.together): its title and badges are texts
    "together frame": "", "together origin": "mark",
    "together static": "segment", "together arrow": "segment",
}  # fmt: skip


STEP_ONLY = ("pull",)  # shown in one step's beat only: never with everything else


@dataclass(frozen=True)
class Beat:
    """One beat of the figure: "poster", "panel" (step 0), "step" (k), "formula", "summary";
    its sentence and step (None for the poster and the summary)."""

    what: str
    sentence: int | None
    step: int | None


def beats(plan: Plan) -> tuple[Beat, ...]:
    """The figure's beats in order (scenes.figure.narration.beat_plan)."""
    return tuple(Beat(*b) for b in beat_plan(plan))


@dataclass(frozen=True)
class Element:
    """One thing on screen.

    name: unique in the figure ("chip 1:bank", "point river#3", "trail 1 step 2" ...).
    kind: what it is: title, sentence chip, badge, elided, caption, key, panel title, scale,
      row, value, equation, term, summary title, summary, start label, end label, word
      label, leader, point, marker (a word off view, at the edge), ring (a word at the
      origin), group (words joined), origin, static, arrow, trail, pull (a word's dashed
      line to the tip in its step); in small multiples, a
      panel's frame, and the outputs together's frame, title, origin, static, arrow, badge
      ("together ...").
    role: what it means: a chip's "target" / "context" / "excluded", a label's word, "" else.
    box: (x_min, y_min, x_max, y_max) in scene units (the frame is scenes.layout.FRAME).
    sentence: the sentence it belongs to (None: the figure's, or shared).
    size: a text's font size. segments: a line's straight pieces (x0, y0, x1, y1, half
    width). anchor: a point's, a tip's or a label's point. tokens: the (sentence, token)
    pairs it stands for (a chip, a panel row, a term, a word's point). phase: texts that show only
    with one sentence's panel ("panel 2") or the summary; None: with anything.
    shown / dimmed / moved: the beats (indices into Figure.beats) at whose end it is on
    screen, dimmed, or during which it moves (an arrow turning, bars counting).
    """

    name: str
    kind: str
    box: Box
    role: str = ""
    sentence: int | None = None
    size: float | None = None
    text: str = ""
    segments: tuple[Segment, ...] = ()
    anchor: tuple[float, float] | None = None
    tokens: tuple[tuple[int, int], ...] = ()
    phase: str | None = None
    shown: tuple[int, ...] = ()
    dimmed: tuple[int, ...] = ()
    moved: tuple[int, ...] = ()

    @property
    def check_kind(self) -> str:
        return CHECK_KIND.get(self.kind, "text")


@dataclass(frozen=True)
class Figure:
    """The whole figure: its elements in drawing order, its beats, and per sentence the
    arrow's tip at each step."""

    target: str
    elements: tuple[Element, ...]
    beats: tuple[Beat, ...]
    tips: tuple[tuple[tuple[float, float], ...], ...] = ()
    frame: Box = FRAME
    by_name: dict[str, Element] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        names = [e.name for e in self.elements]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"element names repeat: {dup[:5]}")
        self.by_name.update((e.name, e) for e in self.elements)

    def __getitem__(self, name: str) -> Element:
        return self.by_name[name]

    def of_kind(self, *kinds: str) -> list[Element]:
        return [e for e in self.elements if e.kind in kinds]

    def items(self, elements: Sequence[Element] | None = None) -> list[Item]:
        """The elements as the layout check's items (a line: one item per straight piece);
        without `elements`, all that can be on screen together: not a step's pulls (each
        shows in its step alone; the check of that step's frames has them)."""
        out: list[Item] = []
        for e in self.elements if elements is None else elements:
            kind = e.check_kind
            if not kind or (elements is None and e.kind in STEP_ONLY):
                continue
            if kind != "segment":
                out.append(Item(e.name, kind, e.box, size=e.size, phase=e.phase))
                continue
            for seg in e.segments:
                out.append(Item(e.name, "segment", segment_box(seg), segment=seg, phase=e.phase))
        return out

    def on_screen(self, beat: int) -> list[Element]:
        """The elements on screen at the end of a beat."""
        return [e for e in self.elements if beat in e.shown]

    def to_dict(self) -> dict:
        """Plain data (boxes and points as lists)."""
        return {
            "target": self.target,
            "frame": list(self.frame),
            "beats": [asdict(b) for b in self.beats],
            "tips": [[list(p) for p in ts] for ts in self.tips],
            "elements": [asdict(e) for e in self.elements],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Figure:
        d = json.loads(text)
        elements = tuple(
            Element(**{
                **e,
                "box": tuple(e["box"]),
                "segments": tuple(tuple(s) for s in e["segments"]),
                "anchor": None if e["anchor"] is None else tuple(e["anchor"]),
                "tokens": tuple(tuple(t) for t in e["tokens"]),
                "shown": tuple(e["shown"]),
                "dimmed": tuple(e["dimmed"]),
                "moved": tuple(e["moved"]),
            })
            for e in d["elements"]
        )  # fmt: skip
        return cls(
            d["target"],
            elements,
            tuple(Beat(**b) for b in d["beats"]),
            tuple(tuple(tuple(p) for p in ts) for ts in d["tips"]),
            tuple(d["frame"]),
        )
