"""Where the plot's labels go, from data alone: each label's kind, the point it names and
its size; the marks and lines they stay off (scenes.layout.place_labels_best places them,
keeping the order with the shortest, least crossed leader lines). A label far from its
point gets a leader line to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scenes.figure.constants import LABEL_WEIGHT, LEADER_GAP
from scenes.figure.geometry import pad_box
from scenes.layout import (
    CLEARANCE,
    Box,
    Passing,
    Segment,
    leader_end,
    needs_leader,
    place_labels_strict,
    segment_obstacles,
)

Point = tuple[float, float]

# The orders the labels may take their places in, by kind: as listed; the words outside
# the view first (their markers crowd the view's edge, where only their labels want to
# be); the end labels, then those words.
RANKS = (
    {"start": 0, "end": 1, "word": 2, "outside": 2},
    {"outside": 0, "start": 1, "end": 2, "word": 3},
    {"end": 0, "outside": 1, "start": 2, "word": 3},
)


@dataclass(frozen=True)
class PlotLabel:
    """A label to place: kind ("start", "end", "word", "outside": a word whose marker is at
    the view's edge), the point it names and its size (w, h); `shorter`: the sizes of its
    shorter forms (a cut text), tried in turn when no place lets its leader pass clear;
    `meets`: whether it is on screen while each sentence's pulls are (default: always)."""

    kind: str
    anchor: Point
    size: tuple[float, float]
    shorter: tuple[tuple[float, float], ...] = ()
    meets: tuple[bool, ...] = ()  # on screen with each sentence's pulls (`pulls`) or not


@dataclass(frozen=True)
class Placed:
    """A placed label: its centre, its leader line (from the point to the label's edge) or
    None, which size it took (0: its own, 1... its shorter forms) and whether its leader
    still crosses something (the caller falls back further: a number and a legend row)."""

    centre: Point
    leader: tuple[Point, Point] | None
    variant: int = 0
    crossed: bool = False


def label_orders(kinds: Sequence[str]) -> list[list[int]]:
    """The orders (`RANKS`) as lists of label indices."""
    return [sorted(range(len(kinds)), key=[r[k] for k in kinds].__getitem__) for r in RANKS]


def label_obstacles(marks: Sequence[Box], lines: Sequence[Segment]) -> list[Box]:
    """What the plot's labels must stay off: the marks (points, the origin) and every line,
    with air round them (0.05 in all, of which the placer keeps CLEARANCE itself)."""
    air = 0.05 - CLEARANCE
    obstacles = [pad_box(b, air) for b in marks]
    for seg in lines:
        hw = seg[4] + 0.04 - CLEARANCE
        obstacles += segment_obstacles((seg[0], seg[1], seg[2], seg[3], hw), 0.12)
    return obstacles


def pull_passing(labels: Sequence[PlotLabel], pulls: Sequence[Sequence[Segment]]) -> list[Passing]:
    """Each sentence's pulls (`pulls[si]`, every step's), which the labels on screen in its
    steps (`PlotLabel.meets`) stay off with the placer's CLEARANCE (a dashed line shown a
    moment) and lead across none of."""
    return [
        Passing(
            [b for seg in segs for b in segment_obstacles(seg, 0.12)],
            list(segs),
            [not lb.meets or lb.meets[si] for lb in labels],
        )
        for si, segs in enumerate(pulls)
        if segs
    ]


def place_plot_labels(
    labels: Sequence[PlotLabel],
    box: Box,
    marks: Sequence[Box],
    lines: Sequence[Segment],
    final_lines: Sequence[Segment] = (),
    strict: bool = True,
    pulls: Sequence[Sequence[Segment]] = (),
    readable: bool = True,
) -> list[Placed]:
    """Each label's place in the plot's box, off the marks, every line (`lines`: also the
    arrows as they move) and each other; no leader line crosses any of `lines` (whichever
    frame draws them), another leader, a label or a mark: a label with no such place takes
    its shorter forms in turn, and one with none is `crossed`. Not `strict`: the plain
    placement (a leader clear of labels and marks, crossing as few of the last frame's lines,
    `final_lines`, as it can). `pulls`: each sentence's pulls, which (strict) the labels on
    screen with them stay off too, leading across none. `readable`: where it can, a label
    on no other's line within a phrase's gap, nearer its point than any other mark's."""
    got = place_labels_strict(
        [lb.anchor for lb in labels],
        [lb.size for lb in labels],
        box,
        label_orders([lb.kind for lb in labels]),
        [LABEL_WEIGHT.get(lb.kind, 1.0) for lb in labels],
        obstacles=label_obstacles(marks, lines),
        leader_gap=LEADER_GAP,
        lines=list(lines if strict else final_lines),
        marks=list(marks),
        shorter=[lb.shorter for lb in labels] if strict else None,
        strict=strict,
        passing=pull_passing(labels, pulls) if strict else [],
        readable=readable,
    )
    out = []
    for i, (lb, c) in enumerate(zip(labels, got.centres, strict=True)):
        size = (lb.size, *lb.shorter)[got.variant[i]]
        leader = None
        if needs_leader(lb.anchor, c, size, LEADER_GAP):
            leader = (lb.anchor, leader_end(lb.anchor, c, size))
        crossed = i in got.crossed
        out.append(Placed((float(c[0]), float(c[1])), leader, got.variant[i], crossed))
    return out


# A plot laid out with the words numbered so far and strict placement or not: how many
# leader crossings its checked frames show, and the word points (in label order) whose
# leader crosses something or that the placement flagged `crossed`.
LayOut = Callable[[dict[int, int], bool], tuple[int, list[int]]]


def number_crossed_words(lay_out: LayOut) -> dict[int, int]:
    """The rounds both the drift scene and the figure builder lay their plot out in: each
    layout's words whose leader still crosses become numbers in the key's legend (a number
    is short: it sits by its point, with no leader, where a word could not; the key wraps
    onto more rows and the plot gives up their room), in label order, round after round
    until no leader crosses. A round lays out strict (no leader across any line of any
    frame), and where that crosses with no new word to number, plain (fewest lines
    crossed). No cap: each round numbers at least one more word, or ends. A larger key
    shrinks the plot, so more numbers can cross more: the layout with fewest crossings
    seen is the one kept (on a tie the fewer numbers, then plain, as its crossings are more
    often mid-step only), laid out again if it was not the last. Returns point -> number."""
    numbered: dict[int, int] = {}
    best: tuple[int, dict[int, int], bool] | None = None
    while True:
        for strict in (True, False):
            count, crossing = lay_out(dict(numbered), strict)
            tie = best is not None and count == best[0] and best[1] == numbered
            if best is None or count < best[0] or tie:  # a tie with its strict one: plain
                best = (count, dict(numbered), strict)
            new = [j for j in crossing if j not in numbered]
            if not count or new:
                break
        if not count or not new:
            break
        for j in new:
            numbered[j] = len(numbered) + 1
    assert best is not None
    if (best[1], best[2]) != (numbered, strict):
        lay_out(dict(best[1]), best[2])
    return best[1]
