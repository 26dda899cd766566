"""The plot as data (no drawing): the key, the words' marks, the origin, the static
vector(s), each sentence's arrow (at every step and as it turns) and trail, the start, end
and word labels placed by scenes.figure.labels, their leaders; laid out as the drift scene
lays out its mobjects (scenes.drift.layout ... labels), given the placed column
(scenes.figure.build.ColumnLayout).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from attention_math.plan import Plan
from scenes.figure.constants import CUT_LABEL, GUTTER
from scenes.figure.dodge import mark_box
from scenes.figure.labels import Placed, PlotLabel, place_plot_labels
from scenes.figure.names import TARGET_CUT, cut
from scenes.figure.panel import word_rows
from scenes.figure.plot import (  # the arrows' styles, with the geometry they are drawn on
    PANEL_INSET,
    ArrowStyle,
    PlotGeometry,
    Point,
    arrow_style,
    pull_corners,
    pull_width,
    static_styles,
)
from scenes.figure.together import TogetherPanel, together_panel
from scenes.figure.widgets import (
    KEY_ARROW,
    KEY_DART,
    KEY_DIAMOND,
    KEY_RING,
    ORIGIN_ARM,
    Box,
    arrow_segments,
    badge_box,
    centre,
    dart_points,
    fitted_text,
    height,
    moved,
    points_box,
    text_box,
    union,
    width,
    wrap,
)
from scenes.layout import Segment, overlap, segment_box
from scenes.theme import SIZES

KEY_GAP = 0.3  # between the key's entries
PLOT_GAP = 0.15  # between the plot's box and the caption or key under it
KEY_BESIDE = 0.4  # a one-line key beside the caption, this far right of it
KEY_ABOVE = 0.1  # a key of its own lines, this far above the caption
KEY_ROW_GAP = 0.08
KEY_MARK_GAP = 0.1  # between an entry's mark and its words
LABEL_BADGE_GAP = 0.1  # between a start or end label and its badge
WORD_LABEL_W = 2.2  # word labels longer than this are cut with "…"
TRAIL_HALF_WIDTH = 0.03  # a trail's line, for the layout check
LEADER_HALF_WIDTH = 0.0075


def panel_badge(panel: Box, si: int, marks: list[Box], lines: list[Segment]) -> Box:
    """Sentence si's badge in a corner of its small-multiple panel: the first (top left,
    top right, bottom left, bottom right) clear of its marks and lines, else the one that
    touches fewest."""
    b = badge_box(si + 1, SIZES.small)
    x0, y0, x1, y1 = panel[0] + PANEL_INSET, panel[1] + PANEL_INSET, panel[2] - PANEL_INSET, \
        panel[3] - PANEL_INSET  # fmt: skip
    corners = [
        moved(b, x - (b[0] if left else b[2]), y - (b[3] if top else b[1]))
        for top, y in ((True, y1), (False, y0))
        for left, x in ((True, x0), (False, x1))
    ]

    def touched(c: Box) -> int:
        hit = sum(overlap(c, m) for m in marks)
        return hit + sum(overlap(c, segment_box(seg)) for seg in lines)

    return min(corners, key=touched)  # min keeps the first of equals


def shared_numbers(points: list[Point], numbered: dict[int, int]) -> dict[int, int]:
    """The legend's numbers with one per name: points named alike (each panel's "[special]",
    a word in two sentences' panels) share the number of the first, the rest count on."""
    by_text: dict[str, int] = {}
    out: dict[int, int] = {}
    for j, _ in sorted(numbered.items(), key=lambda item: item[1]):
        out[j] = by_text.setdefault(points[j]["text"], len(by_text) + 1)
    return out


def legend_rows(points: list[Point], numbered: dict[int, int]) -> list[tuple[int, str]]:
    """The legend's rows (number, name), one per number, in order."""
    rows = {n: points[j]["text"] for j, n in numbered.items()}
    return sorted(rows.items())


def key_marks(
    plan: Plan, points: list[Point], numbered: dict[int, int], static: bool = False
) -> list[tuple[str | None, str]]:
    """What the key says, in order: each entry's mark ("static": the static vector's arrow,
    "dart", "ring", "diamond"; None: words alone) and words; only the marks this figure
    draws. `static`: small multiples of one static vector name it here, first."""
    marks: list[tuple[str | None, str]] = []
    t = cut(plan.target, TARGET_CUT)
    if static:
        marks.append(("static", static_name(plan, t, key=True)))
    if any(pt["outside"] for pt in points):
        marks.append(("dart", "word off view"))
    if any(pt.get("ring") for pt in points):
        marks.append(("ring", "word at origin"))
    if any(pt.get("group") and not pt["outside"] for pt in points):  # a group off view: a dart
        marks.append(("diamond", "words joined"))
    specials = [len(pt["sentences"]) for pt in points if pt["special"]]
    if specials:  # one mark for the sentences' [special]s when they knot together
        of = f" of {max(specials)} sentences" if max(specials) > 1 else ""
        marks.append((None, f"[special]: [CLS]+[SEP]{of}"))
    marks += [(None, f"{n}: {text}") for n, text in legend_rows(points, numbered)]
    if plan.model is not None and not static:
        marks.append((None, f"v({t}): value vector"))
    marks.append((None, f"{t}′: after attention"))
    return marks


def key_entries(
    plan: Plan, points: list[Point], numbered: dict[int, int], static: ArrowStyle | None = None
) -> list[Box]:
    """The key's entries (`key_marks`), each its mark and words, unplaced."""
    r = KEY_DIAMOND * np.sqrt(2) / 2
    half = static.tip_width / 2 if static is not None else 0.0
    boxes: dict[str, Box] = {
        "static": (0.0, -half, KEY_ARROW, half),
        "dart": points_box(dart_points((0, 0), (1, 0), KEY_DART)),
        "ring": (-KEY_RING, -KEY_RING, KEY_RING, KEY_RING),
        "diamond": (-r, -r, r, r),
    }
    out = []
    for mark, text in key_marks(plan, points, numbered, static is not None):
        words = text_box(text, SIZES.small)
        out.append(words if mark is None else beside(boxes[mark], words, KEY_MARK_GAP))
    return out


def static_name(plan: Plan, name: str, key: bool = False) -> str:
    """What the static vector of the target `name` is called: "bank (static)", or in model
    mode "v(bank)" (in the key, "v(bank): value vector")."""
    if plan.model is None:
        return f"{name} (static)"
    return f"v({name}): value vector" if key else f"v({name})"


def beside(a: Box, b: Box, gap: float) -> Box:
    """VGroup(a, b).arrange(RIGHT, buff=gap): b's left `gap` right of a, centres on a line."""
    return union((a, moved(b, a[2] + gap - b[0], centre(a)[1] - centre(b)[1])))


def rows_of(
    boxes: list[Box], room: float, gap: float, row_gap: float, start: int | None = None
) -> list[list[Box]]:
    """Boxes in rows (scenes.components.chip_rows, left-aligned), the first row's top left
    at the origin; box `start` (when given) begins a row."""
    out: list[list[Box]] = []
    top = 0.0
    cut = len(boxes) if start is None else start
    rows = wrap([width(b) for b in boxes[:cut]], room, gap)
    rows += [[cut + j for j in r] for r in wrap([width(b) for b in boxes[cut:]], room, gap)]
    for row in (r for r in rows if r):
        h = max(height(boxes[j]) for j in row)
        x, cy = 0.0, top - h / 2
        out.append([])
        for j in row:
            b = boxes[j]
            out[-1].append(moved(b, x - b[0], cy - centre(b)[1]))
            x += width(b) + gap
        top -= h + row_gap
    return out


@dataclass(frozen=True)
class PlotText:
    """One of the plot's labels: its element's name and kind, box, size, own sentence (None:
    shared), role (a word label's point), text; how the placement takes it and its point."""

    name: str
    kind: str
    box: Box
    size: float
    own: int | None
    role: str
    text: str
    place: str
    anchor: np.ndarray = field(compare=False)
    point: int = -1  # a word label's point


@dataclass
class PlotLayout:
    """The plot's boxes and lines for a plan, its column placed, the words numbered in the
    legend and the most word labels (scenes.drift.layout.DriftLayout.lay_out_plot)."""

    plan: Plan
    left: float
    right: float
    col_x: float
    body_top: float
    caption: Box
    column_bottom: float
    numbered: dict[int, int]
    label_cap: int
    strict: bool = True  # strict label placement (scenes.figure.labels.number_crossed_words)
    multiples: bool = False  # a plot panel per sentence (scenes.figure.plot.PlotGeometry)
    end_size: float = SIZES.body  # small multiples: the end labels' size ("bank′")
    together: bool = True  # and, in small multiples, a panel of the outputs together
    corner: Box | None = None  # a free box beside the header the key may take (build.py)
    zoom: float = 1.0  # small multiples: under 1, the drift smaller, more words in view
    geometry: PlotGeometry = field(init=False)
    outputs: TogetherPanel | None = field(init=False)  # that panel (scenes.figure.together)
    points: list[Point] = field(init=False)
    point_of: dict[tuple[int, int], int] = field(init=False)
    key: list[Box] = field(init=False)
    labels: list[PlotText] = field(init=False)
    leaders: dict[str, Segment] = field(init=False)
    crossed: list[int] = field(init=False)  # word labels' points the placement left crossed
    badges: list[Box] = field(init=False)  # small multiples: each panel's badge

    def lay_out(self, labels: bool = True) -> PlotLayout:
        """The key, the view (the plot gives the key's lines their room), the labels (with
        `labels` False, not: the view alone). With a free `corner` beside the header, the
        key's first rows go there (as many as it holds), only the rest under the plot."""
        plot_right = self.col_x - GUTTER
        cap = self.caption
        self.view(plot_right, cap[3] + PLOT_GAP)
        up, rows = self.key_rows()
        room = plot_right - cap[2] - KEY_BESIDE
        if not rows:  # the whole key in the corner
            self.key = up
        elif len(rows) == 1 and width(union(rows[0])) <= room:  # on the caption's line
            whole = union(rows[0])
            self.key = up + [
                moved(b, cap[2] + 0.4 - whole[0], centre(cap)[1] - centre(whole)[1])
                for b in rows[0]
            ]
        else:  # on lines of their own above it
            for _ in range(2):
                key_h = height(union(b for r in rows for b in r))
                self.view(plot_right, cap[3] + KEY_ABOVE + key_h + PLOT_GAP)
                up, rows = self.key_rows()
                if not rows or height(union(b for r in rows for b in r)) <= key_h + 1e-6:
                    break
            self.key = list(up)
            if rows:
                whole = union(b for r in rows for b in r)
                top = cap[3] + KEY_ABOVE + height(whole)
                dx, dy = self.left - whole[0], top - whole[3]
                self.key += [moved(b, dx, dy) for r in rows for b in r]
        if labels:
            self.place_labels()
        return self

    def view(self, plot_right: float, plot_bottom: float) -> None:
        box = (self.left, plot_bottom, plot_right, self.body_top)
        self.geometry = PlotGeometry.fitted(
            self.plan, box, self.multiples, self.together, self.zoom
        )
        self.outputs = together_panel(self.geometry)
        rows = [word_rows(s) for s in self.plan.sentences]
        self.points, self.point_of = self.geometry.points(rows, self.label_cap)
        self.numbered = shared_numbers(self.points, self.numbered)

    def key_rows(self) -> tuple[list[Box], list[list[Box]]]:
        """The key's first entries placed in the `corner` (its first rows at its width, as
        many as its height holds; none without one), and the rest's rows, unplaced: as wide
        as the figure when the column ends above them, else as wide as the plot."""
        entries = key_entries(self.plan, self.points, self.numbered, self.static_in_key)
        up: list[Box] = []
        if self.corner is not None:  # a narrow block: the words alone begin a row of their own
            c = self.corner
            marks = key_marks(self.plan, self.points, self.numbered, self.static_in_key is not None)
            words = next((i for i, (mark, _) in enumerate(marks) if mark is None), None)
            for row in rows_of(entries, width(c), KEY_GAP, KEY_ROW_GAP, words):
                if -min(b[1] for b in row) > height(c) or max(b[2] for b in row) > width(c):
                    break
                up += [moved(b, c[0], c[3]) for b in row]
            entries = entries[len(up) :]
        if not entries:
            return up, []
        wide = rows_of(entries, self.right - self.left, KEY_GAP, KEY_ROW_GAP)
        top = self.caption[3] + KEY_ABOVE + height(union(b for r in wide for b in r))
        if len(wide) > 1 and top + 0.2 < self.column_bottom:
            return up, wide
        return up, rows_of(entries, self.col_x - GUTTER - self.left, KEY_GAP, KEY_ROW_GAP)

    @property
    def static_in_key(self) -> ArrowStyle | None:
        """Small multiples of one static vector name it in the key (its style), not in a
        panel: every panel draws the same arrow."""
        g = self.geometry
        return self.statics()[0][2] if g.multiples and g.same_start else None

    @property
    def origin(self) -> np.ndarray:
        return self.geometry.origin

    def origin_box(self, si: int = 0) -> Box:
        """The origin's cross (sentence si's, in small multiples)."""
        o = self.geometry.origin_of(si)
        x, y = float(o[0]), float(o[1])
        return (x - ORIGIN_ARM, y - ORIGIN_ARM, x + ORIGIN_ARM, y + ORIGIN_ARM)

    def origin_boxes(self) -> list[Box]:
        """Every origin drawn (one per panel in small multiples)."""
        return [self.origin_box(si) for si in range(len(self.geometry.origins))]

    def statics(self) -> list[tuple[int, np.ndarray, ArrowStyle]]:
        """The static vector(s) drawn, each as (the panel it is in, its tip, its style): one
        for all sentences when they share it; else one per sentence, thin; in small
        multiples, one in each panel (thick when the sentences share it)."""
        g = self.geometry
        n = len(self.plan.sentences)
        styles = static_styles(n, g.same_start if g.multiples else g.shared_start)
        if g.multiples and g.same_start:
            styles = styles * n
        return [(j, g.start_points[j], st) for j, st in enumerate(styles)]

    def static_lines(self) -> list[list[Segment]]:
        """The static vector(s) (`statics`) as line pieces."""
        return [self.arrow(tip, st, j) for j, tip, st in self.statics()]

    def arrow(self, tip: np.ndarray, st: ArrowStyle, si: int = 0) -> list[Segment]:
        """An arrow from the origin (sentence si's) to tip."""
        o = self.geometry.origin_of(si)
        return arrow_segments(o, tip, st.width, st.tip_length, st.tip_width)

    def trail_segments(self, si: int, k: int) -> list[Segment]:
        pts = self.geometry.trail_path(si, k)
        return [
            (float(p[0]), float(p[1]), float(q[0]), float(q[1]), TRAIL_HALF_WIDTH)
            for p, q in zip(pts, pts[1:], strict=False)
        ]

    def pulls(self, si: int, k: int) -> list[tuple[int, tuple[int, ...], float, list[Segment]]]:
        """Sentence si's pulls at step k, as the drift scene draws them: each pulled mark's
        dashed line from its point to the tip before the step (scenes.figure.plot
        pull_corners), bowed where it would lie on an arrow, as thick as its weight: (point,
        the words pulled there, stroke width, line pieces)."""
        g, step = self.geometry, self.plan.sentences[si].steps[k]
        tip = g.tips(si)[k - 1]
        out = []
        for j, members in g.pull_marks(si, k, self.point_of).items():
            at = self.points[j]["at"]
            width = pull_width(step.weight_of(members))
            pts = pull_corners(at, tip, g.pull_bend(si, k, at))
            out.append((j, tuple(members), width, [
                (float(p[0]), float(p[1]), float(q[0]), float(q[1]), width / 200)
                for p, q in zip(pts, pts[1:], strict=False)
            ]))  # fmt: skip
        return out

    def all_lines(self, final: bool, only: int | None = None) -> list[Segment]:
        """Every line a label stays off (the arrows as they move too), or with `final` the
        last frame's (VectorLayout.segments, final_lines); `only`: sentence only's panel's."""
        statics = self.static_lines()
        if only is not None and self.geometry.multiples:
            statics = statics[only : only + 1]
        out = [seg for segs in statics for seg in segs]
        for si in range(len(self.plan.sentences)):
            if only is not None and self.geometry.multiples and si != only:
                continue
            tips, st = self.geometry.tips(si), arrow_style(si)
            for k, tip in enumerate(tips):
                if final and k < len(tips) - 1:
                    continue
                fracs = [1.0] if final or k == 0 else [1 / 3, 2 / 3, 1.0]
                for f in fracs:
                    p = tips[k - 1] + (tip - tips[k - 1]) * f if k and not final else tip
                    out += self.arrow(p, st, si)
            for k in range(1, len(tips)):
                out += self.trail_segments(si, k)
        return out

    def label_texts(self) -> list[PlotText]:
        """The plot's labels, unplaced (LabelLayout): start, end, then word labels."""
        plan, g = self.plan, self.geometry
        # one start label for a shared static vector; in small multiples with one static
        # vector, the key names it for all panels
        n = 0 if self.static_in_key else 1 if g.shared_start else len(plan.sentences)
        out = [self.start_text(cut(plan.target, TARGET_CUT), si) for si in range(n)]
        size = self.end_size if g.multiples else SIZES.body
        out += [self.end_text(si, size=size) for si in range(len(plan.sentences))]
        for j, pt in enumerate(self.points):
            if pt["labelled"]:
                shown = str(self.numbered[j]) if j in self.numbered else pt["text"]
                out.append(self.word_text(shown, j))
        return out

    def start_text(self, name: str, si: int, bare: bool = False) -> PlotText:
        """The start label naming the target `name` (sentence si's, with its badge, when the
        sentences' static vectors differ); `bare`: the name alone, without "(static)"."""
        g = self.geometry
        text = name if bare and self.plan.model is None else static_name(self.plan, name)
        own = None if g.shared_start else si
        b = text_box(text, SIZES.body)
        if own is not None and not g.multiples:  # a panel's badge says whose it is
            b = beside(b, badge_box(si + 1, SIZES.small), LABEL_BADGE_GAP)
        lname = f"start label {text}" + ("" if own is None else f" {si + 1}")
        return PlotText(lname, "start label", b, SIZES.body, own, "", text, "start",
                        g.start_points[si])  # fmt: skip

    def end_text(self, si: int, badge_only: bool = False, size: float = SIZES.body) -> PlotText:
        """Where sentence si takes the target: "bank′" (with its badge when compared), or
        its shorter form, the badge alone (or in a small multiple, at a smaller `size`)."""
        plan = self.plan
        end = f"{cut(plan.sentences[0].target.text, TARGET_CUT)}′"
        badge = badge_box(si + 1, SIZES.small)
        b = text_box(end, size, "BOLD")
        compared = len(plan.sentences) > 1 and not self.geometry.multiples
        b = beside(b, badge, LABEL_BADGE_GAP) if compared else b
        at = self.geometry.to(si)(plan.sentences[si].final.point)
        return PlotText(f"end label {si + 1}", "end label", badge if badge_only else b,
                        size, si, "", "" if badge_only else end, "end", at)  # fmt: skip

    def word_text(self, shown: str, j: int) -> PlotText:
        """Word j's label showing `shown` (cut with "…" to WORD_LABEL_W)."""
        pt = self.points[j]
        t, b = fitted_text(shown, SIZES.small, WORD_LABEL_W)
        own = min(pt["sentences"]) if len(pt["sentences"]) == 1 else None
        place = "outside" if pt["outside"] else "word"
        return PlotText(f"label {t}#{j}", "word label", b, SIZES.small, own,
                        f"point {pt['text']}#{j}", t, place, pt["at"], j)  # fmt: skip

    def shorter_forms(self, t: PlotText) -> list[PlotText]:
        """A label's shorter forms (LabelLayout.shorter_forms): a start label with the target
        cut to CUT_LABEL, a compared sentence's end label as its badge alone, a word (not a
        number, a group, [special]) cut to CUT_LABEL with "…". A start label's last form
        drops "(static)" (the name alone at the grey vector's tip, the key's "bank′" by the
        arrow's): short enough to sit by its tip where a turning arrow sweeps close."""
        target = self.plan.target
        if t.kind == "start label":
            si = 0 if t.own is None else t.own
            short = cut(target, CUT_LABEL)
            forms = [self.start_text(short, si)] if len(target) > CUT_LABEL else []
            return forms + ([self.start_text(short, si, True)] if self.plan.model is None else [])
        if t.kind == "end label":
            if self.geometry.multiples:  # the panel's badge says whose: "bank′", smaller
                small = t.size > SIZES.small
                return [self.end_text(t.own or 0, size=SIZES.small)] if small else []
            compared = len(self.plan.sentences) > 1
            return [self.end_text(t.own or 0, True)] if compared else []
        pt, j = self.points[t.point], t.point
        text = pt["text"]
        if j in self.numbered or pt.get("group") or pt["special"] or len(text) <= CUT_LABEL:
            return []
        return [self.word_text(cut(text, CUT_LABEL), j)]

    def place_panel(
        self, labels: list[PlotLabel], si: int | None, marks: list[Box]
    ) -> list[Placed]:
        """A panel's labels (the plot's, si None) placed off its marks and lines and, where
        that leaves no leader crossing, each read as its own (scenes.layout._readable) and
        off every pull shown with it; else the first of these that leaves fewest crossing
        (a pull crossed a moment, a label read with another are the lesser faults)."""
        g = self.geometry

        def place(pulls: list[list[Segment]], readable: bool) -> list[Placed]:
            return place_plot_labels(
                labels, g.box if si is None else g.panel(si), marks, self.all_lines(False, si),
                self.all_lines(True, si), strict=self.strict, pulls=pulls, readable=readable,
            )  # fmt: skip

        best: list[Placed] | None = None
        for pulls, readable in ((pull_lines(self, si), True), ([], True), ([], False)):
            got = place(pulls, readable)
            if best is None or sum(p.crossed for p in got) < sum(p.crossed for p in best):
                best = got
            if not any(p.crossed for p in best):
                break
        assert best is not None
        return best

    def place_labels(self) -> None:
        """Labels off every mark, line and each other (scenes.figure.labels), leaders to
        the far ones; a label with no place clear of every line takes a shorter form. In
        small multiples, each panel's labels in that panel, off its marks and lines."""
        texts = self.label_texts()
        forms = [self.shorter_forms(t) for t in texts]
        places: list[Placed | None] = [None] * len(texts)
        g = self.geometry
        self.badges = []
        for si in range(len(self.plan.sentences)) if g.multiples else [None]:
            mine = [i for i, t in enumerate(texts) if si is None or t.own == si]
            points = [pt for pt in self.points if si is None or si in pt["sentences"]]
            marks = [mark_box(pt) for pt in points] + (
                self.origin_boxes() if si is None else [self.origin_box(si)]
            )
            if si is not None:  # and the panel's badge, in a corner clear of them
                self.badges.append(panel_badge(g.panel(si), si, marks, self.all_lines(True, si)))
                marks.append(self.badges[-1])
            labels = [
                PlotLabel(t.place, (float(t.anchor[0]), float(t.anchor[1])),
                          (width(t.box), height(t.box)),
                          tuple((width(f.box), height(f.box)) for f in fs),
                          meets_pulls(t, len(self.plan.sentences)))
                for t, fs in ((texts[i], forms[i]) for i in mine)
            ]  # fmt: skip
            got = self.place_panel(labels, si, marks)
            for i, placed in zip(mine, got, strict=True):
                places[i] = placed
        self.labels, self.leaders, self.crossed = [], {}, []
        for t, fs, place in zip(texts, forms, places, strict=True):
            assert place is not None  # every label is some panel's (or the plot's)
            t = t if place.variant == 0 else fs[place.variant - 1]
            c = centre(t.box)
            self.labels.append(
                replace(t, box=moved(t.box, place.centre[0] - c[0], place.centre[1] - c[1]))
            )
            if place.leader is not None:
                (ax, ay), (ex, ey) = place.leader
                self.leaders[t.name] = (ax, ay, ex, ey, LEADER_HALF_WIDTH)
            if place.crossed and t.kind == "word label":
                self.crossed.append(t.point)


def pull_lines(pl: PlotLayout, only: int | None = None) -> list[list[Segment]]:
    """Each sentence's pulls, every step's, as line pieces (in small multiples, sentence
    only's panel shows its own alone: the others' are empty)."""
    out: list[list[Segment]] = []
    for si, s in enumerate(pl.plan.sentences):
        mine = only is None or not pl.geometry.multiples or si == only
        ks = range(1, len(s.steps)) if mine else range(0)
        out.append([seg for k in ks for *_, segs in pl.pulls(si, k) for seg in segs])
    return out


def meets_pulls(t: PlotText, n: int) -> tuple[bool, ...]:
    """Whether a label is on screen in each of n sentences' steps: a start or word label
    always; sentence si's end label from its formula on, in the later sentences' steps."""
    if t.kind != "end label" or t.own is None:
        return (True,) * n
    return tuple(sj > t.own for sj in range(n))
