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
