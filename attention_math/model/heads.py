"""Which heads look at other words: every (layer, head) ranked by where the target word's
attention goes, after merging pieces to words (`attention_math.model.words`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from attention_math.model.forward import forward
from attention_math.model.tokenizer import encode
from attention_math.model.words import merge_to_words

if TYPE_CHECKING:
    from attention_math.model.checkpoint import Model


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
