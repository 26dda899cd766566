"""Small multiples (issue 19): from three sentences on, one plot panel per sentence, all on
the same axes. Checked on the figure model alone (scenes.figure.build), against what the
plan says: every panel draws the same window of the plane at the same scale, so a sentence's
static vector and arrows are its plan's points mapped into its own panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from attention_math import build_plan
from scenes.figure.build import build_figure, column_layout, shaped_figure, small_multiples
from scenes.figure.checks import frame_leader_problems, orphan_leaders, unnamed_marks
from scenes.figure.constants import MULTIPLES_FROM
from scenes.figure.model import Element, Figure
from scenes.figure.plot import grid
from scenes.figure.story import Story
from scenes.layout import check_items

PLANE = Path(__file__).resolve().parent.parent / "assets" / "corpus" / "plane.toml"
SENTENCES = [
    "He sat on the muddy river bank.",
    "He deposited cash at the bank.",
    "The bank loan.",
    "Cash at the muddy bank.",
]


def figure(n: int, together: bool | None = None) -> tuple[Figure, object]:
    """The plane figure of the first n sentences, as small multiples (`together`: with the
    outputs together or without; None: as the builder takes them)."""
    plan = build_plan(SENTENCES[0], "bank", compare=SENTENCES[1:n], embeddings_file=PLANE)
    if together is None:  # the builder's best small multiples, with it or without
        return small_multiples(plan).figure, plan
    shaped = shaped_figure(plan, column_layout(plan), Story(plan), True, together=together)
    return shaped.figure, plan


def inside(box: tuple[float, ...], panel: tuple[float, ...], tol: float = 1e-9) -> bool:
    return (
        box[0] >= panel[0] - tol
        and box[1] >= panel[1] - tol
        and box[2] <= panel[2] + tol
        and box[3] <= panel[3] + tol
    )


def test_small_multiples_from_three_sentences_on() -> None:
    """Two sentences share one plot; three are drawn as small multiples (they meet the
    checks); the builder keeps whichever leaves the checks less to object to."""
    assert MULTIPLES_FROM == 3
    plans = [
        build_plan(SENTENCES[0], "bank", compare=SENTENCES[1:n], embeddings_file=PLANE)
        for n in (2, 3)
    ]
    two, three = (build_figure(p) for p in plans)
    assert two.of_kind("frame") == [] and [e.name for e in two.of_kind("origin")] == ["origin"]
    assert [e.name for e in three.of_kind("origin")] == ["origin 1", "origin 2", "origin 3"]
    assert check_items(three.items()) == [] and frame_leader_problems(three) == []


@pytest.mark.parametrize("n", [3, 4])
def test_a_panel_per_sentence_on_the_same_axes(n: int) -> None:
    fig, plan = figure(n)
    frames = fig.of_kind("frame")
    assert [e.sentence for e in frames] == list(range(n))
    sizes = {(round(e.box[2] - e.box[0], 9), round(e.box[3] - e.box[1], 9)) for e in frames}
    assert len(sizes) == 1  # every panel the same size
    for a, b in zip(frames, frames[1:], strict=False):  # and apart
        assert not (a.box[0] < b.box[2] and b.box[0] < a.box[2] and a.box[1] < b.box[3]
                    and b.box[1] < a.box[3])  # fmt: skip
    origins = {e.sentence: np.array(e.anchor) for e in fig.of_kind("origin")}
    # the same scale and window: plan point p of sentence si is at origin_si + s·(p - o)
    o = np.array(plan.projection.origin)
    scales = set()
    for si, s in enumerate(plan.sentences):
        arrows = [e for e in fig.of_kind("arrow") if e.sentence == si and e.anchor is not None]
        for e, step in zip(arrows, s.steps, strict=True):
            d = np.array(step.point) - o
            got = np.array(e.anchor) - origins[si]
            k = int(np.argmax(np.abs(d)))
            scale = got[k] / d[k]
            assert got == pytest.approx(scale * d, abs=1e-9)
            scales.add(round(float(scale), 9))
    assert len(scales) == 1, scales


@pytest.mark.parametrize("n", [3, 4])
def test_each_sentence_stays_in_its_panel(n: int) -> None:
    fig, _ = figure(n)
    panel = {e.sentence: e.box for e in fig.of_kind("frame")}
    kinds = ("point", "marker", "ring", "group", "origin", "arrow", "trail", "word label",
             "end label", "start label", "badge", "static")  # fmt: skip
    own: list[Element] = [e for e in fig.of_kind(*kinds) if e.sentence in panel]
    assert {e.sentence for e in own} == set(range(n))
    for e in own:
        if e.kind == "badge" and not e.name.startswith("panel badge"):
            continue  # the header's badges
        assert inside(e.box, panel[e.sentence]), (e.name, e.box, panel[e.sentence])
    # no mark stands for two sentences: each panel has its own
    assert all(e.sentence is not None for e in fig.of_kind("point", "marker", "ring", "group"))


@pytest.mark.parametrize(("n", "with_together"), [(3, None), (4, None), (3, True)])
def test_every_mark_named_nothing_crossed(n: int, with_together: bool | None) -> None:
    fig, _ = figure(n, with_together)
    assert unnamed_marks(fig) == [] and orphan_leaders(fig) == []
    assert frame_leader_problems(fig) == []


def test_grid_fills_the_box_row_by_row() -> None:
    panels = grid((0.0, 0.0, 10.0, 4.0), 5, 3)
    assert len(panels) == 5
    assert panels[0] == pytest.approx((0.0, 2.15, 3.1333333, 4.0), abs=1e-6)
    # the last row's two panels centred under the three above
    assert (panels[3][0] + panels[4][2]) / 2 == pytest.approx(5.0)


# ---------------------------------------------------------------------------------------------
# then the outputs together: one more panel of the grid


def together(fig: Figure) -> list[Element]:
    return [e for e in fig.elements if e.name.startswith("together")]


def size(box: tuple[float, ...]) -> tuple[float, float]:
    return (round(box[2] - box[0], 9), round(box[3] - box[1], 9))


def one_scale(fig: Figure, plan: object) -> float:
    """The one scale of the sentences' panels, read off their arrows against the plan."""
    o = np.array(plan.projection.origin)  # type: ignore[attr-defined]
    origins = {e.sentence: np.array(e.anchor) for e in fig.of_kind("origin")}
    scales = set()
    for si, s in enumerate(plan.sentences):  # type: ignore[attr-defined]
        arrows = [e for e in fig.of_kind("arrow") if e.sentence == si and e.anchor is not None]
        for e, step in zip(arrows, s.steps, strict=True):
            d, got = np.array(step.point) - o, np.array(e.anchor) - origins[si]
            k = int(np.argmax(np.abs(d)))
            scales.add(round(float(got[k] / d[k]), 9))
    assert len(scales) == 1, scales
    return scales.pop()


@pytest.mark.parametrize("n", [3, 4])
def test_the_outputs_together_in_one_more_panel_of_the_grid(n: int) -> None:
    """From three sentences on, a panel more than the sentences': as large as theirs, apart
    from them, the grid of n + 1 panels; in it the origin, the static vector, an arrow and a
    badge per sentence and its title, all inside it, shown in the poster and the last beat
    (the summary) only, never dimmed."""
    plan = build_plan(SENTENCES[0], "bank", compare=SENTENCES[1:n], embeddings_file=PLANE)
    lay = shaped_figure(plan, column_layout(plan), Story(plan), True, True)
    fig = lay.figure
    frames = [e.box for e in fig.of_kind("frame")]
    box = fig["together frame"].box
    assert {size(b) for b in frames} == {size(box)}
    cols = [c for c in range(1, n + 2) if grid(lay.plot.geometry.box, n + 1, c) == (*frames, box)]
    assert len(cols) == 1  # the sentences' panels, then this one, in one grid
    kinds = sorted(e.kind for e in together(fig))
    one = ["together frame", "together title", "together origin", "together static"]
    assert kinds == sorted([*one, *["together arrow", "together badge"] * n])
    assert fig["together title"].text == "together"
    for e in together(fig):
        assert inside(e.box, box), e.name
    last = len(fig.beats) - 1
    assert (fig.beats[0].what, fig.beats[last].what) == ("poster", "summary")
    assert all(e.shown == (0, last) and e.dimmed == () for e in together(fig))


@pytest.mark.parametrize("n", [3, 4])
def test_the_outputs_together_on_the_same_axes(n: int) -> None:
    """Each sentence's output arrow in the together panel from its origin to
    origin + s·(output − o), s the one scale of the sentences' panels, o the plan's origin,
    output its last step's point (the plan's numbers); the origin where every panel has it;
    the static vector's tip likewise."""
    fig, plan = figure(n, together=True)
    s, o = one_scale(fig, plan), np.array(plan.projection.origin)  # type: ignore[attr-defined]
    at = np.array(fig["together origin"].anchor)
    f0, ft = fig["panel frame 1"].box, fig["together frame"].box
    assert at - ft[:2] == pytest.approx(np.array(fig["origin 1"].anchor) - f0[:2], abs=1e-9)
    for si, sent in enumerate(plan.sentences):  # type: ignore[attr-defined]
        arrow = fig[f"together arrow {si + 1}"]
        head = at + s * (np.array(sent.steps[-1].point) - o)
        assert np.array(arrow.anchor) == pytest.approx(head, abs=1e-9)
        assert arrow.segments[0][:2] == pytest.approx(tuple(at), abs=1e-9)  # from the origin
        assert arrow.segments[-1][2:4] == pytest.approx(tuple(head), abs=1e-9)  # to its head
        assert arrow.sentence == si
    (static,) = fig.of_kind("together static")  # the plane's sentences share one
    start = at + s * (np.array(plan.sentences[0].steps[0].point) - o)  # type: ignore[attr-defined]
    assert np.array(static.anchor) == pytest.approx(start, abs=1e-9)


def test_each_output_named_by_its_badge_by_its_head() -> None:
    """Three sentences: each output arrow's badge (the header's, same size) within reach of
    its head, nearer it than any other head, with no other line between them (but one the
    head lies on); the panel passes the layout check and the builder keeps it."""
    from scenes.figure.geometry import segments_cross
    from scenes.figure.together import BADGE_REACH

    fig, plan = figure(3, together=True)
    heads = [np.array(fig[f"together arrow {si + 1}"].anchor) for si in range(3)]

    def off(p: np.ndarray, seg: tuple[float, ...]) -> bool:  # p not on the thick segment
        a, b = np.array(seg[:2]), np.array(seg[2:4])
        t = np.clip(np.dot(p - a, b - a) / max(float(np.dot(b - a, b - a)), 1e-12), 0, 1)
        return float(np.linalg.norm(a + t * (b - a) - p)) > seg[4] + 0.05

    for si, head in enumerate(heads):
        lines = np.array([seg[:4] for e in fig.of_kind("together static", "together arrow")
                          if e.sentence != si or e.kind == "together static"
                          for seg in e.segments if off(head, seg)]).reshape(-1, 4)  # fmt: skip
        badge = fig[f"together badge {si + 1}"]
        assert size(badge.box) == size(fig[f"badge {si + 1}"].box)
        assert badge.size == fig[f"badge {si + 1}"].size and badge.sentence == si
        c = np.array([(badge.box[0] + badge.box[2]) / 2, (badge.box[1] + badge.box[3]) / 2])
        dist = [float(np.linalg.norm(c - h)) for h in heads]
        assert dist[si] <= BADGE_REACH[1] + 1e-9 and dist[si] == min(dist)
        assert not segments_cross(head, c, lines).any(), badge.name
    assert check_items(fig.items(together(fig))) == []
    built = build_figure(plan)  # type: ignore[arg-type]
    assert [e.name for e in together(built)] == [e.name for e in together(fig)]


def test_no_outputs_together_for_two_sentences_or_without_small_multiples() -> None:
    two = build_plan(SENTENCES[0], "bank", compare=SENTENCES[1:2], embeddings_file=PLANE)
    assert together(build_figure(two)) == []
    three = build_plan(SENTENCES[0], "bank", compare=SENTENCES[1:3], embeddings_file=PLANE)
    shared = shaped_figure(three, column_layout(three), Story(three), multiples=False)
    assert together(shared.figure) == [] and shared.plot.outputs is None
    plain = shaped_figure(three, column_layout(three), Story(three), True, together=False)
    assert together(plain.figure) == [] and len(plain.figure.of_kind("frame")) == 3


def test_the_static_vector_is_named_once_in_the_key() -> None:
    """Every panel draws the same static vector: the key names it (its arrow, then its
    name), and no panel carries a start label."""
    from scenes.figure.plotmodel import KEY_MARK_GAP
    from scenes.figure.widgets import KEY_ARROW, text_box
    from scenes.theme import SIZES

    fig, _ = figure(3)
    assert fig.of_kind("start label") == []
    first = fig.by_name["key 1"].box
    words = text_box("bank (static)", SIZES.small)
    assert first[2] - first[0] == pytest.approx(KEY_ARROW + KEY_MARK_GAP + words[2] - words[0])


def test_short_sentences_share_header_lines_two_by_two() -> None:
    """Five short sentences: two to a line in the header (each still shows all its words),
    which leaves the plot's panels the height saved."""
    short = ["He sat on the bank.", "The bank loan.", "Cash at the bank.", "The muddy bank.",
             "The river bank."]  # fmt: skip
    plan = build_plan(short[0], "bank", compare=short[1:], embeddings_file=PLANE)
    column = column_layout(plan)
    rows = column.sentences
    tops = [round(r.box[3], 9) for r in rows]
    assert tops[0] == tops[1] and tops[2] == tops[3] and tops[4] < tops[2] < tops[0]
    assert rows[1].box[0] > rows[0].box[2]  # side by side, apart
    for s, r in zip(plan.sentences, rows, strict=True):
        assert sorted(r.texts) == list(range(len(s.words)))  # nothing elided
    one_line = [r.box[3] - r.box[1] for r in rows]
    assert max(one_line) < 0.5  # each sentence on one line of chips


def test_the_builder_keeps_the_outputs_together_only_when_clear() -> None:
    """Five sentences with the key under the plot leave panels too small to name five
    outputs clear of the lines: that layout says so (`missed`), and the builder takes small
    multiples without the outputs together, which the checks pass; three keep them (and,
    since the column gives the plot the width its texts leave, four do too)."""
    five = [*SENTENCES, "The river bank."]
    plans = [build_plan(five[0], "bank", compare=five[1:n], embeddings_file=PLANE) for n in (3, 5)]
    crowded = shaped_figure(plans[1], column_layout(plans[1]), Story(plans[1]), True,
                            corner=False)  # fmt: skip
    assert crowded.plot.outputs is not None and crowded.plot.outputs.missed > 0
    three, many = (build_figure(p) for p in plans)
    assert together(three) and together(many) == []
    assert len(many.of_kind("frame")) == 5
    assert check_items(many.items()) == [] and frame_leader_problems(many) == []


def test_a_panel_too_tall_for_the_column_sets_its_equation_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan whose five sentences take 8 steps each (as a plan written by another version
    may): each panel's 9 rows leave no room for a two-line equation, so it takes one line,
    and the column stays inside the frame's margin."""
    import math

    from attention_math import attention
    from scenes.figure.build import frame_edges

    words = [f"w{i}" for i in range(45)]
    toml = "".join(f"{w} = [{math.cos(i)}, {math.sin(i)}, {i / 10}]\n" for i, w in enumerate(words))
    path = tmp_path / "v.toml"
    path.write_text(toml + "bank = [1.0, 0.5, 0.2]\n", encoding="utf-8")
    monkeypatch.setattr(attention, "max_steps", lambda counts: attention.MAX_STEPS)
    texts = [" ".join(["bank", *words[9 * k : 9 * k + 9]]) for k in range(5)]
    plan = build_plan(texts[0], "bank", compare=texts[1:], embeddings_file=path)
    assert [len(s.steps) for s in plan.sentences] == [9] * 5
    column = column_layout(plan)
    bottom = frame_edges()[3]
    assert all(p.equation.box[1] >= bottom - 1e-9 for p in column.panels)
    assert all(len(p.equation.lines) == 1 for p in column.panels)


def test_the_column_gives_the_plot_what_panel_w_spares_from_three_sentences_on() -> None:
    """From three sentences on, the panel column's widest text ends at the frame's right
    margin (the plot takes the rest); one or two sentences keep the column PANEL_W wide."""
    from scenes.figure.build import column_bottom, frame_edges
    from scenes.figure.constants import PANEL_W

    _, right, _, _ = frame_edges()
    for n in (2, 3, 4):
        plan = build_plan(SENTENCES[0], "bank", compare=SENTENCES[1:n], embeddings_file=PLANE)
        column = column_layout(plan)
        texts = [b for p in column.panels for b in (p.title, *p.lines, p.equation.box)]
        texts += [r.box for p in column.panels for r in p.rows]
        assert column.summary is not None
        texts += [column.summary[0], *column.summary[1]]
        widest = max(b[2] for b in texts)
        assert min(b[0] for b in texts) >= column.col_x - 1e-9
        assert column_bottom(column) < column.body_top
        if n < MULTIPLES_FROM:
            assert column.col_x == pytest.approx(right - PANEL_W, abs=1e-12)
            assert widest < right - 0.05  # some to spare, kept
        else:
            assert widest == pytest.approx(right, abs=1e-9)
            assert column.col_x > right - PANEL_W + 0.05


def test_the_key_beside_the_sentences_gives_five_panels_their_height() -> None:
    """Five sentences: the key takes the free room right of the sentences and above the
    column (clear of both), so the plot's panels are taller by the key's lines than with
    the key under the plot, at the same width."""
    from scenes.figure.plotmodel import KEY_ABOVE

    five = [*SENTENCES, "The river bank."]
    plan = build_plan(five[0], "bank", compare=five[1:], embeddings_file=PLANE)
    column, story = column_layout(plan), Story(plan)
    assert column.corner is not None
    beside = shaped_figure(plan, column, story, True, together=False)
    under = shaped_figure(plan, column, story, True, together=False, corner=False)
    corner = column.corner
    header = [e.box for e in beside.figure.elements if e.kind in ("chip", "chip ring", "badge")]
    keys = beside.figure.of_kind("key")
    assert keys and all(inside(k.box, corner) for k in keys)
    assert max(b[2] for b in header) < corner[0] and corner[1] > column.body_top
    (w0, h0), (w1, h1) = (size(f.plot.geometry.panels[0]) for f in (under, beside))
    below = under.figure.of_kind("key")
    assert below and all(k.box[3] < under.plot.geometry.box[1] for k in below)
    lines = max(k.box[3] for k in below) - min(k.box[1] for k in below) + KEY_ABOVE
    rows = len({round(p[3], 6) for p in beside.plot.geometry.panels})  # of the grid
    assert w1 == pytest.approx(w0) and h1 == pytest.approx(h0 + lines / rows, abs=1e-6)
    assert h1 > h0 + 0.15
    assert check_items(beside.figure.items()) == []


def test_the_five_sentence_corpus_figure_has_panels_that_read(
    request: pytest.FixtureRequest,
) -> None:
    """The corpus's five sentences (four-compares, MiniLM): each panel at least 2.5 × 1.4
    units (about 150 × 84 px at 854 × 480; at bb29f01 they were 2.43 × 0.98) and the static
    vector at least 0.9 units long in its panel (it was 0.6), the figure clean."""
    from scenes.figure.build import lay_out_figure
    from tests.test_figure import BY_NAME, corpus_plan

    plan = corpus_plan(BY_NAME["four-compares"], request)
    lay = lay_out_figure(plan)
    fig, g = lay.figure, lay.plot.geometry
    w, h = size(g.panels[0])
    assert w >= 2.5 and h >= 1.4, (w, h)
    length = min(np.linalg.norm(g.start_points[si][:2] - g.origin_of(si)[:2]) for si in range(5))
    assert length >= 0.9, length
    assert check_items(fig.items()) == [] and frame_leader_problems(fig) == []


def test_the_keys_words_begin_a_row_of_their_own_in_the_corner() -> None:
    """In the narrow corner the marks' entries (➤ word off view, ○ word at origin) and the
    words alone (1: swam, bank′: after attention) never share a row: the first words-only
    entry begins a row, at the corner's left edge."""
    from scenes.figure.plotmodel import key_marks, rows_of

    boxes = [(0.0, -0.1, w, 0.1) for w in (1.0, 1.0, 1.0, 0.5, 0.5)]
    plain = rows_of(boxes, 3.5, 0.1, 0.05)
    assert [len(r) for r in plain] == [3, 2] and len(plain[0]) == 3  # (wraps by width alone)
    split = rows_of(boxes, 3.5, 0.1, 0.05, start=2)
    assert [len(r) for r in split] == [2, 3] and split[1][0][0] == pytest.approx(0.0)
    five = [*SENTENCES, "The river bank."]
    plan = build_plan(five[0], "bank", compare=five[1:], embeddings_file=PLANE)
    column, story = column_layout(plan), Story(plan)
    got = shaped_figure(plan, column, story, True, together=False)
    pl = got.plot
    marks = key_marks(plan, pl.points, pl.numbered, pl.static_in_key is not None)
    first = next(i for i, (mark, _) in enumerate(marks) if mark is None)
    keys = [e.box for e in got.figure.of_kind("key")]
    assert 0 < first < len(keys) and all(inside(k, column.corner) for k in keys[: first + 1])
    left = min(k[0] for k in keys[: first + 1])
    assert keys[first][0] == pytest.approx(left, abs=1e-9)  # it starts a row
    assert keys[first][3] < min(k[1] for k in keys[:first]) + 1e-9  # under every mark's entry
