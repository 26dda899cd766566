"""The contribution ledger: what each context word moves through each head, not only the
weight it gets (Kobayashi et al., EMNLP 2020, "Attention is Not Only a Weight").

A BERT layer's attention sublayer (before the residual add and its LayerNorm) gives token i

    y_i = Σ_h Σ_t  α_h[i, t] · v_h[t] W_O,hᵀ  +  b_O

where v_h[t] = x_t W_V,hᵀ + b_V,h is head h's value of token t (its bias included: weights
that sum to 1 carry it whole) and W_O,h the columns of the output projection W_O that read
head h's channels. So every (head, token) term is a vector in the model's space, the
"contribution" of that token through that head, and its norm ‖α · f(x)‖ says how much it
moves the target, which a large weight on a small value does not.

Word level, as the rest of model mode: the target's row is the mean over its pieces' rows
(its output is the mean of its pieces' outputs), a word's contribution the sum over its
pieces; [CLS] and [SEP] are one member apart, the last.

Dimension names: L layers, H heads, T word pieces, D head size, C hidden size, R members
(the sentence's tokens, then [CLS] + [SEP]).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attention_math import model as bert
from attention_math.errors import InputError
from attention_math.lecture_data import Ledger, LedgerLayer

SPECIALS = "[CLS]+[SEP]"
FORMULA = "contribution of word j through head h = α_h(target, j) · v_h(j) W_O,hᵀ"


# --------------------------------------------------------------------------------------------
# small pure functions, one layer


def output_slices(wo: np.ndarray, n_head: int) -> np.ndarray:
    """W_O stored [out C, in C] (torch) -> per head [H, D, C]: the rows of W_Oᵀ that read head
    h's channels h*D .. (h+1)*D - 1, so that head h's share of the output is v_h @ slice_h."""
    c = wo.shape[1]
    return wo.T.reshape(n_head, c // n_head, wo.shape[0])  # [C, C]ᵀ -> [H, D, C]


def transformed_values(v: np.ndarray, wo: np.ndarray) -> np.ndarray:
    """f(x) = v_h W_O,hᵀ for every head and token: v [H, T, D] -> [H, T, C]."""
    return v @ output_slices(wo, v.shape[0])  # [H, T, D] @ [H, D, C] -> [H, T, C]


def head_contributions(row: np.ndarray, v: np.ndarray, wo: np.ndarray) -> np.ndarray:
    """Each (head, token) term of one query's attention output: α [H, T] (the query's weights
    per head), v [H, T, D] -> α · f(x) [H, T, C]. Their sum plus b_O is the sublayer output."""
    return row[..., None] * transformed_values(v, wo)  # [H, T, 1] * [H, T, C] -> [H, T, C]


def attention_sublayer(
    weights: np.ndarray, v: np.ndarray, wo: np.ndarray, bo: np.ndarray
) -> np.ndarray:
    """The attention sublayer's output for every token, before the residual and LayerNorm:
    weights [H, T, T], v [H, T, D] -> [T, C], as the forward pass computes it."""
    context = bert.merge_heads(weights @ v)  # [H, T, T] @ [H, T, D] -> [H, T, D] -> [T, C]
    return bert.linear(context, wo, bo)  # [T, C] -> [T, C]


def to_members(x: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Sum pieces into members: x [..., T, C], membership [R, T] -> [..., R, C]."""
    return np.einsum("rt,...tc->...rc", member, x)  # [..., T, C] -> [..., R, C]


def membership(word_ids: Sequence[int | None], n_words: int) -> np.ndarray:
    """[R, T]: 1 where piece t belongs to member r (the words, then [CLS] + [SEP])."""
    m = np.zeros((n_words + 1, len(word_ids)))  # [R, T]
    for t, w in enumerate(word_ids):
        m[n_words if w is None else w, t] = 1.0
    return m


# --------------------------------------------------------------------------------------------
# a sentence: every layer


@dataclass(frozen=True, eq=False)
class SentenceLedger:
    """The ledger of one target in one sentence (layer axis 0-based), as arrays.

    weights [L, H, R]: the target's attention per head, merged to members (rows sum to 1).
    contributions [L, H, R, C]: α · f(x) per head and member (summed over the member's pieces).
    bias [L, C]: b_O of each layer. output [L, C]: the sublayer output for the target (the mean
    over its pieces), as the forward pass gives it; Σ_h Σ_r contributions + bias equals it.
    value_bias [L, C]: b_V W_Oᵀ, the part of the contributions that is the value bias: each
    head's weights sum to 1, so it is the same whatever the weights are.
    """

    labels: tuple[str, ...]
    target_row: int
    weights: np.ndarray
    contributions: np.ndarray
    bias: np.ndarray
    output: np.ndarray
    value_bias: np.ndarray


def sentence_ledger(
    m: bert.Model, words: Sequence[str], target_index: int, out: bert.ForwardOutput | None = None
) -> SentenceLedger:
    """The ledger of words[target_index] in the pre-split sentence `words`, every layer."""
    enc = bert.encode(m, words)
    out = out if out is not None else bert.forward(m, enc.ids)
    member = membership(enc.word_ids, len(words))  # [R, T]
    pieces = [t for t, w in enumerate(enc.word_ids) if w == target_index]
    weights, contribs, biases, outputs, value_biases = [], [], [], [], []
    for layer in range(m.config.num_hidden_layers):
        p = layer_weights(m.params, layer)
        a = out.attentions[layer].astype(np.float64)  # [H, T, T]
        v = out.v[layer].astype(np.float64)  # [H, T, D]
        row = a[:, pieces].mean(axis=1)  # [H, p, T] -> [H, T]
        terms = head_contributions(row, v, p["wo"])  # [H, T, C]
        contribs.append(to_members(terms, member))  # [H, T, C] -> [H, R, C]
        weights.append(row @ member.T)  # [H, T] @ [T, R] -> [H, R]
        biases.append(p["bo"])
        value_biases.append(p["wo"] @ p["bv"])  # [C, C] @ [C] -> [C]: b_V W_Oᵀ
        outputs.append(attention_sublayer(a, v, p["wo"], p["bo"])[pieces].mean(axis=0))  # [C]
    return SentenceLedger(
        labels=(*words, SPECIALS),
        target_row=target_index,
        weights=np.stack(weights),  # [L, H, R]
        contributions=np.stack(contribs),  # [L, H, R, C]
        bias=np.stack(biases),  # [L, C]
        output=np.stack(outputs),  # [L, C]
        value_bias=np.stack(value_biases),  # [L, C]
    )


def layer_weights(params: Mapping[str, np.ndarray], layer: int) -> dict[str, np.ndarray]:
    """A layer's attention output projection, float64: wo [C, C] (torch [out, in]), bo [C],
    and its value bias bv [C]."""
    prefix = f"encoder.layer.{layer}.attention."
    return {
        "wo": params[prefix + "output.dense.weight"].astype(np.float64),
        "bo": params[prefix + "output.dense.bias"].astype(np.float64),
        "bv": params[prefix + "self.value.bias"].astype(np.float64),
    }


# --------------------------------------------------------------------------------------------
# the plan's part


def _vec(x: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in x)


def ledger_layer(s: SentenceLedger, layer: int) -> LedgerLayer:
    """One layer of the plan's ledger: norms per head and member, and the layer's step split
    by member along the step's own direction (the parts add up to its length)."""
    c = s.contributions[layer]  # [H, R, C]
    by_word = c.sum(axis=0)  # [H, R, C] -> [R, C]
    out = s.output[layer]  # [C]
    length = float(np.linalg.norm(out))
    u = out / length if length > 0 else out  # [C]
    total = by_word.sum(axis=0) + s.bias[layer]  # [C]
    return LedgerLayer(
        weights=tuple(_vec(w) for w in s.weights[layer]),  # [H][R]
        norms=tuple(_vec(n) for n in np.linalg.norm(c, axis=-1)),  # [H][R]
        word_weights=_vec(s.weights[layer].mean(axis=0)),  # [H, R] -> [R]
        word_norms=_vec(np.linalg.norm(by_word, axis=-1)),  # [R, C] -> [R]
        along=_vec(by_word @ u),  # [R, C] @ [C] -> [R]
        bias_along=float(s.bias[layer] @ u),
        bias_norm=float(np.linalg.norm(s.bias[layer])),
        value_bias_along=float(s.value_bias[layer] @ u),
        value_bias_norm=float(np.linalg.norm(s.value_bias[layer])),
        output_norm=length,
        sum_gap=float(np.abs(total - out).max()),
    )


def build_ledger(
    words: Sequence[str],
    target_index: int,
    *,
    model_dir: str | Path | None = None,
) -> Ledger:
    """The plan's ledger part for words[target_index] (a pre-split sentence)."""
    m = bert.load_model(model_dir)
    try:
        s = sentence_ledger(m, words, target_index)
    except ValueError as e:
        raise InputError(str(e)) from None
    return Ledger(
        model=m.name,
        labels=s.labels,
        rows=(*range(len(words)), -1),
        target_row=s.target_row,
        layers=tuple(ledger_layer(s, layer) for layer in range(len(s.output))),
        formula=FORMULA,
    )


def sentence_ledger_for(
    sentence: str,
    target: str,
    target_index: int | None = None,
    model_dir: str | Path | None = None,
) -> Ledger:
    """The ledger of `target` in `sentence` as the command line gives them (tokenized here)."""
    from attention_math import tokens

    toks = tokens.tokenize(sentence)
    if not toks:
        raise InputError("the sentence is empty; give a sentence in quotes")
    ti = tokens.find_target(toks, target, target_index)
    return build_ledger([t.text for t in toks], ti, model_dir=model_dir)


def ledger_lines(ledger: Ledger, top: int = 5) -> list[str]:
    """The ledger as text, one block per layer: the `top` members by what they move, with
    their weight (mean over heads), the length of their contribution and its part along the
    layer's step; then the step's length and the check of the sum."""
    target = ledger.labels[ledger.target_row]
    lines = [
        f"what each word moves in “{target}”'s attention output, {ledger.model} "
        f"(summed over heads; weight = mean over heads)"
    ]
    width = max(len(label) for label in ledger.labels)
    for i, layer in enumerate(ledger.layers, start=1):
        lines.append(
            f"layer {i}: step {layer.output_norm:.2f} = Σ heads, words + b_O (within "
            f"{layer.sum_gap:.0e}); along it b_O {layer.bias_along:+.2f}, and the value bias "
            f"{layer.value_bias_along:+.2f} inside the words' parts (the same whatever the weights)"
        )
        lines.append(f"  {'word':<{width}}  weight  moves  along step")
        order = sorted(range(len(ledger.labels)), key=lambda r: -layer.word_norms[r])
        for r in order[:top]:
            lines.append(
                f"  {ledger.labels[r]:<{width}}  {layer.word_weights[r]:>6.2f} "
                f"{layer.word_norms[r]:>6.2f}  {layer.along[r]:>+10.2f}"
            )
        if len(order) > top:
            lines.append(f"  ({len(order) - top} more)")
    return lines
