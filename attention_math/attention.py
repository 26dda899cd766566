"""The post's self-attention, exactly, and the drift it causes.

Simple attention uses the words' static vectors as queries, keys and values (q = k = v = x):

    scores_i  = q_target · k_i
    weights   = softmax(scores × scale)
    output    = Σ_i weights_i v_i          (over all included words, the target itself too)

The *drift* adds the context words one at a time: step 0 is the target alone (output = its
own vector), step k attends over the target plus the first k context words (softmax
renormalised over just those), and the last step is the full attention output. With
`max_steps`, a long sentence's words beyond the first max_steps - 1 join together in one
last step ("the rest"), so a figure has at most max_steps steps per sentence.

Dimension names: N words taking part, C vector size, S steps (= context words + 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from attention_math.errors import InputError
from attention_math.scale import SCALE_RULES, parse_scale  # noqa: F401 (re-exported)

# Steps per sentence in a plan: 7 words one at a time, then the rest together. At about 2 s a
# step the default figure stays near 20 s, and 4 compared sentences stay under 30 s.
MAX_STEPS = 8


def max_steps(context_words: list[int]) -> int:
    """Steps after step 0 per sentence, for sentences with these numbers of context words:
    MAX_STEPS while the figure's steps (each sentence's words, or max_steps of them) come to
    at most FIGURE_STEPS, else the most that keeps them within it (at least MIN_STEPS). One or
    two sentences always get MAX_STEPS; five long ones get 3 (two words one at a time, the
    rest together), so their small panels are not crowded with 40 named words."""
    for m in range(MAX_STEPS, MIN_STEPS, -1):
        if sum(min(n, m) for n in context_words) <= FIGURE_STEPS:
            return m
    return MIN_STEPS


FIGURE_STEPS = 2 * MAX_STEPS  # the steps of a figure's sentences together, at most
MIN_STEPS = 3  # per sentence, at least

# A context word with less than this final weight moves the output by less than a reader can
# see: such words join together, in one named step ("5 more"), after the others.
SMALL_WEIGHT = 0.03


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax along `axis` (the max is subtracted first); keeps x's float
    dtype (float32 in the model, float64 here). The one softmax of the project: the model's
    attention uses it too.

    Subtracting the max keeps exp() from overflowing for any finite scores; scores that are
    already inf or NaN cannot be saved by it, so the builders check them first.
    """
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@dataclass(frozen=True)
class AttentionResult:
    """Everything one attention read-out shows (annotated-transformer returns p_attn too).

    scores: [N] raw q · k_i.  scaled: [N] scores × scale.  weights: [N] softmax, sum 1.
    output: [C] Σ_i weights_i v_i.
    """

    scores: np.ndarray
    scaled: np.ndarray
    weights: np.ndarray
    output: np.ndarray


def attend(q: np.ndarray, k: np.ndarray, v: np.ndarray, scale: float) -> AttentionResult:
    """One query attending over N keys and values.  q [C], k [N, C], v [N, C]."""
    scores = k @ q  # [N, C] @ [C] -> [N]
    scaled = scores * scale  # [N]
    weights = softmax(scaled)  # [N]
    output = weights @ v  # [N] @ [N, C] -> [C]
    return AttentionResult(scores, scaled, weights, output)


def resolve_scale(rule: str | float, q: np.ndarray) -> float:
    """The number the scores are multiplied by.

    "auto" (default): 1 / ‖q‖², so the target's score with itself is exactly 1 after scaling.
      Measured on MiniLM's table ("He sat on the river bank.", content words): the raw dot
      products span about -0.2 to 1.8 and 1/sqrt(384) = 0.051 squeezes them into a 0.1 range,
      giving near-uniform weights (0.33 / 0.35 / 0.32); 1/‖q‖² = 0.56 gives clearly different
      weights (river 0.26, bank 0.56, sat 0.18) while keeping the target's own vector in the
      mix. Unlike a fixed number it also suits GloVe (‖x‖ ≈ 5) and hand-made 2-D vectors.
    "1/sqrt(d)": the transformer's 1 / sqrt(C).   "1": raw dot products.   a number: itself.
    """
    if isinstance(rule, int | float) and not isinstance(rule, bool):
        value = float(rule)
    elif rule == "auto":
        norm2 = float(q @ q)
        if norm2 == 0.0 and np.any(q):
            raise InputError(
                f"the target's vector is too small for scale 'auto' (largest entry "
                f"{float(np.max(np.abs(q))):.3g}: its squared length underflows to 0); multiply "
                f"the vectors by a common factor or give {{scale}} a number"
            )
        if norm2 == 0.0:
            raise InputError("the target's vector is all zeros; scale 'auto' needs a non-zero one")
        value = 1.0 / norm2
    elif rule == "1/sqrt(d)":
        value = 1.0 / math.sqrt(q.shape[-1])
    elif rule == "1":
        value = 1.0
    else:
        raise InputError(f"unknown scale {rule!r}; use auto, 1/sqrt(d), 1 or a number")
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"scale must be a positive finite number, got {value}")
    return value


@dataclass(frozen=True)
class DriftStep:
    """One step of the drift.

    members: positions (into the N included words) attended at this step, target first,
      then the context words in the order they were added.
    added: the (first) position added at this step (None at step 0).
    added_group: every position added at this step, in order: (added,) for one word, several
      for the last step when max_steps groups the rest, () at step 0.
    result: the attention read-out over `members` (weights in `members` order).
    """

    members: tuple[int, ...]
    added: int | None
    result: AttentionResult
    added_group: tuple[int, ...] = ()


def context_order(full_weights: np.ndarray, target: int, order: str) -> list[int]:
    """Positions of the context words in the order they are added.

    "weight": by final (full-attention) weight, largest first; ties keep sentence order.
    "sentence": in sentence order.
    """
    others = [i for i in range(len(full_weights)) if i != target]
    if order == "sentence":
        return others
    if order == "weight":
        return sorted(others, key=lambda i: (-float(full_weights[i]), i))
    raise InputError(f"unknown order {order!r}; use weight or sentence")


def join_groups(
    ordered: list[int], max_steps: int | None, small: frozenset[int] = frozenset()
) -> list[list[int]]:
    """The words added at each step after step 0: one each, or with `max_steps` (>= 1) the
    first max_steps - 1 one each and all the rest together in the last step. Words in
    `small` (two or more) join together in the last step, after the others."""
    if max_steps is not None and max_steps < 1:
        raise ValueError(f"max_steps must be at least 1, got {max_steps}")
    tail = [i for i in ordered if i in small] if len(small & set(ordered)) >= 2 else []
    head = [i for i in ordered if i not in tail]
    if max_steps is not None and len(head) + (1 if tail else 0) > max_steps:
        keep = max_steps - 1
        head, tail = head[:keep], head[keep:] + tail
    return [[i] for i in head] + ([tail] if tail else [])


def drift(
    x: np.ndarray,
    target: int,
    scale: float,
    order: str = "weight",
    max_steps: int | None = None,
) -> list[DriftStep]:
    """The target's attention output as context words join one at a time.

    x: [N, C] the included words' vectors (q = k = v = x); target: its row in x.
    max_steps: at most this many steps after step 0 (None: one per context word).
    Returns S steps: step 0 the target alone, the last step the full attention
    (S = N without max_steps, else at most max_steps + 1).
    """
    scores = x @ x[target]  # [N, C] @ [C] -> [N]
    return drift_from_scores(scores, x, target, scale, order, max_steps)


def drift_from_scores(
    scores: np.ndarray,
    v: np.ndarray,
    target: int,
    scale: float,
    order: str = "weight",
    max_steps: int | None = None,
) -> list[DriftStep]:
    """The drift for given raw scores [N] of the target against each word and values [N, C].

    Step k's weights are softmax(scale × scores) over the target and the words added in steps
    1..k, i.e. the full softmax weights renormalised over the words included so far.
    """
    full = softmax(scores * scale)  # [N]
    steps: list[DriftStep] = []
    members = [target]
    small = frozenset(int(i) for i in np.flatnonzero(full < SMALL_WEIGHT) if i != target)
    groups = join_groups(context_order(full, target, order), max_steps, small)
    for group in [[], *groups]:
        members += group
        sc = scores[members]  # [N] -> [M] (M members so far)
        w = softmax(sc * scale)  # [M]
        out = w @ v[members]  # [M] @ [M, C] -> [C]
        added = group[0] if group else None
        result = AttentionResult(sc, sc * scale, w, out)
        steps.append(DriftStep(tuple(members), added, result, tuple(group)))
    return steps
