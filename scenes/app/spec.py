"""Spec files: many renders described in one TOML file, validated strictly, never executed.

    # course.toml: paths are relative to this file's folder
    out = "media"                 # optional: the folder every render goes to

    [defaults]                    # optional: values every render starts from
    quality = "low"
    formats = ["png", "mp4"]

    [[renders]]
    sentence = "He sat on the river bank."
    target = "bank"
    compare = ["He deposited cash at the bank."]
    name = "bank"

A spec is data: it is parsed with `tomllib` and checked key by key; nothing in it is run,
imported or expanded (no environment variables, no `~`). Unknown keys are errors. Every
problem names the entry and the field, ``renders[3].target: ...``, where entries count from
0 in the order of the ``[[renders]]`` tables (like ``--target-index``, and like the array
index a TOML reader gives). `load_spec` checks the file's shape and types; `build_plans`
computes every entry's plan (so a target missing from its sentence is found before anything
is rendered) and reports all the bad entries at once.

This module uses no manim: the choices that belong to the scenes (scene names, formats,
qualities, themes) are passed in as `Choices`.
"""

from __future__ import annotations

import difflib
import inspect
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from attention_math.errors import InputError

if TYPE_CHECKING:
    from attention_math.plan import Plan

MAX_SPEC_BYTES = 4_000_000  # a course of a hundred renders is a few KB; refuse a huge file
MAX_SENTENCE_CHARS = 1000  # 40 words (build.MAX_WORDS) of ordinary length fit well below this
MAX_NAME_CHARS = 100

# Keys an entry may have, with what the value must be (for the messages).
ENTRY_KEYS: dict[str, str] = {
    "sentence": "a sentence in quotes",
    "target": "the word to follow, in quotes",
    "compare": 'a list of sentences, like ["He deposited cash at the bank."]',
    "target_index": "a whole number (the target's token number, from 0)",
    "embeddings": "a file name in quotes (relative to the spec file)",
    "scale": 'a positive number or "auto", "1/sqrt(d)", "1"',
    "order": '"weight" or "sentence"',
    "keep_stopwords": "true or false",
    "scene": "a scene name in quotes",
    "mode": "a mode name in quotes",
    "layer": "a layer number, from 1",
    "head": 'a head number, from 1, or "mean"',
    "drop_specials": "true or false",
    "senses": "a file name in quotes (relative to the spec file)",
    "formats": 'a list of formats, like ["gif", "mp4"]',
    "quality": "a quality name in quotes",
    "theme": "a theme name in quotes",
    "name": "a file name stem in quotes",
}
# Keys that describe one sentence: not allowed in [defaults].
OWN_KEYS = ("sentence", "target", "compare", "target_index", "name")
TOP_KEYS = ("out", "defaults", "renders")
ORDERS = ("weight", "sentence")

# CLI option names in build_plan's messages, as the spec spells them.
_OPTION_WORDS = {
    "--target-index": "target_index",
    "--keep-stopwords": "keep_stopwords",
    "--embeddings FILE": "embeddings",
    "--embeddings": "embeddings",
    "--scale": "scale",
    "--target": "target",
    "--layer": "layer",
    "--head": "head",
    "--mode": "mode",
    "--drop-specials": "drop_specials",
    "--senses": "senses",
}


class SpecError(InputError):
    """A spec file that cannot be used. `problems` holds one line per problem, each naming
    the field (``renders[3].target: ...``); the message is the file name and all of them."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        if len(problems) == 1:
            message = f"{source}: {problems[0]}"
        else:
            message = f"{source}: {len(problems)} problems: " + "; ".join(problems)
        super().__init__(message)


@dataclass(frozen=True)
class Choices:
    """The values the scenes offer; `scenes.batch` passes the real ones from `scenes`."""

    scenes: tuple[str, ...] = ("DriftScene",)
    formats: tuple[str, ...] = ("gif", "mp4", "png")
    qualities: tuple[str, ...] = ("low", "medium", "high", "4k")
    themes: tuple[str, ...] = ("dark", "light")
    default_formats: tuple[str, ...] = ("gif", "mp4")
    default_quality: str = "medium"
    default_theme: str = "dark"
    default_scene: str = "DriftScene"


@dataclass(frozen=True)
class Entry:
    """One validated render of a spec. `index` counts the [[renders]] tables from 0.

    embeddings: an absolute path (resolved against the spec's folder) or None (MiniLM).
    mode / layer / head / drop_specials / senses: passed on to `plans.make_plan` only when
      given (None: its default); layers and heads count from 1, as on screen.
    name: the stem asked for (None: derived from the plan by the scenes).
    """

    index: int
    sentence: str | None
    target: str
    compare: tuple[str, ...] = ()
    target_index: int | None = None
    embeddings: Path | None = None
    scale: str | float = "auto"
    order: str = "weight"
    keep_stopwords: bool = False
    scene: str = "DriftScene"
    mode: str | None = None
    layer: int | None = None
    head: int | str | None = None
    drop_specials: bool | None = None
    senses: Path | None = None
    formats: tuple[str, ...] = ("gif", "mp4")
    quality: str = "medium"
    theme: str = "dark"
    name: str | None = None

    @property
    def where(self) -> str:
        return f"renders[{self.index}]"


@dataclass(frozen=True)
class Spec:
    """A validated spec file. out: the folder it asks for (resolved), or None.

    problems: what `load_spec(..., collect=True)` found (entries holds the good ones, so
    that `build_plans` can report their plans' problems too); empty otherwise.
    """

    path: Path
    out: Path | None
    entries: tuple[Entry, ...] = field(default_factory=tuple)
    problems: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# reading


def load_spec(path: str | Path, choices: Choices | None = None, *, collect: bool = False) -> Spec:
    """Read and validate a spec file. Raises SpecError listing every problem found; with
    collect=True problems in single entries are returned in `Spec.problems` instead (a file
    that cannot be read or parsed still raises)."""
    path = Path(path)
    source = path.name or str(path)
    if path.is_dir():
        raise SpecError(source, [f"{str(path)!r} is a folder, not a spec file"])
    if not path.exists():
        raise SpecError(source, [f"spec file {str(path)!r} does not exist"])
    if not path.is_file():
        raise SpecError(source, [f"{str(path)!r} is not a regular file"])
    size = path.stat().st_size
    if size > MAX_SPEC_BYTES:
        raise SpecError(
            source, [f"the file is {size:,} bytes; a spec is at most {MAX_SPEC_BYTES:,}"]
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(source, [f"cannot read it: {exc.strerror}"]) from exc
    return parse_spec(
        raw,
        base=path.resolve().parent,
        source=source,
        path=path,
        choices=choices,
        collect=collect,
    )


def parse_spec(
    raw: bytes | str,
    *,
    base: Path,
    source: str = "spec",
    path: Path | None = None,
    choices: Choices | None = None,
    collect: bool = False,
) -> Spec:
    """Validate spec text (bytes must be UTF-8). Relative paths are resolved against `base`.
    collect: see `load_spec`."""
    choices = choices or Choices()
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise SpecError(
                source,
                [
                    f"line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                    f"save the file as UTF-8"
                ],
            ) from exc
    else:
        text = raw
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(source, [f"not valid TOML: {exc}"]) from exc

    problems: list[str] = []
    for key in data:
        if key not in TOP_KEYS:
            problems.append(
                f"{key}: unknown key{_closest(key, TOP_KEYS)} (a spec has {', '.join(TOP_KEYS)})"
            )
    out = _out_folder(data.get("out"), base, problems)
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.append("defaults: must be a table ([defaults] with key = value lines)")
        defaults = {}
    renders = data.get("renders")
    if renders is None:
        problems.append("no renders: add a [[renders]] table with at least sentence and target")
        renders = []
    elif not isinstance(renders, list) or not all(isinstance(r, dict) for r in renders):
        problems.append("renders: must be tables, written [[renders]] (one per render)")
        renders = []
    elif not renders:
        problems.append("renders is empty: a spec needs at least one render")

    base_entry = _check_fields("defaults", defaults, base, choices, problems, is_default=True)
    file_problems = bool(problems)  # then the entries cannot be trusted: plan none of them
    entries = []
    for i, table in enumerate(renders):
        entry = _check_fields(
            f"renders[{i}]",
            {**defaults, **table},
            base,
            choices,
            problems,
            is_default=False,
            own=table,
            template=base_entry,
            index=i,
        )
        if entry is not None:
            entries.append(entry)
    if problems and (not collect or file_problems):
        raise SpecError(source, problems)
    return Spec(
        path=path or base / source, out=out, entries=tuple(entries), problems=tuple(problems)
    )


def _closest(word: str, options: Any) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f'; closest: "{close[0]}"' if close else ""


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text)


def _out_folder(value: Any, base: Path, problems: list[str]) -> Path | None:
    """The top-level `out`: a relative folder inside the spec's folder (so that a spec from
    someone else cannot write anywhere else; --out on the command line can)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append('out: must be a folder name in quotes, like out = "media"')
        return None
    p = PurePosixPath(value)
    if (
        p.is_absolute()
        or value.startswith("\\")
        or ".." in p.parts
        or _has_control(value)
        or ":" in value
        or "\\" in value
    ):
        problems.append(
            f"out: {value!r} must be a folder inside the spec's folder (no '..', no absolute "
            f"path); to write elsewhere, give --out on the command line"
        )
        return None
    return base / Path(*p.parts)


def _check_fields(
    where: str,
    table: dict[str, Any],
    base: Path,
    choices: Choices,
    problems: list[str],
    *,
    is_default: bool,
    own: dict[str, Any] | None = None,
    template: Entry | None = None,
    index: int = -1,
) -> Entry | None:
    """Check one table's keys and value types; append a problem per bad field."""
    before = len(problems)

    def bad(key: str, message: str) -> None:
        # A wrong value inherited from [defaults] is reported there, once.
        if is_default or own is None or key in own:
            problems.append(f"{where}.{key}: {message}")
        elif not any(p.startswith(f"defaults.{key}:") for p in problems):
            problems.append(f"defaults.{key}: {message}")

    allowed = [k for k in ENTRY_KEYS if not (is_default and k in OWN_KEYS)]
    for key in own if own is not None else table:
        if key not in allowed:
            if is_default and key in OWN_KEYS:
                problems.append(
                    f"{where}.{key}: belongs in each [[renders]] table, not in [defaults]"
                )
            else:
                problems.append(f"{where}.{key}: unknown key{_closest(key, allowed)}")
    values: dict[str, Any] = {}

    def string(key: str, *, options: tuple[str, ...] | None = None) -> str | None:
        if key not in table:
            return None
        v = table[key]
        if not isinstance(v, str):
            bad(key, f"must be {ENTRY_KEYS[key]}, got {_show(v)}")
            return None
        if options is not None and v not in options:
            bad(key, f"{_show(v)} is not one of {', '.join(options)}{_closest(v, options)}")
            return None
        return v

    def integer(key: str, *, minimum: int) -> int | None:
        if key not in table:
            return None
        v = table[key]
        if isinstance(v, bool) or not isinstance(v, int):
            bad(key, f"must be {ENTRY_KEYS[key]}, got {_show(v)}")
            return None
        if v < minimum:
            bad(key, f"must be at least {minimum}, got {v}")
            return None
        return v

    for key in ("sentence", "target"):
        if is_default:
            continue
        if key not in table:
            if key == "sentence" and table.get("scene") in _sentence_free_scenes():
                continue
            problems.append(f"{where}.{key}: missing ({key} = {ENTRY_KEYS[key]})")
            continue
        v = string(key)
        if v is None:
            continue
        if len(v) > MAX_SENTENCE_CHARS:
            bad(key, f"has {len(v):,} characters; at most {MAX_SENTENCE_CHARS} are shown")
            continue
        values[key] = v

    if "compare" in table:
        v = table["compare"]
        if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
            bad("compare", f"must be {ENTRY_KEYS['compare']}, got {_show(v)}")
        elif any(len(s) > MAX_SENTENCE_CHARS for s in v):
            bad("compare", f"a sentence has more than {MAX_SENTENCE_CHARS} characters")
        else:
            values["compare"] = tuple(v)
    if (ti := integer("target_index", minimum=0)) is not None:
        values["target_index"] = ti
    if (emb := string("embeddings")) is not None:
        if not emb.strip() or _has_control(emb):
            bad("embeddings", f"{emb!r} is not a file name")
        else:
            values["embeddings"] = base / Path(emb)
    if "scale" in table:
        values["scale"] = _scale(table["scale"], lambda m: bad("scale", m))
    if (order := string("order", options=ORDERS)) is not None:
        values["order"] = order
    if "keep_stopwords" in table:
        if isinstance(table["keep_stopwords"], bool):
            values["keep_stopwords"] = table["keep_stopwords"]
        else:
            bad("keep_stopwords", f"must be true or false, got {_show(table['keep_stopwords'])}")
    if (scene := string("scene", options=tuple(choices.scenes))) is not None:
        values["scene"] = scene
    if (mode := string("mode")) is not None:
        values["mode"] = mode
    if (layer := integer("layer", minimum=1)) is not None:
        values["layer"] = layer
    if "head" in table:
        if table["head"] == "mean":
            values["head"] = "mean"
        elif (head := integer("head", minimum=1)) is not None:
            values["head"] = head
    if "drop_specials" in table:
        if isinstance(table["drop_specials"], bool):
            values["drop_specials"] = table["drop_specials"]
        else:
            bad("drop_specials", f"must be true or false, got {_show(table['drop_specials'])}")
    if (senses := string("senses")) is not None:
        if not senses.strip() or _has_control(senses):
            bad("senses", f"{senses!r} is not a file name")
        else:
            values["senses"] = base / Path(senses)
    if "formats" in table:
        v = table["formats"]
        if not isinstance(v, list) or not v or not all(isinstance(f, str) for f in v):
            bad("formats", f"must be {ENTRY_KEYS['formats']}, got {_show(v)}")
        elif unknown := [f for f in v if f not in choices.formats]:
            bad(
                "formats",
                f"{_show(unknown[0])} is not one of {', '.join(choices.formats)}"
                f"{_closest(unknown[0], choices.formats)}",
            )
        else:
            values["formats"] = tuple(dict.fromkeys(v))
    if (quality := string("quality", options=tuple(choices.qualities))) is not None:
        values["quality"] = quality
    if (theme := string("theme", options=tuple(choices.themes))) is not None:
        values["theme"] = theme
    if (name := string("name")) is not None:
        if problem := name_problem(name):
            bad("name", problem)
        else:
            values["name"] = name

    if len(problems) > before:
        return None
    start = template or Entry(
        index=-1,
        sentence="",
        target="",
        scene=choices.default_scene,
        formats=choices.default_formats,
        quality=choices.default_quality,
        theme=choices.default_theme,
    )
    return replace(start, index=index, **values)


def _scale(v: Any, bad: Any) -> str | float:
    from attention_math.attention import parse_scale

    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        bad(f"must be {ENTRY_KEYS['scale']}, got {_show(v)}")
        return "auto"
    if isinstance(v, (int, float)):
        if not math.isfinite(v) or v <= 0:
            bad(f"must be a positive number, got {v}")
            return "auto"
        return float(v)
    try:
        return parse_scale(v)
    except InputError as exc:
        bad(_spec_words(str(exc)))
        return "auto"


def _show(v: Any) -> str:
    """A value as the user wrote it in TOML (short)."""
    if isinstance(v, str):
        s = '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(v, bool):
        s = "true" if v else "false"
    elif isinstance(v, dict):
        s = "a table"
    else:
        s = repr(v)
    return s if len(s) <= 60 else s[:57] + "..."


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a file name stem (None if it can). Names are further reduced to
    letters, digits and '-' by the scenes; this refuses what is surely a mistake or a trick."""
    if not name.strip():
        return "is empty; give a stem like bank-river"
    if name in (".", "..") or "/" in name or "\\" in name:
        return (
            f"{_show(name)} is not a plain file name; give a stem like bank-river "
            f"(the folder is `out`)"
        )
    if _has_control(name):
        return f"{_show(name)} has control characters; give a stem like bank-river"
    if len(name) > MAX_NAME_CHARS:
        return f"is {len(name)} characters; at most {MAX_NAME_CHARS}"
    return None


def _spec_words(message: str) -> str:
    """build_plan's messages speak of CLI options; in a spec they are keys."""
    for option, key in _OPTION_WORDS.items():
        message = message.replace(option, key)
    return message


# --------------------------------------------------------------------------------------------
# plans


def build_plans(spec: Spec) -> list[Plan]:
    """Every entry's plan, in order. Raises SpecError naming every entry that fails, with the
    problems `load_spec(..., collect=True)` found, in the order of the entries."""
    plans: list[Plan] = []
    problems = list(spec.problems)
    for entry in spec.entries:
        try:
            plans.append(build_entry(entry))
        except InputError as exc:
            problems.append(_blame(entry, exc))
    if problems:
        raise SpecError(spec.path.name, sorted(problems, key=_entry_order))
    return plans


def _entry_order(problem: str) -> tuple[int, int]:
    """File-level problems first, then by entry (a stable sort keeps each entry's order)."""
    m = re.match(r"renders\[(\d+)\]", problem)
    return (1, int(m[1])) if m else (0, 0)


def plan_arguments(entry: Entry) -> dict[str, Any]:
    """`plans.make_plan`'s keyword arguments for `entry`. The options other modes add (mode,
    layer, head, drop_specials, senses) are passed only when given, and refused by name when
    this version's make_plan has no such argument."""
    from attention_math.request import make_plan

    kwargs: dict[str, Any] = {
        "scene": entry.scene,
        "compare": list(entry.compare),
        "target_index": entry.target_index,
        "embeddings_file": entry.embeddings,
        "scale": entry.scale,
        "order": entry.order,
        "keep_stopwords": entry.keep_stopwords,
    }
    accepted = inspect.signature(make_plan).parameters
    optional = {
        "mode": "mode",
        "layer": "layer",
        "head": "head",
        "drop_specials": "drop_specials",
        "senses": "senses_file",
    }
    for key, argument in optional.items():
        value = getattr(entry, key)
        if value is None:
            continue
        if argument in accepted:
            kwargs[argument] = value
        elif not (key == "mode" and value == "simple"):
            raise _FieldError(key, f"this version of attention-drift has no {key} option")
    return {k: v for k, v in kwargs.items() if k in accepted}


def build_entry(entry: Entry) -> Plan:
    """The plan of one entry (InputError as make_plan raises it)."""
    from attention_math.request import make_plan

    return make_plan(entry.sentence, entry.target, **plan_arguments(entry))


class _FieldError(InputError):
    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(message)


def _blame(entry: Entry, exc: InputError) -> str:
    """`renders[i].field: message` for a failed build: the field found by building the parts
    (embeddings alone, the main sentence alone, then each compared sentence alone)."""
    from attention_math import embeddings, tokens
    from attention_math.request import make_plan

    message = _spec_words(" ".join(str(exc).split()))
    if isinstance(exc, _FieldError):
        return f"{entry.where}.{exc.key}: {message}"
    if entry.sentence is None:
        return f"{entry.where}: {message}"
    key = ""
    if entry.embeddings is not None:
        try:
            embeddings.load(entry.embeddings)
        except InputError:
            key = "embeddings"
    if not key:
        kwargs = plan_arguments(entry)
        try:
            make_plan(entry.sentence, entry.target, **{**kwargs, "compare": []})
        except InputError:
            toks = tokens.tokenize(entry.sentence)
            n_words = sum(t.is_word for t in toks)
            key = "sentence"
            if 0 < n_words <= _max_words():
                try:
                    tokens.find_target(toks, entry.target, entry.target_index)
                except InputError:
                    key = "target_index" if entry.target_index is not None else "target"
            if key == "sentence" and any(o in message for o in ("layer", "head", "mode")):
                key = ""  # a model option, not the sentence: name the entry
        else:
            for j, other in enumerate(entry.compare):
                try:
                    make_plan(
                        other, entry.target, **{**kwargs, "compare": [], "target_index": None}
                    )
                except InputError:
                    key = f"compare[{j}]"
                    break
    return f"{entry.where}.{key}: {message}" if key else f"{entry.where}: {message}"


def _sentence_free_scenes() -> frozenset[str]:
    """Scenes drawn without a sentence (SenseSplitScene reads its senses file)."""
    try:
        from attention_math.request import SENSE_SCENES
    except ImportError:
        return frozenset()
    return frozenset(SENSE_SCENES)


def _max_words() -> int:
    from attention_math.build import MAX_WORDS

    return MAX_WORDS
