"""DriftScene: the target's static vector drifts as each context word gets its weight.

The figure, beat by beat (every number from the plan):

- poster: the last frame first (title, sentences, the static vector, where every sentence
  takes it, the weights): a paused GIF, a link preview or a still shows the whole story,
  and the loop returns to it without a cut;
- the drift is rewound, and then for each sentence (the others dimmed): its weights panel;
  one step per context word (the word's chip is ringed, its point pulses, a line from the
  point to the arrow's tip, as thick as the word's weight, shows the pull while the arrow
  moves, the bars and numbers count to the renormalised weights, the trail grows); the
  sentence's equation;
- the summary: every sentence's equation (or, for one sentence, its panel and equation).

Layout: one grid. A title and the sentences (left-aligned) on top; below, the plot on the
left and the panel column on the right. The view is fitted to the drift (origin, static
vector, every step); words far outside are drawn at the plot's edge as markers pointing
towards them. Long input is summarised: at most 8 panel rows (the plan's last step joins
the rest of the words together: attention.MAX_STEPS), the equation's largest terms, and
chips elided with "…" when a sentence does not fit its rows.

With `figure_file` set (`--format html`), the scene also writes the layout it drew as JSON
(`figure_layout`: every chip, point, panel row, equation term and arrow tip in frame
coordinates, and per beat its time and what is on screen), for the page's highlights.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from manim import *

from attention_math.errors import InputError
from attention_math.plan import Plan, Sentence
from scenes.beats import BeatScene
from scenes.components import (
    Badge,
    Connector,
    Dim,
    EdgeMarker,
    Fade,
    InPlace,
    OriginMark,
    StrutText,
    TokenChip,
    TrailDot,
    VectorArrow,
    WeightBars,
    bowed,
    box_of,
    chip_rows,
    fitted,
    fmt,
    label,
    swap,
    wrapped_rows,
)
from scenes.figure.mapping import drift_view
from scenes.figure.names import (
    Row,
    cut,
    final_terms,
    plotted_words,
    row_text,
    scale_text,
    word_name,
)
from scenes.layout import (
    CLEARANCE,
    FRAME,
    Box,
    Item,
    Segment,
    check_items,
    leader_end,
    needs_leader,
    place_labels_best,
    segment_item,
    segment_obstacles,
    segments_hit_boxes,
    text_item,
)
from scenes.theme import SIZES

MARGIN = 0.36  # inner margin of the layout (the check's safe margin is 2 % = 0.284)
GUTTER = 0.4  # between the plot and the panel column
PANEL_W = 5.2  # the panel column
NAME_W = 2.0  # panel row labels longer than this are cut with "…"
ROW_H = (0.34, 0.42)  # panel row height: least, most
MAX_SENTENCES = 5  # a sentence and up to 4 compared: one colour and one badge each
MAX_WORD_LABELS = 24  # word labels in the plot (beyond: unlabelled points)
NUMBERING_ROUNDS = 3  # placements tried, each numbering the words whose leaders cross
MAX_NUMBERED = 6  # the legend's entries: more would take the plot's room (two lines of key)
FEW_WORD_LABELS = 14  # when that many cannot be placed apart: the first 14 only
LEADER_GAP = 0.45  # a label placed farther than this from its point gets a line to it
LABEL_WEIGHT = {"end": 2.0, "start": 1.5}  # how much a long leader of each label costs
ON_ORIGIN = 0.12  # a word this close to the origin is drawn as a ring round it
DIM = 0.28  # opacity factor of the sentences not playing
BEND = 0.2  # a pull or trail step that would lie on an arrow bows out by this × its length
ON_LINE = 0.1  # a line this close to an arrow's, along it, would be hidden by it
CHIP_BUFF = 0.15  # between a sentence's chips
EQ_SPACE = 0.1  # between an equation's terms, ink to ink (their struts are invisible)
EQ_INDENT = 0.3  # an equation's lines after the first


class Equation(VGroup):
    """The lines of an equation (VGroups of StrutTexts); `terms`: the (row, weight) pairs it
    shows (a row: one token index, or a group's)."""

    def __init__(self, lines: VGroup, terms: list[tuple[Row, float]]) -> None:
        super().__init__(*lines)
        self.terms = terms


class EquationTerms:
    """The terms of an equation's right side as StrutTexts, each built when first needed (a
    long sentence's equation shows only a few), and how many of them fit in a width.

    text: a StrutText of a string, in the equation's size and colour. labels: the terms'
    strings, in order ("0.56·bank", "+ 0.26·river", ...); with `keep_last`, the last one
    (the group's "+ 0.12·(5 more)") is always shown, after "+ …" when others are left out:
    every "N more" on screen counts the same words as the panel's row.
    """

    def __init__(
        self, text: Callable[[str], StrutText], labels: list[str], keep_last: bool = False
    ) -> None:
        self.text = text
        self.labels = labels[:-1] if keep_last else labels
        self.last = [text(labels[-1])] if keep_last else []
        self.built: list[StrutText] = []
        self.dots = text("+ …")

    def first(self, k: int) -> list[StrutText]:
        """The first k terms."""
        while len(self.built) < k:
            self.built.append(self.text(self.labels[len(self.built)]))
        return self.built[:k]

    def fit(
        self, first: list[StrutText], width: float, max_lines: int
    ) -> tuple[list[list[StrutText]], int]:
        """After `first`, as many terms as fit in max_lines lines of `width` (one at least),
        then "+ …" if some are left out, then the kept last term: the lines, and how many
        of the terms before it they show."""
        n = len(self.labels)

        def items(k: int) -> list[StrutText]:
            return [*first, *self.first(k), *([self.dots] if k < n else []), *self.last]

        shown = 1  # one term at least, even when it does not fit
        lines = wrap_terms(items(1), width, max_lines) or [items(1)]
        for k in range(2, n + 1):
            found = wrap_terms(items(k), width, max_lines)
            if found is None:
                break
            shown, lines = k, found
        return lines, shown


def wrap_terms(
    items: list[StrutText], width: float, max_lines: int
) -> list[list[StrutText]] | None:
    """items in lines of `width` (ink EQ_SPACE apart, lines after the first EQ_INDENT in);
    None when that takes more than max_lines lines or an item alone does not fit."""
    lines: list[list[StrutText]] = [[]]
    used = 0.0
    for m in items:
        ink = float(m.glyphs.width)
        room = width - (EQ_INDENT if len(lines) > 1 else 0.0)
        if lines[-1] and used + EQ_SPACE + ink > room:
            lines.append([])
            used = 0.0
            room = width - EQ_INDENT
        if not lines[-1] and ink > room:
            return None
        used += (EQ_SPACE if lines[-1] else 0.0) + ink
        lines[-1].append(m)
    return lines if len(lines) <= max_lines else None


def set_lines(lines: list[list[StrutText]]) -> VGroup:
    """The lines of an equation set in place: a VGroup per line, lines after the first
    indented by EQ_INDENT."""
    rows = VGroup()
    for li, line in enumerate(lines):
        x = EQ_INDENT if li else 0.0
        for m in line:  # ink to ink, one space apart (the struts are invisible)
            y = -li * (m.struts.height + 0.08) - m.struts.get_center()[1]
            m.shift(np.array([x - m.glyphs.get_left()[0], y, 0]))
            x = m.glyphs.get_right()[0] + EQ_SPACE
        rows.add(VGroup(*line))
    return rows


def elided(order: list[int], shown: set[int]) -> list[int | None]:
    """The tokens of `order` that are shown, each run of the others as one None ("…")."""
    out: list[int | None] = []
    for i in order:
        if i in shown:
            out.append(i)
        elif not out or out[-1] is not None:
            out.append(None)
    return out


@dataclass
class ChipWrap:
    """A sentence's chips wrapped in rows `width` wide, CHIP_BUFF apart, with only some of
    them shown (each run of the others one `dots` chip): how many rows they take, and
    whether those fit in the height max_h."""

    chips: dict[int, TokenChip]
    dots: TokenChip
    width: float
    max_h: float

    def rows(self, shown: set[int], scale: float) -> int:
        order = elided(list(self.chips), shown)
        widths = ((self.dots if i is None else self.chips[i]).width * scale for i in order)
        return wrapped_rows(widths, self.width, CHIP_BUFF)

    def fits(self, shown: set[int], scale: float) -> bool:
        n_rows = self.rows(shown, scale)
        return n_rows * self.dots.height * scale + (n_rows - 1) * 0.1 <= self.max_h + 1e-6


@dataclass(frozen=True)
class Timing:
    """Seconds of each part of the figure (`timeline`). fade: every fade and dimming (short:
    a fade redraws its whole area in every frame, the costliest thing in a GIF); poster:
    the first frame's hold; intro / outro: a sentence's start and end, fade included; step:
    the longest step (motion and rest); hold: the last frame. moves: per sentence, per step
    k >= 1, the seconds the output moves (as long as its move needs); rests: the still time
    after each move (the eye catches up, the step's caption is read)."""

    fade: float
    poster: float
    intro: float
    step: float
    outro: float
    hold: float
    total: float
    moves: tuple[tuple[float, ...], ...] = ()
    rests: tuple[tuple[float, ...], ...] = ()


MAX_SECONDS = 30.0
# A step's motion: MOVE_S[0] s for a move too small to see, plus MOVE_GAIN s per reach of
# the drift moved (the farthest output from the origin), at most MOVE_S[1] s; then REST_S s.
MOVE_S = (0.6, 1.8)
MOVE_GAIN = 2.4
REST_S = 0.45
READ_CPS = 19.0  # subtitle guides: about 17-20 characters a second


def step_moves(plan: Plan) -> list[list[float]]:
    """Per sentence, per step k >= 1: how far the output moves, as a share of the drift's
    reach (plan units: the view is one uniform scale, so shares on screen are the same)."""
    o = np.array(plan.projection.origin)
    pts = [[np.array(st.point) for st in s.steps] for s in plan.sentences]
    reach = max(float(np.linalg.norm(p - o)) for ps in pts for p in ps)
    return [
        [float(np.linalg.norm(b - a)) / max(reach, 1e-12) for a, b in zip(ps, ps[1:], strict=False)]
        for ps in pts
    ]


def timeline(plan: Plan) -> Timing:
    """How long each part lasts: each step as long as its move needs (eased; a large pull
    moves for about 1.5 s), about 20 s for the post's figure, never over 30 s (every step
    shrinks alike when the steps would not fit)."""
    n = len(plan.sentences)
    fade, poster, hold = 0.2, 1.8, 3.5
    intro, outro = (1.0, 1.8) if n <= 2 else (0.6, 0.9)
    fixed = poster + fade + n * (intro + outro) + (fade if n > 1 else 0.0) + hold
    moves = [
        [float(np.clip(MOVE_S[0] + MOVE_GAIN * d, *MOVE_S)) for d in ds] for ds in step_moves(plan)
    ]
    rests = [  # the step's caption read at READ_CPS characters a second
        [
            max(REST_S, len(drift_caption(plan, "step", si, k)) / READ_CPS - m)
            for k, m in enumerate(ms, start=1)
        ]
        for si, ms in enumerate(moves)
    ]
    need = sum(map(sum, moves)) + sum(map(sum, rests))
    f = min(1.0, (MAX_SECONDS - 1.0 - fixed) / max(need, 1e-9))
    scaled = tuple(tuple(m * f for m in ms) for ms in moves)
    still = tuple(tuple(r * f for r in rs) for rs in rests)
    steps = [
        m + r for ms, rs in zip(scaled, still, strict=True) for m, r in zip(ms, rs, strict=True)
    ]
    total = fixed + sum(steps)
    return Timing(fade, poster, intro, max(steps, default=0.0), outro, hold, total, scaled, still)


class DriftScene(BeatScene):
    """The drift of the target's vector, for one sentence or several compared."""

    plan: Plan  # set by the pipeline (or ATTENTION_DRIFT_PLAN for `manim`); load_plan() checks
    theme: str = "dark"
    # the layout the scene drew, per beat, written there as JSON (STEM.figure.json: the HTML
    # page's highlights and chapters read it); None: not written
    figure_file: str | None = None

    # ---- configuration -------------------------------------------------------------------
    def setup(self) -> None:
        self.load_plan()  # plan, palette, background (scenes.beats.BeatScene)
        if len(self.plan.sentences) > MAX_SENTENCES:
            raise InputError(
                f"a drift figure shows at most {MAX_SENTENCES - 1} --compare sentences; "
                f"render the others in a second figure"
            )
        self.timing = timeline(self.plan)
        self.build_layout()
        self.check_layout_items(self.layout_items())

    def construct(self) -> None:
        plan = self.plan  # each beat ends with self.beat(notes, caption=...)
        self.show_poster()
        if self.final_only:  # the poster is the last frame
            return
        self.beat(drift_notes(plan, "poster"), caption=drift_caption(plan, "poster"))
        self.rewind()
        for si, s in enumerate(plan.sentences):
            self.start_sentence(si)
            self.beat(drift_notes(plan, "panel", si), caption=drift_caption(plan, "panel", si))
            for k in range(1, len(s.steps)):
                self.add_word(si, k)
                self.beat(
                    drift_notes(plan, "step", si, k), caption=drift_caption(plan, "step", si, k)
                )
            self.end_sentence(si)
            self.beat(drift_notes(plan, "formula", si), caption=drift_caption(plan, "formula", si))
        self.show_summary()
        self.beat(drift_notes(plan, "summary"), caption=drift_caption(plan, "summary"))

    # ---- layout (computed once, checked before anything is drawn) -------------------------
    def build_layout(self) -> None:
        plan = self.plan
        self.multi = len(plan.sentences) > 1
        self.left, self.right = FRAME[0] + MARGIN, FRAME[2] - MARGIN
        self.top, self.bottom = FRAME[3] - MARGIN, FRAME[1] + MARGIN
        self.col_x = self.right - PANEL_W  # the panel column's left edge
        self.build_title()
        self.build_panels()  # their height decides how much room the sentences get
        self.build_header()
        self.body_top = self.header.get_bottom()[1] - 0.3
        self.place_panels()
        self.build_summary()
        if self.summary is not None:
            _put_top_left(self.summary, self.col_x, self.body_top)
        self.label_cap = MAX_WORD_LABELS
        self.build_plot()
        clash = any("label" in p.what for p in check_items(self.layout_items()))
        if clash and len(self.word_labels) > FEW_WORD_LABELS:  # fewer names, placed apart
            self.label_cap = FEW_WORD_LABELS
            self.build_plot()

    def build_title(self) -> None:
        pal, target = self.pal, self.plan.target
        where = "each sentence's context" if len(self.plan.sentences) > 1 else "its context"
        self.title = fitted(
            f"Attention pulls “{target}” towards {where}",
            pal,
            size=SIZES.title,
            max_width=self.right - self.left,
        )
        _put_top_left(self.title, self.left, self.top)

    def badge(self, si: int) -> Badge:
        """Sentence si's numbered badge, in its colour."""
        return Badge(si + 1, self.pal, color=self.pal.color(si), size=SIZES.small)

    # -- the panel column
    def panel_rows(self, si: int) -> list[tuple[int, ...]]:
        """The rows of sentence si's panel: token indices (one, or the group that joined
        together in one step), target first, then in the order they join."""
        s = self.plan.sentences[si]
        return [(s.target_index,), *(st.joined for st in s.steps[1:])]

    def word_rows(self, si: int) -> list[int]:
        """The context words of sentence si with a panel row of their own (not in a group),
        in the order they join."""
        return [r[0] for r in self.panel_rows(si)[1:] if len(r) == 1]

    def row_weights(self, si: int, k: int) -> list[float | None]:
        """Each panel row's weight at step k (a group's: the sum of its words' weights);
        None for rows not joined yet."""
        step = self.plan.sentences[si].steps[k]
        return [
            step.weight_of(row) if row[0] in step.words else None for row in self.panel_rows(si)
        ]

    def row_name(self, si: int, row: tuple[int, ...]) -> str:
        s = self.plan.sentences[si]
        if len(row) > 1:
            return f"{len(row)} more, Σ"
        w = s.words[row[0]]
        twice = any(
            o.norm == s.target.norm and o.index != s.target_index and o.included for o in s.words
        )
        if w.index == s.target_index and twice:
            return f"{cut(w.text, 6)} (target)"
        return word_name(s, w.index)

    def build_panels(self) -> None:
        plan, pal = self.plan, self.pal
        self.panels: list[VGroup] = []
        self.panel_titles: list[VMobject] = []  # per panel: its title (and badge, compared)
        self.scale_lines: list[list[Text]] = []  # per panel: how the weights were made
        self.bars: list[WeightBars] = []
        self.equations: list[VGroup] = []
        for si, s in enumerate(plan.sentences):
            color = pal.color(si)
            title: VMobject = fitted(
                f"weights of “{s.target.text}”",
                pal,
                size=SIZES.body,
                max_width=PANEL_W - (0.55 if self.multi else 0.0),
            )
            if self.multi:
                title = VGroup(self.badge(si), title).arrange(RIGHT, buff=0.15)
            lines = [
                fitted(line, pal, size=SIZES.small, color=pal.muted, max_width=PANEL_W)
                for line in scale_text(plan, s).split("\n")
            ]
            rows = self.panel_rows(si)
            bars = WeightBars(
                [self.row_name(si, r) for r in rows],
                self.row_weights(si, 0),
                pal,
                color=color,
                bar_width=2.0,
                size=SIZES.small,
                row_height=ROW_H[1],
                colors=[
                    pal.special if s.words[r[0]].reason == "special" and len(r) == 1 else None
                    for r in rows
                ],
                name_width=NAME_W,
                bold=[0],
            )
            self.bars.append(bars)
            self.panel_titles.append(title)
            self.scale_lines.append(lines)
            self.panels.append(VGroup(title, *lines, bars))
            self.equations.append(self.equation(si, PANEL_W))

    def panel_height(self, si: int, row_h: float) -> float:
        title, lines, bars = self.panel_titles[si], self.scale_lines[si], self.bars[si]
        n = len(bars.names)
        return title.height + sum(m.height + 0.08 for m in lines) + 0.2 + n * row_h

    def place_panels(self) -> None:
        """Rows as tall as the column allows (between ROW_H), equation under the panel."""
        room = self.body_top - self.bottom
        for si in range(len(self.panels)):
            title, lines, bars = self.panel_titles[si], self.scale_lines[si], self.bars[si]
            eq = self.equations[si]
            n = len(bars.names)
            fixed = self.panel_height(si, 0.0) + 0.3 + eq.height
            row_h = float(np.clip((room - fixed) / n, *ROW_H))
            for i, row in enumerate(bars.rows):
                row.shift(np.array([0, -i * (row_h - ROW_H[1]), 0]))
            y = self.body_top
            _put_top_left(title, self.col_x, y)
            y -= title.height + 0.08
            for m in lines:
                _put_top_left(m, self.col_x, y)
                y -= m.height + 0.08
            y -= 0.12
            track_x = self.col_x + self.name_col_width() + 0.15
            bars.shift(np.array([track_x - bars.tracks[0].get_start()[0], 0, 0]))
            bars.shift(np.array([0, y - bars.get_top()[1], 0]))
            eq.move_to(np.array([self.col_x + eq.width / 2, 0, 0]))
            eq.shift(np.array([0, bars.get_bottom()[1] - 0.3 - eq.get_top()[1], 0]))

    def name_col_width(self) -> float:
        return max(n.width for b in self.bars for n in b.names)

    def equation(self, si: int, width: float, max_lines: int = 2, lhs: bool = True) -> Equation:
        """“bank′ = 0.56·bank + 0.26·river + … + 0.12·(5 more)” with the final weights, one
        term per panel row (final_terms): the target's first, then the largest, the group
        last; at most max_lines lines, the words left out as "+ …" (only the terms shown are
        built). `.terms` lists the (row, weight) pairs shown."""
        s, pal = self.plan.sentences[si], self.pal
        pairs = final_terms(s)

        def text(t: str) -> StrutText:
            return StrutText(t, pal, size=SIZES.small, color=pal.color(si))

        first = [text(f"{cut(s.target.text, 11)}′ =")] if lhs else []  # the summary's title has it
        labels = [
            f"{'+ ' if j else ''}{fmt(w)}·{row_text(s, row)}" for j, (row, w) in enumerate(pairs)
        ]
        group = len(pairs) > 1 and len(pairs[-1][0]) > 1
        terms = EquationTerms(text, labels, keep_last=group)
        # 0.25: the invisible struts either side of the ink
        lines, shown = terms.fit(first, width - 0.25, max_lines)
        return Equation(set_lines(lines), pairs[:shown] + (pairs[-1:] if group else []))

    # -- the sentences
    def build_header(self) -> None:
        plan = self.plan
        n = len(plan.sentences)
        badge_w = 0.55 if self.multi else 0.0
        width = self.right - self.left - badge_w
        panel_need = max(
            self.panel_height(si, ROW_H[0]) + 0.3 + self.equations[si].height for si in range(n)
        )
        body_min = max(panel_need, 3.2)
        room = self.title.get_bottom()[1] - 0.2 - (self.bottom + body_min + 0.3)
        per_sentence = (room - 0.14 * (n - 1)) / n
        self.chips: list[dict[int, TokenChip]] = []
        self.sentence_rows: list[VGroup] = []
        self.badges: list[Badge] = []
        self.fillers: list[TokenChip] = []  # "…" where words are elided
        for si, s in enumerate(plan.sentences):
            row, chips = self.sentence_row(si, s, width, per_sentence)
            self.chips.append(chips)
            self.sentence_rows.append(row)
        header = VGroup(*self.sentence_rows).arrange(DOWN, buff=0.14, aligned_edge=LEFT)
        header.move_to(np.array([self.left + header.width / 2, 0, 0]))
        header.shift(np.array([0, self.title.get_bottom()[1] - 0.2 - header.get_top()[1], 0]))
        self.header = header

    def sentence_row(
        self, si: int, s: Sentence, width: float, max_h: float
    ) -> tuple[VGroup, dict[int, TokenChip]]:
        """A sentence as chips, wrapped. If it needs more room than max_h: the chips at the
        small size, then words elided with "…" (shown_chips)."""
        pal = self.pal
        chips = self.sentence_chips(si, s, width)
        dots = TokenChip("…", pal, role="excluded", size=SIZES.body)
        shown, scale = self.shown_chips(si, ChipWrap(chips, dots, width, max_h))
        items: list[VMobject] = []
        for i in elided(list(chips), shown):
            if i is None:
                filler = TokenChip("…", pal, role="excluded", size=SIZES.body)
                items.append(filler)
                self.fillers.append(filler)
            else:
                items.append(chips[i])
        if scale != 1.0:
            for m in items:
                m.scale(scale)
        group = chip_rows(items, max_width=width, buff=CHIP_BUFF, row_buff=0.1, aligned_edge=LEFT)
        if self.multi:
            badge = self.badge(si)
            badge.next_to(group[0], LEFT, buff=0.2)
            group = VGroup(badge, group)
            self.badges.append(badge)
        return group, {i: chip for i, chip in chips.items() if i in shown}

    def sentence_chips(self, si: int, s: Sentence, width: float) -> dict[int, TokenChip]:
        """A chip per word of sentence si, by token index, in the sentence's colour."""
        return {
            w.index: TokenChip(
                w.text, self.pal, role=self.role(s, w.index), color=self.pal.color(si),
                size=SIZES.body, max_width=width,
            )
            for w in s.words
            if w.reason != "special"  # [CLS]/[SEP] get a bar, not a chip
        }  # fmt: skip

    def shown_chips(self, si: int, wrap: ChipWrap) -> tuple[set[int], float]:
        """Which chips of sentence si fit, and their scale: all of them at the body size
        (the small size with three sentences or more), else at the small size; else the
        target and the words with a panel row as long as they fit, then the words nearest
        them as room allows."""
        small = SIZES.small / SIZES.body
        shown = set(wrap.chips)
        scale = 1.0 if len(self.plan.sentences) <= 2 else small
        if not wrap.fits(shown, scale):
            scale = small
        if wrap.fits(shown, scale):
            return shown, scale
        keep = [self.plan.sentences[si].target_index]
        keep += [i for i in self.word_rows(si) if i in wrap.chips]
        while len(keep) > 1 and not wrap.fits(set(keep), scale):
            keep.pop()
        shown = set(keep)
        rest = sorted(
            (i for i in wrap.chips if i not in shown),
            key=lambda i: (min(abs(i - j) for j in keep), i),
        )
        for i in rest:  # the nearest words around them, as room allows
            if wrap.fits(shown | {i}, scale):
                shown.add(i)
        return shown, scale

    def role(self, s: Sentence, index: int) -> str:
        if index == s.target_index:
            return "target"
        return "context" if s.words[index].included else "excluded"

    # -- the summary (the last frame of a comparison)
    def build_summary(self) -> None:
        pal = self.pal
        if not self.multi:
            self.summary = None
            return
        t = self.plan.sentences[0].target.text
        head = fitted(f"Where it ends up: {t}′ =", pal, size=SIZES.body, max_width=PANEL_W)
        n = len(self.plan.sentences)
        room = self.body_top - self.bottom
        for lines in (2, 1):  # two lines per sentence when the column has room
            blocks = []
            for si in range(n):
                eq = self.equation(si, PANEL_W - 0.55, max_lines=lines, lhs=False)
                badge = self.badge(si)
                badge.move_to(
                    np.array([eq.get_left()[0] - 0.18 - badge.width / 2, eq[0].get_center()[1], 0])
                )
                blocks.append(VGroup(badge, eq))
            self.summary = VGroup(head, *blocks).arrange(DOWN, buff=0.18, aligned_edge=LEFT)
            if self.summary.height <= room:
                break
        self.summary_equations = [b[1] for b in blocks]

    # -- the plot
    def source_name(self) -> str:
        e = self.plan.embedding
        if e.kind == "model":
            return "MiniLM value vectors"
        return "MiniLM embeddings" if e.kind == "minilm" else f"vectors ({e.name})"

    def build_plot(self) -> None:
        plan, pal = self.plan, self.pal
        ev = plan.projection.explained_variance_ratio
        plot_right = self.col_x - GUTTER
        self.caption = fitted(
            f"PCA of {plan.embedding.dim}-d {self.source_name()} "
            f"(PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%})",
            pal,
            size=SIZES.small,
            color=pal.muted,
            max_width=plot_right - self.left,
        )
        self.caption.move_to(
            np.array([self.left + self.caption.width / 2, self.bottom + self.caption.height / 2, 0])
        )
        # A word label whose leader line would cross a line, a label or a point becomes a
        # number beside its point, named in the key's legend ("1 river"): short enough to
        # sit by the point with no leader.
        self.numbered: dict[int, int] = {}  # point -> its number in the legend
        for round_ in range(NUMBERING_ROUNDS):
            self.lay_out_plot(plot_right)
            crossing = {id(m) for m, _ in self.leader_problems()}
            bad = [
                j
                for j, m in self.word_labels.items()
                if id(m) in crossing and j not in self.numbered
            ][: MAX_NUMBERED - len(self.numbered)]
            if not bad or round_ == NUMBERING_ROUNDS - 1:
                break
            for j in bad:
                self.numbered[j] = len(self.numbered) + 1

    def lay_out_plot(self, plot_right: float) -> None:
        """The key, the plot's box and view, the vectors and the plot's labels."""
        self.key = VGroup()
        self.key_parts: list[VMobject] = []
        self.view(plot_right, self.caption.get_top()[1] + 0.15)
        self.key = self.build_key()
        room = plot_right - self.caption.get_right()[0] - 0.4
        if len(self.key) == 1 and self.key.width <= room:  # on the caption's line
            self.key.next_to(self.caption, RIGHT, buff=0.4)
        else:  # on lines of their own above it: the plot gives up that room
            for _ in range(2):  # the new view may draw other marks: their key, once more
                _put_top_left(
                    self.key, self.left, self.caption.get_top()[1] + 0.1 + self.key.height
                )
                height = self.key.height
                self.view(plot_right, self.key.get_top()[1] + 0.15)
                self.key = self.build_key()
                _put_top_left(
                    self.key, self.left, self.caption.get_top()[1] + 0.1 + self.key.height
                )
                if self.key.height <= height + 1e-6:
                    break
        self.build_vectors()
        self.place_plot_labels()

    def view(self, plot_right: float, plot_bottom: float) -> None:
        """The plot's box, the view of the drift in it, the origin and the words' marks."""
        plan = self.plan
        self.plot_box: Box = (self.left, plot_bottom, plot_right, self.body_top)
        drift = [plan.projection.origin]
        for s in plan.sentences:
            drift += [st.point for st in s.steps]
        words = [point for s in plan.sentences for _, point in plotted_words(s)]
        self.map = drift_view(
            np.array(drift, dtype=float),
            np.array(words, dtype=float).reshape(-1, 2),
            self.plot_box,
            margin=0.55,
        )
        self.origin = self.map(plan.projection.origin)
        self.build_points()

    def build_key(self) -> VGroup:
        """One line saying what the marks of this figure mean (only those it draws): the
        edge dart, the ring at the origin, the group's diamond, v(·), [special], ′."""
        pal, plan = self.pal, self.plan
        muted = pal.muted
        entries: list[tuple[VMobject | None, str]] = []
        if any(pt["outside"] for pt in self.points):
            dart = EdgeMarker(ORIGIN, RIGHT, color=muted, size=0.26)
            entries.append((dart, "word off view"))
        if any(pt.get("ring") for pt in self.points):
            entries.append((Circle(radius=0.09, color=muted, stroke_width=2.5), "word at origin"))
        if any(pt.get("group") for pt in self.points):
            diamond = Square(0.12, stroke_width=0, fill_color=muted, fill_opacity=1).rotate(PI / 4)
            entries.append((diamond, "words joined"))
        if any(pt["special"] for pt in self.points):
            entries.append((None, "[special]: CLS+SEP"))
        for j, n in self.numbered.items():  # the legend
            entries.append((None, f"{n}: {self.points[j]['text']}"))
        t = cut(plan.target, 14)
        if plan.model is not None:
            entries.append((None, f"v({t}): value vector"))
        entries.append((None, f"{t}′: after attention"))
        parts: list[VMobject] = []
        for mark, text in entries:
            words = label(text, pal, size=SIZES.small, color=muted)
            parts.append(VGroup(mark, words).arrange(RIGHT, buff=0.1) if mark else words)
        self.key_parts = parts
        # Under the panel column too, when its panels and equations end above the key.
        wide = chip_rows(parts, max_width=self.right - self.left, buff=0.3, row_buff=0.08,
                         aligned_edge=LEFT)  # fmt: skip
        top = self.caption.get_top()[1] + 0.1 + wide.height
        if len(wide) > 1 and top + 0.2 < self.column_bottom():
            return wide
        width = self.col_x - GUTTER - self.left
        return chip_rows(parts, max_width=width, buff=0.3, row_buff=0.08, aligned_edge=LEFT)

    def column_bottom(self) -> float:
        """The lowest the panel column's texts reach (panels, equations, summary)."""
        column = [*self.panels, *self.equations]
        if self.summary is not None:
            column.append(self.summary)
        return min(m.get_bottom()[1] for m in column)

    def build_points(self) -> None:
        """Each context word's point (or, outside the view, a marker at its edge)."""
        self.collect_points()
        n_labels = 0  # the words with a panel row are labelled, MAX_WORD_LABELS at most
        for pt in self.points:
            if pt["labelled"]:
                n_labels += 1
                pt["labelled"] = n_labels <= self.label_cap
        for pt in self.points:
            pt["mob"] = self.point_mark(pt)
        self.dots = [pt["mob"] for pt in self.points]
        self.origin_mark = OriginMark(self.origin, color=self.pal.text)

    def collect_points(self) -> None:
        """self.points: one per distinct (word, point), where it is drawn ("at": on the
        view's edge when it is outside); self.point_of: (sentence, token) -> its index."""
        x0, y0, x1, y1 = self.plot_box
        inner = (x0 + 0.2, y0 + 0.2, x1 - 0.2, y1 - 0.2)
        centre = np.array([(inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2, 0])
        self.points: list[dict] = []
        self.point_of: dict[tuple[int, int], int] = {}
        seen: dict[tuple[str, tuple[float, float]], int] = {}
        for si, s in enumerate(self.plan.sentences):
            labelled = set(self.word_rows(si))
            pulled_from = self.pull_starts(si)
            grouped = self.add_groups(si, inner, centre)
            for w, point in plotted_words(s):
                if w.index in grouped:
                    continue
                key = (w.norm, point)
                if key in seen:  # the same word in two sentences: one neutral point
                    j = seen[key]
                    self.points[j]["sentences"].add(si)
                    self.points[j]["labelled"] |= w.index in labelled
                    self.point_of[(si, w.index)] = j
                    continue
                p = self.map(point)
                outside = not (inner[0] <= p[0] <= inner[2] and inner[1] <= p[1] <= inner[3])
                # Outside the view: a marker where the line from the tip to the word leaves it.
                spot = edge_point(pulled_from.get(w.index, centre), p, inner) if outside else p
                seen[key] = len(self.points)
                self.point_of[(si, w.index)] = len(self.points)
                self.points.append(
                    {
                        "text": word_name(s, w.index),
                        "special": w.reason == "special",
                        "true": p,
                        "at": spot,
                        "outside": outside,
                        "sentences": {si},
                        "labelled": w.index in labelled,
                    }
                )

    def add_groups(self, si: int, inner: Box, centre: np.ndarray) -> set[int]:
        """One mark per group of sentence si's words that join together ("12 more"), where
        they pull together: the mean of their points weighted by their weights (the output
        moves towards it, exactly: the projection is affine). Returns the grouped tokens."""
        s, grouped = self.plan.sentences[si], set()
        tips = self.tips(si)
        for k, st in enumerate(s.steps[1:], start=1):
            row = st.joined
            if len(row) < 2:
                continue
            weight = dict(zip(st.words, st.weights, strict=True))
            pts = np.array([s.words[i].point for i in row], dtype=float)  # [G, 2]
            w = np.array([weight[i] for i in row])  # [G]
            p = self.map(tuple(w @ pts / max(float(w.sum()), 1e-300)))
            outside = not (inner[0] <= p[0] <= inner[2] and inner[1] <= p[1] <= inner[3])
            for i in row:
                self.point_of[(si, i)] = len(self.points)
            grouped |= set(row)
            self.points.append(
                {
                    "text": f"{len(row)} more",
                    "special": False,
                    "group": True,
                    "true": p,
                    "at": edge_point(tips[k - 1], p, inner) if outside else p,
                    "outside": outside,
                    "sentences": {si},
                    "labelled": True,
                }
            )
        return grouped

    def pull_starts(self, si: int) -> dict[int, np.ndarray]:
        """Where the arrow's tip is when each word of sentence si joins: its pull starts
        there."""
        tips, steps = self.tips(si), self.plan.sentences[si].steps
        return {i: tips[k - 1] for k in range(1, len(steps)) for i in steps[k].joined}

    def point_mark(self, pt: dict) -> VMobject:
        """A word's dot in its sentence's colour (neutral when sentences share it), or
        outside the view a marker at the edge pointing towards it; sets pt["color"]."""
        pal = self.pal
        color = (
            pal.special
            if pt["special"]
            else (pal.text if len(pt["sentences"]) > 1 else pal.color(min(pt["sentences"])))
        )
        pt["color"] = color
        if not pt["outside"] and np.linalg.norm(pt["at"][:2] - self.origin[:2]) < ON_ORIGIN:
            # A dot there would hide under the origin's cross and the arrows' tails: a ring
            # round them says "this word is at the origin".
            pt["ring"] = True
            return Circle(radius=0.2, color=color, stroke_width=3.5).move_to(pt["at"])
        if not pt["outside"] and pt.get("group"):  # several words as one: a diamond
            return (
                Square(0.15, stroke_width=0, fill_color=color, fill_opacity=1.0)
                .rotate(PI / 4)
                .move_to(pt["at"])
            )
        if not pt["outside"]:
            return Dot(pt["at"], radius=0.07 if pt["labelled"] else 0.045, color=color)
        # A word of "the rest" (no label): a smaller, fainter marker.
        size = 0.36 if pt["labelled"] else 0.22
        m = EdgeMarker(pt["at"], pt["true"] - pt["at"], color=color, size=size)
        if not pt["labelled"]:
            m.set_fill(opacity=0.6)
        return m

    def tips(self, si: int) -> list[np.ndarray]:
        """The tip of sentence si's arrow at each step, in the scene."""
        return [self.map(st.point) for st in self.plan.sentences[si].steps]

    def build_vectors(self) -> None:
        """The static vector(s), each sentence's arrow and trail, at their final places."""
        plan, pal = self.plan, self.pal
        n = len(plan.sentences)
        self.start_points = [self.tips(si)[0] for si in range(n)]
        self.shared_start = all(np.allclose(p, self.start_points[0]) for p in self.start_points)
        widths = [7.5 - 1.2 * si for si in range(n)]  # later arrows thinner, on top: none hidden
        if self.shared_start:
            self.static_arrows = [
                VectorArrow(
                    self.origin,
                    self.start_points[0],
                    color=pal.static,
                    width=9,
                    tip_length=0.28,
                    tip_width=0.26,
                )
            ]
        else:
            self.static_arrows = [
                VectorArrow(
                    self.origin,
                    p,
                    color=pal.color(si),
                    width=3,
                    opacity=0.55,
                    tip_length=0.2,
                    tip_width=0.16,
                )
                for si, p in enumerate(self.start_points)
            ]
        self.arrows: list[VectorArrow] = []
        self.trails: list[list[VGroup]] = []  # per sentence, per step k >= 1
        for si in range(n):
            color = pal.color(si)
            tips = self.tips(si)
            w = widths[si]
            self.arrows.append(
                VectorArrow(
                    self.origin,
                    tips[-1],
                    color=color,
                    width=w,
                    tip_length=0.16 + 0.012 * w,
                    tip_width=0.12 + 0.012 * w,
                )
            )
            trail = []
            for k in range(1, len(tips)):
                seg = VMobject(stroke_width=5, stroke_color=color)
                seg.set_points_as_corners(self.trail_path(si, k))
                trail.append(VGroup(seg, TrailDot(tips[k - 1], pal, color)))
            self.trails.append(trail)

    def arrow_lines(self, si: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """The arrows a line drawn at sentence si's step k must not lie along: the static
        vectors, sentence si's arrow from step k on and the other sentences' last arrows."""
        lines = [(self.origin, p) for p in self.start_points]
        tips = self.tips(si)
        lines += [(self.origin, t) for t in tips[k:]]
        lines += [
            (self.origin, self.map(s.final.point))
            for sj, s in enumerate(self.plan.sentences)
            if sj != si
        ]
        return lines

    def trail_path(self, si: int, k: int) -> np.ndarray:
        """The trail of sentence si's step k as corner points [m, 3]: straight from the last
        tip to this one, or bowed when it would lie along an arrow (a trail step running on
        past the last arrow's head would make the head look mid-shaft); it stops short of
        the tip, under the arrowhead."""
        tips = self.tips(si)
        a, b = tips[k - 1], tips[k]
        # from the arrow's head, nearly along its shaft, it reads as the shaft going on
        shaft = aligned(a - b, b - self.origin) or aligned(b - a, b - self.origin)
        bend = BEND if shaft or lies_on(a, b, self.arrow_lines(si, k)) else 0.0
        pts = bowed(a, b, bend, np.linspace(0.0, 1.0, 9 if bend else 2))  # [m, 3]
        last = pts[-1] - pts[-2]
        n = float(np.linalg.norm(last))
        if n > 1e-9:
            pts[-1] = pts[-1] - last / n * min(0.06, n / 3)
        return pts

    def segments(self) -> list[tuple[str, Segment]]:
        """Every line a label must stay off: static vectors, every step's arrow and the arrow
        between steps as it moves, the trails."""
        out: list[tuple[str, Segment]] = []
        for j, a in enumerate(self.static_arrows):
            out += [(f"static vector {j}", seg) for seg in a.segments()]
        for si in range(len(self.plan.sentences)):
            tips = self.tips(si)
            arrow = self.arrows[si]
            for k, tip in enumerate(tips):
                frac = [0.0] if k == 0 else [1 / 3, 2 / 3, 1.0]
                for f in frac:
                    p = tips[k - 1] + (tip - tips[k - 1]) * f if k else tip
                    out += [
                        (f"arrow {si + 1} step {k}", seg) for seg in arrow.segments(self.origin, p)
                    ]
            for k in range(1, len(tips)):
                out += [(f"trail {si + 1} step {k}", seg) for seg in self.trail_segments(si, k)]
        return out

    def trail_segments(self, si: int, k: int) -> list[Segment]:
        pts = self.trail_path(si, k)
        return [
            (float(p[0]), float(p[1]), float(q[0]), float(q[1]), 0.03)
            for p, q in zip(pts, pts[1:], strict=False)
        ]

    def final_lines(self) -> list[Segment]:
        """The lines of the last frame (static vectors, arrows, trails): a leader line
        crossing fewer of them is easier to follow."""
        out: list[Segment] = [seg for a in self.static_arrows for seg in a.segments()]
        for si in range(len(self.plan.sentences)):
            tips = self.tips(si)
            out += self.arrows[si].segments(self.origin, tips[-1])
            for k in range(1, len(tips)):
                out += self.trail_segments(si, k)
        return out

    def place_plot_labels(self) -> None:
        """Start, end and word labels, placed off every point, line and each other."""
        pal = self.pal
        self.label_badges: list[Badge] = []
        self.start_labels = self.build_start_labels()
        self.end_labels = self.build_end_labels()
        self.word_labels: dict[int, Text] = {
            j: fitted(
                str(self.numbered[j]) if j in self.numbered else pt["text"],
                pal,
                size=SIZES.small,
                color=pt["color"],
                max_width=2.2,
            )
            for j, pt in enumerate(self.points)
            if pt["labelled"]
        }
        labels = [*self.start_labels, *self.end_labels, *self.word_labels.values()]
        anchors = [
            *self.start_points[: len(self.start_labels)],
            *(self.map(s.final.point) for s in self.plan.sentences),
            *(self.points[j]["at"] for j in self.word_labels),
        ]
        centres = place_labels_best(
            [(float(a[0]), float(a[1])) for a in anchors],
            [(m.width, m.height) for m in labels],
            self.plot_box,
            self.label_orders(),
            [LABEL_WEIGHT.get(kind, 1.0) for kind in self.label_kinds()],
            obstacles=self.label_obstacles(),
            leader_gap=LEADER_GAP,
            lines=self.final_lines(),
            marks=[box_of(pt["mob"]) for pt in self.points] + [box_of(self.origin_mark)],
        )
        # A leader shows with its label: the end labels' come and go with them (an end label
        # appears when its sentence ends), the others are always on (self.leaders).
        self.leader_of: dict[int, Line] = {}  # id(label) -> its leader line
        for m, c, a in zip(labels, centres, anchors, strict=True):
            m.move_to(np.array([c[0], c[1], 0]))
            if needs_leader((a[0], a[1]), c, (m.width, m.height), LEADER_GAP):
                end = leader_end((a[0], a[1]), c, (m.width, m.height))
                line = Line(np.array([a[0], a[1], 0]), np.array([*end, 0.0]), stroke_width=1.5,
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

    def leader_problems(self) -> list[tuple[VMobject, str]]:
        """Each label whose leader line crosses a drawn line of the last frame (a static
        vector, an arrow, a trail), another label or another point, with what it crosses."""
        labels = [*self.start_labels, *self.end_labels, *self.word_labels.values()]
        boxes = {id(m): box_of(m) for m in labels}
        marks = [box_of(pt["mob"]) for pt in self.points] + [box_of(self.origin_mark)]
        drawn = np.array([seg[:4] for seg in self.final_lines()], dtype=float).reshape(-1, 4)
        out = []
        for m in labels:
            line = self.leader_of.get(id(m))
            if line is None:
                continue
            a, b = line.get_start()[:2], line.get_end()[:2]
            start = a + (b - a) * min(1.0, 0.15 / max(float(np.linalg.norm(b - a)), 1e-9))
            crossed = int(_segments_cross(start, b, drawn).sum())
            others = [boxes[i] for i in boxes if i != id(m)]
            others += [x for x in marks if not _contains(x, a)]
            hit = segments_hit_boxes((float(start[0]), float(start[1])), b[None, :],
                                     np.array(others, dtype=float).reshape(-1, 4), 0.0)  # fmt: skip
            if crossed or hit.any():
                out.append((m, f"{crossed} lines, {int(hit.sum())} boxes"))
        return out

    def label_kinds(self) -> list[str]:
        """The plot's labels in order: "start"s, "end"s, then "word" or "outside" (a word
        whose marker is at the view's edge)."""
        return [
            *["start"] * len(self.start_labels),
            *["end"] * len(self.end_labels),
            *("outside" if self.points[j]["outside"] else "word" for j in self.word_labels),
        ]

    def label_orders(self) -> list[list[int]]:
        """The orders the labels may take their places in (`place_labels_best` keeps the one
        with the shortest, least crossed leader lines): as listed; the words outside the
        view first (their markers crowd the view's edge, where only their labels want to
        be); the end labels, then those words."""
        kinds = self.label_kinds()
        rank = [
            {"start": 0, "end": 1, "word": 2, "outside": 2},
            {"outside": 0, "start": 1, "end": 2, "word": 3},
            {"end": 0, "outside": 1, "start": 2, "word": 3},
        ]
        return [sorted(range(len(kinds)), key=[r[k] for k in kinds].__getitem__) for r in rank]

    def build_start_labels(self) -> list[VMobject]:
        """The static vector's label: one, or one per sentence with its badge when the
        sentences' static vectors differ."""
        plan, pal = self.plan, self.pal
        name = cut(plan.target, 14)
        text = f"v({name})" if plan.model is not None else f"{name} (static)"
        if self.shared_start:
            return [label(text, pal, size=SIZES.body, color=pal.static)]
        return [
            self.with_badge(label(text, pal, size=SIZES.body, color=pal.color(si)), si)
            for si in range(len(plan.sentences))
        ]

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

    def label_obstacles(self) -> list[Box]:
        """What the plot's labels must stay off: the points, the origin and every line, with
        air round them (0.05 in all, of which the placer keeps CLEARANCE itself)."""
        air = 0.05 - CLEARANCE
        obstacles = [pad_box(box_of(pt["mob"]), air) for pt in self.points]
        obstacles.append(pad_box(box_of(self.origin_mark), air))
        for _, seg in self.segments():
            hw = seg[4] + 0.04 - CLEARANCE
            obstacles += segment_obstacles((seg[0], seg[1], seg[2], seg[3], hw), 0.12)
        return obstacles

    def with_badge(self, t: VMobject, si: int) -> VGroup:
        badge = self.badge(si)
        self.label_badges.append(badge)
        return VGroup(t, badge).arrange(RIGHT, buff=0.1)

    # ---- the layout check -----------------------------------------------------------------
    def layout_items(self) -> list[Item]:
        """Everything on screen, for BeatScene.check_layout_items: texts (with their sizes and
        the phase they show in), points, the origin, arrows and trails."""
        items: list[Item] = [text_item("title", box_of(self.title), SIZES.title)]
        for si, chips in enumerate(self.chips):
            items += [
                text_item(f"chip {si + 1}:{c.word.text}", box_of(c), c.word.font_size)
                for c in chips.values()
            ]
        for b in self.badges:
            items.append(text_item("badge", box_of(b), b.font_size))
        for f in self.fillers:
            items.append(text_item("elided words", box_of(f), f.word.font_size))
        items.append(text_item("caption", box_of(self.caption), SIZES.small))
        items += [
            text_item(f"key {i + 1}", box_of(m), SIZES.small) for i, m in enumerate(self.key_parts)
        ]
        for si in range(len(self.panels)):
            phase = f"panel {si + 1}"
            title, lines, bars = self.panel_titles[si], self.scale_lines[si], self.bars[si]
            items.append(text_item(f"panel {si + 1} title", box_of(title), SIZES.body, phase))
            items += [
                text_item(f"panel {si + 1} scale", box_of(m), SIZES.small, phase) for m in lines
            ]
            for name, value in zip(bars.names, bars.values, strict=True):
                items.append(
                    text_item(f"row {si + 1}:{name.text}", box_of(name), SIZES.small, phase)
                )
                items.append(
                    text_item(f"value {si + 1}:{name.text}", box_of(value), SIZES.small, phase)
                )
            items.append(
                text_item(f"equation {si + 1}", box_of(self.equations[si]), SIZES.small, phase)
            )
        if self.summary is not None:
            head, *blocks = self.summary
            items.append(text_item("summary title", box_of(head), SIZES.body, "summary"))
            items += [
                text_item(f"summary {i + 1}", box_of(b), SIZES.small, "summary")
                for i, b in enumerate(blocks)
            ]
        for m in self.start_labels:
            items.append(text_item(f"start label {label_text(m)}", box_of(m), SIZES.body))
        for si, m in enumerate(self.end_labels):
            items.append(text_item(f"end label {si + 1}", box_of(m), SIZES.body))
        for j, m in self.word_labels.items():
            items.append(text_item(f"label {m.text}#{j}", box_of(m), SIZES.small))
        for j, pt in enumerate(self.points):
            items.append(Item(f"point {pt['text']}#{j}", "dot", box_of(pt["mob"])))
        items.append(Item("origin", "mark", box_of(self.origin_mark)))
        items += [segment_item(name, seg) for name, seg in self.segments()]
        return items

    def text_boxes(self) -> list[tuple[str, Box]]:
        """The texts of the last frame, with their boxes (the texts-only check)."""
        last = "summary" if self.multi else f"panel {len(self.plan.sentences)}"
        return [
            (it.name, it.box)
            for it in self.layout_items()
            if it.kind == "text" and it.phase in (None, last)
        ]

    # ---- states ---------------------------------------------------------------------------
    def always_on(self) -> list[Mobject]:
        """What is on screen all the time, in drawing order (drawn once per animation)."""
        return [
            self.title,
            self.header,
            self.caption,
            self.key,
            self.leaders,
            *self.dots,
            self.origin_mark,
            *self.static_arrows,
            *self.start_labels,
            *self.word_labels.values(),
        ]

    def final_state(self) -> list[Mobject]:
        """What the last frame adds: trails, arrows, end labels, rings, the conclusion."""
        out: list[Mobject] = []
        for si in range(len(self.plan.sentences)):
            out += [*self.trails[si], self.arrows[si], *self.end_label(si)]
        out += list(self.rings.values())
        if self.multi:
            assert self.summary is not None
            out.append(self.summary)
        else:
            out += [self.panels[0], self.equations[0]]
        return out

    def end_label(self, si: int) -> list[VMobject]:
        """Sentence si's end label with its leader line, if it has one."""
        leader = self.end_leaders[si]
        return [self.end_labels[si]] if leader is None else [leader, self.end_labels[si]]

    def own_marks(self, si: int) -> list[Mobject]:
        """The plot's marks that belong to sentence si alone: its words' points, labels and
        leaders (a word two sentences share is neutral and stays), and its own static
        vector and label when the sentences' static vectors differ."""
        out: list[Mobject] = []
        for j, pt in enumerate(self.points):
            if pt["sentences"] == {si}:
                out.append(pt["mob"])
                if j in self.word_labels:
                    out.append(self.word_labels[j])
        if not self.shared_start:
            out += [self.static_arrows[si], self.start_labels[si]]
        out += [self.leader_of[id(m)] for m in out if id(m) in self.leader_of]
        return out

    # ---- beats ------------------------------------------------------------------------------
    def show_poster(self) -> None:
        """The first frame is the last one: the whole figure, then it is rewound."""
        self.rings: dict[tuple[int, int], VMobject] = {}
        for si, s in enumerate(self.plan.sentences):
            for st in s.steps[1:]:
                for i in st.joined:
                    if i in self.chips[si]:
                        self.rings[(si, i)] = self.chips[si][i].outline()
            self.bars[si].set_weights(self.row_weights(si, len(s.steps) - 1))
        self.add(*self.always_on(), *self.final_state())
        self.wait(self.timing.poster)

    def rewind(self) -> None:
        self.play(*[Fade(m, out=True) for m in self.final_state()], run_time=self.timing.fade)

    def start_sentence(self, si: int) -> None:
        """Sentence si's turn: the others dimmed, its panel at step 0, its arrow at the start."""
        self.bars[si].set_weights(self.row_weights(si, 0))
        self.arrows[si].put(self.origin, self.start_points[si])
        anims: list[Animation] = [Fade(self.arrows[si])]
        if si == 0:
            anims.append(Fade(self.panels[si]))
        else:  # the panel takes the place of the last sentence's panel and equation
            anims += swap([self.panels[si - 1], self.equations[si - 1]], [self.panels[si]])
        if self.multi:  # every other sentence dimmed: its chips, trail, arrow, points, labels
            for sj in range(len(self.plan.sentences)):
                if sj == si - 1 or (si == 0 and sj > 0):
                    anims += self.dim_now(self.dim(sj, DIM))
            anims += self.dim_now(self.dim(si, 1.0))
        self.play(*anims, run_time=self.timing.fade)
        self.wait(self.timing.intro - self.timing.fade)
        self.connectors: list[VMobject] = []

    def dim(self, si: int, level: float) -> list[Animation]:
        """Sentence si's things to opacity `level`: chips, rings, trail, arrow, end label and
        the plot's marks of its own (points, labels, leaders)."""
        # a trail's line and dot are added one by one (Create, Fade), not as their group
        things: list[Mobject] = [part for t in self.trails[si] for part in t.submobjects]
        things += [self.arrows[si], *self.end_label(si)]
        things += [r for (sj, _), r in self.rings.items() if sj == si]
        things = [m for m in things if m in self.mobjects]
        things += [self.sentence_rows[si], *self.own_marks(si)]  # on screen, maybe in a group
        return [Dim(m, level) for m in things]

    def dim_now(self, anims: list[Animation]) -> list[Animation]:
        """Dimming happens at once (a fading header costs a GIF more than it shows)."""
        for a in anims:
            a.rate_func = _at_once
        return anims

    def add_word(self, si: int, k: int) -> None:
        """Step k: the next word (or the rest) joins; weights renormalise; the arrow moves."""
        s = self.plan.sentences[si]
        color = self.pal.color(si)
        step, prev = s.steps[k], s.steps[k - 1]
        a, b = self.map(prev.point), self.map(step.point)
        arrow = self.arrows[si]
        self.remove(*self.connectors)
        self.connectors = []
        anims: list[Animation] = []
        marks: dict[int, list[int]] = {}  # point -> the joining words drawn there
        for i in step.joined:
            if i in self.chips[si]:
                anims.append(Create(self.rings[(si, i)]))
            j = self.point_of.get((si, i))
            if j is not None:
                marks.setdefault(j, []).append(i)
        for j, members in marks.items():
            pt = self.points[j]
            # The pull: a dashed line from the word (or the group's mark) to the tip, as
            # thick as its weight. The new output lies on it (a mix of the old output and
            # the word's vector), so the tip slides along it towards the word.
            rope = Connector(
                pt["at"], a, color=color, width=2.5 + 10 * step.weight_of(members),
                bend=self.pull_bend(si, k, pt["at"]),
            )  # fmt: skip
            self.connectors.append(rope)
            anims.append(Create(rope, rate_func=_early))
            anims.append(Pulse(pt["at"], color))
        anims += self.still_line(si, k)
        trail = self.trails[si][k - 1]
        anims.append(
            _MoveArrow(arrow, self.origin, a, b, rate_func=rate_functions.ease_in_out_sine)
        )
        anims.append(Create(trail[0], rate_func=rate_functions.ease_in_out_sine))
        anims.append(Fade(trail[1]))
        anims += self.bars[si].to(self.row_weights(si, k), rate_func=_early)
        self.play(*anims, run_time=self.timing.moves[si][k - 1])
        self.wait(self.timing.rests[si][k - 1])

    def still_line(self, si: int, k: int) -> list[Animation]:
        """When step k barely moves the output: one short line saying why, where the
        sentence's equation will be (it goes with the step, like the pull)."""
        why = still_note(self.plan, si, k)
        if not why:
            return []
        s = self.plan.sentences[si]
        text = f"{_joined_text(s, k)}{why}"
        note = fitted(text, self.pal, size=SIZES.small, color=self.pal.muted, max_width=PANEL_W)
        _put_top_left(note, self.col_x, self.equations[si].get_top()[1])
        self.connectors.append(note)
        return [Fade(note)]

    def pull_bend(self, si: int, k: int, at: np.ndarray) -> float:
        """How much the pull from a word at `at` to the tip before step k bows: 0, or BEND
        when a straight line would lie along an arrow or through the origin's cross (a word
        that projects onto the origin or onto the line of the tip's move)."""
        tip = self.tips(si)[k - 1]
        if aligned(at - tip, self.origin - tip) or lies_on(at, tip, self.arrow_lines(si, k - 1)):
            return BEND
        return BEND if near_segment(self.origin, at, tip, ON_LINE) else 0.0

    def end_sentence(self, si: int) -> None:
        self.remove(*self.connectors)
        self.connectors = []
        anims: list[Animation] = [Fade(m) for m in self.end_label(si)]
        anims.append(Fade(self.equations[si]))
        self.play(*anims, run_time=self.timing.fade)
        self.wait(self.timing.outro - self.timing.fade)

    def show_summary(self) -> None:
        n = len(self.plan.sentences)
        anims: list[Animation] = []
        if self.multi:
            assert self.summary is not None
            anims += swap([self.panels[n - 1], self.equations[n - 1]], [self.summary])
            for si in range(n - 1):
                anims += self.dim_now(self.dim(si, 1.0))
        if anims:
            self.play(*anims, run_time=self.timing.fade)
        self.wait(self.timing.hold)

    # ---- the layout as data (STEM.figure.json) ----------------------------------------------
    def beat(self, notes: str, caption: str | None = None) -> None:
        if self.figure_file is not None:  # what is on screen at the end of this beat
            self.figure_beats = [*getattr(self, "figure_beats", []), self.beat_state(caption)]
        super().beat(notes, caption)

    def tear_down(self) -> None:
        super().tear_down()
        if self.figure_file is not None:
            figure = figure_layout(self, getattr(self, "figure_beats", []))
            text = json.dumps(figure, ensure_ascii=False, separators=(",", ":"))
            Path(self.figure_file).write_text(text, encoding="utf-8")

    def beat_state(self, caption: str | None) -> dict:
        """The beat that ends now: its time, caption and place in the story (`beat_plan`),
        each sentence's arrow tip (None: not drawn) and drawn trail segments, and which
        panel, equation or summary shows."""
        n = len(getattr(self, "figure_beats", []))
        what, si, k = beat_plan(self.plan)[n]
        on = set(map(id, self.mobjects))
        return {
            "end": round(float(self.time), 3),
            "what": what,
            "sentence": si,
            "step": k,
            "caption": caption or "",
            "tips": [_norm(a.end) if id(a) in on else None for a in self.arrows],
            # a trail segment is added whole (the poster) or as its line (a step)
            "trails": [sum(id(t) in on or id(t[0]) in on for t in trail) for trail in self.trails],
            "panel": next((i for i, p in enumerate(self.panels) if id(p) in on), None),
            "equation": next((i for i, e in enumerate(self.equations) if id(e) in on), None),
            "summary": self.summary is not None and id(self.summary) in on,
        }


# --------------------------------------------------------------------------------------------
# small pieces of the scene


def _at_once(t: float) -> float:
    return 1.0


def _early(t: float) -> float:
    """Smooth over the first 60 % of the time, then still (the numbers settle early)."""
    return float(smooth(min(1.0, t / 0.6)))


def _put_top_left(m: Mobject, left: float, top: float) -> None:
    """Move m so that its top left corner is at (left, top)."""
    m.move_to(np.array([left + m.width / 2, top - m.height / 2, 0]))


def _contains(b: Box, p: np.ndarray, tol: float = 0.02) -> bool:
    return b[0] - tol <= p[0] <= b[2] + tol and b[1] - tol <= p[1] <= b[3] + tol


def _segments_cross(p: np.ndarray, q: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """For the segment p-q, whether it properly crosses each of `drawn` [L, 4]: [L] bools."""

    def side(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        return np.sign((b[0] - a[0]) * (c[..., 1] - a[1]) - (b[1] - a[1]) * (c[..., 0] - a[0]))

    r, t = drawn[:, :2], drawn[:, 2:]
    cross_rt = np.sign(
        (t[:, 0] - r[:, 0]) * (p[1] - r[:, 1]) - (t[:, 1] - r[:, 1]) * (p[0] - r[:, 0])
    ) != np.sign((t[:, 0] - r[:, 0]) * (q[1] - r[:, 1]) - (t[:, 1] - r[:, 1]) * (q[0] - r[:, 0]))
    return (side(p, q, r) != side(p, q, t)) & cross_rt


def pad_box(b: Box, p: float) -> Box:
    return (b[0] - p, b[1] - p, b[2] + p, b[3] + p)


def label_text(m: Mobject) -> str:
    return str(getattr(m, "text", None) or getattr(m[0], "text", ""))


def lies_on(
    p: np.ndarray, q: np.ndarray, lines: list[tuple[np.ndarray, np.ndarray]], tol: float = ON_LINE
) -> bool:
    """Whether the segment p-q runs along one of `lines` (a, b): both its ends within tol of
    the line through a and b, and overlapping a-b (or touching its ends)."""
    for a, b in lines:
        d = (b - a)[:2]
        length = float(np.linalg.norm(d))
        if length < 1e-9:
            continue
        u = d / length
        n = np.array([-u[1], u[0]])
        if max(abs(float(n @ (p - a)[:2])), abs(float(n @ (q - a)[:2]))) > tol:
            continue
        s0, s1 = sorted((float(u @ (p - a)[:2]), float(u @ (q - a)[:2])))
        if s1 >= -tol and s0 <= length + tol:
            return True
    return False


ALIGNED = np.cos(np.radians(20))  # lines closer than 20° to each other read as one


def aligned(u: np.ndarray, v: np.ndarray) -> bool:
    """Whether the directions u and v (from one point) are within 20° of each other."""
    nu, nv = float(np.linalg.norm(u[:2])), float(np.linalg.norm(v[:2]))
    return nu > 1e-9 and nv > 1e-9 and float(u[:2] @ v[:2]) / (nu * nv) > ALIGNED


def near_segment(c: np.ndarray, p: np.ndarray, q: np.ndarray, tol: float) -> bool:
    """Whether point c is within tol of the segment p-q."""
    d = (q - p)[:2]
    t = float(np.clip((c - p)[:2] @ d / max(float(d @ d), 1e-12), 0.0, 1.0))
    return float(np.linalg.norm((p + (q - p) * t - c)[:2])) < tol


def edge_point(centre: np.ndarray, p: np.ndarray, box: Box) -> np.ndarray:
    """Where the ray from centre towards p leaves box."""
    d = p - centre
    ts = []
    for axis, lo, hi in ((0, box[0], box[2]), (1, box[1], box[3])):
        if abs(d[axis]) > 1e-12:
            ts.append(((hi if d[axis] > 0 else lo) - centre[axis]) / d[axis])
    t = min(ts) if ts else 0.0
    return centre + d * t


class _MoveArrow(InPlace):
    """The sentence's arrow turning from one step's output to the next."""

    def __init__(
        self, arrow: VectorArrow, origin: np.ndarray, a: np.ndarray, b: np.ndarray, **kwargs: Any
    ) -> None:
        self.arrow, self.origin, self.a, self.b = arrow, origin, a, b
        super().__init__(arrow, **kwargs)

    def interpolate_mobject(self, alpha: float) -> None:
        t = self.rate_func(alpha)
        self.arrow.put(self.origin, self.a + (self.b - self.a) * t)


class Pulse(InPlace):
    """A ring growing out of a word's point and fading: this word acts now."""

    def __init__(self, point: np.ndarray, color: str) -> None:
        self.point = point
        self.ring = Circle(radius=0.08, stroke_width=3, color=color).move_to(point)
        super().__init__(self.ring, introducer=True, remover=True)

    def interpolate_mobject(self, alpha: float) -> None:
        a = min(1.0, 2.5 * alpha)  # the first 40 % of the step; then gone
        self.ring.scale_to_fit_width(2 * (0.08 + 0.16 * a)).move_to(self.point)
        self.ring.set_stroke(opacity=1.0 if a < 1.0 else 0.0)


# --------------------------------------------------------------------------------------------
# what each beat says: presenter notes and one-line captions, from the plan's numbers


def _joined_text(s: Sentence, k: int) -> str:
    joined = s.steps[k].joined
    if len(joined) == 1:
        return f"“{word_name(s, joined[0])}”"
    return f"{len(joined)} more words"


def _verb(s: Sentence, k: int) -> str:
    return "joins" if len(s.steps[k].joined) == 1 else "join together"


STILL = 0.03  # a step that moves the output by less than this share of the drift's reach


def still_note(plan: Plan, si: int, k: int) -> str:
    """ "": the step moves the output visibly; else why it hardly moves, in a few words (the
    word's point is where the output already is: the target's other occurrence, say)."""
    s = plan.sentences[si]
    o = np.array(plan.projection.origin)
    reach = max(
        float(np.linalg.norm(np.array(st.point) - o)) for t in plan.sentences for st in t.steps
    )
    move = float(np.linalg.norm(np.array(s.steps[k].point) - np.array(s.steps[k - 1].point)))
    if move >= STILL * max(reach, 1e-12):
        return ""
    joined = s.steps[k].joined
    if len(joined) == 1 and s.words[joined[0]].norm == s.target.norm:
        return f": same vector as “{s.target.text}”, no move"
    if s.steps[k].weight_of(joined) < 0.05:
        return ": too light to move it"
    return ": already where the output is"


def drift_notes(plan: Plan, what: str, si: int = 0, k: int = 0) -> str:
    """Notes for a DriftScene beat: "poster", "sentences", "space", "static", "panel", "step",
    "formula", "summary"."""
    if what in ("poster", "sentences"):
        texts = " / ".join(f"“{s.text}”" for s in plan.sentences)
        return f"{texts} — the target “{plan.target}”"
    if what == "space":
        ev = plan.projection.explained_variance_ratio
        return (
            f"the words as points: 2-D PCA of {plan.embedding.dim}-d vectors "
            f"(PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%} of the variance)"
        )
    if what == "summary":
        return " | ".join(drift_notes(plan, "formula", i) for i in range(len(plan.sentences)))
    s = plan.sentences[si]
    if what == "static":
        return f"“{s.target.text}” alone: its own vector, weight 1.00"
    if what == "panel":
        return f"sentence {si + 1}: “{s.text}”"
    step = s.steps[k]
    pairs = ", ".join(
        f"{s.words[i].text} {fmt(w)}" for i, w in zip(step.words, step.weights, strict=True)
    )
    if what == "step":
        return f"{_joined_text(s, k)} {_verb(s, k)}; the weights renormalise: {pairs}"
    terms = " + ".join(
        f"{fmt(w)}·{s.words[i].text}" for i, w in zip(s.final.words, s.final.weights, strict=True)
    )
    return f"{s.target.text}′ = {terms}"


def drift_caption(plan: Plan, what: str, si: int = 0, k: int = 0) -> str:
    """One line saying what a beat shows (for stills, slides, subtitles). Short enough to
    read in the beat's time (subtitle guides: about 17-20 characters a second); the
    sentence itself is on screen, so captions name it by number."""
    t = plan.target
    if what == "poster":
        return f"How attention moves “{t}”"
    if what == "summary":
        if len(plan.sentences) == 1:
            return drift_caption(plan, "formula", 0)
        return f"One word, {len(plan.sentences)} contexts, {len(plan.sentences)} places"
    s = plan.sentences[si]
    if what == "panel":
        if len(plan.sentences) == 1:
            return f"“{s.target.text}” alone: weight 1.00"
        return f"Sentence {si + 1}: “{s.target.text}” alone"
    if what == "step":
        step = s.steps[k]
        joined = (
            f"{_joined_text(s, k)} {_verb(s, k)} with weight {fmt(step.weight_of(step.joined))}"
        )
        return joined + still_note(plan, si, k)
    pairs = final_terms(s)
    top = pairs[:3]  # the target's and the two largest
    more = " + …" if len(pairs) > len(top) else ""
    terms = " + ".join(f"{fmt(w)}·{row_text(s, row, 40)}" for row, w in top)
    return f"{s.target.text}′ = {terms}{more}"


# --------------------------------------------------------------------------------------------
# the layout as data: what the scene drew, in normalised frame coordinates


def beat_plan(plan: Plan) -> list[tuple[str, int | None, int | None]]:
    """DriftScene's beats in order, as (what, sentence, step): the poster, then per sentence
    its panel (step 0), each word joining (step k) and its formula; the summary."""
    out: list[tuple[str, int | None, int | None]] = [("poster", None, None)]
    for si, s in enumerate(plan.sentences):
        out.append(("panel", si, 0))
        out += [("step", si, k) for k in range(1, len(s.steps))]
        out.append(("formula", si, len(s.steps) - 1))
    return [*out, ("summary", None, None)]


def _norm(p: np.ndarray | tuple[float, float]) -> list[float]:
    """A scene point as [x, y] in the frame, 0..1 from the left and from the top."""
    w, h = config.frame_width, config.frame_height
    return [round((float(p[0]) + w / 2) / w, 5), round((h / 2 - float(p[1])) / h, 5)]


def _norm_box(m: Mobject) -> list[float]:
    """A mobject's box as [left, top, right, bottom], normalised as `_norm`."""
    x0, y0, x1, y1 = box_of(m)
    return [*_norm((x0, y1)), *_norm((x1, y0))]


def _terms(eq: Equation, lhs: bool) -> list[Mobject]:
    """An equation's term texts, in `eq.terms` order (after the left side when it has one)."""
    parts: list[Mobject] = [m for line in eq.submobjects for m in line.submobjects]
    return parts[int(lhs) : int(lhs) + len(eq.terms)]


def figure_layout(scene: DriftScene, beats: list[dict]) -> dict:
    """STEM.figure.json: per sentence its words (chip, point, panel row, equation term, with
    their boxes and the plan's numbers) and arrow tips; the beats (`DriftScene.beat_state`),
    each from the previous one's end to its own."""
    start = 0.0
    for b in beats:
        b["start"], start = start, b["end"]
    return {
        "version": 1,
        "scene": "DriftScene",
        "target": scene.plan.target,
        "frame": [config.pixel_width, config.pixel_height],
        "sentences": [_sentence_layout(scene, si) for si in range(len(scene.plan.sentences))],
        "beats": beats,
    }


def _sentence_layout(scene: DriftScene, si: int) -> dict:
    s = scene.plan.sentences[si]
    rows = {r[0]: n for n, r in enumerate(scene.panel_rows(si)) if len(r) == 1}
    eq = scene.equations[si]
    assert isinstance(eq, Equation)
    terms = dict(zip([row for row, _ in eq.terms], _terms(eq, True), strict=True))
    bars = scene.bars[si]
    final = dict(zip(s.final.words, range(len(s.final.words)), strict=True))
    words = []
    for w in s.words:
        j = scene.point_of.get((si, w.index))
        pt = scene.points[j] if j is not None else None
        n = rows.get(w.index)
        at = final.get(w.index)
        words.append({
            "index": w.index,
            "text": w.text,
            "role": scene.role(s, w.index),
            "chip": _norm_box(scene.chips[si][w.index]) if w.index in scene.chips[si] else None,
            "point": _norm(pt["at"]) if pt is not None else None,
            "point_box": _norm_box(pt["mob"]) if pt is not None else None,
            "outside": bool(pt["outside"]) if pt is not None else False,
            "bar": _norm_box(VGroup(bars.names[n], bars.tracks[n], bars.values[n]))
            if n is not None else None,
            "term_box": _norm_box(terms[(w.index,)]) if (w.index,) in terms else None,
            "score": round(float(s.final.scaled_scores[at]), 4) if at is not None else None,
            "weight": round(float(s.final.weights[at]), 4) if at is not None else None,
            "term": f"{fmt(float(s.final.weights[at]))}·{w.text}" if at is not None else None,
            "weights": [round(float(st.weights[st.words.index(w.index)]), 4)
                        if w.index in st.words else None for st in s.steps],
        })  # fmt: skip
    return {
        "text": s.text,
        "color": scene.pal.color(si),
        "tips": [_norm(t) for t in scene.tips(si)],
        "words": words,
    }
