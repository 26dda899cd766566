"""What the lecture scenes share: a registry of everything on screen for the strict layout
check, the sentence header, number columns that count, labels placed clear of a picture.

Every lecture scene is a `LectureScene`: it registers each text (with its font size and the
phase it shows in), point, arrow and line as it builds them, and `setup` ends with the same
check DriftScene passes (`scenes.layout.check_items`: texts against texts, points, arrows
and lines; the safe margin; no text under 12 px tall in the 800×450 GIF; at most three text
sizes). Text is only ever in the palette's text or muted colour (at least 4.5:1 on either
theme's background); colour marks graphics: bars, points, arrows, badges.

Sizes are the theme's three (`scenes.theme.SIZES`): title, body, small. Numbers are all in
the theme's font (`Counter`, `label`), never LaTeX.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from manim import *

from attention_math.lecture_data import Ledger
from attention_math.plan import Sentence
from scenes.beats import BeatScene
from scenes.components import (
    Counter,
    StrutText,
    TokenChip,
    VectorArrow,
    box_of,
    chip_rows,
    fmt,
)
from scenes.figure.chips import ChipFit as WordFit
from scenes.figure.chips import chip_order, chip_role, elided
from scenes.figure.mapping import Mapping, fit_mapping
from scenes.layout import (
    FRAME,
    Box,
    Item,
    Segment,
    leader_end,
    needs_leader,
    place_labels,
    segment_item,
    text_item,
)
from scenes.theme import PALETTES, SIZES, Palette

MARGIN = 0.36  # inner margin of every lecture scene (the check's safe margin is 0.284)
X_LEFT, X_RIGHT = FRAME[0] + MARGIN, FRAME[2] - MARGIN
Y_TOP, Y_BOTTOM = FRAME[3] - MARGIN, FRAME[1] + MARGIN
WIDTH = X_RIGHT - X_LEFT
TITLE, BODY, SMALL = SIZES.title, SIZES.body, SIZES.small


def at(x: float, y: float) -> np.ndarray:
    """A scene point (z = 0)."""
    return np.array([float(x), float(y), 0.0])


M = TypeVar("M", bound=Mobject)


@dataclass
class Entry:
    """One registered thing: kind "text", "dot", "mark" or "segment"."""

    name: str
    kind: str
    mob: Mobject | None
    size: float | None = None
    segment: Segment | None = None
    phase: str | None = None


class LectureScene(BeatScene):
    """A BeatScene that knows everything it draws, for the layout check and the tests."""

    def start_registry(self) -> None:
        self.registry: list[Entry] = []

    def load_ledger(self) -> Ledger:
        """The plan's ledger (model mode; the scene's NEEDS, checked before the job was
        made: scenes.job.check_needs)."""
        plan = self.load_plan()
        assert plan.model is not None and plan.lecture is not None  # NEEDS
        ledger = plan.lecture.ledger
        assert ledger is not None  # NEEDS
        return ledger

    # ---- registering --------------------------------------------------------------------
    def text(
        self,
        name: str,
        string: str,
        size: float = SMALL,
        *,
        muted: bool = False,
        weight: str = "NORMAL",
        max_width: float | None = None,
        phase: str | None = None,
    ) -> StrutText:
        """A registered line of text in the text (or muted) colour, cut with "…" beyond
        max_width. Its box spans the font's ascent and descent, so texts centred on one y
        share a baseline (and `place_right` puts numbers on it)."""
        color = self.pal.muted if muted else self.pal.text
        t = StrutText(string, self.pal, size=size, color=color, weight=weight, max_width=max_width)
        if max_width is not None and t.width > max_width:  # the struts either side of the ink
            inner = max_width - (t.width - t.glyphs.width)
            t = StrutText(string, self.pal, size=size, color=color, weight=weight, max_width=inner)
        self.add_text(name, t, size, phase)
        return t

    def title_text(self, string: str) -> StrutText:
        """The registered title ("title"): one line at the title size, top left."""
        title = self.text("title", string, TITLE, max_width=WIDTH)
        title.move_to(at(X_LEFT + title.width / 2, Y_TOP - title.height / 2))
        return title

    def add_text(self, name: str, mob: M, size: float, phase: str | None = None) -> M:
        self.registry.append(Entry(name, "text", mob, size=size, phase=phase))
        return mob

    def counter(
        self,
        name: str,
        value: float,
        template: str,
        size: float = SMALL,
        *,
        digits: int = 2,
        muted: bool = False,
        phase: str | None = None,
    ) -> Counter:
        """A registered number that counts (`CountTo`), with fixed places: `template` is the
        widest string it shows (see `number_template`)."""
        color = self.pal.muted if muted else self.pal.text
        c = Counter(value, size=size, color=color, digits=digits, template=template)
        self.add_text(name, c, size, phase)
        return c

    def add_dot(self, name: str, mob: M, phase: str | None = None) -> M:
        self.registry.append(Entry(name, "dot", mob, phase=phase))
        return mob

    def add_mark(self, name: str, mob: M, phase: str | None = None) -> M:
        self.registry.append(Entry(name, "mark", mob, phase=phase))
        return mob

    def add_segment(
        self,
        name: str,
        a: Sequence[float] | np.ndarray,
        b: Sequence[float] | np.ndarray,
        width: float,
        phase: str | None = None,
    ) -> None:
        """A line from a to b of stroke width `width` (Manim units: 100 = 1 scene unit)."""
        seg = (float(a[0]), float(a[1]), float(b[0]), float(b[1]), width / 200)
        self.registry.append(Entry(name, "segment", None, segment=seg, phase=phase))

    def add_arrow(self, name: str, arrow: VectorArrow, phase: str | None = None) -> VectorArrow:
        for seg in arrow.segments():
            self.registry.append(Entry(name, "segment", None, segment=seg, phase=phase))
        return arrow

    # ---- checking ------------------------------------------------------------------------
    def layout_items(self) -> list[Item]:
        items = []
        for e in self.registry:
            if e.kind == "segment":
                assert e.segment is not None
                items.append(segment_item(e.name, e.segment, e.phase))
            elif e.kind == "text":
                assert e.mob is not None and e.size is not None
                items.append(text_item(e.name, box_of(e.mob), e.size, e.phase))
            else:
                assert e.mob is not None
                items.append(Item(e.name, e.kind, box_of(e.mob), phase=e.phase))
        return items

    def check(self) -> None:
        """The layout check (LayoutError on any problem)."""
        self.check_layout_items(self.layout_items())

    def footer(self, lines: Sequence[tuple[str, bool]]) -> list[StrutText]:
        """Small text lines stacked up from the bottom margin, left aligned: (text, muted)."""
        foot = [
            self.text(f"footer {k}", t, SMALL, muted=m, max_width=WIDTH)
            for k, (t, m) in enumerate(lines)
        ]
        y = Y_BOTTOM
        for m in reversed(foot):
            m.move_to(at(X_LEFT + m.width / 2, y + m.height / 2))
            y = m.get_top()[1] + 0.02
        return foot

    last_phase: str | None = None  # the phase of the texts the last frame shows

    def text_boxes(self) -> list[tuple[str, Box]]:
        """The texts of the last frame with their boxes (the texts-only check,
        `scenes.layout.check`)."""
        return [
            (it.name, it.box)
            for it in self.layout_items()
            if it.kind == "text" and it.phase in (None, self.last_phase)
        ]

    def text_inks(self) -> list[tuple[str, set[str]]]:
        """Each registered text with the colours its glyphs are drawn in (for the contrast
        test)."""
        out = []
        for e in self.registry:
            if e.kind != "text" or e.mob is None:
                continue
            inks = {
                m.get_fill_color().to_hex().upper()
                for m in e.mob.family_members_with_points()
                if isinstance(m, VMobject)
                and m.get_fill_opacity() > 0
                and not isinstance(m, (Arc, Polygram, Line))  # chip boxes, badge discs
            }
            out.append((e.name, inks))
        return out


# ---- numbers -----------------------------------------------------------------------------


def number_template(values: Sequence[float], digits: int = 2) -> str:
    """The widest of the values as shown (`fmt`), its digits as 0: a Counter's places, so
    that a column of Counters with one template aligns on the decimal point."""
    widest = max((fmt(v, digits) for v in values), key=len)
    return "".join("0" if ch.isdigit() else ch for ch in widest)


def baseline_drop(size: float) -> float:
    """How far below its centre a `LectureScene.text` of this size has its baseline."""
    if size not in _BASELINE:
        probe = StrutText("0", PALETTES["dark"], size=size)
        _BASELINE[size] = float(probe.get_center()[1] - probe.glyphs.get_bottom()[1])
    return _BASELINE[size]


_BASELINE: dict[float, float] = {}


def place_right(counter: Counter, x: float, y: float) -> Counter:
    """Put a Counter's last place ending at x, on the baseline of texts centred on y. Counters
    of one column share a template and an x, so their decimal points align."""
    off = counter.offsets
    last = off[-1] + ((off[-1] - off[-2]) / 2 if len(off) > 1 else off[0])
    anchor = counter.anchor.get_location()
    counter.shift(at(x - (anchor[0] + last), y - baseline_drop(counter.font_size) - anchor[1]))
    return counter


# ---- the sentence -------------------------------------------------------------------------


CHIP_BUFF = 0.12  # between two chips of a row
LEADER_GAP = 0.25  # a label placed farther than this from its point gets a line to it


class ChipFit:
    """The chips of one sentence, each made once per size (Text is slow); which of them fit
    is the rule every sentence of chips shares (scenes.figure.chips.ChipFit)."""

    def __init__(
        self,
        s: Sentence,
        pal: Palette,
        *,
        max_width: float,
        max_rows: int,
        color: str | None,
    ) -> None:
        self.s, self.pal = s, pal
        self.max_width, self.max_rows, self.color = max_width, max_rows, color
        self.order = chip_order(s)
        self.made: dict[tuple[int | None, float], TokenChip] = {}

    def chip(self, i: int | None, size: float) -> TokenChip:
        """Word i's chip at a size (i None: the "…" chip of a run of words left out)."""
        if (i, size) not in self.made:
            s, pal = self.s, self.pal
            if i is None:
                self.made[(i, size)] = TokenChip("…", pal, role="excluded", size=size)
            else:
                self.made[(i, size)] = TokenChip(
                    s.words[i].text, pal, role=chip_role(s, i), color=self.color or pal.color(0),
                    size=size, max_width=self.max_width,
                )  # fmt: skip
        return self.made[(i, size)]

    def items(self, shown: set[int], size: float) -> list[TokenChip]:
        """The chips drawn: the shown words, a "…" chip for each run of the others."""
        pal = self.pal  # a new "…" chip for each run
        return [
            self.chip(i, size) if i is not None else TokenChip("…", pal, role="excluded", size=size)
            for i in elided(self.order, shown)
        ]

    def width(self, i: int | None, size: float) -> float:
        """A chip's width, a word's measured at the small size (chips are made once: Text is
        slow)."""
        if i is None:
            return self.chip(None, size).width
        c = self.chip(i, SMALL)
        pad = c.width - c.word.width
        return pad + c.word.width * size / SMALL

    def choose(self, keep: Sequence[int]) -> tuple[set[int], float]:
        """The words shown and their size: every word at the body size if it fits, else at
        the small size, else the target and the `keep` words as long as they fit, then the
        words nearest them, as many as fit at the small size."""
        fit = WordFit(
            tuple(self.order), self.width, self.max_width, CHIP_BUFF, lambda size: self.max_rows
        )
        return fit.choose((BODY, SMALL), self.s.target_index, keep)


def sentence_chips(
    s: Sentence,
    scene: LectureScene,
    *,
    max_width: float,
    max_rows: int = 2,
    keep: Sequence[int] = (),
    color: str | None = None,
) -> VGroup:
    """The sentence as chips (target bold and filled, excluded tokens faint), wrapped into at
    most max_rows rows: at the body size if it fits, else the small size, else with words
    elided as "…" (the target and the `keep` words stay, then the words nearest them).
    Registers every chip."""
    fit = ChipFit(s, scene.pal, max_width=max_width, max_rows=max_rows, color=color)
    shown, size = fit.choose(keep)
    chips = fit.items(shown, size)
    group = chip_rows(chips, max_width=max_width, buff=CHIP_BUFF, row_buff=0.1)
    for k, c in enumerate(chips):
        scene.add_text(f"chip {k}:{c.word.text}", c, c.word.font_size)
    group.chips = chips  # type: ignore[attr-defined]
    return group


# ---- pictures ------------------------------------------------------------------------------


def picture_mapping(points: Sequence[Sequence[float]], area: Box, margin: float = 0.45) -> Mapping:
    """Plan 2-D points -> scene coordinates inside `area`, one scale for both axes."""
    return fit_mapping(np.asarray(points, dtype=float).reshape(-1, 2), area, margin)


POINT_R = 0.12  # half the side of the square kept clear round a point (a dot of radius <= 0.1)
LINE_AIR = 0.03  # kept clear beside a line, beyond its half width


def registered_marks(scene: LectureScene, labels: Sequence[Mobject]) -> list[Box]:
    """The boxes of the dots and marks `scene` registered that show with `labels` (their
    phase, or no phase): rings and dots wider than a point keep labels off too."""
    ids = {id(m) for m in labels}
    phases = {e.phase for e in scene.registry if id(e.mob) in ids}
    return [
        box_of(e.mob)
        for e in scene.registry
        if e.kind in ("dot", "mark")
        and e.mob is not None
        and (e.phase is None or None in phases or e.phase in phases)
    ]


def place_point_labels(
    scene: LectureScene,
    labels: Sequence[Mobject],
    anchors: Sequence[np.ndarray],
    area: Box,
    *,
    segments: Sequence[Segment] = (),
    points: Sequence[np.ndarray] = (),
    avoid: Sequence[Box] = (),
) -> VGroup:
    """Move each label next to its anchor point, clear of the other labels, of every anchor
    and of the `points`, of every dot and mark the scene registered to show with them, of
    the `segments` (arrows, lines) and of the `avoid` boxes; returns leader lines for the
    labels that had to go far from their point (a leader crosses as few of the segments as
    a place a little farther allows). The placer keeps the check's CLEARANCE from all of
    these (`scenes.layout.place_labels`); the margins here are air beyond it."""
    spots = [a[:2] for a in anchors] + [p[:2] for p in points]
    r = POINT_R
    obstacles: list[Box] = [(p[0] - r, p[1] - r, p[0] + r, p[1] + r) for p in spots]
    for x0, y0, x1, y1, hw in segments:
        n = max(2, int(np.hypot(x1 - x0, y1 - y0) / 0.08) + 1)
        r = hw + LINE_AIR
        obstacles += [
            (x - r, y - r, x + r, y + r)
            for x, y in zip(np.linspace(x0, x1, n), np.linspace(y0, y1, n), strict=True)
        ]
    obstacles += registered_marks(scene, labels)
    obstacles += list(avoid)
    centres = place_labels(
        [(float(a[0]), float(a[1])) for a in anchors],
        [(m.width, m.height) for m in labels],
        area,
        obstacles=obstacles,
        leader_gap=LEADER_GAP,
        lines=segments,
        marks=obstacles[: len(spots)],
    )
    leaders = VGroup()
    leaders.labels = list(labels)  # type: ignore[attr-defined]
    leaders.owners = []  # type: ignore[attr-defined]  # each leader's label (its index)
    for i, (m, c, a) in enumerate(zip(labels, centres, anchors, strict=True)):
        m.move_to(at(c[0], c[1]))
        if needs_leader((float(a[0]), float(a[1])), c, (m.width, m.height), LEADER_GAP):
            end = leader_end((float(a[0]), float(a[1])), c, (m.width, m.height))
            leaders.add(
                Line(at(a[0], a[1]), at(*end), stroke_width=1.5, color=scene.pal.muted).set_stroke(
                    opacity=0.7
                )
            )
            leaders.owners.append(i)
    return leaders


def leaders_of(leaders: VGroup, labels: Iterable[int]) -> list[Mobject]:
    """The leader lines (place_point_labels') of those labels (their indices): a leader
    shows with its label, never before it."""
    wanted = set(labels)
    owners = getattr(leaders, "owners", [])
    return [line for line, i in zip(leaders.submobjects, owners, strict=True) if i in wanted]


def arrow_between(
    scene: LectureScene,
    name: str,
    a: np.ndarray,
    b: np.ndarray,
    color: str,
    *,
    width: float = 5,
    opacity: float = 1.0,
    phase: str | None = None,
) -> VectorArrow:
    """A registered arrow from a to b (a fixed-size tip, as DriftScene's)."""
    arrow = VectorArrow(
        a,
        b,
        color=color,
        width=width,
        opacity=opacity,
        tip_length=0.12 + 0.02 * width,
        tip_width=0.1 + 0.016 * width,
    )
    return scene.add_arrow(name, arrow, phase)
