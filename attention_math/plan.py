"""The plan: everything a scene draws, as plain serialisable data.

Data flows one way: sentence -> attention_math -> Plan (JSON) -> scenes -> media. A scene
reads only the plan, so every number on screen can be checked against this document.

Indices into a sentence (`target_index`, `Step.added`, `Step.words`) count tokens as
`attention_math.tokens.tokenize` returns them, from 0.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import types
import typing
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from attention_math.lecture_data import LectureData, Projection

SCHEMA_VERSION = 1

Vec = tuple[float, ...]
Point = tuple[float, float]


@dataclass(frozen=True)
class Word:
    """One token of a sentence.

    included: takes part in attention. reason: "target", "context", "stop-word",
      "punctuation" or "no vector" (why it is or is not included).
    pieces: the word pieces (or table entry) its static vector was built from.
    vector: the static vector [C] (None when excluded and not looked up).
    point: its 2-D position in the plan's basis (None when vector is None).
    """

    index: int
    text: str
    norm: str
    is_word: bool
    included: bool
    reason: str
    pieces: tuple[str, ...] = ()
    vector: Vec | None = None
    point: Point | None = None


@dataclass(frozen=True)
class Step:
    """One step of the drift.

    words: token indices attended at this step, target first, then context words in the
      order they were added; scores, scaled_scores, weights follow that order.
    added: token index of the word added at this step (None at step 0); the first of them
      when several join at once.
    added_group: token indices of every word added at this step, in `words` order: (added,)
      for one word, several for the last step of a long sentence ("the rest", see
      attention.MAX_STEPS), () at step 0. Plans written before the field have () throughout:
      read `joined`, which falls back to (added,).
    output: the attention output [C]; point: its 2-D position.
    """

    step: int
    added: int | None
    words: tuple[int, ...]
    scores: Vec
    scaled_scores: Vec
    weights: Vec
    output: Vec
    point: Point
    added_group: tuple[int, ...] = ()

    @property
    def joined(self) -> tuple[int, ...]:
        """Token indices of the words that join at this step (none at step 0)."""
        if self.added_group:
            return self.added_group
        return () if self.added is None else (self.added,)

    def weight_of(self, tokens: Sequence[int]) -> float:
        """The weight these tokens (all attended at this step) get together: one word's
        weight, or a group's sum ("12 more, Σ 0.40")."""
        weight = dict(zip(self.words, self.weights, strict=True))
        return math.fsum(weight[i] for i in tokens)


@dataclass(frozen=True)
class SentenceModel:
    """What the real model computed for one sentence (model mode), for checking the figure.

    pieces / word_ids: the word pieces fed to the model ([CLS] ... [SEP]) and, per piece, the
      index of the token it belongs to (None for [CLS] and [SEP]).
    target_pieces: positions of the target's pieces.
    target_attention: [L][H][len(target_pieces)][T] the target pieces' raw attention rows,
      before any merging to words or removal of [CLS]/[SEP].
    target_hidden: [L+1][C] the target's hidden state after the embeddings and each layer
      (mean over its pieces).
    layer_points: [L+1] those hidden states in the plan's layer basis (LayerDriftScene).
    cosine_to_first: [L+1] cosine between this sentence's and the first sentence's target
      hidden state at each layer.
    cosine_to_layer0: [L+1] cosine between the target's hidden state at each layer and at
      layer 0 (the embedding output): how far the layers have moved it.
    special_mass: the share of the chosen head's attention that goes to [CLS] / [SEP].
    """

    pieces: tuple[str, ...]
    word_ids: tuple[int | None, ...]
    target_pieces: tuple[int, ...]
    target_attention: tuple[tuple[tuple[Vec, ...], ...], ...]
    target_hidden: tuple[Vec, ...]
    layer_points: tuple[Point, ...]
    cosine_to_first: Vec
    cosine_to_layer0: Vec
    special_mass: float


@dataclass(frozen=True)
class Sentence:
    """One sentence of the render, its words and its drift.

    language: the code of the language whose stop-words were left out (asked for, or guessed
      from the words: attention_math.tokens.detect_language); "" in model mode and in plans
      written before the field. stopword_list: where that list comes from.
    """

    text: str
    target_index: int
    scale: float
    words: tuple[Word, ...]
    steps: tuple[Step, ...]
    model: SentenceModel | None = None
    language: str = ""
    stopword_list: str = ""

    @property
    def target(self) -> Word:
        return self.words[self.target_index]

    @property
    def final(self) -> Step:
        return self.steps[-1]


@dataclass(frozen=True)
class EmbeddingInfo:
    """Where the static vectors come from (file name, not a machine-specific path)."""

    kind: str
    name: str
    file: str
    sha256: str
    dim: int
    subword_policy: str


@dataclass(frozen=True)
class AttentionInfo:
    """How the weights were computed; `scale_rule` and `language` ("auto" or a code) are
    what the user asked for (each sentence records the language used)."""

    formula: str
    scale_rule: str
    keep_stopwords: bool
    order: str
    language: str = "auto"


@dataclass(frozen=True)
class ModelInfo:
    """The real model behind a model-mode plan (layer and head 0-based; shown 1-based).

    name: the checkpoint's name, for the screen (`model.model_name`: "all-MiniLM-L6-v2", a
      Hugging Face repository id or the folder's name).
    head_index None: the mean over heads. head_choice: how the head was chosen.
    value_policy: how word pieces' values were merged into words' values.
    layer_basis: the 2-D basis of the target's hidden states across layers.
    notes: what the loader did with the checkpoint that the viewer may want to know (a task
      head ignored, a tokenizer built from vocab.txt), one line each.
    """

    name: str
    file: str
    sha256: str
    n_layers: int
    n_heads: int
    d_head: int
    layer_index: int
    head_index: int | None
    head_choice: str
    drop_specials: bool
    merge_policy: str
    layer_basis: Projection
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SensePoint:
    """One sentence of a sense-split figure: its target's last-layer state and 2-D point."""

    text: str
    sense: str
    target_index: int
    vector: Vec
    point: Point


@dataclass(frozen=True)
class SenseSplit:
    """The target's last-layer vector in many sentences, grouped by sense.

    kmeans_agreement: share of sentences whose 2-means cluster (fitted in high-d) matches
      their sense (best matching of clusters to senses).
    within_cosine / across_cosine: mean cosine between sentences of the same / other sense.
    """

    senses: tuple[str, ...]
    points: tuple[SensePoint, ...]
    kmeans_agreement: float
    within_cosine: float
    across_cosine: float


@dataclass(frozen=True)
class Plan:
    """A whole render's data. `sentences[0]` is the main sentence, the rest are compared."""

    target: str
    mode: str
    embedding: EmbeddingInfo
    attention: AttentionInfo
    sentences: tuple[Sentence, ...]
    projection: Projection
    tool: str = ""
    schema_version: int = SCHEMA_VERSION
    model: ModelInfo | None = None
    senses: SenseSplit | None = None
    lecture: LectureData | None = None  # the lecture scenes' numbers (attention_math.lecture)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return dumps(self.to_dict())

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Plan:
        if d.get("extra") == {}:  # written before the unused `extra` field was removed
            d = {k: v for k, v in d.items() if k != "extra"}
        version = d.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"plan schema version {version!r} is not {SCHEMA_VERSION}")
        return decode(cls, d)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        return cls.from_dict(json.loads(text))

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def decode(tp: Any, value: Any) -> Any:
    """Rebuild a value of type `tp` (dataclasses, tuples, optionals, floats) from JSON data."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        unknown = set(value) - names
        if unknown:
            raise ValueError(f"{tp.__name__} has no field {sorted(unknown)[0]!r}")
        return tp(**{k: decode(hints[k], v) for k, v in value.items()})
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return decode(args[0], value) if len(args) == 1 else value
    if origin is tuple:
        items = typing.get_args(tp)
        if len(items) == 2 and items[1] is Ellipsis:
            return tuple(decode(items[0], v) for v in value)
        return tuple(decode(a, v) for a, v in zip(items, value, strict=True))
    if tp is float:
        return float(value)
    return value


_NUMBER_LIST = re.compile(r"\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]")


def dumps(data: Any) -> str:
    """JSON with two-space indent but each list of numbers on one line (vectors stay short)."""
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    return (
        _NUMBER_LIST.sub(lambda m: "[" + ", ".join(re.split(r",\s*", m.group(1))) + "]", text)
        + "\n"
    )
