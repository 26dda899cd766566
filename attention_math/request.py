"""Every plan option once: `PlanRequest`, its constraints, and `make_plan`.

The CLI's options, a spec file's keys, the notebook API and the render cache are all derived
from `PlanRequest`'s fields and `CONSTRAINTS` (the table of what each field accepts, in the
spirit of scikit-learn's `_parameter_constraints`), so they cannot drift apart.

`make_plan(request)` builds the whole plan in one place: the builder for the request (the
post's simple attention, a real head of the model, the sense split, an analogy), then every
optional part in `request.needs` (a scene declares which parts it draws). Nothing completes a
plan later. Layers and heads count from 1 here, as on screen; the builders count from 0.

Errors are `OptionError`s naming their field where the field is known; a message names an
option as `{field}`, which each front end spells its own way (attention_math.errors).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.errors import BadValue, InputError, OptionError, about
from attention_math.lecture_data import LectureData
from attention_math.plan import Plan

if TYPE_CHECKING:
    from attention_math.embeddings import Embeddings

MODES = ("simple", "model")
# "auto" or a code of attention_math.tokens.LANGUAGES (kept here so that --help imports
# nothing more); a test holds the two equal
LANGUAGES = ("auto", "en", "es", "fr", "de", "pt", "it", "hi")
ORDERS = ("weight", "sentence")
# The optional parts of a plan a scene can need: built with the plan (model, senses, analogy)
# or added to it (the lecture section's weighted_sum, head_comparison, matrix, layers).
PARTS = (
    "model",
    "senses",
    "analogy",
    "weighted_sum",
    "head_comparison",
    "matrix",
    "layers",
    "ledger",
)
# part: what it is, in words (the one message for a plan without the parts a scene draws:
# scenes.job.check_needs)
PART_WORDS = {
    "model": "a real model's run (model mode)",
    "senses": "the sense split",
    "analogy": "the analogy",
    "weighted_sum": "the weighted sum",
    "head_comparison": "the head comparison",
    "matrix": "the word × word weight matrix",
    "layers": "the layer view",
    "ledger": "the ledger of every layer",
}
MAX_SENTENCE_CHARS = 1000  # 40 words (tokens.MAX_WORDS) of ordinary length fit well below this
MAX_WORD_CHARS = 100


# --------------------------------------------------------------------------------------------
# constraints: what each field accepts


def show(value: Any) -> str:
    """A value as the user wrote it in TOML (short)."""
    if isinstance(value, str):
        s = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(value, bool):
        s = "true" if value else "false"
    elif isinstance(value, dict):
        s = "a table"
    else:
        s = repr(value)
    return s if len(s) <= 60 else s[:57] + "..."


def closest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f'; closest: "{close[0]}"' if close else ""


def has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text)


class Mismatch(Exception):
    """A constraint does not take the value's type (the next one may)."""


@dataclass(frozen=True)
class Text:
    """A string of at most max_chars characters."""

    max_chars: int

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Mismatch
        if len(value) > self.max_chars:
            raise ValueError(f"has {len(value):,} characters; at most {self.max_chars} are shown")
        return value


@dataclass(frozen=True)
class Texts:
    """A list of strings, each at most max_chars characters."""

    max_chars: int

    def check(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not all(isinstance(s, str) for s in value):
            raise Mismatch
        if any(len(s) > self.max_chars for s in value):
            raise ValueError(f"a sentence has more than {self.max_chars} characters")
        return tuple(value)


@dataclass(frozen=True)
class Integer:
    """A whole number (not a bool) of at least `minimum`."""

    minimum: int

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Mismatch
        if value < self.minimum:
            raise ValueError(f"must be at least {self.minimum}, got {value}")
        return value


@dataclass(frozen=True)
class PositiveNumber:
    def check(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Mismatch
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"must be a positive number, got {value}")
        return float(value)


@dataclass(frozen=True)
class Options:
    """One of a few strings (a wrong one is named, with the closest)."""

    options: tuple[str, ...]

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Mismatch
        if value not in self.options:
            raise ValueError(
                f"{show(value)} is not one of {', '.join(self.options)}"
                f"{closest(value, self.options)}"
            )
        return value


@dataclass(frozen=True)
class Literal:
    """Exactly this string (anything else falls through to the field's description)."""

    value: str

    def check(self, value: Any) -> str:
        if value != self.value:
            raise Mismatch
        return value


@dataclass(frozen=True)
class Boolean:
    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise Mismatch
        return value


@dataclass(frozen=True)
class FileName:
    """A file name: a non-empty string or path without control characters."""

    def check(self, value: Any) -> Path:
        if not isinstance(value, str | Path):
            raise Mismatch
        if not str(value).strip() or has_control(str(value)):
            raise ValueError(f"{str(value)!r} is not a file name")
        return Path(value)


@dataclass(frozen=True)
class ScaleRule:
    """A scale as text: "auto", "1/sqrt(d)", "1" or a positive number."""

    def check(self, value: Any) -> str | float:
        from attention_math.scale import parse_scale

        if not isinstance(value, str):
            raise Mismatch
        return parse_scale(value)


@dataclass(frozen=True)
class Parts:
    """A set of PARTS."""

    def check(self, value: Any) -> frozenset[str]:
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise Mismatch
        items = list(value)
        for item in items:
            if item not in PARTS:
                raise ValueError(f"{show(item)} is not a plan part ({', '.join(PARTS)})")
        return frozenset(items)


# field: (what it accepts, tried in order; None: may be left out), (what it must be, in words)
CONSTRAINTS: dict[str, tuple[tuple[Any, ...], str]] = {
    "sentence": ((Text(MAX_SENTENCE_CHARS), None), "a sentence in quotes"),
    "target": ((Text(MAX_WORD_CHARS), None), "the word to follow, in quotes"),
    "compare": ((Texts(MAX_SENTENCE_CHARS),), 'a list of sentences, like ["He sat."]'),
    "target_index": ((Integer(0), None), "a whole number (the target's token number, from 0)"),
    "embeddings": ((FileName(), None), "a file name in quotes"),
    "scale": ((PositiveNumber(), ScaleRule()), 'a positive number or "auto", "1/sqrt(d)", "1"'),
    "order": ((Options(ORDERS),), '"weight" or "sentence"'),
    "keep_stopwords": ((Boolean(),), "true or false"),
    "language": ((Options(LANGUAGES),), f"a language code ({', '.join(LANGUAGES)})"),
    "mode": ((Options(MODES),), "a mode name in quotes"),
    "layer": ((Integer(1), None), "a layer number, from 1"),
    "head": ((Integer(1), Literal("mean"), None), 'a head number, from 1, or "mean"'),
    "drop_specials": ((Boolean(),), "true or false"),
    "model_dir": ((FileName(), None), "a folder name in quotes"),
    "senses": ((FileName(), None), "a file name in quotes"),
    "analogy": ((Text(MAX_SENTENCE_CHARS), None), 'an analogy in quotes, like "a - b + c"'),
    "needs": ((Parts(),), f"a list of plan parts ({', '.join(PARTS)})"),
}


def check_value(
    name: str, value: Any, table: dict[str, tuple[tuple[Any, ...], str]] = CONSTRAINTS
) -> Any:
    """`value` for field `name` of `table`, normalised (tuples, Paths, parsed scales), or a
    BadValue saying what the field must be."""
    accepted, expects = table[name]
    for constraint in accepted:
        if constraint is None:
            if value is None:
                return None
            continue
        try:
            return constraint.check(value)
        except Mismatch:
            continue
        except InputError as exc:  # a whole message from a parser (parse_scale)
            raise OptionError(name, exc.template) from None
        except ValueError as exc:
            raise BadValue(name, str(exc)) from None
    raise BadValue(name, f"must be {expects}, got {show(value)}")


# --------------------------------------------------------------------------------------------
# the request


# field: one line of help (the CLI's --help, the README)
HELP: dict[str, str] = {
    "sentence": "The sentence whose target word drifts.",
    "target": "The word whose vector drifts (matched case-insensitively).",
    "compare": (
        "Another sentence with the same target word, drawn in the same picture (repeatable)."
    ),
    "target_index": (
        "Which occurrence to follow when the target occurs more than once in SENTENCE: its "
        "token number, counted from 0 (punctuation counts as a token)."
    ),
    "embeddings": (
        "Static vectors from a TOML table (bank = [2.0, 0.6]) or a GloVe / word2vec text file, "
        "instead of MiniLM's input word-piece embeddings."
    ),
    "scale": (
        "What the scores are multiplied by before the softmax. auto = 1/‖q‖², so the target's "
        "score with itself is 1."
    ),
    "order": (
        "The order the context words join in: largest final weight first, or sentence order."
    ),
    "keep_stopwords": "Let stop-words (the, on, at ...) take part in attention too.",
    "language": (
        "The sentences' language, for its stop-words: auto (each sentence's own, guessed from "
        "its words) or en, es, fr, de, pt, it, hi."
    ),
    "mode": (
        "simple: the post's attention on static vectors (q = k = v). model: a real head of "
        "all-MiniLM-L6-v2, its weights and value vectors."
    ),
    "layer": (
        "Model mode: the layer, from 1 (default with head unset: the head where the target "
        "attends most to other words; see `attention-drift heads`)."
    ),
    "head": "Model mode: the head, from 1, or mean (the mean over heads).",
    "drop_specials": (
        "Model mode: leave out [CLS]/[SEP] (which take 40-86 % of the attention) and "
        "renormalise; the screen says so."
    ),
    "model_dir": (
        "Model mode: a BERT checkpoint folder (config.json, tokenizer.json, model.safetensors). "
        "Default: the packaged all-MiniLM-L6-v2."
    ),
    "senses": (
        "The sense split: a TOML file of sentences per sense (default: the shipped set for the "
        "target, in assets/senses/)."
    ),
    "analogy": (
        "The analogy to draw (default: queen - woman + man = king); no SENTENCE or target needed."
    ),
    "needs": "The optional plan parts to build (a scene's NEEDS).",
}


@dataclass(frozen=True)
class PlanRequest:
    """What to compute: every option of a plan, once (HELP says what each is). Values are
    checked against CONSTRAINTS and normalised (lists to tuples, file names to Paths, scale
    text parsed) on construction; a bad value is an `OptionError` naming its field. Layers and
    heads count from 1."""

    sentence: str | None = None
    target: str | None = None
    compare: tuple[str, ...] = ()
    target_index: int | None = None
    embeddings: Path | None = None
    scale: str | float = "auto"
    order: str = "weight"
    keep_stopwords: bool = False
    language: str = "auto"
    mode: str = "simple"
    layer: int | None = None
    head: int | str | None = None
    drop_specials: bool = False
    model_dir: Path | None = None
    senses: Path | None = None
    analogy: str | None = None
    needs: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, check_value(f.name, getattr(self, f.name)))
        check_combination(self)


NEED_MODEL = "{layer}, {head} and {drop_specials} need {mode} model"


def check_combination(r: PlanRequest) -> None:
    """The rules between fields (each value alone is fine by now)."""
    if r.analogy is not None and "analogy" not in r.needs:
        raise OptionError("analogy", "{analogy} goes with a scene that draws an analogy")
    check_target(r)
    if {"analogy", "senses"} & r.needs:
        return
    model = r.mode == "model" or "model" in r.needs
    simple_parts = sorted({"weighted_sum", "head_comparison"} & r.needs)
    if model and simple_parts:
        raise OptionError(
            "mode",
            f"the {simple_parts[0].replace('_', ' ')} starts from simple attention: leave out "
            f"{{mode}} model (choose the head with {{layer}} and {{head}})",
        )
    if r.head == "mean" and "head_comparison" in r.needs:
        raise OptionError("head", "the head comparison shows one head: give {head} a number")
    heads_used = model or bool({"head_comparison", "matrix"} & r.needs)
    if not heads_used and (r.layer is not None or r.head is not None):
        name = "layer" if r.layer is not None else "head"
        raise OptionError(name, NEED_MODEL)
    if r.drop_specials and not model:
        raise OptionError("drop_specials", NEED_MODEL)
    if r.model_dir is not None and not heads_used:
        raise OptionError(
            "model_dir",
            "{model_dir} goes with {mode} model (or a scene that runs the model): without it "
            "the plan does not use the checkpoint; add {mode} model or leave out {model_dir}",
        )


class MissingValue(OptionError):
    """A value the request cannot do without is not given (`field`, the first of `fields`):
    the command line says so as click's missing option, a spec file as `key: missing`."""

    def __init__(self, fields: list[str]) -> None:
        first = "target" if "target" in fields else fields[0]  # the word to follow, first
        super().__init__(first, EMPTY[first])
        self.fields = tuple(fields)


EMPTY = {
    "sentence": "the sentence is empty; give a sentence in quotes",
    "target": "the target word is empty; give the word to follow with {target}",
}


def required(needs: Iterable[str]) -> tuple[str, ...]:
    """The request keys a scene that draws `needs` cannot do without: the sentence and the
    target, but a sense plan has no one sentence and an analogy neither."""
    parts = frozenset(needs)
    if "analogy" in parts:
        return ()
    return ("target",) if "senses" in parts else ("sentence", "target")


def missing_values(values: Mapping[str, Any], needs: Iterable[str]) -> list[str]:
    """The `required` keys that `values` (a request's, as given) leaves out or sets to None."""
    return [k for k in required(needs) if values.get(k) is None]


def check_target(r: PlanRequest) -> None:
    """The one check of a request's target (and its sentence), made once, when the request is
    made: both given where the scene needs them (a MissingValue naming the fields not given),
    neither blank. What the target is a word of is for the builder that reads the sentence's
    tokens to find it (attention_math.tokens.find_target: punctuation, two words, "not a word
    of the sentence"), which tokenises the target once."""
    needed = required(r.needs)
    if missing := missing_values(vars(r), r.needs):
        raise MissingValue(missing)
    if "target" in needed and not (r.target or "").strip():
        raise OptionError("target", EMPTY["target"])
    if "sentence" in needed and not (r.sentence or "").strip():
        raise OptionError("sentence", EMPTY["sentence"])


def parse_head(text: str | int | None) -> int | str | None:
    """A head given as text (the command line): a number from 1, or "mean"."""
    if text is None or isinstance(text, int):
        return text
    t = str(text).strip().lower()
    if t == "mean":
        return "mean"
    try:
        return int(t)
    except ValueError:
        raise OptionError("head", f"{{head}} {text!r} is not a head number or 'mean'") from None


# --------------------------------------------------------------------------------------------
# the plan


def make_plan(request: PlanRequest, embeddings: Embeddings | None = None) -> Plan:
    """The whole plan for `request`: its builder, then every part in `request.needs`.

    embeddings: request.embeddings already loaded (`uses_embeddings` says whether the plan
    reads them), with at least the words of its sentences (`embeddings.sentence_words`), or
    all of them for an analogy: a spec loads each file once for all its entries."""
    if "analogy" in request.needs:
        return _analogy_plan(request, embeddings)
    if "senses" in request.needs:
        return _sense_plan(request)
    if request.mode == "model" or "model" in request.needs:
        plan = _model_plan(request)
    else:
        from attention_math.build import build_plan

        plan = build_plan(
            request.sentence or "",
            request.target or "",
            compare=request.compare,
            target_index=request.target_index,
            embeddings_file=embeddings or request.embeddings,
            scale=request.scale,
            order=request.order,
            keep_stopwords=request.keep_stopwords,
            language=request.language,
        )
    return _with_parts(plan, request)


def uses_embeddings(request: PlanRequest) -> str | None:
    """How the plan of `request` reads request.embeddings: "all" (an analogy searches every
    word of the file), "sentences" (only its sentences' words), or None (not at all: the
    model's own embeddings, or no file given)."""
    if request.embeddings is None or "senses" in request.needs:
        return None
    if "analogy" in request.needs:
        return "all"
    if request.mode == "model" or "model" in request.needs:
        return None
    return "sentences"


def _analogy_plan(r: PlanRequest, emb: Embeddings | None) -> Plan:
    from attention_math.analogy import DEFAULT_ANALOGY, build_analogy_plan

    with about("analogy"):
        return build_analogy_plan(r.analogy or DEFAULT_ANALOGY, embeddings_file=emb or r.embeddings)


def _sense_plan(r: PlanRequest) -> Plan:
    from attention_math.model_plan import build_sense_plan, default_senses, load_senses

    target = r.target or ""
    with about("senses"):
        file_target, senses = load_senses(r.senses or default_senses(target))
    if file_target.casefold() != target.casefold():
        raise OptionError(
            "target",
            f"the senses file is about {file_target!r}, not {target!r}; "
            f"give {{target}} {file_target} or another {{senses}} file",
        )
    return build_sense_plan(target, senses, model_dir=r.model_dir)


def _zero_based(r: PlanRequest) -> tuple[int | None, int | str | None]:
    layer = None if r.layer is None else r.layer - 1
    head = r.head - 1 if isinstance(r.head, int) else r.head
    return layer, head


def _model_plan(r: PlanRequest) -> Plan:
    from attention_math.model_plan import build_model_plan

    layer, head = _zero_based(r)
    return build_model_plan(
        r.sentence or "",
        r.target or "",
        compare=r.compare,
        target_index=r.target_index,
        layer=layer,
        head=head,
        drop_specials=r.drop_specials,
        order=r.order,
        model_dir=r.model_dir,
    )


def _with_parts(plan: Plan, r: PlanRequest) -> Plan:
    """`plan` with the lecture parts in `r.needs` added (simple plans, or a model plan's
    matrix)."""
    from attention_math import lecture

    layer, head = _zero_based(r)
    one_head = head if isinstance(head, int) else None
    builders: dict[str, Callable[[], Any]] = {
        "weighted_sum": lambda: lecture.weighted_sum(plan),
        "head": lambda: lecture.head_comparison(plan, layer, one_head, model_dir=r.model_dir),
        "matrix": lambda: (
            lecture.model_matrix(plan, layer, one_head, model_dir=r.model_dir)
            if plan.mode == "model" or layer is not None or head is not None
            else lecture.simple_matrix(plan)
        ),
        "layers": lambda: lecture.layer_view(plan),
        "ledger": lambda: lecture.ledger(plan, model_dir=r.model_dir),
    }
    wanted = {
        "weighted_sum": "weighted_sum",
        "head_comparison": "head",
        "matrix": "matrix",
        "layers": "layers",
        "ledger": "ledger",
    }
    parts = {slot: builders[slot]() for part, slot in wanted.items() if part in r.needs}
    if not parts:
        return plan
    return dataclasses.replace(
        plan, lecture=dataclasses.replace(plan.lecture or LectureData(), **parts)
    )


def missing_parts(plan: Plan, needs: Iterable[str]) -> list[str]:
    """The parts in `needs` that `plan` lacks (a plan made for another scene, or by hand)."""
    lecture = plan.lecture or LectureData()
    have = {
        "model": plan.model is not None,
        "senses": plan.senses is not None,
        "analogy": lecture.analogy is not None,
        "weighted_sum": lecture.weighted_sum is not None,
        "head_comparison": lecture.head is not None,
        "matrix": lecture.matrix is not None,
        "layers": lecture.layers is not None,
        "ledger": lecture.ledger is not None,
    }
    return [p for p in needs if not have[p]]
