"""The figure's layout computed from the plan alone (no manim): the title, the sentences as
chips (with their badges, "…" and the rings of the words that join), the caption, each
sentence's panel (title, scale lines, rows: name, track, number) and equation (and its
terms), the summary of a comparison. Texts are measured with Pango (scenes.figure.measure)
and placed; `column_elements` gives them as the figure model's elements
(scenes.figure.model.Element), with the beats they show in.

`lay_out_figure` adds the plot (scenes.figure.plotmodel: the key, the words' marks, the
origin, the vectors, arrows and trails, the plot's labels and leaders) and gives the whole
layout and its figure model (`build_figure`: the model alone). DriftScene draws this layout:
it makes each mobject once, where the layout puts it.
"""

from __future__ import annotations

from dataclasses import dataclass

from attention_math.plan import Plan
from scenes.figure.checks import frame_leader_problems
from scenes.figure.chips import chip_role
from scenes.figure.column import (
    BADGE_ROOM,
    EQ_GAP,
    EquationBox,
    PanelBox,
    equation,
    panel,
    place_panel,
    summary,
)
from scenes.figure.constants import (
    FEW_WORD_LABELS,
    GUTTER,
    MARGIN,
    MAX_WORD_LABELS,
    MULTIPLES_FROM,
    PANEL_W,
    ROW_H,
)
from scenes.figure.labels import number_crossed_words
from scenes.figure.model import Element, Figure
from scenes.figure.panel import caption_text, title_text
from scenes.figure.plot_elements import label_elements, line_elements, mark_elements
from scenes.figure.plotmodel import PlotLayout
from scenes.figure.sentences import BADGE_W, SENTENCE_GAP, SentenceRow, sentence_row
from scenes.figure.story import Story
from scenes.figure.widgets import (
    Box,
    centre,
    fitted_text,
    height,
    moved,
    ring_box,
    top_left,
    union,
    width,
)
from scenes.layout import FRAME, check_items
from scenes.theme import SIZES

BODY_MIN = 3.2  # the least height under the sentences for the plot and the panels
TITLE_GAP = 0.2  # under the title
BODY_GAP = 0.3  # between the sentences and the body (plot, panel column)


@dataclass
class ColumnLayout:
    """The title, header, caption, panel column and summary of a plan's figure, placed."""

    plan: Plan
    title: tuple[str, Box]
    sentences: list[SentenceRow]
    fillers: list[tuple[int, Box, float]]  # (sentence, box, size) of each "…", in order
    panels: list[PanelBox]
    summary: tuple[Box, list[Box]] | None
    caption: Box
    body_top: float
    header_room: float  # the width the sentences' chips were fitted to
    col_x: float  # the panel column's left edge (right of the frame's less PANEL_W, or
    # with three sentences or more, as far right as its widest text allows)
    corner: Box | None = None  # free, right of the sentences and above the column: the key
    # may take it (three sentences or more)


def frame_edges() -> tuple[float, float, float, float]:
    """The layout's left, right, top and bottom (inside MARGIN)."""
    return FRAME[0] + MARGIN, FRAME[2] - MARGIN, FRAME[3] - MARGIN, FRAME[1] + MARGIN


def column_layout(plan: Plan) -> ColumnLayout:
    """Everything but the plot, placed: the title, the sentences (their room is what the
    tallest panel leaves), the panels, the summary, the caption."""
    left, right, top, bottom = frame_edges()
    col_x = right - PANEL_W
    n = len(plan.sentences)
    multi = n > 1
    text, box = fitted_text(title_text(plan), SIZES.title, right - left)
    if text != title_text(plan):  # a long target is cut, not the title's end
        text, box = fitted_text(title_text(plan, whole=False), SIZES.title, right - left)
    title = top_left(box, left, top)
    panels = [panel(plan, si, multi) for si in range(n)]
    placed, room = header_rows(plan, panels, left, right, title[1] - TITLE_GAP)
    body_top = union(r.box for r in placed)[1] - BODY_GAP
    names_w = max(width(r.name.full) for p in panels for r in p.rows)
    panels = [place_panel(p, col_x, body_top, bottom, names_w) for p in panels]
    for si, p in enumerate(panels):  # too tall even with its rows close: a one-line equation
        if p.equation.box[1] < bottom:
            panels[si] = place_panel(panel(plan, si, multi, 1), col_x, body_top, bottom, names_w)
    summ = summary(plan, col_x, body_top, bottom) if multi else None
    if n >= MULTIPLES_FROM:  # the plot takes the width the column's texts leave
        panels, summ, col_x = trimmed_column(panels, summ, col_x, right)
    _, cap = fitted_text(caption_text(plan), SIZES.small, col_x - GUTTER - left)
    caption = moved(cap, left - cap[0], bottom - cap[1])
    fillers = [(si, b, r.size) for si, r in enumerate(placed) for i, b in r.chips if i is None]
    corner = None
    if n >= MULTIPLES_FROM:  # right of the sentences, above the column: the key may go there
        x0 = union(r.box for r in placed)[2] + CORNER_GAP
        corner = (x0, body_top + CORNER_ABOVE, right, title[1] - TITLE_GAP)
        corner = corner if width(corner) > 0 and height(corner) > 0 else None
    return ColumnLayout(plan, (text, title), placed, fillers, panels, summ, caption, body_top,
                        room, col_x, corner)  # fmt: skip


CORNER_GAP = 0.5  # between the sentences and a key beside them
CORNER_ABOVE = 0.2  # between such a key and the column under it


def trimmed_column(
    panels: list[PanelBox], summ: tuple[Box, list[Box]] | None, col_x: float, right: float
) -> tuple[list[PanelBox], tuple[Box, list[Box]] | None, float]:
    """The panels and summary moved right against the frame's edge, by what PANEL_W has
    to spare beyond their widest text, and the column's new left edge: the texts keep the
    lines and terms they were fitted to at PANEL_W."""
    boxes = [b for p in panels for b in (p.title, *p.lines, *(r.box for r in p.rows))]
    boxes += [p.equation.box for p in panels]
    if summ is not None:
        boxes += [summ[0], *summ[1]]
    whole = union(boxes)
    dx = max(0.0, right - whole[2])
    moved_summ = None if summ is None else (moved(summ[0], dx, 0.0),
                                            [moved(b, dx, 0.0) for b in summ[1]])  # fmt: skip
    return [p.moved(dx, 0.0) for p in panels], moved_summ, col_x + dx


def header_rows(
    plan: Plan, panels: list[PanelBox], left: float, right: float, top: float
) -> tuple[list[SentenceRow], float]:
    """The sentences placed under the title, and the width their chips had: one under
    another; from MULTIPLES_FROM sentences on, two side by side when each still shows the
    same words at the same size in the half width (the plot keeps the height saved)."""
    n = len(plan.sentences)
    badge = BADGE_W if n > 1 else 0.0
    room = right - left - badge
    rows = header(plan, panels, room, top, 1)
    if n >= MULTIPLES_FROM:
        half = (right - left - HEADER_COLUMN_GAP) / 2
        pairs = header(plan, panels, half - badge, top, 2)
        if all(same_words(a, b) for a, b in zip(rows, pairs, strict=True)):
            return stacked_rows(pairs, [left, left + half + HEADER_COLUMN_GAP], top), half - badge
    return stacked_rows(rows, [left], top), room


HEADER_COLUMN_GAP = 0.5  # between the header's two columns of sentences


def same_words(a: SentenceRow, b: SentenceRow) -> bool:
    """Two fits of one sentence show the same chips at one size, on one line of chips."""
    lines = {round(centre(box)[1], 6) for _, box in b.chips}
    return a.texts == b.texts and abs(a.size - b.size) < 1e-9 and len(lines) == 1


def stacked_rows(rows: list[SentenceRow], xs: list[float], top: float) -> list[SentenceRow]:
    """Rows placed in len(xs) columns at those left edges, in reading order, each line of
    rows under the lowest of the line above."""
    placed: list[SentenceRow] = []
    y = top
    for start in range(0, len(rows), len(xs)):
        line = [r.moved(x - r.box[0], y - r.box[3]) for r, x in zip(rows[start:], xs, strict=False)]
        placed += line
        y = min(r.box[1] for r in line) - SENTENCE_GAP
    return placed


def header(
    plan: Plan, panels: list[PanelBox], room: float, under: float, columns: int
) -> list[SentenceRow]:
    """Each sentence as chips, unplaced: the sentences (in `columns` side by side) share
    what the title and the tallest panel (rows at their least) leave."""
    n = len(plan.sentences)
    lines = -(-n // columns)
    _, _, _, bottom = frame_edges()
    need = max(p.height_at(ROW_H[0]) + EQ_GAP + height(p.equation.box) for p in panels)
    space = under - (bottom + max(need, BODY_MIN) + BODY_GAP)
    per_sentence = (space - SENTENCE_GAP * (lines - 1)) / lines
    return [
        sentence_row(s, si, n, room, per_sentence, n > 1) for si, s in enumerate(plan.sentences)
    ]


def column_elements(layout: ColumnLayout, story: Story) -> list[Element]:
    """The header's and the column's elements, in the drift scene's drawing order: title,
    chips and rings, badges, "…", caption; then each
    panel (title, scale lines, rows: name, track, number), its equation and terms; the
    summary. (The key, drawn between the caption and the panels, is the plot's.)"""
    return header_elements(layout, story) + panel_elements(layout, story)


def header_elements(layout: ColumnLayout, story: Story) -> list[Element]:
    plan, always = layout.plan, story.always
    text, box = layout.title
    out = [Element("title", "title", box, size=SIZES.title, text=text, shown=always)]
    for si, row in enumerate(layout.sentences):
        s, dim = plan.sentences[si], story.dimmed(si)
        joins = {i: k for k, st in enumerate(s.steps[1:], start=1) for i in st.joined}
        for i, b in row.chips:
            if i is None:
                continue
            word = row.texts[i]
            out.append(
                Element(
                    f"chip {si + 1}:{word}#{i}",
                    "chip",
                    b,
                    role=chip_role(s, i),
                    sentence=si,
                    size=row.size,
                    text=word,
                    tokens=((si, i),),
                    shown=always,
                    dimmed=dim,
                )
            )
            if i in joins:
                out.append(
                    Element(
                        f"ring {si + 1}:{word}#{i}",
                        "chip ring",
                        ring_box(b),
                        sentence=si,
                        shown=story.joined(si, joins[i]),
                        dimmed=dim,
                    )
                )
    for si, row in enumerate(layout.sentences):
        if row.badge is not None:
            out.append(
                Element(
                    f"badge {si + 1}",
                    "badge",
                    row.badge,
                    sentence=si,
                    size=SIZES.small,
                    shown=always,
                    dimmed=story.dimmed(si),
                )
            )
    for n, (_, b, size) in enumerate(layout.fillers):
        out.append(Element(f"elided words {n + 1}", "elided", b, size=size, text="…", shown=always))
    out.append(Element("caption", "caption", layout.caption, size=SIZES.small, shown=always))
    return out


def panel_elements(layout: ColumnLayout, story: Story) -> list[Element]:
    out: list[Element] = []
    for si, p in enumerate(layout.panels):
        phase = f"panel {si + 1}"
        kw: dict = {"sentence": si, "phase": phase, "shown": story.panel(si)}
        moving = story.moving(si)
        out.append(Element(f"panel {si + 1} title", "panel title", p.title, size=SIZES.body, **kw))
        out += [
            Element(f"panel {si + 1} scale {j + 1}", "scale", b, size=SIZES.small, **kw)
            for j, b in enumerate(p.lines)
        ]
        for r, (row, tokens) in enumerate(zip(p.rows, p.row_tokens, strict=True)):
            name = f"{si + 1}:{row.name.text}#{r}"
            of = {"tokens": tuple((si, t) for t in tokens), **kw}
            out.append(
                Element(
                    f"row {name}", "row", row.name.full, size=SIZES.small, text=row.name.text, **of
                )
            )
            out.append(Element(f"track {name}", "track", row.track, moved=moving, **of))
            out.append(
                Element(f"value {name}", "value", row.value, size=SIZES.small, moved=moving, **of)
            )
        out += equation_elements(si, p.equation, story.equation(si), phase)
    if layout.summary is not None:
        head, blocks = layout.summary
        kw = {"phase": "summary", "shown": story.summary()}
        out.append(Element("summary title", "summary title", head, size=SIZES.body, **kw))
        out += [
            Element(f"summary {i + 1}", "summary", b, size=SIZES.small, sentence=i, **kw)
            for i, b in enumerate(blocks)
        ]
    return out


def equation_elements(
    si: int, eq: EquationBox, shown: tuple[int, ...], phase: str
) -> list[Element]:
    """Sentence si's equation and each term it shows (after "bank′ =", without "+ …")."""
    kw: dict = {"sentence": si, "phase": phase, "shown": shown, "size": SIZES.small}
    out = [Element(f"equation {si + 1}", "equation", eq.box, **kw)]
    parts = [b for line in eq.lines for b in line if b.text != "+ …"][1:]
    for (row, _), b in zip(eq.terms, parts, strict=False):
        name = f"term {si + 1}:{'+'.join(map(str, row))}"
        tokens = tuple((si, t) for t in row)
        out.append(Element(name, "term", b.full, text=b.text, tokens=tokens, **kw))
    return out


def summary_equations(layout: ColumnLayout) -> list[EquationBox]:
    """The summary's equations, unplaced, with the lines the summary took (two per sentence
    when the column had room, else one: scenes.figure.column.summary), read off its blocks:
    a block as tall as its two-line equation took two."""
    assert layout.summary is not None
    _, blocks = layout.summary
    out = []
    for s, block in zip(layout.plan.sentences, blocks, strict=True):
        two = equation(s, PANEL_W - BADGE_ROOM, max_lines=2, lhs=False)
        if len(two.lines) > 1 and height(block) < height(two.box) - 1e-6:
            return [equation(s, PANEL_W - BADGE_ROOM, max_lines=1, lhs=False)
                    for s in layout.plan.sentences]  # fmt: skip
        out.append(two)
    return out


def column_bottom(layout: ColumnLayout) -> float:
    """The lowest the panel column's texts reach (panels, equations, summary)."""
    bottoms = [union([p.title, *p.lines, *(r.box for r in p.rows)])[1] for p in layout.panels]
    bottoms += [p.equation.box[1] for p in layout.panels]
    if layout.summary is not None:
        head, blocks = layout.summary
        bottoms.append(union([head, *blocks])[1])
    return min(bottoms)


@dataclass
class FigureLayout:
    """A plan's whole figure laid out: the placed column, the plot's layout the rounds chose
    (its view and mapping, marks, key, labels and leaders), how many words it names at most,
    and the figure model of it all. DriftScene draws its mobjects where this says."""

    column: ColumnLayout
    plot: PlotLayout
    label_cap: int
    figure: Figure


def lay_out_figure(plan: Plan) -> FigureLayout:
    """The drift figure of a plan laid out, without drawing. From MULTIPLES_FROM sentences
    on, as small multiples (a plot panel per sentence, and one of the outputs together;
    their end labels smaller when the larger ones do not fit), unless those leave more
    problems for the layout check (then more leader crossings) than small multiples without
    the outputs together, or one shared plot, do. Two sentences share one plot, unless it
    leaves something to object to that small multiples (without the outputs together) do
    not (a mark whose label cannot lead clear of the other sentence's lines)."""
    n = len(plan.sentences)
    shared = SHAPES[-1:]
    apart = tuple(shape for shape in SHAPES[:-1] if not shape[2])
    shapes = SHAPES if n >= MULTIPLES_FROM else shared + apart if n == 2 else shared
    return best_shape(plan, shapes)


# The shapes a figure is tried in, in order: small multiples with the outputs together, then
# without (end labels at the body size, then smaller), then one shared plot.
SHAPES = (
    (True, SIZES.body, True),
    (True, SIZES.small, True),
    (True, SIZES.body, False),
    (True, SIZES.small, False),
    (False, SIZES.body, False),
)


def small_multiples(plan: Plan) -> FigureLayout:
    """The figure as small multiples, whatever the shared plot would do."""
    return best_shape(plan, SHAPES[:-1])


def best_shape(plan: Plan, shapes: tuple[tuple[bool, float, bool], ...]) -> FigureLayout:
    """The first of `shapes` the layout check has nothing against, else the one it objects
    to least (problems, a together panel's badges that touch or cross, then leader
    crossings). From MULTIPLES_FROM sentences on, when no small multiple is clean as it is
    (the key beside the header when there is room, the drift as large as it fits), each is
    tried with the key under the plot, or with the drift smaller and more words in view
    (fewer marks crowding a panel's edges; then every word): of a tier, the clean one
    drawing the drift largest wins (shape_tiers), before one shared plot."""
    column, story = column_layout(plan), Story(plan)
    done: list[tuple[tuple[int, int], Try, FigureLayout]] = []
    for tier in shape_tiers(plan, shapes):
        bounds = {t: most_size(plan, column, t) for t in tier} if len(tier) > 1 else {}
        best: tuple[float, FigureLayout] | None = None  # the clean one drawing the drift largest
        for t in sorted(tier, key=lambda t: -bounds.get(t, 0.0)):  # stable: ties keep order
            if best is not None and best[0] >= bounds[t]:
                break  # no try left can draw the drift larger
            got = shaped_figure(plan, column, story, *t)
            missed = got.plot.outputs.missed if got.plot.outputs is not None else 0
            score = (len(check_items(got.figure.items())) + missed,
                     len(frame_leader_problems(got.figure)))  # fmt: skip
            done.append((score, t, got))
            if score == (0, 0) and (best is None or drift_size(got.plot, t) > best[0]):
                best = (drift_size(got.plot, t), got)
        if best is not None:
            return best[1]
    return min(done, key=lambda d: d[0])[2]


def most_size(plan: Plan, column: ColumnLayout, t: Try) -> float:
    """The most a try can draw the drift (drift_size): its view with no word numbered in
    the key (numbering only lengthens the key, so the plot only shrinks), without labels."""
    multiples, end_size, together, zoom, corner = t
    left, right, _, _ = frame_edges()
    box = column.corner if corner else None
    pl = PlotLayout(plan, left, right, column.col_x, column.body_top, column.caption,
                    column_bottom(column), {}, MAX_WORD_LABELS, True, multiples, end_size,
                    together, box, zoom).lay_out(labels=False)  # fmt: skip
    return drift_size(pl, t)


TOGETHER_BONUS = 1.1  # of a tier, small multiples with the outputs together win unless
# those without draw the drift more than this much larger
WIDE_ZOOM = 0.6  # a smaller drift, more words round it (scenes.figure.plot.zoomed_view)

Try = tuple[bool, float, bool, float, bool]  # multiples, end size, together, zoom, corner


def shape_tiers(plan: Plan, shapes: tuple[tuple[bool, float, bool], ...]) -> list[list[Try]]:
    """best_shape's tries in tiers (one try a tier is taken when clean; of a longer tier,
    the clean one drawing the drift largest): each of `shapes` as it is; from
    MULTIPLES_FROM sentences on, then its small multiples with the key under the plot or at
    WIDE_ZOOM, then with every word in view, before one shared plot."""
    plain = [(*shape, 1.0, True) for shape in shapes]
    if len(plan.sentences) < MULTIPLES_FROM:
        return [[t] for t in plain]
    apart = [t for t in plain if t[0]]
    wider = [(*t[:3], zoom, corner) for t in apart
             for zoom, corner in ((1.0, False), (WIDE_ZOOM, True))]  # fmt: skip
    every = [(*t[:3], 0.0, True) for t in apart]
    return [[t] for t in apart] + [wider, every] + [[t] for t in plain if not t[0]]


def drift_size(pl: PlotLayout, t: Try) -> float:
    """How large a layout draws the drift (its view's scale; with the outputs together,
    TOGETHER_BONUS more)."""
    return pl.geometry.map.scale * (TOGETHER_BONUS if t[2] else 1.0)


def shaped_figure(
    plan: Plan,
    column: ColumnLayout,
    story: Story,
    multiples: bool,
    end_size: float = SIZES.body,
    together: bool = True,
    zoom: float = 1.0,
    corner: bool = True,
) -> FigureLayout:
    """The figure with one shared plot or small multiples (their end labels at `end_size`;
    `together`: and the outputs together; `zoom`: scenes.figure.plot.PlotGeometry.fitted;
    `corner`: the key beside the header when there is room). In the rounds of
    scenes.figure.labels.number_crossed_words, words whose leader lines cross another's story
    are numbered in the key, and when labels clash the plot names fewer words
    (FEW_WORD_LABELS)."""
    shape = (multiples, end_size, together, zoom, corner)
    pl, figure = plot_layout(plan, column, story, MAX_WORD_LABELS, *shape)
    cap = MAX_WORD_LABELS
    clash = any("label" in p.what for p in check_items(figure.items()))
    if clash and len(figure.of_kind("word label")) > FEW_WORD_LABELS:
        cap = FEW_WORD_LABELS
        pl, figure = plot_layout(plan, column, story, cap, *shape)
    return FigureLayout(column, pl, cap, figure)


def build_figure(plan: Plan) -> Figure:
    """The drift figure of a plan as data: every element's box, kind, sentence and the beats
    it shows in (lay_out_figure's model; what DriftScene draws and checks)."""
    return lay_out_figure(plan).figure


def plot_layout(
    plan: Plan,
    column: ColumnLayout,
    story: Story,
    label_cap: int,
    multiples: bool = False,
    end_size: float = SIZES.body,
    together: bool = True,
    zoom: float = 1.0,
    corner: bool = True,
) -> tuple[PlotLayout, Figure]:
    """The plot laid out in the rounds of scenes.figure.labels.number_crossed_words (the
    words whose leaders still cross are numbered, each layout strict or plain, whichever
    crosses less), and the whole figure with it."""
    left, right, _, _ = frame_edges()
    col_x, bottom = column.col_x, column_bottom(column)
    last: list[tuple[PlotLayout, Figure]] = []

    def lay_out(numbered: dict[int, int], strict: bool) -> tuple[int, list[int]]:
        pl = PlotLayout(plan, left, right, col_x, column.body_top, column.caption, bottom,
                        numbered, label_cap, strict, multiples, end_size,
                        together, column.corner if corner else None,
                        zoom).lay_out()  # fmt: skip
        last[:] = [(pl, whole_figure(plan, column, pl, story))]
        problems = frame_leader_problems(last[0][1])
        crossing = {name for name, _ in problems}
        bad = [
            t.point
            for t in pl.labels
            if t.kind == "word label" and (t.name in crossing or t.point in pl.crossed)
        ]
        return len(problems), bad

    number_crossed_words(lay_out)
    return last[0]


def whole_figure(plan: Plan, column: ColumnLayout, pl: PlotLayout, story: Story) -> Figure:
    """Every element in the scene's drawing order: header, key, column, plot, lines."""
    key = [
        Element(f"key {i + 1}", "key", b, size=SIZES.small, shown=story.always)
        for i, b in enumerate(pl.key)
    ]
    elements = [
        *header_elements(column, story),
        *key,
        *panel_elements(column, story),
        *mark_elements(pl, story),
        *label_elements(pl, story),
        *line_elements(pl, story),
    ]
    tips = tuple(
        tuple((float(t[0]), float(t[1])) for t in pl.geometry.tips(si))
        for si in range(len(plan.sentences))
    )
    return Figure(plan.target, tuple(elements), story.beats, tips)


__all__ = [
    "ColumnLayout",
    "EquationBox",
    "FigureLayout",
    "build_figure",
    "column_elements",
    "column_layout",
    "frame_edges",
    "lay_out_figure",
    "small_multiples",
    "summary_equations",
]
