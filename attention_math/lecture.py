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
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from attention_math.attention import resolve_scale, softmax
from attention_math.errors import InputError, OptionError
from attention_math.lecture_data import (
    Group,
    HeadComparison,
    LayerView,
    Ledger,
    Projection,
    WeightedSum,
    WeightMatrix,
)
from attention_math.pca import METHOD as PCA_METHOD
from attention_math.pca import fit_basis, to_projection
from attention_math.scale import parse_scale

if TYPE_CHECKING:
    from attention_math.plan import Plan, Sentence, SentenceModel

SPECIALS = "[CLS]+[SEP]"
MODEL_NAME = "all-MiniLM-L6-v2"

# How much the lecture scenes show one by one; the rest is summed in the plan ("N more"), so
# that long input is summarised, never shrunk.
TABLE_ROWS = 12  # AttentionMathScene's table rows
CHAIN_ARROWS = 6  # arrows of the tip-to-tail sum: the 5 largest terms, then the rest as one
HEAD_ROWS = 10  # ProjectionScene's rows
MATRIX_WORDS = 10  # AttentionMatrixScene's rows and columns: the target and its top words


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
    origin = np.asarray(plan.projection.origin, dtype=np.float64)  # [2]
    tips = origin + np.cumsum(arrows, axis=0)  # [N, 2]
    by_weight = sorted(range(len(w)), key=lambda j: (-w[j], j))
    if len(by_weight) > CHAIN_ARROWS:
        parts = [[j] for j in by_weight[: CHAIN_ARROWS - 1]] + [by_weight[CHAIN_ARROWS - 1 :]]
    else:
        parts = [[j] for j in by_weight]
    chain = _groups(parts, final.words, w, arrows, origin)
    rest = None
    if len(w) > TABLE_ROWS:
        rest = _groups([list(range(TABLE_ROWS, len(w)))], final.words, w, arrows, origin)[0]
    return WeightedSum(
        words=final.words,
        vectors=tuple(_pt(a) for a in arrows),
        tips=tuple(_pt(t) for t in tips),
        chain=tuple(chain),
        rest=rest,
    )


def _groups(
    parts: list[list[int]],
    words: tuple[int, ...],
    w: np.ndarray,
    arrows: np.ndarray,
    origin: np.ndarray,
) -> list[Group]:
    """Terms (positions into words [N]) taken together, laid tip to tail from `origin`."""
    out, tip = [], origin
    for part in parts:
        vector = arrows[part].sum(axis=0)  # [n, 2] -> [2]
        tip = tip + vector
        weight = float(np.sum(w[part]))
        out.append(Group(tuple(words[j] for j in part), weight, _pt(vector), _pt(tip)))
    return out


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


def _both_or_neither(layer: int | None, head: int | None) -> None:
    """Refuse a layer without a head or a head without a layer."""
    from attention_math import model as bert

    if (layer is None) != (head is None):
        raise OptionError("layer" if layer is None else "head", bert.BOTH_OR_NEITHER)


def _check_head(m, layer: int, head: int) -> None:
    cfg = m.config
    if not 0 <= layer < cfg.num_hidden_layers:
        raise OptionError("layer", f"{{layer}} must be 1 to {cfg.num_hidden_layers}")
    if not 0 <= head < cfg.num_attention_heads:
        raise OptionError("head", f"{{head}} must be 1 to {cfg.num_attention_heads}")


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


def _head_rows(enc, out, layer: int, head: int, target_index: int, n_words: int):
    """Head (layer, head)'s attention from the target and its values, from pieces to rows:
    each word, then [CLS] + [SEP] together. A row's weight is its pieces' sum [R]; its value
    the weighted mean of its pieces' values [R, D], so that Σ w v is the head's real output."""
    from attention_math import model as bert

    ids = list(enc.word_ids)
    target_pieces = [t for t, w in enumerate(ids) if w == target_index]
    row = out.attentions[layer, head][target_pieces].mean(axis=0).astype(np.float64)  # [T]
    values = out.v[layer, head].astype(np.float64)  # [T, D]
    groups = [[t for t, w in enumerate(ids) if w == i] for i in range(n_words)]
    groups.append([t for t, w in enumerate(ids) if w is None])
    return bert.merge_pieces(groups, row, values)  # [R], [R, D]


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
            "the head comparison starts from simple attention: leave out {mode} model "
            "(choose the head with {layer} and {head})",
        )
    _both_or_neither(layer, head)
    s = plan.sentences[0]
    m, words, enc, out = _forward(s, model_dir)
    if layer is None or head is None:
        layer, head, choice = best_head(m, words, s.target_index)
    else:
        _check_head(m, layer, head)
        choice = "given"
    learned, vals = _head_rows(enc, out, layer, head, s.target_index, len(words))  # [R], [R, D]
    simple = _simple_rows(s, len(words))  # [R]
    used = [r for r, w in enumerate(simple) if w is not None]
    out_learned = learned @ vals  # [R] @ [R, D] -> [D]
    out_simple = np.array([simple[r] for r in used]) @ vals[used]  # [n] @ [n, D] -> [D]
    reference = np.vstack([vals, out_learned, out_simple])  # [R + 2, D]
    basis = fit_basis(reference)
    pts = basis.project(reference)  # [R + 2, 2]
    shown = _largest_rows(learned, simple)
    hidden = [r for r in range(len(simple)) if r not in shown]
    return HeadComparison(
        layer=layer,
        head=head,
        head_choice=choice,
        model=m.name,
        d_head=int(vals.shape[1]),
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
        shown=tuple(shown),
        rest_simple=float(sum(simple[r] or 0.0 for r in hidden)),
        rest_learned=float(sum(learned[r] for r in hidden)),
    )


def _simple_rows(s: Sentence, n_words: int) -> list[float | None]:
    """Simple attention's final weight per row of a comparison: each token (None when it does
    not take part), then [CLS] + [SEP] (None: simple attention has no such tokens)."""
    simple_of = dict(zip(s.final.words, s.final.weights, strict=True))
    return [simple_of.get(i) for i in range(n_words)] + [None]


def _largest_rows(learned: np.ndarray, simple: list[float | None]) -> list[int]:
    """The HEAD_ROWS rows with the largest weight, learned [R] or simple, in row order (the
    rows ProjectionScene shows; the others are summed)."""
    size = [max(learned[r], simple[r] or 0.0) for r in range(len(simple))]
    return sorted(sorted(range(len(simple)), key=lambda r: (-size[r], r))[:HEAD_ROWS])


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
    target_row = rows.index(s.target_index)
    shown, rest = _matrix_summary(weights, target_row, n_words=len(rows))
    left_out = tuple((w.text, w.reason) for w in s.words if not w.included)
    kept = "stop-words kept" if plan.attention.keep_stopwords else "stop-words left out"
    return WeightMatrix(
        mode="simple",
        rows=tuple(rows),
        columns=tuple(rows),
        row_labels=labels,
        column_labels=labels,
        weights=tuple(_vec(r) for r in weights),
        target_row=target_row,
        row_scales=_vec(scales),
        layer=None,
        head=None,
        description=f"simple attention, q = k = v = static vectors; {kept}",
        left_out=left_out,
        shown=shown,
        rest=rest,
    )


def _matrix_summary(
    weights: np.ndarray, target_row: int, n_words: int
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """The rows a matrix picture shows (the target and the words it attends to most, at most
    MATRIX_WORDS, in sentence order) and, per shown row, the weight of the word columns not
    shown. weights: [R, K] with the first n_words columns the rows' own words."""
    if n_words <= MATRIX_WORDS:
        return tuple(range(n_words)), ()
    row = weights[target_row, :n_words]  # [R]
    top = [j for j in sorted(range(n_words), key=lambda j: (-row[j], j)) if j != target_row]
    shown = sorted([target_row, *top[: MATRIX_WORDS - 1]])
    hidden = [j for j in range(n_words) if j not in shown]
    rest = weights[shown][:, hidden].sum(axis=1)  # [S, H] -> [S]
    return tuple(shown), _vec(rest)


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
    elif layer is None or head is None:
        _both_or_neither(layer, head)
        layer, head, _ = best_head(m, words, s.target_index)
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
    shown, rest = _matrix_summary(full, s.target_index, n_words=len(words))
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
        description=f"{m.name} layer {layer + 1}, {which}: every token takes part; "
        f"last column [CLS] + [SEP]",
        shown=shown,
        rest=rest,
    )


# --------------------------------------------------------------------------------------------
# the contribution ledger


def ledger(plan: Plan, model_dir: str | Path | None = None) -> Ledger:
    """The main sentence's contribution ledger (`attention_math.model_ledger`): what every
    word moves through every head of every layer."""
    from attention_math.model_ledger import build_ledger

    if plan.mode != "model":
        raise OptionError("mode", "the contribution ledger runs the model: add {mode} model")
    s = plan.sentences[0]
    return build_ledger(_model_tokens(s), s.target_index, model_dir=model_dir)


# --------------------------------------------------------------------------------------------
# the layers: a picture that agrees with the cosines


def layer_view(plan: Plan) -> LayerView:
    """The target's direction at every layer of every sentence of a model-mode plan, in a
    plane chosen to show what the cosines say, and the cosine chart's lines and axis.

    Points are unit vectors u = h / ‖h‖ (cosines compare directions), so two points of the
    full space are √(2 − 2·cos) apart. The plane:
    - one sentence: the 2-D PCA of its path;
    - two: across, the difference of the two last-layer directions (their distance on screen
      is their true distance); up, the largest remaining variation of all the states (the
      change the layers make to both), oriented so that the deeper layers are higher;
    - more: the plane of the last-layer directions (the widest pair across, exact; with three
      sentences every last-layer distance is exact).
    """
    models = [s.model for s in plan.sentences if s.model is not None]
    if plan.model is None or len(models) != len(plan.sentences) or not models:
        raise OptionError("mode", "the layers are drawn from a model-mode plan ({mode} model)")
    h = np.array([m.target_hidden for m in models], dtype=np.float64)  # [n, L+1, C]
    u = h / np.linalg.norm(h, axis=-1, keepdims=True)  # [n, L+1, C]
    flat = u.reshape(-1, u.shape[2])  # [n (L+1), C]
    mean = flat.mean(axis=0)  # [C]
    target = f"“{plan.target}”"
    plane = _path_plane(flat, target) if len(u) == 1 else _sentences_plane(u, mean, target)
    points = (u - mean) @ plane.axes.T  # [n, L+1, C] @ [C, 2] -> [n, L+1, 2]
    lines = _cosine_lines(models)
    axis, ticks = chart_axis([v for _, _, vals in lines for v in vals])
    origin = -mean @ plane.axes.T  # [C] @ [C, 2] -> [2]
    basis_record = Projection(
        method=plane.method,
        reference="the target's hidden state at every layer of every sentence, unit length",
        n_reference=len(flat),
        mean=_vec(mean),
        components=(_vec(plane.axes[0]), _vec(plane.axes[1])),
        explained_variance_ratio=(float(plane.explained[0]), float(plane.explained[1])),
        origin=_pt(origin),
    )
    return LayerView(
        points=tuple(tuple(_pt(p) for p in path) for path in points),
        exact=plane.exact,
        lines=lines,
        axis=axis,
        ticks=ticks,
        view=plane.view,
        basis=basis_record,
    )


class _Plane(NamedTuple):
    """The plane of the layers picture: axes [2, C], the share of the variation along each
    [2], what the view shows (for the screen), how the axes were found, and the pair of
    sentences whose last-layer distance is drawn exactly (None: no pair)."""

    axes: np.ndarray
    explained: np.ndarray
    view: str
    method: str
    exact: tuple[int, int] | None


def _path_plane(flat: np.ndarray, target: str) -> _Plane:
    """One sentence: the 2-D PCA of its path flat [L+1, C]."""
    basis = fit_basis(flat)
    ev = basis.explained_variance_ratio
    view = f"the direction of {target} at each layer: 2-D PCA ({ev[0]:.0%} + {ev[1]:.0%})"
    return _Plane(basis.components, ev, view, PCA_METHOD, None)


def _sentences_plane(u: np.ndarray, mean: np.ndarray, target: str) -> _Plane:
    """Two or more sentences' unit paths u [n, L+1, C] (mean [C] of all their points): across,
    the widest pair's last-layer difference; up, the largest remaining variation (of every
    state with two sentences, of the last-layer directions with more), deeper layers higher."""
    n, n_layers = u.shape[0], u.shape[1] - 1
    centred = u.reshape(-1, u.shape[2]) - mean  # [n (L+1), C]
    last = u[:, -1]  # [n, C]
    cos = last @ last.T  # [n, n]
    a, b = divmod(int(np.argmin(cos + 3 * np.tril(np.ones((n, n))))), n)  # widest pair
    e1 = _unit(last[b] - last[a], fallback=centred)  # [C]
    if n == 2:
        e2 = _top_direction(_without(centred, e1))  # [C]
        view = (
            f"the direction of {target} per layer; across: how (1) and (2) differ at "
            f"layer {n_layers}, to scale"
        )
    else:
        e2 = _top_direction(_without(last - last.mean(axis=0), e1))  # [C]
        scope = "every distance" if n == 3 else f"({a + 1})–({b + 1})"
        view = (
            f"{target} per layer, in the plane of the layer-{n_layers} directions: {scope} to scale"
        )
    climb = (u[:, -1] - u[:, 0]).mean(axis=0)  # [C]: the layers' shared change
    if climb @ e2 < 0:
        e2 = -e2
    axes = np.stack([e1, e2])  # [2, C]
    total = float((centred**2).sum())
    ev = ((centred @ axes.T) ** 2).sum(axis=0) / total if total > 0 else np.zeros(2)  # [2]
    method = "the difference of two sentences' last-layer directions, then the largest "
    method += "remaining variation (unit hidden states)"
    return _Plane(axes, ev, view, method, (a, b))


def _cosine_lines(models: list[SentenceModel]) -> tuple[tuple[int, int, tuple[float, ...]], ...]:
    """The cosine chart's lines (from, to, cosine per layer): one sentence, its direction
    against its layer 0; more, each sentence's against the first sentence's at each layer."""
    if len(models) == 1:
        return ((0, 0, tuple(models[0].cosine_to_layer0)),)
    return tuple((0, k, tuple(models[k].cosine_to_first)) for k in range(1, len(models)))


def _unit(x: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """x / ‖x‖, or the top direction of `fallback` [M, C] when x is (nearly) zero."""
    n = float(np.linalg.norm(x))
    return x / n if n > 1e-12 else _top_direction(fallback)


def _without(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Rows of x [M, C] with their component along the unit vector e [C] removed."""
    return x - np.outer(x @ e, e)  # [M, C]


def _top_direction(x: np.ndarray) -> np.ndarray:
    """The unit direction of largest variation of the rows of x [M, C] (already centred), with
    its largest entry positive (a fixed sign, so that the picture does not mirror)."""
    _, _, vt = np.linalg.svd(x, full_matrices=False)  # vt: [k, C]
    e = vt[0]
    return e if e[np.argmax(np.abs(e))] > 0 else -e


def chart_axis(values: list[float]) -> tuple[tuple[float, float], tuple[float, ...]]:
    """A cosine axis that spans the data: (low, high) on round steps (0.05, 0.1, 0.2, 0.25 or
    0.5) with at most 5 intervals, within [−1, 1], and its ticks."""
    lo, hi = min(values), max(values)
    for step in (0.05, 0.1, 0.2, 0.25, 0.5):
        low = np.floor(lo / step + 1e-9) * step
        high = np.ceil(hi / step - 1e-9) * step if hi < 1.0 - 1e-9 else 1.0
        high = max(high, low + step)
        if round((high - low) / step) <= 5:
            break
    low, high = max(-1.0, float(low)), min(1.0, float(high))
    count = round((high - low) / step)
    ticks = tuple(round(low + k * step, 6) for k in range(count + 1))
    return (round(low, 6), round(high, 6)), ticks
