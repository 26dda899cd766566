"""Model mode: the drift with a real head's weights and value vectors, the target's path
through the layers, and the split of senses in the last layer.

The sentence's tokens (words and punctuation) go to the model pre-split, so every word piece
points back at the token the viewer reads. Pieces are merged into words as
``model.merge_to_words`` does (attention to a word: sum over its pieces; from a word: mean
over its pieces). A word's *value* is the attention-weighted mean of its pieces' values, so
that Σ_words w_word · v_word equals the head's real output Σ_pieces w_piece · v_piece exactly.
[CLS] and [SEP] together are one "[special]" member (they take 40-86 % of the attention in
this model), unless `drop_specials` removes them and renormalises, as the screen then says.

Dimension names: L layers, H heads, T word pieces, W tokens, D head size (C for the mean over
heads), N members of the drift (tokens + [special]), C hidden size.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np

from attention_math import model as bert
from attention_math import tokens
from attention_math.attention import drift_from_scores, max_steps
from attention_math.build import TOOL, _Drafted, _finish, _vector
from attention_math.errors import InputError, about, read_text
from attention_math.pca import Basis, fit_basis, to_projection
from attention_math.plan import (
    AttentionInfo,
    EmbeddingInfo,
    ModelInfo,
    Plan,
    SensePoint,
    SenseSplit,
    SentenceModel,
)
from attention_math.tokens import check_length

SPECIAL = "[special]"
MERGE_POLICY = (
    "attention to a word = sum over its pieces; from a word = mean over its pieces; "
    "a word's value = attention-weighted mean of its pieces' values"
)
FORMULA = "w = the head's real softmax(q·k/√d) merged to words; output = Σ w_i v_i"


def _vec(x: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in x)


class _Run:
    """One sentence through the model: tokens, pieces, forward pass, merged words."""

    def __init__(
        self,
        model: bert.Model,
        text: str,
        target: str,
        target_index: int | None,
        what: str = "the sentence",
        repeat_hint: str = tokens.REPEAT_HINT,
    ):
        if not text.strip():
            raise InputError(f"{what} is empty; give a sentence in quotes")
        self.text = text
        self.toks = tokens.tokenize(text, what)
        check_length(self.toks, what)
        self.ti = tokens.find_target(self.toks, target, target_index, what, repeat_hint)
        try:
            self.enc = bert.encode(model, [t.text for t in self.toks])
        except ValueError as e:
            raise InputError(f"{what}: {e}") from None
        self.out = bert.forward(model, self.enc.ids)
        self.target_pieces = [t for t, w in enumerate(self.enc.word_ids) if w == self.ti]
        self.specials = [t for t, w in enumerate(self.enc.word_ids) if w is None]
        self.hidden = self.out.hidden_states[:, self.target_pieces].mean(axis=1)  # [L+1, C]

    def head_view(self, layer: int, head: int | None) -> tuple[np.ndarray, np.ndarray]:
        """The target's attention row over pieces [T] and the pieces' values [T, D]."""
        rows = self.out.attentions[layer][:, self.target_pieces]  # [H, T, T] -> [H, p, T]
        if head is None:
            row = rows.mean(axis=(0, 1))  # [H, p, T] -> [T]
            values = bert.merge_heads(self.out.v[layer])  # [H, T, D] -> [T, C]
        else:
            row = rows[head].mean(axis=0)  # [p, T] -> [T]
            values = self.out.v[layer, head]  # [T, D]
        return row.astype(np.float64), values.astype(np.float64)


def choose_head(runs: list[_Run], model: bert.Model) -> tuple[int, int, str]:
    """The (layer, head) whose target attends most to content words, summed over sentences."""
    total: dict[tuple[int, int], float] = {}
    for r in runs:
        for h in bert.rank_heads(model, [t.text for t in r.toks], r.ti, tokens.stopwords()):
            total[(h.layer, h.head)] = total.get((h.layer, h.head), 0.0) + h.score
    (layer, head), score = max(total.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))
    mean = score / len(runs)
    return (
        layer,
        head,
        (
            f"auto: the head where the target attends most to other content words "
            f"({mean:.0%} of its attention)"
        ),
    )


def build_model_plan(
    sentence: str,
    target: str,
    *,
    compare: list[str] | tuple[str, ...] = (),
    target_index: int | None = None,
    layer: int | None = None,
    head: int | str | None = None,
    drop_specials: bool = False,
    order: str = "weight",
    model_dir: str | Path | None = None,
) -> Plan:
    """The drift of `target` under a real head of the model (layer/head 0-based).

    layer None: with head None too, the best head for the sentences (see `choose_head`);
    head "mean": the mean over heads (values: all heads' values side by side).
    """
    if order not in ("weight", "sentence"):
        raise InputError(f"unknown order {order!r}; use weight or sentence")
    model = bert.load_model(model_dir)
    cfg = model.config
    runs = _runs(model, sentence, compare, target, target_index)
    layer, head_index, choice = _which_head(runs, model, layer, head)
    # each sentence's tokens, and its [special]s as one, are its context
    m = max_steps([len(r.toks) - (1 if drop_specials else 0) for r in runs])
    drafts = [_draft(r, layer, head_index, drop_specials, order, m) for r in runs]

    reference = []
    for d in drafts:
        reference += [_vector(row) for row in d.word_rows]
        reference += [s.result.output for s in d.steps]
    basis = fit_basis(np.stack(reference))  # [R, D]

    hidden = np.stack([r.hidden for r in runs])  # [n, L+1, C]
    layer_basis = fit_basis(hidden.reshape(-1, cfg.hidden_size))  # [n (L+1), C]
    first_unit = hidden[0] / np.linalg.norm(hidden[0], axis=-1, keepdims=True)  # [L+1, C]
    sentences = [
        dataclasses.replace(
            _finish(d, basis),
            model=_sentence_model(r, h, first_unit, layer_basis, layer, head_index),
        )
        for r, d, h in zip(runs, drafts, hidden, strict=True)
    ]
    return Plan(
        target=runs[0].toks[runs[0].ti].text,
        mode="model",
        embedding=_value_embedding(model, layer, head_index, dim=basis.mean.shape[0]),
        attention=AttentionInfo(
            formula=FORMULA,
            scale_rule=f"1/sqrt({cfg.hidden_size // cfg.num_attention_heads}) (the model's)",
            keep_stopwords=True,
            order=order,
        ),
        sentences=tuple(sentences),
        projection=to_projection(basis, "every member's value vector + every drift step's output"),
        tool=TOOL,
        model=_model_info(model, layer, head_index, choice, drop_specials, layer_basis),
    )


def _runs(
    model: bert.Model,
    sentence: str,
    compare: list[str] | tuple[str, ...],
    target: str,
    target_index: int | None,
) -> list[_Run]:
    """The main sentence, then each compared one, through the model (an error is about the
    sentence it comes from)."""
    n = 1 + len(compare)
    with about("sentence"):
        runs = [_Run(model, sentence, target, target_index, tokens.sentence_label(0, sentence, n))]
    for i, c in enumerate(compare, start=1):
        with about(f"compare[{i - 1}]", override=True):
            label = tokens.sentence_label(i, c, n)
            runs.append(_Run(model, c, target, None, label, "a compared sentence needs it once"))
    return runs


def _which_head(
    runs: list[_Run], model: bert.Model, layer: int | None, head: int | str | None
) -> tuple[int, int | None, str]:
    """The layer, the head (None: the mean over heads) and how they were chosen: as given,
    or the best head for the sentences when neither is given."""
    cfg = model.config
    if head == "mean":
        head_index: int | None = None
        if layer is None:
            raise InputError("{head} mean needs {layer}")
        choice = "given (mean over heads)"
    elif layer is None and head is None:
        layer, head_index, choice = choose_head(runs, model)
    elif layer is None or head is None:
        raise InputError(bert.BOTH_OR_NEITHER)
    else:
        head_index = int(head)
        choice = "given"
    assert layer is not None
    if not 0 <= layer < cfg.num_hidden_layers:
        raise InputError(f"{{layer}} must be 1 to {cfg.num_hidden_layers}")
    if head_index is not None and not 0 <= head_index < cfg.num_attention_heads:
        raise InputError(f"{{head}} must be 1 to {cfg.num_attention_heads} or mean")
    return layer, head_index, choice


def _draft(
    r: _Run, layer: int, head_index: int | None, drop_specials: bool, order: str, m: int
) -> _Drafted:
    """One sentence's drift under the head: its tokens (and [special], unless dropped) are
    the members, their weights and values the head's, merged from pieces; at most m steps
    (attention.max_steps)."""
    row, values = r.head_view(layer, head_index)
    members = list(range(len(r.toks)))
    groups = [[t for t, w in enumerate(r.enc.word_ids) if w == i] for i in members]
    if not drop_specials:
        groups.append(r.specials)
    w, v = bert.merge_pieces(groups, row, values)  # [N], [N, D]
    if len(groups) < 2:
        raise InputError(f'"{r.toks[r.ti].text}" has no other token to attend to')
    t_row = members.index(r.ti)
    scores = np.log(np.maximum(w, np.finfo(np.float64).tiny))  # softmax(log w) = w / Σ w
    steps = drift_from_scores(scores, v, t_row, 1.0, order, max_steps=m)
    toks = list(r.toks)
    rows = []
    for i, t in enumerate(r.toks):
        reason = "target" if i == r.ti else ("context" if t.is_word else "punctuation")
        pieces = tuple(r.enc.pieces[p] for p in groups[i])
        rows.append((reason, True, pieces, v[i]))
    if not drop_specials:
        toks.append(tokens.Token(SPECIAL, SPECIAL, False))
        rows.append(("special", True, tuple(r.enc.pieces[p] for p in r.specials), v[-1]))
    member_ids = list(range(len(rows)))
    return _Drafted(r.text, toks, r.ti, rows, member_ids, 1.0, steps)


def _sentence_model(
    r: _Run,
    h: np.ndarray,
    first_unit: np.ndarray,
    layer_basis: Basis,
    layer: int,
    head_index: int | None,
) -> SentenceModel:
    """What the model did with one sentence: its pieces, the target's attention in every
    head, its hidden state h [L+1, C] at every layer and how its direction compares with the
    first sentence's (first_unit [L+1, C]) and with its own at layer 0."""
    unit = h / np.linalg.norm(h, axis=-1, keepdims=True)  # [L+1, C]
    cos = (unit * first_unit).sum(-1)  # [L+1]
    special_mass = float(r.head_view(layer, head_index)[0][r.specials].sum())
    return SentenceModel(
        pieces=tuple(r.enc.pieces),
        word_ids=tuple(r.enc.word_ids),
        target_pieces=tuple(r.target_pieces),
        target_attention=tuple(
            tuple(tuple(_vec(p) for p in by_head[r.target_pieces]) for by_head in by_layer)
            for by_layer in r.out.attentions  # [L, H, T, T]
        ),
        target_hidden=tuple(_vec(x) for x in h),
        layer_points=tuple((float(p[0]), float(p[1])) for p in layer_basis.project(h)),
        cosine_to_first=_vec(cos),
        cosine_to_layer0=_vec(unit @ unit[0]),
        special_mass=special_mass,
    )


def _value_embedding(
    model: bert.Model, layer: int, head_index: int | None, dim: int
) -> EmbeddingInfo:
    """The vectors a model plan draws: the head's value vectors (dim: their size)."""
    which = "mean over heads" if head_index is None else f"head {head_index + 1}"
    return EmbeddingInfo(
        kind="model",
        name=f"{model.name} value vectors, layer {layer + 1}, {which}",
        file=f"{model.path.name}/model.safetensors",
        sha256=model.sha256,
        dim=dim,
        subword_policy=MERGE_POLICY,
    )


def _model_info(
    model: bert.Model,
    layer: int,
    head_index: int | None,
    choice: str,
    drop_specials: bool,
    layer_basis: Basis,
) -> ModelInfo:
    """The model, the head and how it was chosen, and the plane of the layers' picture."""
    cfg = model.config
    return ModelInfo(
        name=model.name,
        file=f"{model.path.name}/model.safetensors",
        sha256=model.sha256,
        n_layers=cfg.num_hidden_layers,
        n_heads=cfg.num_attention_heads,
        d_head=cfg.hidden_size // cfg.num_attention_heads,
        layer_index=layer,
        head_index=head_index,
        head_choice=choice,
        drop_specials=drop_specials,
        merge_policy=MERGE_POLICY,
        layer_basis=to_projection(
            layer_basis, "the target's hidden state at every layer of every sentence"
        ),
        notes=model.notes,
    )


def load_senses(path: str | Path) -> tuple[str, dict[str, list[str]]]:
    """A senses file (TOML): `target = "bank"` and `[senses]` name = [sentences]."""
    import tomllib

    path = Path(path)
    text = read_text(path, f"senses file {str(path)!r}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path.name}: not valid TOML: {e}") from None
    unknown = set(data) - {"target", "senses"}
    if unknown:
        raise InputError(f"{path.name}: unknown key {sorted(unknown)[0]!r} (use target, senses)")
    target, senses = data.get("target"), data.get("senses")
    if not isinstance(target, str) or not target.strip():
        raise InputError(f'{path.name}: target must be a word, like target = "bank"')
    if not isinstance(senses, dict) or len(senses) < 2:
        raise InputError(f"{path.name}: [senses] must list at least two senses")
    for name, texts in senses.items():
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise InputError(f"{path.name}: senses.{name} must be a list of sentences")
    return target, senses


def default_senses(target: str) -> Path:
    """The shipped senses file for `target` (assets/senses/TARGET.toml)."""
    path = tokens.ASSETS / "senses" / f"{target.casefold()}.toml"
    if not path.is_file():
        shipped = sorted(p.stem for p in (tokens.ASSETS / "senses").glob("*.toml"))
        raise InputError(
            f"no shipped sense sentences for {target!r} (there are: {', '.join(shipped)}); "
            f"give your own with {{senses:FILE}}"
        )
    return path


def build_sense_plan(
    target: str,
    senses: dict[str, list[str]],
    *,
    model_dir: str | Path | None = None,
) -> Plan:
    """The target's last-layer hidden state in every sentence, grouped by sense."""
    if len(senses) < 2:
        raise InputError("a sense split needs at least two senses")
    model = bert.load_model(model_dir)
    points, x = _sense_points(model, target, senses)  # x: [n, C]
    basis = fit_basis(x)
    p2 = basis.project(x)  # [n, 2]
    names = list(senses)
    agreement, within, across = _how_senses_separate(x, [p[1] for p in points], names)
    return Plan(
        target=target,
        mode="senses",
        embedding=EmbeddingInfo(
            kind="model",
            name=f"{model.name} last-layer hidden states",
            file=f"{model.path.name}/model.safetensors",
            sha256=model.sha256,
            dim=model.config.hidden_size,
            subword_policy=MERGE_POLICY,
        ),
        attention=AttentionInfo(
            formula="the model's own attention (all layers)",
            scale_rule="the model's",
            keep_stopwords=True,
            order="sentence",
        ),
        sentences=(),
        projection=to_projection(basis, f"the last-layer '{target}' of every sentence"),
        tool=TOOL,
        senses=SenseSplit(
            senses=tuple(names),
            points=tuple(
                SensePoint(text, sense, ti, _vec(v), (float(p[0]), float(p[1])))
                for (text, sense, ti), v, p in zip(points, x, p2, strict=True)
            ),
            kmeans_agreement=agreement,
            within_cosine=within,
            across_cosine=across,
        ),
    )


def _sense_points(
    model: bert.Model, target: str, senses: dict[str, list[str]]
) -> tuple[list[tuple[str, str, int]], np.ndarray]:
    """(sentence, sense, target's token index) of every sentence, sense by sense, and the
    target's last-layer hidden state in each [n, C]."""
    points, vecs = [], []
    for sense, texts in senses.items():
        if not texts:
            raise InputError(f"sense {sense!r} has no sentences")
        for k, text in enumerate(texts, start=1):
            what = f"sentence {k} of sense {tokens.escape(sense)!r} ({tokens.excerpt(text)})"
            r = _Run(model, text, target, None, what, "a sense sentence needs it once")
            vecs.append(r.hidden[-1])
            points.append((text, sense, r.ti))
    return points, np.stack(vecs)  # [n, C]


def _how_senses_separate(
    x: np.ndarray, labels: list[str], names: list[str]
) -> tuple[float, float, float]:
    """How well the hidden states x [n, C] of sentences with sense `labels` separate: the
    share that k-means on their directions puts with their own sense (under the best match
    of clusters to senses), and the mean cosine within a sense and across senses."""
    from sklearn.cluster import KMeans

    unit = x / np.linalg.norm(x, axis=1, keepdims=True)  # [n, C]
    cos = unit @ unit.T  # [n, n]
    same = np.equal.outer(labels, labels)
    off = ~np.eye(len(labels), dtype=bool)
    km = KMeans(n_clusters=len(names), n_init=10, random_state=0).fit(unit)
    truth = np.array([names.index(s) for s in labels])
    agreement = max(
        float(np.mean(np.array(perm)[km.labels_] == truth))
        for perm in itertools.permutations(range(len(names)))
    )
    return agreement, float(cos[same & off].mean()), float(cos[~same].mean())
