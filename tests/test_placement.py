"""scenes.layout's label placement, on hand-made scenes (no Manim): the raster of what is
taken never calls an overlapped place free; a leader line goes round the drawn lines when
a place a little farther allows it; of several orders, the labels that matter most get the
near places."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.layout import _Occupancy, _overlap_cost, box_at, place_labels, place_labels_best

BOUNDS = (-4.0, -3.0, 4.0, 3.0)


def test_the_raster_never_calls_an_overlapped_place_free() -> None:
    """Against the exact overlap areas: every place the raster calls free overlaps nothing,
    and it calls free nearly every place that is (it may pass over one a cell away)."""
    rng = np.random.default_rng(5)
    lo = rng.uniform(-4.0, 3.5, size=(60, 2))
    boxes = np.concatenate([lo, lo + rng.uniform(0.02, 0.8, size=(60, 2))], axis=1)
    taken = _Occupancy(BOUNDS)
    taken.add(boxes)
    centres = rng.uniform([-3.6, -2.8], [3.6, 2.8], size=(4000, 2))
    raster = taken.costs(centres, 0.7, 0.3)
    exact = _overlap_cost(centres, 0.7, 0.3, BOUNDS, boxes)
    assert np.all(exact[raster == 0.0] == 0.0)
    assert np.array_equal(np.isinf(raster), np.isinf(exact))
    exact_free = exact == 0.0
    assert exact_free.sum() > 500 and (raster == 0.0).sum() >= 0.95 * exact_free.sum()


def _two_windows() -> list[tuple[float, float, float, float]]:
    """Everything taken but two windows on the line y = 0: left x in (-2.6, -1.4), right x
    in (1.5, 2.9); the anchor (0, 0) sits between them."""
    return [
        (-4.0, 0.25, 4.0, 3.0), (-4.0, -3.0, 4.0, -0.25), (-1.4, -0.25, 1.5, 0.25),
        (-4.0, -0.25, -2.6, 0.25), (2.9, -0.25, 4.0, 0.25),
    ]  # fmt: skip


def test_a_leader_line_goes_round_a_drawn_line_when_a_place_a_little_farther_allows() -> None:
    size = [(0.8, 0.3)]
    (plain,) = place_labels([(0.0, 0.0)], size, BOUNDS, _two_windows(), leader_gap=0.45)
    assert plain[0] < 0  # the nearer window
    wall = [(-1.0, -1.0, -1.0, 1.0, 0.02)]  # a line between the anchor and the left window
    (round_,) = place_labels(
        [(0.0, 0.0)], size, BOUNDS, _two_windows(), leader_gap=0.45, lines=wall
    )
    assert round_[0] > 0  # the right window: a little farther, crossing nothing
    far_wall = [(1.2, -1.0, 1.2, 1.0, 0.02)]  # a line on the other side: the near window
    (near,) = place_labels(
        [(0.0, 0.0)], size, BOUNDS, _two_windows(), leader_gap=0.45, lines=far_wall
    )
    assert near[0] < 0


def test_the_label_that_matters_more_gets_the_near_place() -> None:
    """One free strip right of two labels' anchor: whichever is placed first sits next to
    it, the other farther along. Of the orders tried, the weights decide, not the list."""
    strip = [(-4.0, 0.2, 4.0, 3.0), (-4.0, -3.0, 4.0, -0.2), (-4.0, -0.2, 0.0, 0.2)]
    anchors, sizes = [(0.0, 0.0), (0.0, 0.0)], [(1.0, 0.3), (1.0, 0.3)]
    orders = [[1, 0], [0, 1]]
    for weights, first in (([2.0, 1.0], 0), ([1.0, 2.0], 1)):
        centres = place_labels_best(anchors, sizes, BOUNDS, orders, weights, strip)
        assert centres[first][0] < centres[1 - first][0]
        near = box_at(*centres[first], *sizes[first])
        assert near[0] - 0.0 < 0.45  # it needs no leader line


def test_a_leader_line_passes_over_no_other_point_and_is_drawn_where_it_was_kept_clear() -> None:
    """A dot between the anchor and the nearer window: the label goes to the other window
    (a line through a dot would seem to name it). The drawn leader runs from the anchor
    towards the label's centre and stops just short of its box."""
    from scenes.layout import leader_end, segment_hits_box

    size = [(0.8, 0.3)]
    dot = (-1.1, -0.1, -0.9, 0.1)
    (plain,) = place_labels([(0.0, 0.0)], size, BOUNDS, _two_windows(), leader_gap=0.45)
    assert segment_hits_box((0.0, 0.0, *plain, 0.0), dot)  # without marks: through the dot
    own = (-0.1, -0.1, 0.1, 0.1)  # the label's own point does not count
    (moved,) = place_labels(
        [(0.0, 0.0)], size, BOUNDS, _two_windows(), leader_gap=0.45, marks=[dot, own]
    )
    assert moved[0] > 0
    end = leader_end((0.0, 0.0), moved, size[0])
    box = box_at(*moved, *size[0])
    assert box[0] - end[0] == pytest.approx(0.06)  # just short of the box's near side
    assert end[1] == pytest.approx(moved[1] * end[0] / moved[0])  # on the way to the centre


def test_the_vectorised_clipping_agrees_with_segment_hits_box() -> None:
    """Leader lines are tested against boxes many at a time (`segments_hit_boxes`); on random
    segments, axis-parallel ones included, it says what `segment_hits_box` says one by one."""
    from scenes.layout import segment_hits_box, segments_hit_boxes

    rng = np.random.default_rng(11)
    start = (0.3, -0.2)
    ends = rng.uniform(-3.0, 3.0, size=(300, 2))
    ends[:20, 0] = start[0]  # vertical
    ends[20:40, 1] = start[1]  # horizontal
    lo = rng.uniform(-3.0, 2.5, size=(40, 2))
    boxes = np.concatenate([lo, lo + rng.uniform(0.05, 1.0, size=(40, 2))], axis=1)
    many = segments_hit_boxes(start, ends, boxes, 0.02)
    one = np.array([[segment_hits_box((*start, *e, 0.02), tuple(b)) for b in boxes] for e in ends])
    assert np.array_equal(many, one) and 0 < one.sum() < one.size


def _windows(*spans: tuple[float, float]) -> list[tuple[float, float, float, float]]:
    """Everything taken but windows (x_min, x_max) on the strip -0.25 < y < 0.25."""
    taken = [(-4.0, 0.25, 4.0, 3.0), (-4.0, -3.0, 4.0, -0.25)]
    edges = [-4.0, *[x for span in sorted(spans) for x in span], 4.0]
    taken += [(a, -0.25, b, 0.25) for a, b in zip(edges[::2], edges[1::2], strict=True) if b > a]
    return taken


def test_a_strict_leader_crosses_no_line_however_far_its_place() -> None:
    """Strict placement (the drift figure's): the near window's leader would cross a line,
    the far one is beyond LEADER_SLACK; the plain placer takes the near one and crosses,
    the strict one goes far and crosses nothing."""
    from scenes.layout import _crossings, place_labels_strict

    size = [(0.8, 0.3)]
    windows = _windows((-1.8, -0.8), (3.0, 3.9))
    wall = [(-0.5, -1.0, -0.5, 1.0, 0.02)]
    (plain,) = place_labels([(0.0, 0.0)], size, BOUNDS, windows, leader_gap=0.45, lines=wall)
    assert plain[0] < 0  # through the wall
    got = place_labels_strict([(0.0, 0.0)], size, BOUNDS, [[0]], [1.0], windows, lines=wall)
    (c,) = got.centres
    assert c[0] > 3.0 and got.crossed == [] and got.variant == [0]
    drawn = np.array([w[:4] for w in wall])
    assert _crossings(np.array([[0.15, 0.0]]), np.array([c]), drawn)[0] == 0


def test_a_label_with_no_clear_place_takes_its_shorter_form_then_says_it_crossed() -> None:
    """The only window past no line is too narrow for the whole word: the cut word (its
    shorter size) goes there; with no shorter form, the label is reported as crossed."""
    from scenes.layout import place_labels_strict

    windows = _windows((-1.8, -0.8), (1.0, 1.6))
    wall = [(-0.5, -1.0, -0.5, 1.0, 0.02)]
    args = ([(0.0, 0.0)], [(0.8, 0.3)], BOUNDS, [[0]], [1.0], windows)
    cut = place_labels_strict(*args, lines=wall, shorter=[[(0.4, 0.3)]])
    assert cut.variant == [1] and cut.crossed == [] and 1.0 < cut.centres[0][0] < 1.6
    whole = place_labels_strict(*args, lines=wall)
    assert whole.variant == [0] and whole.crossed == [0] and whole.centres[0][0] < 0


def test_a_strict_leader_crosses_no_earlier_leader() -> None:
    """Two windows up high, the right one holding one label: the left anchor's label takes it
    first, and the right anchor's leader to the left window would cross that leader (an X):
    it is crossed in that order, so the placer tries once more with the crossed label first,
    and that order (no crossing) wins. Of two orders given, the one with no crossing wins."""
    from scenes.layout import _crossings, needs_leader, place_labels_strict

    taken = [(-4.0, -3.0, 4.0, 1.75), (-4.0, 2.25, 4.0, 3.0), (-2.6, 1.75, 1.0, 2.25),
             (2.0, 1.75, 4.0, 2.25)]  # fmt: skip
    anchors, sizes = [(-0.5, 0.0), (0.5, 0.0)], [(0.8, 0.3), (0.8, 0.3)]
    one = place_labels_strict(anchors, sizes, BOUNDS, [[0, 1]], [1.0, 1.0], taken)
    assert one.crossed == [] and one.centres[1][0] > 1.0 and one.centres[0][0] < -2.6
    got = place_labels_strict(anchors, sizes, BOUNDS, [[0, 1], [1, 0]], [1.0, 1.0], taken)
    assert got.crossed == [] and got.centres[1][0] > 1.0 and got.centres[0][0] < -2.6
    (a0, a1), (c0, c1) = anchors, got.centres
    assert needs_leader(a0, c0, sizes[0], 0.45) and needs_leader(a1, c1, sizes[1], 0.45)
    assert _crossings(np.array([a1]), np.array([c1]), np.array([[*a0, *c0]]))[0] == 0


def test_number_crossed_words_numbers_every_crossing_word_round_after_round() -> None:
    """Each strict round numbers the crossed words not yet numbered, in the order given,
    with no cap: rounds go on until the layout is clear (20 words over 20 rounds, one more
    each time); when only numbered words (or other labels) still cross, the plain layout is
    tried, and its crossing words are numbered too; the layout with fewest crossings seen is
    kept (laid out again when it was not the last)."""
    from scenes.figure.labels import number_crossed_words

    seen: list[tuple[dict[int, int], bool]] = []

    def clears(numbered: dict[int, int], strict: bool) -> tuple[int, list[int]]:
        seen.append((numbered, strict))
        left = [j for j in (4, 2, 9) if j not in numbered]
        return len(left), left

    assert number_crossed_words(clears) == {4: 1, 2: 2, 9: 3}
    assert seen == [({}, True), ({4: 1, 2: 2, 9: 3}, True)]  # strict only: the last is clear

    def one_a_round(numbered: dict[int, int], strict: bool) -> tuple[int, list[int]]:
        seen.append((numbered, strict))
        left = [j for j in range(20) if j not in numbered]
        return len(left), left[:1]

    seen.clear()
    assert number_crossed_words(one_a_round) == {j: j + 1 for j in range(20)}
    assert len(seen) == 21 and all(strict for _, strict in seen)

    def stuck(better: bool) -> tuple[list[bool], dict[int, int]]:
        calls: list[bool] = []

        def lay_out(numbered: dict[int, int], strict: bool) -> tuple[int, list[int]]:
            calls.append(strict)
            if strict:  # word 3 is numbered and still crosses: nothing more to number
                return 2, [3]
            return (1 if better else 3), [3]

        return calls, number_crossed_words(lay_out)

    # plain crosses least: kept (the last made); else the first layout, as few crossings
    # with no number: laid out again
    assert stuck(better=True) == ([True, True, False], {3: 1})
    assert stuck(better=False) == ([True, True, False, True], {})

    def tied(numbered: dict[int, int], strict: bool) -> tuple[int, list[int]]:
        seen.append((numbered, strict))
        return 1, []  # strict and plain cross alike (an end label): plain, the last made

    seen.clear()
    assert number_crossed_words(tied) == {} and seen == [({}, True), ({}, False)]

    calls: list[tuple[dict[int, int], bool]] = []

    def plain_names_another(numbered: dict[int, int], strict: bool) -> tuple[int, list[int]]:
        calls.append((numbered, strict))
        if strict:  # an end label crosses (no word to number)
            return 1, []
        return (0, []) if 7 in numbered else (1, [7])  # plain: word 7 crosses, then none

    assert number_crossed_words(plain_names_another) == {7: 1}
    assert calls == [({}, True), ({}, False), ({7: 1}, True), ({7: 1}, False)]


def test_a_strict_label_sits_touching_its_point_where_only_an_odd_spot_is_free() -> None:
    """Everything round the point is taken but a small pocket diagonally below left of it
    (none of the 8 ring places fits there) and a far window whose leader would cross a
    line. The plain placer leads to the window; the strict one finds the pocket among the
    places near enough to need no leader (`_touching`), and draws no leader at all."""
    from scenes.layout import needs_leader, place_labels_strict

    size = (0.2, 0.2)  # a number
    pocket = (-0.51, -0.56, -0.22, -0.27)  # 0.29 square: off the rings and the 0.12 grid
    taken = [
        (-4.0, -3.0, 4.0, pocket[1]),
        (-4.0, pocket[3], 2.9, 3.0),
        (-4.0, pocket[1], pocket[0], pocket[3]),
        (pocket[2], pocket[1], 2.9, pocket[3]),
    ]  # free: the pocket, and x > 2.9 above the pocket's floor
    wall = [(1.5, -1.0, 1.5, 3.0, 0.02)]
    (plain,) = place_labels([(0.0, 0.0)], [size], BOUNDS, taken, leader_gap=0.45, lines=wall)
    assert plain[0] > 2.9 and needs_leader((0.0, 0.0), plain, size, 0.45)
    got = place_labels_strict([(0.0, 0.0)], [size], BOUNDS, [[0]], [1.0], taken, lines=wall)
    (c,) = got.centres
    assert got.crossed == [] and not needs_leader((0.0, 0.0), c, size, 0.45)
    box = box_at(*c, *size)
    assert pocket[0] <= box[0] <= box[2] <= pocket[2]
    assert pocket[1] <= box[1] <= box[3] <= pocket[3]


def test_a_strict_label_with_no_clean_place_takes_the_rim_past_a_line_by_its_point() -> None:
    """A line just under the point (a static vector under an arrow's tip), everything above
    it taken, and a far window's leader would cross a wall. The label's box fits under the
    line within the leader gap only in a band 0.018 tall, between `_touching`'s steps:
    without the rim every place leads across a line (crossed); with it, the label sits in
    the band, with no leader; but not with another word's mark between it and its point."""
    from scenes.layout import _rim, _touching, needs_leader, place_labels_strict

    size, gap = (1.0, 0.28), 0.45
    taken = [(-4.0, -0.41, 2.9, 3.0)]  # grown by CLEARANCE: free from y = -0.43 down
    lines = [(-4.0, -0.3, 2.9, -0.3, 0.08), (1.5, -3.0, 1.5, 3.0, 0.02)]  # the line, a wall
    band = (-0.45, -0.43)  # where the box's top may be: off the line, within the gap
    off_y = -np.concatenate([_touching(*size, gap)[:, 1], _rim(*size, gap)[:, 1]])
    in_band = (off_y - size[1] / 2 >= -band[1]) & (off_y - size[1] / 2 < -band[0])
    assert in_band.sum() > 0 and not in_band[: len(_touching(*size, gap))].any()
    got = place_labels_strict([(0.0, 0.0)], [size], BOUNDS, [[0]], [1.0], taken, lines=lines)
    (c,) = got.centres
    assert got.crossed == [] and not needs_leader((0.0, 0.0), c, size, gap)
    top = box_at(*c, *size)[3]
    assert band[0] <= top <= band[1]
    # Another word's mark on the way down: so far off, the label would seem to name it.
    mark = [(-0.6, -0.42, 0.6, -0.38)]
    got = place_labels_strict(
        [(0.0, 0.0)], [size], BOUNDS, [[0]], [1.0], taken, lines=lines, marks=mark
    )
    assert got.crossed == [0]


def test_the_touching_places_need_no_leader_and_come_nearest_first() -> None:
    """`_touching`: every offset keeps the label's box off its point and within the leader
    gap of it, nearest first, and they surround the point (all four sides)."""
    from scenes.layout import _gaps, _touching, needs_leader

    w, h = 0.6, 0.25
    off = _touching(w, h, 0.45)
    gaps = _gaps((0.0, 0.0), (w, h), off)
    assert len(off) > 100 and np.all(gaps > 0) and np.all(np.diff(gaps) >= -1e-12)
    assert not any(needs_leader((0.0, 0.0), tuple(c), (w, h), 0.45) for c in off)
    assert off[:, 0].min() < -w / 2 and off[:, 0].max() > w / 2
    assert off[:, 1].min() < -h / 2 and off[:, 1].max() > h / 2


def test_with_nothing_free_a_label_takes_the_least_covered_place() -> None:
    """Everything taken but a column 0.6 wide (1.0 < x < 1.6, above y = 1): a label 0.8
    wide fits nowhere and goes where the raster counts least of it taken, over the column
    (the least bad place, which the check then reports); the raster's count ranks places as
    the exact overlap does. With the whole box taken, every place counts as covered."""
    full = [(-4.0, -3.0, 4.0, 3.0)]
    taken = _Occupancy(BOUNDS)
    taken.add(np.array(full))
    clear = _Occupancy(BOUNDS)
    walls = [(-4.0, -3.0, 4.0, 1.0), (-4.0, 1.0, 1.0, 3.0), (1.6, 1.0, 4.0, 3.0)]
    clear.add(np.array(walls))
    centres = np.array([[0.0, 0.0], [1.3, 1.6], [3.0, 2.5]])
    covered = clear.covered(centres, 0.6, 0.4)
    assert covered[1] < covered[0] and covered[1] < covered[2]
    assert np.all(taken.covered(centres, 0.6, 0.4) > 0)
    exact = _overlap_cost(centres, 0.6, 0.4, BOUNDS, clear.boxes)
    assert np.argmin(exact) == np.argmin(covered)
    (c,) = place_labels([(1.0, 2.0)], [(0.8, 0.4)], BOUNDS, walls)
    box = box_at(*c, 0.8, 0.4)
    assert box[0] < 1.6 and box[2] > 1.0  # over the free column (1.0 < x < 1.6), its best


def test_number_crossed_words_keeps_the_least_crossed_layout_when_numbers_make_it_worse() -> None:
    """Numbering grows the key and shrinks the plot: here each number makes the layout
    cross more. The rounds still run to the end (no new word), then the first layout, the
    least crossed, is laid out again and its numbering (none) returned."""
    from scenes.figure.labels import number_crossed_words

    calls: list[tuple[dict[int, int], bool]] = []
    counts = {(): (2, [1]), (1,): (3, [2]), (1, 2): (4, [])}

    def worse(numbered: dict[int, int], strict: bool) -> tuple[int, list[int]]:
        calls.append((numbered, strict))
        count, crossing = counts[tuple(numbered)]
        return (count if strict else count + 1), crossing

    assert number_crossed_words(worse) == {}
    assert calls[-1] == ({}, True) and len(calls) == 5
    assert calls[:4] == [({}, True), ({1: 1}, True), ({1: 1, 2: 2}, True), ({1: 1, 2: 2}, False)]


def test_the_table_brought_up_to_date_from_the_first_changed_square_is_the_whole_one() -> None:
    """`_Occupancy` updates its summed-area table only from the first row and column added
    to since it was read; after random adds (few boxes, and many at once through the
    difference array), read in between, it equals the table built from scratch."""
    rng = np.random.default_rng(3)
    taken = _Occupancy(BOUNDS)
    for n in (3, 80, 1, 150, 5):
        lo = rng.uniform(-4.0, 3.0, size=(n, 2))
        taken.add(np.concatenate([lo, lo + rng.uniform(0.01, 1.0, size=(n, 2))], axis=1))
        got = taken._table().copy()
        whole = np.zeros_like(got)
        whole[1:, 1:] = taken.taken.cumsum(axis=0).cumsum(axis=1)
        assert np.array_equal(got, whole)
    fresh = _Occupancy(BOUNDS)
    fresh.add(taken.boxes)
    assert np.array_equal(fresh.taken, taken.taken)


# ---------------------------------------------------------------------------------------------
# what a label is read as: off the pulls it is shown with, apart from another mark's label on
# its line, nearer its own point than another's


def _box(centre: tuple[float, float], size: tuple[float, float]) -> tuple[float, ...]:
    return (centre[0] - size[0] / 2, centre[1] - size[1] / 2,
            centre[0] + size[0] / 2, centre[1] + size[1] / 2)  # fmt: skip


def test_a_label_keeps_off_the_pulls_shown_with_it_and_not_off_those_it_never_meets() -> None:
    """A word's pull leaves its point where its label would go: a label on screen
    in that step takes another place; an end label shown after the steps may sit there."""
    from scenes.figure.labels import PlotLabel, place_plot_labels
    from scenes.layout import segment_hits_box

    marks = [(-0.07, -0.07, 0.07, 0.07)]
    pull = (0.0, 0.0, 3.0, 0.2, 0.05)  # its dashed pull, leaving it to the right
    size = (0.6, 0.25)
    for meets, off in ((True, True), (False, False)):
        lb = PlotLabel("word", (0.0, 0.0), size, meets=(meets,))
        free = place_plot_labels([lb], BOUNDS, marks, [], [])[0]
        (got,) = place_plot_labels([lb], BOUNDS, marks, [], [], pulls=[[pull]])
        hit = segment_hits_box((*pull[:4], pull[4] + 0.02), _box(got.centre, size))
        assert hit is not off
        assert (got.centre == free.centre) is not off
    assert segment_hits_box((*pull[:4], pull[4] + 0.02), _box(free.centre, size))  # in the way


def test_labels_of_two_marks_on_one_line_keep_a_phrase_gap() -> None:
    """Two points on a free band: the second label's nearest place is left of its point,
    beside the first label, apart only by the placer's spacing; it reads as one phrase
    with it ("the 3 more"). Readable, the labels on one line keep PHRASE_GAP apart."""
    from scenes.layout import PHRASE_GAP, _place_all

    anchors, sizes = [(0.0, 0.0), (1.45, 0.0)], [[(0.5, 0.25)], [(0.6, 0.25)]]
    taken = [(-4.0, 0.2, 4.0, 3.0), (-4.0, -3.0, 4.0, -0.2), (-4.0, -0.2, -0.1, 0.2),
             (2.0, -0.2, 4.0, 0.2)]  # fmt: skip
    gaps = {}
    for readable in (False, True):
        got = _place_all(anchors, sizes, BOUNDS, taken, leader_gap=0.45, readable=readable)
        a, b = (_box(c, s[0]) for c, s in zip(got.centres, sizes, strict=True))
        assert min(a[3], b[3]) - max(a[1], b[1]) > 0.0  # on one line
        gaps[readable] = max(b[0] - a[2], a[0] - b[2])
    assert gaps[False] < PHRASE_GAP <= gaps[True] + 1e-6


def test_the_phrase_gap_is_three_spaces_of_a_word_label() -> None:
    from scenes.figure.widgets import text_box
    from scenes.layout import PHRASE_GAP
    from scenes.theme import SIZES

    one, two = text_box("a b", SIZES.small), text_box("ab", SIZES.small)
    space = (one[2] - one[0]) - (two[2] - two[0])
    assert 2.5 * space <= PHRASE_GAP <= 3.5 * space


def test_a_label_takes_a_place_nearer_its_own_point_than_another_mark() -> None:
    """A point with another mark just right of it: the label goes where its own point is
    the nearer (left, above or below), not by the other mark."""
    from scenes.layout import _gaps, place_labels_strict

    anchors, size = [(0.0, 0.0)], (0.6, 0.25)
    other = (0.55, 0.0)
    marks = [_box(anchors[0], (0.14, 0.14)), _box(other, (0.14, 0.14))]
    # everything taken but a band to the right of the point and a place far left
    taken = [(-4.0, 0.2, 4.0, 3.0), (-4.0, -3.0, 4.0, -0.2), (-1.6, -0.2, -0.07, 0.2)]
    got = place_labels_strict(anchors, [size], BOUNDS, [[0]], [1.0], taken, marks=marks)
    c = np.array([got.centres[0]])
    own = _gaps(anchors[0], size, c)[0]
    theirs = _gaps(other, size, c)[0]
    assert theirs >= min(own, 0.45)
    # without the other mark the nearest free place is the one right by the point
    bare = place_labels_strict(anchors, [size], BOUNDS, [[0]], [1.0], taken, marks=marks[:1])
    assert (
        _gaps(other, size, np.array([bare.centres[0]]))[0]
        < _gaps(anchors[0], size, np.array([bare.centres[0]]))[0]
    )
