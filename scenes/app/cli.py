"""The ``attention-drift`` command: a sentence in, a plan (JSON) or rendered media out.

    attention-drift plan "He sat on the river bank." --target bank
    attention-drift render "He sat on the river bank." --target bank \\
        --compare "He deposited cash at the bank." --format gif --format mp4

The options are derived from `PlanRequest` and `RenderOptions` (`scenes.app.options`), the
same fields a spec file's keys come from. Start-up stays fast: at import time only click, the
scene registry and the option tables load; numpy and scikit-learn load inside the commands
that build a plan, manim only inside ``render``, so ``--help`` starts in tens of milliseconds
and ``plan`` never imports manim.

Results (the plan JSON, written paths) go to stdout; status and progress go to stderr.
User errors are one line ``Error: ...`` and exit 1; unknown option values exit 2 (click).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from attention_math import __version__
from attention_math.errors import BadValue, InputError, OptionError
from attention_math.request import (
    Boolean,
    Integer,
    MissingValue,
    Options,
    PlanRequest,
    Texts,
    parse_head,
)
from scenes.app.options import (
    METAVAR,
    PLAN_KEYS,
    RENDER_KEYS,
    SHORT,
    Formats,
    RenderOptions,
    constraint_of,
    flag,
    help_of,
    needs_of,
    plan_request,
    scenes_needing,
    with_preset,
)
from scenes.app.progress import shown

if TYPE_CHECKING:
    from attention_math.plan import Plan

F = TypeVar("F", bound=Callable[..., Any])
DEFAULTS = {
    f.name: f.default
    for cls in (PlanRequest, RenderOptions)
    for f in dataclasses.fields(cls)
    if f.default is not dataclasses.MISSING
}
SHOWN = ("scale", "order", "mode", "scene", "quality", "theme")  # defaults worth showing


# --------------------------------------------------------------------------------------------
# errors


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Turn user errors into click's one-line ``Error: ...`` with exit status 1."""
    try:
        yield
    except InputError as exc:
        raise click.ClickException(_one_line(exc)) from exc


def _one_line(exc: InputError) -> str:
    """An error as one line for the terminal, its options named as typed (`_as_flag`)."""
    return _terminal_line(exc.spelled(_as_flag))


def _terminal_line(text: str) -> str:
    """`text` as one line with every control character escaped (never printed raw)."""
    from attention_math.tokens import escape

    return escape(" ".join(text.split()))


# how a message names a parameter: the flag, or what the argument is
_SAID = {"sentence": "the sentence", "target": "the target"}


def _as_flag(field: str, metavar: str) -> str | None:
    """How the command line names option `field` in a message (attention_math.errors): its
    flag, with the METAVAR of "{field:METAVAR}" after it (`--embeddings FILE`); the sentence
    is an argument, not a flag ("the sentence")."""
    if field == "sentence":
        return _SAID[field]
    if field not in (*PLAN_KEYS, *RENDER_KEYS):
        return None
    return f"{flag(field)} {metavar}" if metavar else flag(field)


def _refuse_undecodable(ctx: click.Context) -> None:
    """Refuse, in one line, any argument that holds bytes that are not UTF-8 (Python keeps
    them as lone surrogates): they would reach the plan's JSON, the screen or a file name.
    Exit status 1, before any work."""
    from attention_math.tokens import excerpt_at

    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        values = value if isinstance(value, tuple | list) else (value,)
        for i, item in enumerate(values):
            text = str(item) if isinstance(item, str | Path) else ""
            bad = next((j for j, ch in enumerate(text) if 0xD800 <= ord(ch) <= 0xDFFF), None)
            if bad is None:
                continue
            if isinstance(param, click.Argument):
                what = _SAID.get(param.name or "", param.human_readable_name)
            else:
                what = max(param.opts, key=len)
                what = _SAID.get(param.name or "", what)
                if param.name == "compare":
                    what = f"compare sentence {i + 1}"
            code = ord(text[bad])
            byte = f"0x{code - 0xDC00:02X}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
            raise click.ClickException(
                f"{what} has a byte that is not UTF-8 ({byte}) at character {bad + 1} "
                f"({excerpt_at(text, bad)}); give it as UTF-8 (for a file, rename it)"
            )


# --------------------------------------------------------------------------------------------
# options, derived from the dataclasses' fields


def option(key: str) -> Callable[[F], F]:
    """The click option (or argument) of a PlanRequest / RenderOptions field, from its
    constraint: flags for booleans, choices for options, repeatable for lists."""
    if key == "sentence":
        return click.argument("sentence", required=False)
    accepted = [c for c in constraint_of(key)[0] if c is not None]
    names = [flag(key), *([SHORT[key]] if key in SHORT else []), key]
    kw: dict[str, Any] = {"help": help_of(key), "metavar": METAVAR.get(key)}
    first = accepted[0]
    if isinstance(first, Boolean):
        if DEFAULTS.get(key) is True:  # on by default: --no-KEY turns it off
            pair = f"{flag(key)}/--no-{flag(key)[2:]}"
            return click.option(pair, key, default=True, help=kw["help"])
        return click.option(*names, is_flag=True, help=kw["help"])
    if isinstance(first, Formats):  # repeatable, or a comma list: --format gif,mp4
        return click.option(*names, multiple=True, type=FormatList(first.choices),
                            callback=_flat, **kw)  # fmt: skip
    if isinstance(first, Texts):
        return click.option(*names, multiple=True, **kw)
    if key == "scene_file":  # first: --scene then may name a class in it
        kw["is_eager"] = True
    if len(accepted) == 1 and isinstance(first, Options):
        kw.pop("metavar")
        kw["type"] = SceneChoice(first.options) if key == "scene" else click.Choice(first.options)
    elif len(accepted) == 1 and isinstance(first, Integer):
        kw["type"] = click.IntRange(min=first.minimum)
    default = DEFAULTS.get(key)
    return click.option(*names, default=default, show_default=key in SHOWN, **kw)


class FormatList(click.Choice):
    """A repeatable list of formats that also takes them comma-separated (`--format gif,png`):
    each one checked as click.Choice checks it, with its message."""

    def convert(self, value: Any, param: Any, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        parts = [p.strip() for p in str(value).split(",")]
        return tuple(super(FormatList, self).convert(p, param, ctx) for p in parts if p)


def _flat(ctx: click.Context, param: click.Parameter, value: Any) -> tuple[str, ...]:
    """The formats of every --format, in order, once each."""
    return tuple(dict.fromkeys(f for group in value for f in group))


class SceneChoice(click.Choice):
    """--scene: a registered name, or a user's class (`--scene FILE.py:Class`, or a class
    name after --scene-file)."""

    def convert(self, value: Any, param: Any, ctx: click.Context | None) -> Any:
        user = ctx is not None and ctx.params.get("scene_file") is not None
        if isinstance(value, str) and (":" in value or (user and value.isidentifier())):
            return value
        return super().convert(value, param, ctx)


def options(*keys: str) -> Callable[[F], F]:
    def decorate(f: F) -> F:
        for key in reversed(keys):
            f = option(key)(f)
        return f

    return decorate


def _request(params: dict[str, Any], scene: str) -> PlanRequest:
    """The plan request from the command's parameters, checked as every request is
    (attention_math.request.check_target: a missing --target is click's usage error, exit 2,
    unless the scene draws without one). scene: a name or "FILE.py:Class"."""
    with _user_errors():  # a user's scene file is loaded here (its NEEDS)
        needs = needs_of(scene)
    for part in ("analogy", "senses"):  # a file or words only one kind of scene reads
        if params.get(part) is not None and part not in needs:
            drawn_by = " or ".join(f"--scene {s}" for s in scenes_needing(part))
            raise click.UsageError(f"--{part} goes with {drawn_by}")
    with _user_errors():
        values = {k: params[k] for k in PLAN_KEYS if k in params}
        values["head"] = parse_head(values.get("head"))
        try:
            return plan_request(values, scene)
        except MissingValue as exc:
            if "target" not in exc.fields:
                raise
            ctx = click.get_current_context()
            param = next(p for p in ctx.command.params if p.name == "target")
            raise click.MissingParameter(ctx=ctx, param=param) from None


def _render_options(params: dict[str, Any]) -> RenderOptions:
    """RenderOptions from the parameters (a --preset's settings for the options not given):
    a bad value exits 1, a bad combination is a usage error (exit 2)."""
    try:
        values = {k: params[k] for k in RENDER_KEYS}
        given = _given_options(click.get_current_context())
        return RenderOptions(**with_preset(values, given))
    except BadValue as exc:  # it may quote what was typed (--name): escaped, as every message
        raise click.ClickException(_terminal_line(exc.spelled(_as_flag))) from exc
    except OptionError as exc:
        raise click.UsageError(_terminal_line(exc.spelled(_as_flag))) from exc
    except InputError as exc:  # a theme file that cannot be used
        raise click.ClickException(_one_line(exc)) from exc


def _make_plan(request: PlanRequest) -> Plan:
    from attention_math.request import make_plan

    with _user_errors():
        return make_plan(request)


def _check_out_dir(out_dir: Path) -> None:
    """Refuse an --out that cannot be (or become) a folder, before any work is done."""
    if out_dir.exists() and not out_dir.is_dir():
        raise click.ClickException(
            f"--out {str(out_dir)!r} is a file, not a folder; choose another --out"
        )
    existing = _existing(out_dir)
    if not existing.is_dir():
        raise click.ClickException(
            f"--out {str(out_dir)!r} cannot be made: {str(existing)!r} is a file; "
            f"choose another --out"
        )


def _existing(out_dir: Path) -> Path:
    """`out_dir`, or the nearest of its parents that exists."""
    return next(p for p in (out_dir, *out_dir.parents) if p.exists() or p == Path(p.anchor))


# --------------------------------------------------------------------------------------------
# commands


class _Commands(click.Group):
    """The command group; Ctrl-C ends a command with exit status 130 (128 + SIGINT), as a
    shell expects of an interrupted program, where click would exit with 1 ("Aborted!")."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\nattention-drift: interrupted; files not finished were not written",
                       err=True)  # fmt: skip
            ctx.exit(128 + 2)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="attention-drift")
def main() -> None:
    """Animate self-attention computed from real embeddings: how a word's vector drifts
    as its context words join in.

    \b
      attention-drift plan "He sat on the river bank." --target bank
      attention-drift render "He sat on the river bank." --target bank \\
          --compare "He deposited cash at the bank."
    """


@main.command("plan")
@options(*PLAN_KEYS, "scene")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    default=None,
    metavar="FILE",
    help="Write the plan JSON to FILE (atomically) instead of stdout.",
)
def plan_command(output: Path | None, scene: str, **params: Any) -> None:
    """Compute the plan for SENTENCE and print it as JSON.

    The plan holds every number the animation shows: the words, their static vectors,
    each drift step's scores, weights and output, and the shared 2-D (PCA) basis; with
    --scene, also the parts that scene draws (the plan `render` writes as STEM.plan.json).
    """
    _refuse_undecodable(click.get_current_context())
    text = _make_plan(_request(params, scene)).to_json()
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
        return
    from scenes.app.files.commit import write_atomic

    with _user_errors():
        write_atomic(output, text)


@main.command("render")
@options(*PLAN_KEYS, *RENDER_KEYS)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    metavar="DIR",
    help="Folder for the media (made if missing).",
)
@click.option("--quiet", "-q", is_flag=True, help="No status or progress on stderr.")
@click.option(
    "--spec",
    "spec_file",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Render every entry of a TOML spec file (README: Batch renders) instead of SENTENCE. "
    "--format, --quality, --theme and --out given here apply to every entry.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="With --spec: renders at a time, each in its own process (default: the number of "
    "cores). Else: the one render's animations drawn in up to N processes at once (1080p and 4K "
    "videos; default: chunks only when 3 cores are free; README: One render on every core).",
)
@click.option(  # cluster: the entries as Ray tasks (scenes.app.cluster)
    "--cluster",
    default=None,
    metavar="ADDRESS",
    help="With --spec: render the entries on a Ray cluster (README: Renders on a cluster): "
    "its address (ray start --head prints it), or 'local' to start one on this machine. "
    "Needs pip install 'attention-drift[cluster]'.",
)
@click.option(
    "--watch",
    is_flag=True,
    help="With --spec: stay running, and when the spec (or a file it reads) changes, render "
    "the changed entries again, a still of each first (OUT/preview/STEM.png). Ctrl-C ends.",
)
def render_command(
    out_dir: Path,
    quiet: bool,
    spec_file: Path | None,
    jobs: int | None,
    watch: bool,
    cluster: str | None,
    **params: Any,
) -> None:
    """Render the drift of the target in SENTENCE to video / image files.

    Prints each written file on stdout (the media and STEM.plan.json, the plan they show).
    A render whose plan, scene, options and code are unchanged is not redone (--force).
    """
    from scenes.app.files.names import absolute

    _refuse_undecodable(click.get_current_context())
    out_dir = absolute(out_dir)  # once, here: every path below is absolute
    if watch and spec_file is None:
        raise click.UsageError("--watch goes with --spec FILE (it renders a spec's entries again)")
    if cluster is not None and (spec_file is None or watch or jobs is not None):
        raise click.UsageError("--cluster goes with --spec FILE (not --watch or --jobs)")
    if spec_file is not None:
        _render_spec(spec_file, out_dir, jobs, params["force"], quiet, watch=watch,
                     cluster=cluster)  # fmt: skip
        return
    from scenes.app.media.chunks import set_limit  # chunks: one render on up to N processes

    set_limit(jobs)
    _render_one(out_dir, quiet, params)


def _render_one(out_dir: Path, quiet: bool, params: dict[str, Any]) -> None:
    """render SENTENCE: the written files on stdout (the recorded ones when the same request
    was rendered before), status lines on stderr unless quiet."""

    def status(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    _check_out_dir(out_dir)
    opts = _render_options(params)
    request = _request(params, opts.scene_ref)
    # Nothing to do costs nothing: the record of an earlier render of this very request
    # is found before numpy, scikit-learn or manim are imported.
    inputs = _request_inputs(request, opts)
    if not opts.force and (hit := _recorded(out_dir, inputs, opts)) is not None:
        status(
            f"attention-drift: up to date in {shown(out_dir)} "
            "(the same request; --force renders again)"
        )
        for path in hit.files:
            click.echo(shown(path))
        return
    if opts.force or not _holds_records(out_dir):  # else the plan's key may find it there
        from scenes.app.files.commit import check_writable

        with _user_errors():  # before the plan, not after
            check_writable(_existing(out_dir), "choose another --out")
    status("attention-drift: computing the plan")
    plan = _plan_while_manim_loads(request, opts.scene_ref)
    status(
        f"attention-drift: rendering {', '.join(opts.formats)} ({opts.quality}, "
        f"{opts.palette}) into {shown(out_dir)}"
    )
    for path in _render_media(plan, out_dir, opts, inputs, quiet):
        click.echo(shown(path))


def _render_media(
    plan: Plan, out_dir: Path, opts: RenderOptions, inputs: str, quiet: bool
) -> list[Path]:
    """Render `plan` into `out_dir` (manim loads now); the written files. A user error is
    one line; a kill leaves the old files in place."""
    from scenes.app.progress import for_stderr

    progress = for_stderr(quiet)  # a bar per pass on a terminal, else a line per file
    # stdout carries only the written paths: Manim's logger (and anything else that prints
    # while rendering) goes to stderr instead, or nowhere with --quiet.
    with contextlib.ExitStack() as stack:
        stack.callback(getattr(progress, "close", lambda: None))
        stack.enter_context(_user_errors())
        sink = stack.enter_context(open(os.devnull, "w")) if quiet else sys.stderr
        stack.enter_context(contextlib.redirect_stdout(sink))
        from scenes import app  # manim loads when the render starts, and only then
        from scenes.app.signals import signals_as_exceptions

        stack.enter_context(signals_as_exceptions())  # kill: staging removed, old files kept
        result = app.render(plan, options=opts, out_dir=out_dir, progress=progress, inputs=inputs)
    return result.files


def _plan_while_manim_loads(request: PlanRequest, scene: str) -> Plan:
    """The plan, built in a forked child while this process imports manim and the scene (a
    second each, on two cores at once: a cold still takes a second less). In-process where
    fork is missing or stderr is not a real file (the tests' CliRunner)."""
    try:
        forkable = hasattr(os, "fork") and sys.stderr.fileno() >= 0
    except (OSError, ValueError, AttributeError):
        forkable = False
    if not forkable:
        return _make_plan(request)
    import pickle

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send (kind, value) back, leave without clean-up
        try:
            os.close(read_end)
            try:
                from attention_math.request import make_plan

                payload: tuple[str, Any] = ("plan", make_plan(request))
            except InputError as exc:
                payload = ("user", _one_line(exc))
            except BaseException:
                import traceback

                payload = ("bug", traceback.format_exc())
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(payload, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        from scenes.app.media.passes import scene_class

        scene_class(scene)  # imports manim and the scene's module meanwhile
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
    except BaseException:
        with contextlib.suppress(OSError):
            os.kill(pid, 9)
        raise
    finally:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    if not data:
        raise RuntimeError("the process that computed the plan died without an answer")
    kind, value = pickle.loads(data)
    if kind == "user":
        raise click.ClickException(value)
    if kind == "bug":
        raise RuntimeError(f"computing the plan failed:\n{value}")
    return value


def _request_inputs(request: PlanRequest, opts: RenderOptions) -> str:
    """A hash of everything the render's files depend on, known without building the plan
    (`cache.inputs.entry_inputs`): the request, the media options, the files they read, the code."""
    from scenes.app.cache.inputs import entry_inputs

    media = {k: v for k, v in dataclasses.asdict(opts).items() if k not in ("force", "verify")}
    values = {"via": "render", **dataclasses.asdict(request), **media}
    values["needs"] = sorted(request.needs)
    files = [request.embeddings, request.senses, opts.theme_file, opts.scene_file]
    if request.model_dir is not None and Path(request.model_dir).is_dir():
        files += sorted(p for p in Path(request.model_dir).iterdir() if p.is_file())
    return entry_inputs(values, [Path(f) if f else None for f in files], opts.scene)


def _recorded(out_dir: Path, inputs: str, opts: RenderOptions) -> Any:
    """The files of a render recorded in `out_dir` for these inputs, all in place; or None."""
    from scenes.app.cache.inputs import records_by_inputs
    from scenes.app.cache.key import cached_files

    if not out_dir.is_dir():
        return None
    found = records_by_inputs(out_dir).get(inputs)
    if found is None:
        return None
    stem, key = found
    return cached_files(out_dir, stem, key, verify=opts.verify)


def _holds_records(out_dir: Path) -> bool:
    """Whether `out_dir` holds a render's record (STEM.cache.json) at all."""
    from scenes.app.files.commit import CACHE_SUFFIX

    try:
        return any(out_dir.glob(f"*{CACHE_SUFFIX}"))
    except OSError:
        return False


def _given_options(ctx: click.Context) -> set[str]:
    from click.core import ParameterSource

    sources = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    return {
        p.name
        for p in ctx.command.params
        if p.name is not None and ctx.get_parameter_source(p.name) in sources
    }


def _render_spec(spec_file: Path, out: Path, jobs: int | None, force: bool, quiet: bool,
                 watch: bool = False, cluster: str | None = None) -> None:  # fmt: skip
    """render --spec: validate every entry (and build its plan) first, then render them in
    worker processes with one progress display and a summary table (scenes.app.batch)."""
    import time

    from rich.console import Console

    ctx = click.get_current_context()
    given = _given_options(ctx)
    with_spec = {
        "spec_file", "jobs", "watch", "force", "verify", "quiet", "formats", "quality", "theme",
        "out_dir", "cluster",
    }  # fmt: skip
    for p in ctx.command.params:
        if p.name in given and p.name not in with_spec:
            name = max(p.opts, key=len) if isinstance(p, click.Option) else p.human_readable_name
            raise click.UsageError(
                f"{name} does not go with --spec: put it in the spec file ([defaults] or a "
                f"[[renders]] table)"
            )
    overrides: dict[str, Any] = {
        k: ctx.params[k] for k in ("formats", "quality", "theme", "verify") if k in given
    }
    out_dir = out if "out_dir" in given else None
    if out_dir is not None:
        _check_out_dir(out_dir)
    console = Console(stderr=True, quiet=quiet)
    if watch:
        _watch_spec(spec_file, out_dir, overrides, console, quiet)
        return
    start = time.perf_counter()
    outcomes = _run_spec(spec_file, out_dir, overrides, jobs, force, console, quiet, cluster)
    from scenes.app.batch import summary_table

    console.print(summary_table(outcomes, time.perf_counter() - start))
    for outcome in outcomes:
        for path in outcome.files:
            click.echo(shown(path))
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        if quiet:
            for o in failed:
                click.echo(_terminal_line(f"{o.job.label} {o.job.stem}: {o.reason}"), err=True)
        raise click.ClickException(f"{len(failed)} of {len(outcomes)} renders failed")


def _watch_spec(spec_file: Path, out_dir: Path | None, overrides: dict[str, Any],
                console: Any, quiet: bool) -> None:  # fmt: skip
    """render --spec --watch: one warm process renders the changed entries, stills first
    (scenes.app.watch); a line per event on stderr, Ctrl-C ends it."""
    from scenes.app import watch
    from scenes.app.progress import Bars, Progress
    from scenes.app.signals import signals_as_exceptions

    progress = Bars(console) if console.is_terminal and not quiet else Progress()

    def say(message: str) -> None:
        console.print(message, markup=False, highlight=False)

    with contextlib.ExitStack() as stack:
        stack.callback(getattr(progress, "close", lambda: None))
        stack.enter_context(contextlib.redirect_stdout(sys.stderr))
        stack.enter_context(signals_as_exceptions())
        watch.watch(spec_file, out_dir=out_dir, overrides=overrides, progress=progress,
                    say=say, restart=watch.restart_process)  # fmt: skip


def _run_spec(spec_file: Path, out_dir: Path | None, overrides: dict[str, Any], jobs: int | None,
              force: bool, console: Any, quiet: bool,
              cluster: str | None = None) -> list[Any]:  # fmt: skip
    """scenes.app.batch.run_spec, its problems as one line each on stderr."""
    from scenes.app import batch
    from scenes.app.signals import signals_as_exceptions
    from scenes.app.spec import SpecError

    with _user_errors():
        try:
            with signals_as_exceptions():
                if cluster is not None:  # cluster: the entries as Ray tasks
                    from scenes.app.cluster import run_spec

                    return run_spec(spec_file, cluster, out_dir=out_dir, overrides=overrides,
                                    force=force, console=console, quiet=quiet)  # fmt: skip
                return batch.run_spec(
                    spec_file, out_dir=out_dir, overrides=overrides, workers=jobs,
                    force=force, console=console, quiet=quiet,
                )  # fmt: skip
        except SpecError as exc:
            if len(exc.problems) == 1:
                raise click.ClickException(_one_line(exc)) from exc
            for problem in exc.problems:
                click.echo(_terminal_line(f"{exc.source}: {problem}"), err=True)
            summary = f"{len(exc.problems)} problems in {exc.source}; nothing was rendered"
            raise click.ClickException(_terminal_line(summary)) from exc


def _model_word(top: int, top_help: str, json_help: str) -> Callable[[F], F]:
    """The arguments `heads` and `ledger` share: the sentence, the word to follow (and which
    occurrence), how many rows, the checkpoint folder, JSON output."""

    def decorate(f: F) -> F:
        for add in reversed((
            click.argument("sentence"),
            click.option("--target", "-t", required=True, metavar="WORD",
                         help="The word to follow."),
            click.option("--target-index", type=int, default=None, metavar="N",
                         help="Which occurrence, when the target occurs more than once "
                              "(token number from 0)."),
            click.option("--top", type=click.IntRange(min=1), default=top, show_default=True,
                         help=top_help),
            click.option("--model-dir", default=None, metavar="DIR",
                         help="A BERT checkpoint folder."),
            click.option("--json", "as_json", is_flag=True, help=json_help),
        )):  # fmt: skip
            f = add(f)
        return f

    return decorate


@main.command("heads")
@_model_word(10, "How many heads to list.", "Print the ranking as JSON.")
def heads_command(
    sentence: str,
    target: str,
    target_index: int | None,
    top: int,
    model_dir: str | None,
    as_json: bool,
) -> None:
    """Rank the model's heads by how much the target attends to other content words.

    Rather than to itself, to [CLS]/[SEP], to stop-words, or to the word just before or after
    it (layer 1 head 3 of all-MiniLM-L6-v2 is a previous-token head, not a semantic one).
    Layers and heads count from 1, as --layer and --head take them.
    """
    import json

    from attention_math.tokens import excerpt

    _refuse_undecodable(click.get_current_context())
    with _user_errors():
        name, word, rows = _head_rows(sentence, target, target_index, top, model_dir)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    click.echo(f"heads of {name} for {excerpt(word)} in {excerpt(sentence, 60)}: where its "
               f"attention goes")  # fmt: skip
    click.echo("layer head  content  self  [special]  previous  next  top content word")
    for r in rows:
        click.echo(
            f"{r['layer']:>5} {r['head']:>4}  {r['content']:>7.0%} {r['self']:>5.0%} "
            f"{r['special']:>10.0%} {r['previous']:>9.0%} {r['next']:>5.0%}  "
            f"{r['top_word'] or '-'}"
        )
    best = rows[0]
    click.echo(f"render it: --mode model --layer {best['layer']} --head {best['head']}")


def _head_rows(
    sentence: str, target: str, target_index: int | None, top: int, model_dir: str | None
) -> tuple[str, str, list[dict[str, Any]]]:
    """The model's name (from its folder and config), the target word and the `top` heads by
    its attention to other content words."""
    from attention_math import model as bert
    from attention_math import tokens

    toks = tokens.tokenize(sentence)
    if not toks:
        raise InputError("the sentence is empty; give a sentence in quotes")
    ti = tokens.find_target(toks, target, target_index)
    words = [t.text for t in toks]
    m = bert.load_model(model_dir)
    for note in m.notes:
        click.echo(f"note: {note}", err=True)
    try:
        ranking = bert.rank_heads(m, words, ti, tokens.stopwords())[:top]
    except ValueError as e:
        raise InputError(str(e)) from None
    rows = [
        {
            "layer": h.layer + 1,
            "head": h.head + 1,
            "content": h.content_mass,
            "self": h.self_mass,
            "special": h.special_mass,
            "previous": h.previous_mass,
            "next": h.next_mass,
            "top_word": words[h.top_word] if h.top_word >= 0 else None,
        }
        for h in ranking
    ]
    return m.name, words[ti], rows


@main.command("ledger")
@_model_word(5, "Words per layer.", "Print the whole ledger as JSON.")
def ledger_command(
    sentence: str,
    target: str,
    target_index: int | None,
    top: int,
    model_dir: str | None,
    as_json: bool,
) -> None:
    """What each word moves, not only the weight it gets: per layer, the length of what it
    adds to the target's attention output (weight × value × output projection, summed over
    heads) next to its weight (Kobayashi et al. 2020). Layers count from 1."""
    import dataclasses
    import json

    from attention_math.model_ledger import ledger_lines, sentence_ledger_for

    _refuse_undecodable(click.get_current_context())
    with _user_errors():
        ledger = sentence_ledger_for(sentence, target, target_index, model_dir)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(ledger), indent=1, ensure_ascii=False))
        return
    for line in ledger_lines(ledger, top):
        click.echo(line)


@main.command("scenes")
def scenes_command() -> None:
    """List the scenes `render --scene NAME` can draw, one line each."""
    from scenes import SCENES  # the registry only; manim loads when a scene is rendered

    width = max(map(len, SCENES))
    for name, entry in SCENES.items():
        click.echo(f"{name:<{width}}  {entry.summary}")
