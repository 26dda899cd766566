"""Checks that read only the figure model (no drawing): the layout check at any moment of a
beat, leaders that cross another's story, marks nobody named (issue 19).
"""

from __future__ import annotations

import numpy as np

from scenes.figure.constants import LEADER_GAP
from scenes.figure.geometry import contains, segments_cross
from scenes.figure.model import Element, Figure
from scenes.layout import PHRASE_GAP, Problem, check_items, segments_hit_boxes

LABELS = ("start label", "end label", "word label")
MARKS = ("point", "marker", "ring", "group")
LINES = ("static", "arrow", "trail", "pull")  # the lines a leader must not cross


def frame_elements(figure: Figure, beat: int, t: float) -> list[Element]:
    """What is on screen at the moment t (0..1) of a beat: at 0 what the beat before left;
    at 1 what it ends with; between, its end but an arrow that turns in it drawn on its way
    (the trail step it draws, whole)."""
    if t <= 0.0 and beat > 0:
        return figure.on_screen(beat - 1)
    shown = figure.on_screen(beat)
    if t >= 1.0:
        return shown
    turning = [e for e in figure.elements if beat in e.moved and e.kind == "arrow"]
    moving = {e.sentence for e in turning}
    kept = [e for e in shown if not (e.kind == "arrow" and e.sentence in moving)]
    return kept + [e for e in turning if not e.shown]


def check_frame(figure: Figure, beat: int, t: float) -> list[Problem]:
    """The layout check (scenes.layout.check_items) of one moment of a beat."""
    return check_items(figure.items(frame_elements(figure, beat, t)))


def check_figure(figure: Figure) -> list[Problem]:
    """The layout check of everything that can be on screen together (texts of one
    sentence's panel never meet another's: their phases)."""
    return check_items(figure.items())


def pull_touches(figure: Figure, ts: tuple[float, ...] = (0.0, 0.5, 1.0)) -> list[str]:
    """The layout check's problems, at the checked moments of every beat, of a step's pull
    (a dashed line from a word to the tip) over a text: the pull reads through the label
    (or seems to end at it). Each once. Where the placer could keep no place clear of
    pulls without a leader crossing, it keeps the leader clear (scenes.figure.plotmodel
    PlotLayout.place_panel): these are what that costs."""
    found: list[str] = []
    pulls = {e.name for e in figure.of_kind("pull")}
    for b in range(len(figure.beats)):
        for t in ts:
            for p in check_frame(figure, b, t):
                if p.what not in found and any(repr(n) in p.what for n in pulls):
                    found.append(p.what)
    return found


def leader_problems(figure: Figure) -> list[tuple[str, str]]:
    """Each label whose leader line crosses a line of the last frame (a static vector, an
    arrow, a trail), another label or a mark it does not start at: (label, what it
    crosses)."""
    labels = {e.name: e.box for e in figure.of_kind(*LABELS)}
    marks = [e.box for e in figure.of_kind(*MARKS, "origin")]
    lines = [e for e in figure.of_kind("static", "arrow", "trail") if 0 in e.shown]
    drawn = np.array([s[:4] for e in lines for s in e.segments], dtype=float).reshape(-1, 4)
    out = []
    for leader in figure.of_kind("leader"):
        name = leader.name.removeprefix("leader of ")
        x0, y0, x1, y1, _ = leader.segments[0]
        a, b = np.array([x0, y0]), np.array([x1, y1])
        start = a + (b - a) * min(1.0, 0.15 / max(float(np.linalg.norm(b - a)), 1e-9))
        crossed = int(segments_cross(start, b, drawn).sum())
        others = [box for n, box in labels.items() if n != name]
        others += [m for m in marks if not contains(m, a)]
        boxes = np.array(others, dtype=float).reshape(-1, 4)
        hit = segments_hit_boxes((float(start[0]), float(start[1])), b[None, :], boxes, 0.0)
        if crossed or hit.any():
            out.append((name, f"{crossed} lines, {int(hit.sum())} boxes"))
    return out


def frame_leader_problems(
    figure: Figure, ts: tuple[float, ...] = (0.0, 0.5, 1.0)
) -> list[tuple[str, str]]:
    """Each label whose leader line, at some checked moment (the first, a middle and the
    last frame of every beat), crosses a line on screen then (a static vector, an arrow,
    one turning, a trail, a step's pull), another leader, a label or a mark it does not
    start at: (label, when and what), at the first moment it does (issue 19 wants none)."""
    found: dict[str, str] = {}
    seen: dict[tuple[int, ...], list[tuple[str, str]]] = {}  # a beat's end is the next's start
    for b in range(len(figure.beats)):
        for t in ts:
            on = frame_elements(figure, b, t)
            key = tuple(id(e) for e in on)
            if key not in seen:
                seen[key] = _frame_crossings(on)
            for name, what in seen[key]:
                label = name.removeprefix("leader of ")
                found.setdefault(label, f"beat {b} at {t}: crosses {what}")
    return list(found.items())


def _frame_crossings(on: list[Element]) -> list[tuple[str, str]]:
    """The leaders among the elements `on` screen together that cross something: (leader,
    what it crosses)."""
    leaders = [e for e in on if e.kind == "leader"]
    if not leaders:
        return []
    lines = [(e.name, s) for e in on if e.kind in LINES for s in e.segments]
    labels = [e for e in on if e.kind in LABELS]
    marks = [e for e in on if e.kind in (*MARKS, "origin")]
    ends = {e.name: _leader_ends(e) for e in leaders}
    out = []
    for e in leaders:
        own = e.name.removeprefix("leader of ")
        a, start, b = ends[e.name]
        drawn = [(n, s) for n, s in lines] + [
            (n, (*ends[n][1], *ends[n][2], 0.0)) for n in ends if n != e.name
        ]
        segs = np.array([s[:4] for _, s in drawn], dtype=float).reshape(-1, 4)
        hit = [drawn[i][0] for i in np.flatnonzero(segments_cross(start, b, segs))]
        boxes = [(x.name, x.box) for x in labels if x.name != own]
        boxes += [(x.name, x.box) for x in marks if not contains(x.box, a)]
        arr = np.array([bx for _, bx in boxes], dtype=float).reshape(-1, 4)
        inside = segments_hit_boxes((float(start[0]), float(start[1])), b[None, :], arr, 0.0)
        hit += [boxes[i][0] for i in np.flatnonzero(inside[0])]
        if hit:
            out.append((e.name, ", ".join(sorted(set(hit)))))
    return out


def _leader_ends(e: Element) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A leader's point, where the check starts it (0.15 along: it leaves a point that
    often lies on a line itself) and its end."""
    x0, y0, x1, y1, _ = e.segments[0]
    a, b = np.array([x0, y0]), np.array([x1, y1])
    start = a + (b - a) * min(1.0, 0.15 / max(float(np.linalg.norm(b - a)), 1e-9))
    return a, start, b


def orphan_leaders(figure: Figure) -> list[str]:
    """Leaders not shown, dimmed exactly with their label (a line ending at nothing)."""
    out = []
    for e in figure.of_kind("leader"):
        lb = figure.by_name.get(e.name.removeprefix("leader of "))
        if lb is None or (lb.shown, lb.dimmed) != (e.shown, e.dimmed):
            out.append(e.name)
    return out


def unnamed_marks(figure: Figure) -> list[str]:
    """The words' marks (dots, edge markers, rings, diamonds) that no label names."""
    named = {e.role for e in figure.of_kind("word label")}
    return [e.name for e in figure.of_kind(*MARKS) if e.name not in named]


def together_pairs(figure: Figure, kinds: tuple[str, ...]) -> list[tuple[Element, Element]]:
    """Pairs of plot labels (`kinds`: and marks) ever on screen together, undimmed both."""
    es = [e for e in figure.elements if e.kind in kinds]
    out = []
    for i, a in enumerate(es):
        for b in es[i + 1 :]:
            if set(a.shown) - set(a.dimmed) & set(b.shown) - set(b.dimmed):
                out.append((a, b))
    return out


def phrase_pairs(figure: Figure) -> list[tuple[str, str]]:
    """Labels of two marks on one line (their boxes overlap by half the lower's height)
    closer side by side than PHRASE_GAP (scenes.layout: three spaces): read as one phrase
    ("the 3 more")."""
    out = []
    for a, b in together_pairs(figure, LABELS):
        (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a.box, b.box
        shared = min(ay1, by1) - max(ay0, by0)
        apart = max(bx0 - ax1, ax0 - bx1)
        if shared > 0.5 * min(ay1 - ay0, by1 - by0) and apart < PHRASE_GAP - 1e-9:
            out.append((a.name, b.name))
    return out


def _gap(box: tuple[float, float, float, float], p: tuple[float, float]) -> float:
    """The distance from a point to a box (0 inside)."""
    dx = max(box[0] - p[0], 0.0, p[0] - box[2])
    dy = max(box[1] - p[1], 0.0, p[1] - box[3])
    return float(np.hypot(dx, dy))


def nearer_other(figure: Figure) -> list[tuple[str, str]]:
    """Labels with another word's mark (on screen with it) nearer than their own point, so
    a reader pairs them with it: (label, mark). A label by its point (no leader) is as near
    as it is to its point; one with a leader, LEADER_GAP (nearer than that, a point reads
    as the one named, the leader notwithstanding)."""
    out = []
    led = {e.name.removeprefix("leader of ") for e in figure.of_kind("leader")}
    pairs = together_pairs(figure, (*LABELS, *MARKS))
    for a, b in pairs:
        label, mark = (a, b) if a.kind in LABELS else (b, a)
        if label.kind not in LABELS or mark.kind not in MARKS or label.role == mark.name:
            continue
        own = figure.by_name.get(label.role) if label.role else None
        anchor = own.anchor if own is not None else _label_anchor(figure, label)
        if anchor is None or mark.anchor is None:
            continue
        mine = LEADER_GAP if label.name in led else _gap(label.box, anchor)
        if _gap(label.box, mark.anchor) < mine - 1e-9:
            out.append((label.name, mark.name))
    return out


def _label_anchor(figure: Figure, label: Element) -> tuple[float, float] | None:
    """A start or end label's point: the tip of its static vector or of its last arrow."""
    si = label.sentence
    if label.kind == "end label" and si is not None and figure.tips:
        return figure.tips[si][-1]
    if label.kind == "start label" and figure.tips:
        return figure.tips[0 if si is None else si][0]
    return None


def overlapping_marks(figure: Figure, share: float = 0.1) -> list[tuple[str, str]]:
    """Pairs of in-view marks (dots, rings, groups' diamonds; not the darts at the edge)
    on screen together whose boxes overlap by more than `share` of the smaller box: two
    words drawn as one blot. Their places are data; how many such knots a figure shows is
    measured, not hidden."""

    def area(b: tuple[float, float, float, float]) -> float:
        return max(b[2] - b[0], 0.0) * max(b[3] - b[1], 0.0)

    out = []
    for a, b in together_pairs(figure, ("point", "ring", "group")):
        ix = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
        iy = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
        if ix > 0 and iy > 0 and ix * iy > share * min(area(a.box), area(b.box)):
            out.append((a.name, b.name))
    return out
