"""Numbers for the lecture scenes: the weighted sum drawn tip to tail, simple attention next
to a real head's learned projections, and the word × word weight matrix.

Each function takes a plan and returns one part of its lecture section;
`request.make_plan` adds the parts a request needs. Nothing here draws; the scenes read
these numbers.

Dimension names: N words taking part, C vector size, W tokens of the sentence, T word pieces,
R rows of a comparison (tokens + [CLS]/[SEP]), D head size, L layers, H heads.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from attention_math.attention import resolve_scale, softmax
from attention_math.errors import InputError, OptionError
from attention_math.lecture_data import (
    HeadComparison,
    WeightedSum,
    WeightMatrix,
)
from attention_math.pca import fit_basis, to_projection
from attention_math.scale import parse_scale

if TYPE_CHECKING:
    from attention_math.plan import Plan, Sentence

SPECIALS = "[CLS]+[SEP]"
MODEL_NAME = "all-MiniLM-L6-v2"


def _pt(x: np.ndarray) -> tuple[float, float]:
    return (float(x[0]), float(x[1]))


def _vec(x: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in x)


# --------------------------------------------------------------------------------------------
# the weighted sum of values


def weighted_sum(plan: Plan) -> WeightedSum:
    """The main sentence's full attention output as w_i · v_i arrows laid tip to tail.

    The projection is affine, x ↦ (x − mean) Cᵀ, so a vector's 2-D arrow is its linear part
    v Cᵀ and the tips, starting at the origin's point, end exactly at the output's point.
    """
    s = plan.sentences[0]
    final = s.final
    comps = np.asarray(plan.projection.components, dtype=np.float64)  # [2, C]
    values = np.stack([np.asarray(s.words[i].vector, dtype=np.float64) for i in final.words])
    w = np.asarray(final.weights, dtype=np.float64)  # [N]
    arrows = w[:, None] * (values @ comps.T)  # [N, C] @ [C, 2] -> [N, 2]
    tips = np.asarray(plan.projection.origin) + np.cumsum(arrows, axis=0)  # [N, 2]
    return WeightedSum(
        words=final.words,
        vectors=tuple(_pt(a) for a in arrows),
        tips=tuple(_pt(t) for t in tips),
    )


# --------------------------------------------------------------------------------------------
# the real model: one forward pass over the sentence's tokens


def _model_tokens(s: Sentence) -> list[str]:
    """The tokens the viewer reads ([special] members of a model-mode plan left out)."""
    return [w.text for w in s.words if w.reason != "special"]


def _forward(s: Sentence, model_dir: str | Path | None):
    from attention_math import model as bert

    m = bert.load_model(model_dir)
    words = _model_tokens(s)
    try:
        enc = bert.encode(m, words)
    except ValueError as e:
        raise InputError(f"{s.text!r}: {e}") from None
    return m, words, enc, bert.forward(m, enc.ids)


def _check_head(m, layer: int, head: int) -> None:
    cfg = m.config
    if not 0 <= layer < cfg.num_hidden_layers:
        raise OptionError("layer", f"--layer must be 1 to {cfg.num_hidden_layers}")
    if not 0 <= head < cfg.num_attention_heads:
        raise OptionError("head", f"--head must be 1 to {cfg.num_attention_heads}")


def best_head(m, words: list[str], target_index: int) -> tuple[int, int, str]:
    """The (layer, head) where the target attends most to other content words."""
    from attention_math import model as bert

    top = bert.rank_heads(m, words, target_index)[0]
    return (
        top.layer,
        top.head,
        (
            f"auto: the head where “{words[target_index]}” attends most to other content words "
            f"({top.content_mass:.0%} of its attention)"
        ),
    )


def _merge_rows(
    word_ids: list[int | None], n_words: int, row: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A head's attention row [T] and values [T, D] over pieces -> over rows: each word, then
    [CLS] + [SEP] together. A row's weight is its pieces' sum [R]; its value the weighted
    mean of its pieces' values [R, D], so that Σ w v is the head's real output."""
    groups = [[t for t, w in enumerate(word_ids) if w == i] for i in range(n_words)]
    groups.append([t for t, w in enumerate(word_ids) if w is None])
    learned = np.array([row[g].sum() for g in groups])  # [R]
    vals = np.stack(
        [
            (row[g] @ values[g]) / row[g].sum() if row[g].sum() > 0 else values[g].mean(axis=0)
            for g in groups
        ]
    )  # [R, D]
    return learned, vals


def head_comparison(
    plan: Plan,
    layer: int | None = None,
    head: int | None = None,
    model_dir: str | Path | None = None,
) -> HeadComparison:
    """Simple attention's weights next to head (layer, head)'s, and the two outputs.

    layer and head are 0-based; both None: the best head for the target (`best_head`).
    """
    if plan.mode != "simple":
        raise OptionError(
            "mode",
            "the head comparison starts from simple attention: leave out --mode model "
            "(choose the head with --layer and --head)",
        )
    if (layer is None) != (head is None):
        raise OptionError(
            "layer" if layer is None else "head",
            "give both --layer and --head (or neither, to choose the best head)",
        )
    s = plan.sentences[0]
    m, words, enc, out = _forward(s, model_dir)
    if layer is None or head is None:
        layer, head, choice = best_head(m, words, s.target_index)
    else:
        _check_head(m, layer, head)
        choice = "given"
    ids = list(enc.word_ids)
    target_pieces = [t for t, w in enumerate(ids) if w == s.target_index]
    row = out.attentions[layer, head][target_pieces].mean(axis=0).astype(np.float64)  # [T]
    values = out.v[layer, head].astype(np.float64)  # [T, D]
    learned, vals = _merge_rows(ids, len(words), row, values)  # [R], [R, D]
    simple_of = dict(zip(s.final.words, s.final.weights, strict=True))
    simple = [simple_of.get(i) for i in range(len(words))] + [None]
    used = [r for r, w in enumerate(simple) if w is not None]
    out_learned = learned @ vals  # [R] @ [R, D] -> [D]
    out_simple = np.array([simple[r] for r in used]) @ vals[used]  # [n] @ [n, D] -> [D]
    reference = np.vstack([vals, out_learned, out_simple])  # [R + 2, D]
    basis = fit_basis(reference)
    pts = basis.project(reference)  # [R + 2, 2]
    return HeadComparison(
        layer=layer,
        head=head,
        head_choice=choice,
        model=m.name,
        d_head=int(values.shape[1]),
        rows=(*range(len(words)), -1),
        labels=(*words, SPECIALS),
        simple_weights=tuple(simple),
        learned_weights=_vec(learned),
        values=tuple(_vec(v) for v in vals),
        output_learned=_vec(out_learned),
        output_simple=_vec(out_simple),
        value_points=tuple(_pt(p) for p in pts[:-2]),
        output_learned_point=_pt(pts[-2]),
        output_simple_point=_pt(pts[-1]),
        target_row=s.target_index,
        basis=to_projection(
            basis, "the head's value of every token and [CLS]/[SEP], and both outputs"
        ),
    )


# --------------------------------------------------------------------------------------------
# the weight matrix


def simple_matrix(plan: Plan) -> WeightMatrix:
    """softmax(scale_i · x_i · x_j) over the included words, in sentence order.

    Row i is what word i's own attention would be: the scale rule (e.g. auto = 1/‖x_i‖²) is
    applied to its own query, so the target's row equals the plan's final weights.
    """
    s = plan.sentences[0]
    rows = [w.index for w in s.words if w.included]
    x = np.stack([np.asarray(s.words[i].vector, dtype=np.float64) for i in rows])  # [N, C]
    rule = parse_scale(plan.attention.scale_rule)
    scales = np.array([resolve_scale(rule, q) for q in x])  # [N]
    weights = softmax(scales[:, None] * (x @ x.T))  # [N, N]
    labels = tuple(s.words[i].text for i in rows)
    return WeightMatrix(
        mode="simple",
        rows=tuple(rows),
        columns=tuple(rows),
        row_labels=labels,
        column_labels=labels,
        weights=tuple(_vec(r) for r in weights),
        target_row=rows.index(s.target_index),
        row_scales=_vec(scales),
        layer=None,
        head=None,
        description="simple attention: q = k = v = static vectors, stop-words and punctuation "
        "left out; each row's scale from its own query",
    )


def model_matrix(
    plan: Plan,
    layer: int | None = None,
    head: int | None = None,
    model_dir: str | Path | None = None,
) -> WeightMatrix:
    """A real head's word × word weights (pieces merged into words), with [CLS] + [SEP] as the
    last column so that every row sums to 1. A model-mode plan's own layer and head are used
    (its head None: the mean over heads); otherwise the given or the best head."""
    from attention_math import model as bert

    s = plan.sentences[0]
    m, words, enc, out = _forward(s, model_dir)
    if plan.mode == "model" and plan.model is not None:
        layer, head = plan.model.layer_index, plan.model.head_index
    elif layer is None and head is None:
        layer, head, _ = best_head(m, words, s.target_index)
    elif layer is None or head is None:
        raise OptionError(
            "layer" if layer is None else "head",
            "give both --layer and --head (or neither, to choose the best head)",
        )
    else:
        _check_head(m, layer, head)
    assert layer is not None
    merged = bert.merge_to_words(enc.word_ids, out.hidden_states, out.attentions, len(words))
    if head is None:
        ww = merged.words[layer].mean(axis=0)  # [H, W, W] -> [W, W]
        sp = merged.specials[layer].mean(axis=0).sum(axis=-1)  # [H, W, S] -> [W]
    else:
        ww = merged.words[layer, head]  # [W, W]
        sp = merged.specials[layer, head].sum(axis=-1)  # [W, S] -> [W]
    full = np.concatenate([ww, sp[:, None]], axis=1).astype(np.float64)  # [W, W + 1]
    which = "mean over heads" if head is None else f"head {head + 1}"
    return WeightMatrix(
        mode="model",
        rows=tuple(range(len(words))),
        columns=(*range(len(words)), -1),
        row_labels=tuple(words),
        column_labels=(*words, SPECIALS),
        weights=tuple(_vec(r) for r in full),
        target_row=s.target_index,
        row_scales=(),
        layer=layer,
        head=head,
        description=f"{m.name} layer {layer + 1}, {which}: softmax(q·k/√d) merged into "
        f"words; last column [CLS] + [SEP]",
    )
