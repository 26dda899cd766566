"""Numbers for the lecture scenes: the weighted sum drawn tip to tail, simple attention next
to a real head's learned projections, and the word × word weight matrix.

Each function takes a plan and returns one part of its lecture section; `with_lecture` adds
just the parts a scene needs. Nothing here draws; the scenes read these numbers.

Dimension names: N words taking part, C vector size, W tokens of the sentence, T word pieces,
R rows of a comparison (tokens + [CLS]/[SEP]), D head size, L layers, H heads.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from attention_math.attention import parse_scale, resolve_scale, softmax
from attention_math.errors import InputError
from attention_math.lecture_data import (
    HeadComparison,
    LectureData,
    WeightedSum,
    WeightMatrix,
)
from attention_math.pca import fit_basis, to_projection

if TYPE_CHECKING:
    from attention_math.plan import Plan, Sentence

SPECIALS = "[CLS]+[SEP]"
MODEL_NAME = "all-MiniLM-L6-v2"

# What each scene needs from the lecture section (scenes not listed need nothing).
NEEDS = {
    "AnalogyScene": ("analogy",),
    "AttentionMathScene": ("weighted_sum",),
    "ProjectionScene": ("head",),
    "AttentionMatrixScene": ("matrix",),
}


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
        raise InputError(f"--layer must be 1 to {cfg.num_hidden_layers}")
    if not 0 <= head < cfg.num_attention_heads:
        raise InputError(f"--head must be 1 to {cfg.num_attention_heads}")


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
        raise InputError(
            "ProjectionScene compares simple attention with a real head: leave out --mode "
            "model (choose the head with --layer and --head)"
        )
    if (layer is None) != (head is None):
        raise InputError("give both --layer and --head (or neither, to choose the best head)")
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
    groups = [[t for t, w in enumerate(ids) if w == i] for i in range(len(words))]
    groups.append([t for t, w in enumerate(ids) if w is None])
    learned = np.array([row[g].sum() for g in groups])  # [R]
    vals = np.stack(
        [
            (row[g] @ values[g]) / row[g].sum() if row[g].sum() > 0 else values[g].mean(axis=0)
            for g in groups
        ]
    )  # [R, D]: a word's value is the weighted mean of its pieces' values
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
        model=MODEL_NAME,
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
        raise InputError("give both --layer and --head (or neither, to choose the best head)")
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
        description=f"{MODEL_NAME} layer {layer + 1}, {which}: softmax(q·k/√d) merged into "
        f"words; last column [CLS] + [SEP]",
    )


# --------------------------------------------------------------------------------------------


def with_lecture(
    plan: Plan,
    scene: str,
    *,
    layer: int | None = None,
    head: int | None = None,
    model: bool = False,
    model_dir: str | Path | None = None,
) -> Plan:
    """`plan` with the lecture numbers `scene` needs added (unchanged if it needs none).

    layer / head (0-based): the head for ProjectionScene, and for AttentionMatrixScene when
    model is True (a model-mode plan always uses its own head).
    """
    needs = NEEDS.get(scene, ())
    if not needs or (plan.lecture and all(getattr(plan.lecture, n) is not None for n in needs)):
        return plan  # nothing needed, or already there
    if plan.mode == "analogy" or (plan.lecture and plan.lecture.analogy):
        if scene != "AnalogyScene":
            raise InputError(f"{scene} draws a sentence; --analogy is for AnalogyScene")
        return plan
    if scene == "AnalogyScene":
        raise InputError('AnalogyScene draws an analogy: give --analogy "queen - woman + man"')
    if plan.mode not in ("simple", "model"):
        raise InputError(f"{scene} cannot draw a {plan.mode}-mode plan")
    lecture = plan.lecture or LectureData()
    if "weighted_sum" in needs:
        if plan.mode != "simple":
            raise InputError(
                "AttentionMathScene shows simple attention's q·k step by step; leave out --mode "
                "model (ProjectionScene shows a real head)"
            )
        lecture = dataclasses.replace(lecture, weighted_sum=weighted_sum(plan))
    if "head" in needs:
        if head == "mean":
            raise InputError("ProjectionScene shows one head: give --head a number")
        lecture = dataclasses.replace(
            lecture, head=head_comparison(plan, layer, head, model_dir=model_dir)
        )
    if "matrix" in needs:
        use_model = model or plan.mode == "model" or layer is not None or head is not None
        matrix = (
            model_matrix(plan, layer, head, model_dir=model_dir)
            if use_model
            else simple_matrix(plan)
        )
        lecture = dataclasses.replace(lecture, matrix=matrix)
    return dataclasses.replace(plan, lecture=lecture)


def build_lecture_plan(
    sentence: str | None,
    target: str | None,
    *,
    scene: str,
    mode: str = "simple",
    analogy: str | None = None,
    layer: int | None = None,
    head: int | str | None = None,
    model_dir: str | Path | None = None,
    embeddings_file: str | Path | None = None,
    **options: Any,
) -> Plan:
    """The plan a lecture scene draws, from the command line's options (layer and head
    counted from 1, as on screen).

    AnalogyScene: the analogy's plan (no sentence). ProjectionScene: a simple plan and the
    comparison with --layer/--head (default: the best head). AttentionMatrixScene: simple, or a
    real head with --mode model or --layer/--head. AttentionMathScene: simple attention.
    """
    from attention_math.request import make_plan

    if scene == "AnalogyScene":
        from attention_math.analogy import DEFAULT_ANALOGY, build_analogy_plan

        return build_analogy_plan(analogy or DEFAULT_ANALOGY, embeddings_file=embeddings_file)
    if analogy is not None:
        raise InputError("--analogy goes with --scene AnalogyScene")
    if target is None:
        raise InputError(f"{scene} needs a SENTENCE and --target WORD")
    if head == "mean" and scene != "AttentionMatrixScene":
        raise InputError(f"{scene} shows one head: give --head a number")
    if (isinstance(head, int) and head < 1) or (layer is not None and layer < 1):
        raise InputError("--layer and --head count from 1")
    l0 = None if layer is None else layer - 1
    h0 = head - 1 if isinstance(head, int) else None
    if scene == "AttentionMatrixScene" and mode == "model":
        plan = make_plan(
            sentence, target, mode="model", layer=layer, head=head, model_dir=model_dir, **options
        )
        return with_lecture(plan, scene, model_dir=model_dir)
    if mode == "model":
        raise InputError(
            f"{scene} starts from simple attention: leave out --mode model "
            f"(choose the head with --layer and --head)"
        )
    plan = make_plan(sentence, target, embeddings_file=embeddings_file, **options)
    return with_lecture(plan, scene, layer=l0, head=h0, model_dir=model_dir)
