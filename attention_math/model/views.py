"""From word pieces to words, and which heads look at other words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from attention_math.model.forward import forward
from attention_math.model.tokenizer import encode

if TYPE_CHECKING:
    from attention_math.model.checkpoint import Model

# --------------------------------------------------------------------------------------------
# from word pieces to words


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


# --------------------------------------------------------------------------------------------
# which heads look at other words


@dataclass(frozen=True)
class HeadRank:
    """Where one head sends the target word's attention; masses sum to 1 (layer, head 0-based)."""

    layer: int
    head: int
    content_mass: float  # to other content words that are neither the target nor adjacent
    self_mass: float  # to the target word itself
    special_mass: float  # to [CLS] and [SEP]
    previous_mass: float  # to the word just before the target (0 for the first word)
    next_mass: float  # to the word just after the target (0 for the last word)
    punctuation_mass: float  # to other words without a letter or digit ("," ".")
    stopword_mass: float  # to other words in the given stop-word list (not adjacent)
    top_word: int  # the content word that gets the most attention, -1 if there is none
    score: float  # = content_mass, the ranking key


def _is_content(word: str) -> bool:
    return any(ch.isalnum() for ch in word)


def rank_heads(
    model: Model,
    words: Sequence[str],
    target_index: int,
    stopwords: frozenset[str] = frozenset(),
) -> list[HeadRank]:
    """Rank every (layer, head) by how much ``words[target_index]`` attends to other words.

    The score is the share of the target's attention that lands on content words other than
    itself and its immediate neighbours, i.e. what is left after self, [CLS]/[SEP], the
    previous/next word, punctuation and `stopwords` (case-folded words that don't count as
    content, e.g. attention_math.tokens.stopwords()). Best first; layers and heads 0-based.
    """
    words = tuple(words)
    if not 0 <= target_index < len(words):
        raise ValueError(f"target_index {target_index} is not in 0..{len(words) - 1}")
    enc = encode(model, words)
    out = forward(model, enc.ids)
    merged = merge_to_words(enc.word_ids, out.hidden_states, out.attentions, len(words))
    row = merged.words[:, :, target_index, :]  # [L, H, W, W] -> [L, H, W]
    special = merged.specials[:, :, target_index, :].sum(axis=-1)  # [L, H, S] -> [L, H]

    a = target_index
    n = len(words)
    prev_idx = [a - 1] if a > 0 else []
    next_idx = [a + 1] if a + 1 < n else []
    others = [b for b in range(n) if b not in (a, a - 1, a + 1)]
    stop = [b for b in others if _is_content(words[b]) and words[b].casefold() in stopwords]
    content = [b for b in others if _is_content(words[b]) and b not in stop]
    punct = [b for b in others if not _is_content(words[b])]

    rows = []
    n_layer, n_head = row.shape[:2]
    for layer in range(n_layer):
        for head in range(n_head):
            r = row[layer, head]  # [W]
            content_mass = float(r[content].sum())
            top = content[int(np.argmax(r[content]))] if content else -1
            rows.append(
                HeadRank(
                    layer=layer,
                    head=head,
                    content_mass=content_mass,
                    self_mass=float(r[a]),
                    special_mass=float(special[layer, head]),
                    previous_mass=float(r[prev_idx].sum()),
                    next_mass=float(r[next_idx].sum()),
                    punctuation_mass=float(r[punct].sum()),
                    stopword_mass=float(r[stop].sum()),
                    top_word=top,
                    score=content_mass,
                )
            )
    rows.sort(key=lambda h: (-h.score, h.layer, h.head))
    return rows
