"""From word pieces to words: attention and hidden states merged over each word's pieces
(the views that the head ranking, `attention_math.model.heads`, and the plans read)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class WordAttention:
    """Attention and hidden states merged from pieces to words; layer axis 0-based.

    For every layer, head and word a: ``words[..., a, :].sum() + specials[..., a, :].sum() == 1``.
    """

    hidden_states: np.ndarray  # [L+1, W, C]: mean over each word's pieces
    words: np.ndarray  # [L, H, W, W]: a -> b = mean over a's pieces of the sum over b's pieces
    specials: np.ndarray  # [L, H, W, S]: a -> each special token, one column per special
    special_positions: tuple[int, ...]  # S token positions of the specials ([CLS], [SEP])


def word_matrix(word_ids: Sequence[int | None], n_words: int) -> np.ndarray:
    """Membership [W, T]: 1 where piece t belongs to word w. A word with no piece is an error."""
    m = np.zeros((n_words, len(word_ids)), np.float32)  # [W, T]
    for t, w in enumerate(word_ids):
        if w is not None:
            m[w, t] = 1.0
    empty = np.flatnonzero(m.sum(axis=1) == 0)
    if empty.size:
        raise ValueError(f"word {int(empty[0])} has no word piece")
    return m


def merge_to_words(
    word_ids: Sequence[int | None],
    hidden_states: np.ndarray,
    attentions: np.ndarray,
    n_words: int,
) -> WordAttention:
    """Merge piece-level hidden states [L+1, T, C] and attentions [L, H, T, T] to words.

    Queries: a word's row is the mean of its pieces' rows (so it still sums to 1). Keys: a
    word's column is the sum of its pieces' columns. Specials stay as their own columns.
    """
    member = word_matrix(word_ids, n_words)  # [W, T]
    mean = member / member.sum(axis=1, keepdims=True)  # [W, T], rows sum to 1
    specials = tuple(t for t, w in enumerate(word_ids) if w is None)  # S positions
    word_hidden = np.einsum("wt,ltc->lwc", mean, hidden_states)  # [L+1, T, C] -> [L+1, W, C]
    rows = np.einsum("wt,lhtu->lhwu", mean, attentions)  # [L, H, T, T] -> [L, H, W, T]
    word_cols = rows @ member.T  # [L, H, W, T] @ [T, W] -> [L, H, W, W]
    special_cols = rows[..., list(specials)]  # [L, H, W, T] -> [L, H, W, S]
    return WordAttention(word_hidden, word_cols, special_cols, specials)


def merge_pieces(
    groups: list[list[int]], row: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A head's attention row [T] and values [T, D] over pieces -> over groups of pieces (a
    word's, or [CLS] + [SEP]): a group's weight is its pieces' sum [N], its value their
    attention-weighted mean [N, D] (the plain mean when they get no weight), so that Σ w v is
    the head's real output."""
    w = np.array([row[g].sum() for g in groups])  # [N]
    v = np.stack(
        [
            (row[g] @ values[g]) / row[g].sum() if row[g].sum() > 0 else values[g].mean(axis=0)
            for g in groups
        ]
    )  # [N, D]
    return w, v


def drop_specials(word_attention: np.ndarray) -> np.ndarray:
    """Word-to-word weights [..., W, W] renormalised so that each row sums to 1 without specials."""
    total = word_attention.sum(axis=-1, keepdims=True)  # [..., W, W] -> [..., W, 1]
    return word_attention / np.maximum(total, np.finfo(np.float32).tiny)
