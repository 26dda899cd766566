"""Simple attention and the drift, against a plain-Python loop with math.exp."""

from __future__ import annotations

import math

import numpy as np
import pytest

from attention_math.attention import (
    attend,
    context_order,
    drift,
    join_groups,
    parse_scale,
    resolve_scale,
    softmax,
)
from attention_math.errors import InputError

# ---------------------------------------------------------------------------------------------
# the reference: the post's formula written out by hand, no numpy


def ref_attention(
    q: list[float], keys: list[list[float]], values: list[list[float]], scale: float
) -> tuple[list[float], list[float]]:
    """(weights, output) for one query: w_i = exp(s·q·k_i) / Σ_j exp(s·q·k_j), Σ_i w_i v_i."""
    scores = [sum(a * b for a, b in zip(q, k, strict=True)) for k in keys]
    exps = [math.exp(scale * s) for s in scores]
    total = sum(exps)
    weights = [e / total for e in exps]
    output = [sum(w * v[j] for w, v in zip(weights, values, strict=True)) for j in range(len(q))]
    return weights, output


def random_words(n: int, c: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, c))  # [N, C]


# ---------------------------------------------------------------------------------------------
# softmax and one read-out


def test_softmax_matches_exp_loop_and_sums_to_one() -> None:
    x = [0.3, -1.2, 2.5, 0.0]
    total = sum(math.exp(v) for v in x)
    assert softmax(np.array(x)).tolist() == pytest.approx([math.exp(v) / total for v in x])
    assert float(softmax(np.array(x)).sum()) == pytest.approx(1.0)


def test_softmax_is_stable_for_large_scores() -> None:
    w = softmax(np.array([1000.0, 1001.0]))
    e = math.exp(-1.0)
    assert w.tolist() == pytest.approx([e / (1 + e), 1 / (1 + e)])


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("scale", [1.0, 0.25, 1 / math.sqrt(8)])
def test_attend_matches_the_loop(seed: int, scale: float) -> None:
    x = random_words(5, 8, seed)
    q = x[2]
    r = attend(q, x, x, scale)
    weights, output = ref_attention(q.tolist(), x.tolist(), x.tolist(), scale)
    assert r.weights.tolist() == pytest.approx(weights, rel=1e-12, abs=1e-15)
    assert r.output.tolist() == pytest.approx(output, rel=1e-12, abs=1e-12)
    assert r.scores.tolist() == pytest.approx([float(np.dot(q, k)) for k in x])
    assert r.scaled.tolist() == pytest.approx([scale * float(np.dot(q, k)) for k in x])


def test_weights_sum_to_one_and_are_positive() -> None:
    x = random_words(7, 16, 3)
    r = attend(x[0], x, x, 0.5)
    assert math.fsum(r.weights.tolist()) == pytest.approx(1.0, abs=1e-12)
    assert (r.weights > 0).all()


def test_attend_does_not_change_its_inputs() -> None:
    x = random_words(4, 3, 4)
    before = x.copy()
    attend(x[1], x, x, 1.0)
    drift(x, 1, 1.0)
    assert np.array_equal(x, before)


# ---------------------------------------------------------------------------------------------
# the drift


@pytest.mark.parametrize("order", ["weight", "sentence"])
def test_drift_steps_match_the_loop(order: str) -> None:
    x = random_words(5, 6, 5)
    target, scale = 3, 0.4
    steps = drift(x, target, scale, order)
    assert len(steps) == len(x)
    for k, step in enumerate(steps):
        assert len(step.members) == k + 1
        assert step.members[0] == target
        rows = [x[m].tolist() for m in step.members]
        weights, output = ref_attention(x[target].tolist(), rows, rows, scale)
        assert step.result.weights.tolist() == pytest.approx(weights, rel=1e-12)
        assert step.result.output.tolist() == pytest.approx(output, rel=1e-12, abs=1e-12)
        assert math.fsum(step.result.weights.tolist()) == pytest.approx(1.0, abs=1e-12)
    added = [s.added for s in steps]
    assert added[0] is None
    assert sorted(added[1:]) == [i for i in range(len(x)) if i != target]  # type: ignore[type-var]


def test_step_zero_is_the_static_vector() -> None:
    x = random_words(4, 5, 6)
    step0 = drift(x, 2, 0.7)[0]
    assert step0.members == (2,)
    assert step0.added is None
    assert step0.result.weights.tolist() == [1.0]
    assert np.array_equal(step0.result.output, x[2])


def test_last_step_is_full_attention() -> None:
    x = random_words(6, 4, 7)
    target, scale = 1, 0.3
    last = drift(x, target, scale)[-1]
    weights, output = ref_attention(x[target].tolist(), x.tolist(), x.tolist(), scale)
    assert last.result.output.tolist() == pytest.approx(output, rel=1e-12, abs=1e-12)
    # weights come in `members` order; put them back in sentence order
    by_word = dict(zip(last.members, last.result.weights.tolist(), strict=True))
    assert [by_word[i] for i in range(len(x))] == pytest.approx(weights, rel=1e-12)


def test_order_weight_adds_largest_final_weight_first() -> None:
    x = random_words(6, 4, 8)
    target, scale = 0, 0.5
    weights, _ = ref_attention(x[target].tolist(), x.tolist(), x.tolist(), scale)
    expected = sorted((i for i in range(len(x)) if i != target), key=lambda i: -weights[i])
    joined = [i for s in drift(x, target, scale, "weight")[1:] for i in s.added_group]
    assert joined == expected  # the small ones, if any, together at the end


def test_order_sentence_adds_in_sentence_order() -> None:
    x = random_words(5, 4, 9)
    assert [s.added for s in drift(x, 2, 0.05, "sentence")[1:]] == [0, 1, 3, 4]  # none small


def test_order_weight_ties_keep_sentence_order() -> None:
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])  # words 1 and 3 tie
    assert [s.added for s in drift(x, 0, 1.0, "weight")[1:]] == [2, 1, 3]


def test_max_steps_joins_the_rest_in_one_last_step() -> None:
    """12 words, max_steps 4: three words one at a time, then the other eight together; every
    step is still softmax attention over the words included so far (the hand-written loop)."""
    x = random_words(12, 5, 11)
    target, scale = 4, 0.05  # every weight near 1/12: none under SMALL_WEIGHT
    full, _ = ref_attention(x[target].tolist(), x.tolist(), x.tolist(), scale)
    by_weight = sorted((i for i in range(12) if i != target), key=lambda i: -full[i])
    steps = drift(x, target, scale, "weight", max_steps=4)
    assert len(steps) == 5
    assert [s.added_group for s in steps] == [
        (),
        (by_weight[0],),
        (by_weight[1],),
        (by_weight[2],),
        tuple(by_weight[3:]),
    ]
    assert [s.added for s in steps] == [None, *by_weight[:3], by_weight[3]]
    for step in steps:
        rows = [x[m].tolist() for m in step.members]
        weights, output = ref_attention(x[target].tolist(), rows, rows, scale)
        assert step.result.weights.tolist() == pytest.approx(weights, rel=1e-12)
        assert step.result.output.tolist() == pytest.approx(output, rel=1e-12, abs=1e-12)
    last = dict(zip(steps[-1].members, steps[-1].result.weights.tolist(), strict=True))
    assert [last[i] for i in range(12)] == pytest.approx(full, rel=1e-12)  # the full attention


def test_words_of_small_weight_join_together_last() -> None:
    """Words under SMALL_WEIGHT (3 %) of final weight join in one last step, in either order;
    a single small word keeps a step of its own."""
    x = np.array([[3.0, 0.0], [3.0, 0.2], [-3.0, 0.0], [0.0, 2.8], [-3.0, 0.1], [2.5, 1.0]])
    full, _ = ref_attention(x[0].tolist(), x.tolist(), x.tolist(), 0.2)
    small = [i for i in range(1, 6) if full[i] < 0.03]
    assert small == [2, 4]  # the two words opposite the target
    for order in ("weight", "sentence"):
        groups = [s.added_group for s in drift(x, 0, 0.2, order)[1:]]
        assert groups[-1] == (2, 4) and all(len(g) == 1 for g in groups[:-1]), order
    assert join_groups([0, 1, 2], None, frozenset({2})) == [[0], [1], [2]]
    assert join_groups([0, 1, 2, 3], 2, frozenset({3})) == [[0], [1, 2, 3]]


def test_max_steps_changes_nothing_for_a_short_sentence() -> None:
    x = random_words(5, 3, 12)
    plain, capped = drift(x, 1, 0.5), drift(x, 1, 0.5, max_steps=4)  # 4 context words: 4 steps
    assert [s.members for s in capped] == [s.members for s in plain]
    assert [s.added_group for s in capped] == [(), *((s.added,) for s in plain[1:])]


@pytest.mark.parametrize(
    ("n", "max_steps", "expected"),
    [
        (0, 8, []),
        (3, 8, [[0], [1], [2]]),
        (8, 8, [[i] for i in range(8)]),
        (9, 8, [[i] for i in range(7)] + [[7, 8]]),
        (5, 1, [[0, 1, 2, 3, 4]]),
        (5, None, [[i] for i in range(5)]),
    ],
)
def test_join_groups(n: int, max_steps: int | None, expected: list[list[int]]) -> None:
    assert join_groups(list(range(n)), max_steps) == expected


def test_max_steps_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_steps must be at least 1"):
        drift(random_words(3, 2, 13), 0, 1.0, max_steps=0)


def test_unknown_order_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown order 'random'"):
        context_order(np.array([0.5, 0.5]), 0, "random")


# ---------------------------------------------------------------------------------------------
# scale rules


def test_scale_auto_is_one_over_squared_norm() -> None:
    q = np.array([3.0, -4.0, 1.0])
    assert resolve_scale("auto", q) == pytest.approx(1 / (9 + 16 + 1))


def test_scale_auto_makes_the_targets_own_scaled_score_one() -> None:
    x = random_words(4, 10, 10)
    r = attend(x[1], x, x, resolve_scale("auto", x[1]))
    assert float(r.scaled[1]) == pytest.approx(1.0)


def test_scale_auto_of_a_zero_vector_is_an_input_error() -> None:
    with pytest.raises(InputError, match="all zeros"):
        resolve_scale("auto", np.zeros(3))


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("1/sqrt(d)", 1 / math.sqrt(384)), ("1", 1.0), (0.25, 0.25), (3, 3.0)],
)
def test_scale_rules(rule: str | float, expected: float) -> None:
    assert resolve_scale(rule, np.ones(384)) == pytest.approx(expected)


@pytest.mark.parametrize("rule", [0.0, -1.0, float("inf"), float("nan"), "2/d"])
def test_bad_scale_rules_are_input_errors(rule: str | float) -> None:
    with pytest.raises(InputError):
        resolve_scale(rule, np.ones(3))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("auto", "auto"),
        ("AUTO", "auto"),
        ("1/sqrt(d)", "1/sqrt(d)"),
        (" 1 / sqrt(d) ", "1/sqrt(d)"),
        ("1", "1"),
        ("0.5", 0.5),
        ("2e-1", 0.2),
    ],
)
def test_parse_scale(text: str, expected: str | float) -> None:
    assert parse_scale(text) == expected


@pytest.mark.parametrize("text", ["0", "-1", "-0.5", "nan", "inf", "abc", ""])
def test_parse_scale_refuses(text: str) -> None:
    with pytest.raises(InputError, match=r"\bscale\b"):
        parse_scale(text)
