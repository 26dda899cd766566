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
imported or expanded (no environment variables, no `~`). Every file or folder it names (out,
embeddings, senses, model_dir) must lead, symlinks followed, inside the spec's folder
(`outside`): it is refused before anything is read. Unknown keys are errors. Every
problem names the entry and the field, ``renders[3].target: ...``, where entries count from
0 in the order of the ``[[renders]]`` tables (like ``--target-index``, and like the array
index a TOML reader gives). `load_spec` checks the file's shape and types; `build_plans`
computes every entry's plan (so a target missing from its sentence is found before anything
is rendered) and reports all the bad entries at once. A `Planner` reads each embeddings file
once for all the entries (only the words they use), and `each_plan` builds one plan at a time.

The keys of an entry are the options of the command line (`scenes.app.options`: the plan's
`PlanRequest` fields and the media's `RenderOptions`), checked against the same constraint
tables, so a spec can say everything the command line can. No manim here.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from attention_math.errors import BadValue, InputError, Spelling, spell
from attention_math.request import (
    PlanRequest,
    check_value,
    closest,
    has_control,
    missing_values,
    show,
)
from attention_math.tokens import escape
from scenes import SCENES
from scenes.app.options import (
    PLAN_KEYS,
    RENDER_KEYS,
    RenderOptions,
    constraint_of,
    plan_request,
    with_preset,
)

if TYPE_CHECKING:
    from attention_math.embeddings import Embeddings
    from attention_math.plan import Plan

MAX_SPEC_BYTES = 4_000_000  # a course of a hundred renders is a few KB; refuse a huge file
# scene_file loads code: the command line only (a spec is data)
CODE_KEYS = ("scene_file",)
ENTRY_KEYS = tuple(k for k in (*PLAN_KEYS, *RENDER_KEYS) if k not in CODE_KEYS)
# Keys that describe one render: not allowed in [defaults].
OWN_KEYS = ("sentence", "target", "compare", "target_index", "name")
TOP_KEYS = ("out", "defaults", "renders")


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

    def spelled(self, spelling: Spelling) -> str:
        """The message as it is: its problems name options as a spec does already."""
        return self.template


@dataclass(frozen=True)
class Entry:
    """One validated render of a spec. `index` counts the [[renders]] tables from 0; request:
    what to compute (file names resolved against the spec's folder); options: how to draw it
    (options.name None: the store derives the stem from the plan)."""

    index: int
    request: PlanRequest
    options: RenderOptions

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


def load_spec(path: str | Path, *, collect: bool = False) -> Spec:
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
        collect=collect,
    )


def parse_spec(
    raw: bytes | str,
    *,
    base: Path,
    source: str = "spec",
    path: Path | None = None,
    collect: bool = False,
) -> Spec:
    """Validate spec text (bytes must be UTF-8). Relative paths are resolved against `base`.
    collect: see `load_spec`."""
    data = _toml(raw, source)
    problems: list[str] = []
    for key in data:
        if key not in TOP_KEYS:
            problems.append(
                f"{key}: unknown key{closest(key, TOP_KEYS)} (a spec has {', '.join(TOP_KEYS)})"
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

    _check_table("defaults", defaults, problems, is_default=True)
    file_problems = bool(problems)  # then the entries cannot be trusted: plan none of them
    entries = []
    for i, table in enumerate(renders):
        entry = _entry(i, table, defaults, base, problems)
        if entry is not None:
            entries.append(entry)
    if problems and (not collect or file_problems):
        raise SpecError(source, problems)
    return Spec(
        path=path or base / source, out=out, entries=tuple(entries), problems=tuple(problems)
    )


def _toml(raw: bytes | str, source: str) -> dict[str, Any]:
    """The TOML document in `raw`, or a SpecError naming the line."""
    text = raw
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            byte = raw[exc.start]
            problem = f"line {line}: not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8"
            raise SpecError(source, [problem]) from exc
    assert isinstance(text, str)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(source, [f"not valid TOML: {exc}"]) from exc


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
        or has_control(value)
        or ":" in value
        or "\\" in value
    ):
        problems.append(
            f"out: {value!r} must be a folder inside the spec's folder (no '..', no absolute "
            f"path); to write elsewhere, give --out on the command line"
        )
        return None
    folder = base / Path(*p.parts)
    if (problem := outside(folder, base)) is not None:
        problems.append(f"out: {show(value)} {problem}; to write elsewhere, give --out on the "
                        f"command line")  # fmt: skip
        return None
    return folder


def outside(path: Path, base: Path) -> str | None:
    """Why `path` is not inside the folder `base` once every symlink is followed (None if it
    is). A spec may name only what is in its own folder: a spec from someone else must not
    read /etc/passwd or write through a planted `media -> /elsewhere`. A folder (a model
    checkpoint) is inside when everything in it is too."""
    real_base = base.resolve()
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return "cannot be resolved (a symlink loop?)"
    if not real.is_relative_to(real_base):
        how = "through a symlink " if real != Path(os.path.abspath(path)) else ""
        return f"leads {how}outside the spec's folder ({escape(str(real_base))})"
    if real.is_dir():
        try:
            children = list(real.iterdir())
        except OSError:
            return None
        for child in children:
            if not child.resolve().is_relative_to(real_base):
                return (
                    f"holds {escape(child.name)}, which leads outside the spec's folder "
                    f"({escape(str(real_base))})"
                )
    return None


def _confine(where: str, request: PlanRequest, table: dict[str, Any], base: Path,
             problems: list[str]) -> bool:  # fmt: skip
    """Every file or folder the entry names must be inside the spec's folder (`outside`),
    and be there, of its kind (`missing`); a problem for each one that is not. True when all
    are. Checked for every entry before any plan is built: a spec of thousands of entries
    says at once that its last one names a file that is not there."""
    ok = True
    for f in dataclasses.fields(request):
        value = getattr(request, f.name)
        if not isinstance(value, Path):
            continue
        shown = show(str(table.get(f.name, value)))
        if (problem := outside(value, base)) is not None:
            problems.append(
                f"{where}.{f.name}: {shown} {problem}; a spec reads only files in its own "
                f"folder: copy the file there"
            )
        elif (problem := missing(value, folder=f.name in FOLDER_KEYS)) is not None:
            problems.append(f"{where}.{f.name}: {shown} {problem}")
        ok = ok and problem is None
    return ok


FOLDER_KEYS = ("model_dir",)  # the file names of an entry that name a folder


def missing(path: Path, *, folder: bool) -> str | None:
    """Why `path` cannot be read as the file (or folder) it should be, or None."""
    try:
        st = path.stat()
    except OSError:
        return "does not exist in the spec's folder; check the name"
    if folder and not stat.S_ISDIR(st.st_mode):
        return "is not a folder; give the folder that holds the checkpoint's files"
    if not folder and not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        return f"is {kind}; give the file's name"
    return None


def _check_table(
    where: str,
    table: dict[str, Any],
    problems: list[str],
    *,
    is_default: bool,
    own: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Each key of `table` checked against its constraint (options.constraint_of); a problem
    per unknown key and per bad value, a bad value inherited from [defaults] reported there,
    once. Returns the checked values, or None if any was bad."""
    before = len(problems)
    allowed = [k for k in ENTRY_KEYS if not (is_default and k in OWN_KEYS)]
    for key in own if own is not None else table:
        if key in CODE_KEYS:
            problems.append(
                f"{where}.{key}: a spec file cannot load code; render your scene from the "
                f"command line (render --scene-file FILE --scene CLASS)"
            )
        elif is_default and key in OWN_KEYS:
            problems.append(f"{where}.{key}: belongs in each [[renders]] table, not in [defaults]")
        elif key not in allowed:
            problems.append(f"{where}.{key}: unknown key{closest(key, allowed)}")
    values: dict[str, Any] = {}
    for key in ENTRY_KEYS:
        if key not in table or key not in allowed:
            continue
        try:
            values[key] = check_value(key, table[key], _table_of(key))
        except InputError as exc:
            line = f"{key}: {_reason(exc)}"
            if is_default or own is None or key in own:
                problems.append(f"{where}.{line}")
            elif f"defaults.{line}" not in problems:
                problems.append(f"defaults.{line}")
    return values if len(problems) == before else None


def _table_of(key: str) -> dict[str, tuple[tuple[Any, ...], str]]:
    return {key: constraint_of(key)}


def _reason(exc: InputError) -> str:
    """An error's message as a spec says it: no field name in front (the line has it), its
    options named by their keys (`_as_key`)."""
    text = exc.reason if isinstance(exc, BadValue) else exc.template
    return spell(" ".join(text.split()), _as_key)


def _as_key(field: str, metavar: str) -> str | None:
    """How a spec names option `field` in a message (attention_math.errors): its key."""
    return field if field in ENTRY_KEYS else None


def _entry(
    index: int, table: dict[str, Any], defaults: dict[str, Any], base: Path, problems: list[str]
) -> Entry | None:
    """One [[renders]] table (over [defaults]) as an Entry, or None with its problems added."""
    where = f"renders[{index}]"
    merged = {**defaults, **table}
    scene = merged.get("scene")
    needs = SCENES[scene].needs if scene in SCENES else ()
    # the request's own rule (attention_math.request.check_target), asked of the table as
    # written so that every problem of the entry is listed at once, this one first
    missing = missing_values(merged, needs)
    for key in missing:
        problems.append(f"{where}.{key}: missing ({key} = {constraint_of(key)[1]})")
    values = _check_table(where, merged, problems, is_default=False, own=table)
    if values is None or missing:
        return None
    options = {k: v for k, v in values.items() if k in RENDER_KEYS}
    options = with_preset(options, set(options))  # a preset fills in the keys not given
    if options.get("theme_file") is not None:  # relative to the spec, inside its folder
        options["theme_file"] = theme = base / options["theme_file"]
        shown = show(str(merged["theme_file"]))
        if (problem := _unreadable(theme, base)) is not None:
            problems.append(f"{where}.theme_file: {shown} {problem}")
            return None
    try:
        request = plan_request(values, options.get("scene", RenderOptions.scene), base=base)
        entry = Entry(index, request, RenderOptions(**options))
    except InputError as exc:
        problems.append(problem_line(where, exc))
        return None
    return entry if _confine(where, request, merged, base, problems) else None


def _unreadable(path: Path, base: Path) -> str | None:
    """Why a file an entry names cannot be read from a spec in `base` (or None)."""
    return outside(path, base) or missing(path, folder=False)


def problem_line(where: str, exc: InputError) -> str:
    """`renders[i].field: message` (or `renders[i]: message` when no field is known)."""
    return f"{where}.{exc.field}: {_reason(exc)}" if exc.field else f"{where}: {_reason(exc)}"


# --------------------------------------------------------------------------------------------
# plans


class Planner:
    """Builds spec entries' plans, reading each embeddings file once for all of them: the
    first plan that needs a file loads it with the words of every entry that reads it (all
    its words when an analogy searches it), later plans reuse the loaded table. A file that
    cannot be loaded fails every entry that reads it, with the same message."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        from attention_math.request import uses_embeddings

        self._words: dict[Path, set[str] | None] = {}  # None: every word of the file
        for e in entries:
            use, path = uses_embeddings(e.request), e.request.embeddings
            if use is None or path is None:
                continue
            from attention_math.embeddings import sentence_words  # numpy: only when needed

            words = sentence_words([e.request.sentence or "", *e.request.compare])
            if use == "all":
                self._words[path] = None
            elif path not in self._words:
                self._words[path] = set(words)
            elif (known := self._words[path]) is not None:
                known.update(words)
        self._loaded: dict[Path, Embeddings | InputError] = {}

    def embeddings(self, path: Path | None) -> Embeddings | None:
        """The loaded table of `path` (None: the plan loads its own vectors)."""
        from attention_math.embeddings import load
        from attention_math.errors import about

        if path is None or path not in self._words:
            return None
        if path not in self._loaded:
            try:
                with about("embeddings"):
                    self._loaded[path] = load(path, words=self._words[path])
            except InputError as exc:
                self._loaded[path] = exc
        loaded = self._loaded[path]
        if isinstance(loaded, InputError):
            raise InputError(loaded.template, field=loaded.field)
        return loaded

    def plan(self, entry: Entry) -> Plan:
        """The entry's plan (an InputError when it cannot be built)."""
        from attention_math.request import make_plan

        return make_plan(entry.request, self.embeddings(entry.request.embeddings))


def each_plan(
    spec: Spec, planner: Planner | None = None
) -> Iterator[tuple[Entry, Plan | None, str | None]]:
    """(entry, plan, None) or (entry, None, problem) for every entry, in order, one plan at a
    time (a spec of thousands is never held in memory at once)."""
    planner = planner or Planner(spec.entries)
    for entry in spec.entries:
        try:
            yield entry, planner.plan(entry), None
        except InputError as exc:
            yield entry, None, problem_line(entry.where, exc)


def build_plans(spec: Spec) -> list[Plan]:
    """Every entry's plan, in order. Raises SpecError naming every entry that fails, with the
    problems `load_spec(..., collect=True)` found, in the order of the entries."""
    plans: list[Plan] = []
    problems = list(spec.problems)
    for _entry, plan, problem in each_plan(spec):
        if problem is not None:
            problems.append(problem)
        elif plan is not None:
            plans.append(plan)
    if problems:
        raise SpecError(spec.path.name, sorted(problems, key=_entry_order))
    return plans


def _entry_order(problem: str) -> tuple[int, int]:
    """File-level problems first, then by entry (a stable sort keeps each entry's order)."""
    m = re.match(r"renders\[(\d+)\]", problem)
    return (1, int(m[1])) if m else (0, 0)
