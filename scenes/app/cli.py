"""The ``attention-drift`` command: a sentence in, a plan (JSON) or rendered media out.

    attention-drift plan "He sat on the river bank." --target bank
    attention-drift render "He sat on the river bank." --target bank \\
        --compare "He deposited cash at the bank." --format gif --format mp4

Start-up stays fast: at import time only click and ``attention_math.errors`` load. numpy and
scikit-learn load inside the commands that build a plan, manim only inside ``render`` (through
``scenes``), so ``--help`` starts in tens of milliseconds and ``plan`` never imports manim.

Results (the plan JSON, written paths) go to stdout; status and progress go to stderr.
User errors are one line ``Error: ...`` and exit 1; unknown option values exit 2 (click).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from attention_math import __version__
from attention_math.errors import InputError

if TYPE_CHECKING:
    from attention_math.plan import Plan

# The same choices as scenes.FORMATS / QUALITIES / THEMES (a test keeps them equal); repeated
# here so that building the command line does not import the scenes package.
FORMATS = ("gif", "mp4", "png", "webm", "mov", "html")
QUALITIES = ("low", "medium", "high", "4k")
THEMES = ("dark", "light")
ORDERS = ("weight", "sentence")
MODES = ("simple", "model")
# The same names as scenes.SCENES (a test keeps them equal), for the same reason.
SCENE_NAMES = (
    "DriftScene",
    "LayerDriftScene",
    "SenseSplitScene",
    "AnalogyScene",
    "AttentionMathScene",
    "ProjectionScene",
    "AttentionMatrixScene",
)
ALPHA_FORMATS = ("mov", "webm", "png", "gif")  # formats that keep --transparent's alpha
DEFAULT_FORMATS = ("gif", "mp4")

F = TypeVar("F", bound=Callable[..., Any])


# --------------------------------------------------------------------------------------------
# errors


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _is_user_error(exc: BaseException) -> bool:
    """An error in what the user gave or installed, not a bug (so no traceback)."""
    if isinstance(exc, InputError):
        return True
    # The model package missing or broken: attention_math.model is loaded whenever this can
    # be raised, so look it up rather than importing numpy/scipy just to catch it.
    model = sys.modules.get("attention_math.model")
    not_found = getattr(model, "ModelNotFoundError", None)
    return not_found is not None and isinstance(exc, not_found)


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Turn user errors into click's one-line ``Error: ...`` with exit status 1."""
    try:
        yield
    except ValueError as exc:
        if _is_user_error(exc):
            raise click.ClickException(_one_line(str(exc))) from exc
        raise


# --------------------------------------------------------------------------------------------
# options shared by `plan` and `render`


def plan_options(f: F) -> F:
    """The options that choose what is computed (the plan), shared by both commands."""
    decorators = [
        click.argument("sentence", required=False),
        click.option(
            "--target",
            "-t",
            required=False,  # required unless render --spec: checked in _build_plan
            metavar="WORD",
            help="The word whose vector drifts (matched case-insensitively).",
        ),
        click.option(
            "--compare",
            "-c",
            multiple=True,
            metavar="SENTENCE",
            help="Another sentence with the same target word, drawn in the same picture "
            "(repeatable).",
        ),
        click.option(
            "--target-index",
            type=int,
            default=None,
            metavar="N",
            help="Which occurrence to follow when the target occurs more than once in "
            "SENTENCE: its token number, counted from 0 (punctuation counts as a token).",
        ),
        click.option(
            "--embeddings",
            "embeddings_file",
            default=None,
            metavar="FILE",
            help="Static vectors from a TOML table (bank = [2.0, 0.6]) or a GloVe / word2vec "
            "text file, instead of MiniLM's input word-piece embeddings.",
        ),
        click.option(
            "--scale",
            default="auto",
            show_default=True,
            metavar="auto|1/sqrt(d)|1|NUMBER",
            help="What the scores are multiplied by before the softmax. auto = 1/‖q‖², so "
            "the target's score with itself is 1.",
        ),
        click.option(
            "--order",
            type=click.Choice(ORDERS),
            default="weight",
            show_default=True,
            help="The order the context words join in: largest final weight first, or "
            "sentence order.",
        ),
        click.option(
            "--keep-stopwords",
            is_flag=True,
            help="Let stop-words (the, on, at ...) take part in attention too.",
        ),
        click.option(
            "--mode",
            type=click.Choice(MODES),
            default="simple",
            show_default=True,
            help="simple: the post's attention on static vectors (q = k = v). model: a real "
            "head of all-MiniLM-L6-v2, its weights and value vectors.",
        ),
        click.option(
            "--layer",
            type=click.IntRange(min=1),
            default=None,
            metavar="N",
            help="Model mode: the layer, from 1 (default with --head unset: the head where "
            "the target attends most to other words; see `attention-drift heads`).",
        ),
        click.option(
            "--head",
            default=None,
            metavar="N|mean",
            help="Model mode: the head, from 1, or mean (the mean over heads).",
        ),
        click.option(
            "--drop-specials",
            is_flag=True,
            help="Model mode: leave out [CLS]/[SEP] (which take 40-86 %% of the attention) "
            "and renormalise; the screen says so.",
        ),
        click.option(
            "--model-dir",
            default=None,
            metavar="DIR",
            help="Model mode: a BERT checkpoint folder (config.json, tokenizer.json, "
            "model.safetensors). Default: the packaged all-MiniLM-L6-v2.",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def _build_plan(sentence: str | None, target: str | None, **options: Any) -> Plan:
    """The plan from the command's options (see attention_math.request.make_plan)."""
    if target is None and options.get("scene") != "AnalogyScene":
        ctx = click.get_current_context()
        param = next(p for p in ctx.command.params if p.name == "target")
        raise click.MissingParameter(ctx=ctx, param=param)
    from attention_math.attention import parse_scale
    from attention_math.request import make_plan

    with _user_errors():
        options["scale"] = parse_scale(options["scale"])
        options["compare"] = list(options["compare"])
        return make_plan(sentence, target or "", **options)  # AnalogyScene needs no target


# --------------------------------------------------------------------------------------------
# files


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one, never a
    part: a temporary file in the same folder, then ``os.replace``."""
    folder = path.parent
    if path.is_dir():
        raise click.ClickException(f"{str(path)!r} is a folder; give a file name to write to")
    if not folder.is_dir():
        raise click.ClickException(
            f"folder {str(folder)!r} does not exist; create it first or write elsewhere"
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {str(folder)!r}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise click.ClickException(f"cannot write {str(path)!r}: {exc.strerror}") from exc
        raise


def _has_text(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False


def _check_out_dir(out_dir: Path) -> None:
    """Refuse an --out that cannot be (or become) a folder, before any work is done."""
    if out_dir.exists() and not out_dir.is_dir():
        raise click.ClickException(
            f"--out {str(out_dir)!r} is a file, not a folder; choose another --out"
        )
    existing = next(p for p in (out_dir, *out_dir.parents) if p.exists() or p == Path(p.anchor))
    if not existing.is_dir():
        raise click.ClickException(
            f"--out {str(out_dir)!r} cannot be made: {str(existing)!r} is a file; "
            f"choose another --out"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise click.ClickException(
            f"cannot write in {str(existing)!r} (permission denied); choose another --out"
        )


def _check_name(name: str | None) -> None:
    if name is None:
        return
    if not name.strip() or name in (".", "..") or "/" in name or os.sep in name or "\0" in name:
        raise click.ClickException(
            f"--name {name!r} is not a plain file name; give a stem like bank-river "
            f"(the folder goes in --out)"
        )


# --------------------------------------------------------------------------------------------
# commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
@plan_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    default=None,
    metavar="FILE",
    help="Write the plan JSON to FILE (atomically) instead of stdout.",
)
def plan_command(sentence: str, target: str, output: Path | None, **options: Any) -> None:
    """Compute the plan for SENTENCE and print it as JSON.

    The plan holds every number the animation shows: the words, their static vectors,
    each drift step's scores, weights and output, and the shared 2-D (PCA) basis.
    """
    plan = _build_plan(sentence, target, **options)
    text = plan.to_json()
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)


@main.command("render")
@plan_options
@click.option(
    "--scene",
    type=click.Choice(SCENE_NAMES),
    default="DriftScene",
    show_default=True,
    help="What to draw (`attention-drift scenes` lists them).",
)
@click.option(
    "--senses",
    "senses_file",
    default=None,
    metavar="FILE",
    help="SenseSplitScene: a TOML file of sentences per sense (default: the shipped set for "
    "the target, in assets/senses/).",
)
@click.option(
    "--analogy",
    default=None,
    metavar='"A - B + C [= D]"',
    help="AnalogyScene: the analogy to draw (default: queen - woman + man = king); no "
    "SENTENCE or --target needed.",
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(FORMATS),
    multiple=True,
    help="Output format (repeatable). Default: gif and mp4 (mov with --transparent). png is a "
    "still of the last frame; webm is VP9; html is STEM.html, a page for a blog embedding the "
    "MP4 (rendered too) with the GIF as fallback and the weights as caption.",
)
@click.option(
    "--slides",
    is_flag=True,
    help="Also STEM.html: one slide per beat with presenter notes (manim-slides), a single "
    "file that opens offline in a browser.",
)
@click.option(
    "--stills",
    is_flag=True,
    help="Also STEM.beat-NN.png: the frame at the end of every beat, for slides and papers.",
)
@click.option(
    "--transparent",
    is_flag=True,
    help="No background, for compositing: mov (QuickTime RLE) or webm (VP9) with alpha, PNG "
    "and GIF with transparency; dark-theme colours.",
)
@click.option(
    "--quality",
    type=click.Choice(QUALITIES),
    default="medium",
    show_default=True,
    help="low 480p15, medium 720p30, high 1080p60, 4k 2160p60.",
)
@click.option(
    "--theme", type=click.Choice(THEMES), default="dark", show_default=True, help="Palette."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    metavar="DIR",
    help="Folder for the media (made if missing).",
)
@click.option(
    "--name",
    default=None,
    metavar="STEM",
    help="File name without extension (default: from the target and the sentence).",
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
    help="With --spec: renders at a time, each in its own process (default: the number of cores).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Render even when the files are up to date (same plan, scene, options and code).",
)
def render_command(
    sentence: str,
    target: str,
    scene: str,
    formats: tuple[str, ...],
    quality: str,
    theme: str,
    out_dir: Path,
    name: str | None,
    quiet: bool,
    spec_file: Path | None,
    jobs: int | None,
    force: bool,
    slides: bool,
    stills: bool,
    transparent: bool,
    **options: Any,
) -> None:
    """Render the drift of the target in SENTENCE to video / image files.

    Prints each written file on stdout (the media and STEM.plan.json, the plan they show).
    A render whose plan, scene, options and code are unchanged is not redone (--force).
    """
    if spec_file is not None:
        _render_spec(spec_file, jobs, force, quiet)
        return
    if jobs is not None:
        raise click.UsageError("--jobs goes with --spec (a single render uses one process)")

    def status(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    _check_out_dir(out_dir)
    _check_name(name)
    chosen = tuple(dict.fromkeys(formats)) or (("mov",) if transparent else DEFAULT_FORMATS)
    if transparent:
        if "mp4" in chosen:
            raise click.UsageError(
                "--transparent needs a format with alpha: --format mov or "
                "--format webm (mp4 has no transparency)"
            )
        theme = "transparent"
    if options.get("analogy") is not None and scene != "AnalogyScene":
        raise click.UsageError("--analogy goes with --scene AnalogyScene")

    status("attention-drift: computing the plan")
    plan = _build_plan(sentence, target, scene=scene, **options)

    status(f"attention-drift: rendering {', '.join(chosen)} ({quality}, {theme}) into {out_dir}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"cannot make --out {str(out_dir)!r}: {exc.strerror}") from exc
    # stdout carries only the written paths: Manim's logger (and anything else that prints
    # while rendering) goes to stderr instead, or nowhere with --quiet.
    with contextlib.ExitStack() as stack:
        stack.enter_context(_user_errors())
        sink = stack.enter_context(open(os.devnull, "w")) if quiet else sys.stderr
        stack.enter_context(contextlib.redirect_stdout(sink))
        from scenes import app  # manim loads when the render starts, and only then
        from scenes.app.batch import signals_as_exceptions

        stack.enter_context(signals_as_exceptions())  # kill: staging removed, old files kept
        written = app.render(
            plan,
            scene=scene,
            formats=chosen,
            quality=quality,
            theme=theme,
            out_dir=out_dir,
            name=name,
            progress=status,
            force=force,
            slides=slides,
            stills=stills,
        )
    written = [Path(p) for p in written]
    # The plan the media show goes next to them as STEM.plan.json. scenes.app.render writes it
    # (and returns only the media); write it here only if it is missing or not this plan.
    if written and not any(p.name.endswith(".plan.json") for p in written):
        text = plan.to_json()
        plan_path = written[0].with_name(f"{written[0].stem}.plan.json")
        if not _has_text(plan_path, text):
            write_atomic(plan_path, text)
        written.append(plan_path)
    for p in written:
        click.echo(str(p))


def _render_spec(spec_file: Path, jobs: int | None, force: bool, quiet: bool) -> None:
    """render --spec: validate every entry (and build its plan) first, then render them in
    worker processes with one progress display and a summary table (scenes.app.batch)."""
    import time

    from click.core import ParameterSource
    from rich.console import Console

    from scenes.app.spec import SpecError

    ctx = click.get_current_context()
    given = {
        p.name
        for p in ctx.command.params
        if p.name is not None
        and ctx.get_parameter_source(p.name)
        in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    }
    with_spec = {"spec_file", "jobs", "force", "quiet", "formats", "quality", "theme", "out_dir"}
    for p in ctx.command.params:
        if p.name in given and p.name not in with_spec:
            flag = max(p.opts, key=len) if isinstance(p, click.Option) else p.human_readable_name
            raise click.UsageError(
                f"{flag} does not go with --spec: put it in the spec file ([defaults] or a "
                f"[[renders]] table)"
            )
    overrides: dict[str, Any] = {
        k: ctx.params[k] for k in ("formats", "quality", "theme") if k in given
    }
    out_dir = ctx.params["out_dir"] if "out_dir" in given else None
    if out_dir is not None:
        _check_out_dir(out_dir)
    console = Console(stderr=True, quiet=quiet)
    start = time.perf_counter()
    with _user_errors():
        from scenes.app import batch

        try:
            with batch.signals_as_exceptions():
                outcomes = batch.run_spec(
                    spec_file, out_dir=out_dir, overrides=overrides, workers=jobs,
                    force=force, console=console, quiet=quiet,
                )  # fmt: skip
        except SpecError as exc:
            if len(exc.problems) == 1:
                raise click.ClickException(_one_line(str(exc))) from exc
            for problem in exc.problems:
                click.echo(f"{exc.source}: {_one_line(problem)}", err=True)
            raise click.ClickException(
                f"{len(exc.problems)} problems in {exc.source}; nothing was rendered"
            ) from exc
    console.print(batch.summary_table(outcomes, time.perf_counter() - start))
    for outcome in outcomes:
        for path in outcome.files:
            click.echo(str(path))
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        if quiet:
            for o in failed:
                click.echo(f"{o.job.label} {o.job.stem}: {o.reason}", err=True)
        raise click.ClickException(f"{len(failed)} of {len(outcomes)} renders failed")


@main.command("heads")
@click.argument("sentence")
@click.option("--target", "-t", required=True, metavar="WORD", help="The word to follow.")
@click.option(
    "--target-index",
    type=int,
    default=None,
    metavar="N",
    help="Which occurrence, when the target occurs more than once (token number from 0).",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many heads to list.",
)
@click.option("--model-dir", default=None, metavar="DIR", help="A BERT checkpoint folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON.")
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
    it (layer 1
    head 3 of all-MiniLM-L6-v2 is a previous-token head, not a semantic one). Layers and
    heads count from 1, as --layer and --head take them.
    """
    import json

    from attention_math import model as bert
    from attention_math import tokens

    with _user_errors():
        toks = tokens.tokenize(sentence)
        if not toks:
            raise InputError("the sentence is empty; give a sentence in quotes")
        ti = tokens.find_target(toks, target, target_index)
        words = [t.text for t in toks]
        m = bert.load_model(model_dir)
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
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"heads of all-MiniLM-L6-v2 for {words[ti]!r} in {sentence!r}: where its attention goes"
    )
    click.echo("layer head  content  self  [special]  previous  next  top content word")
    for r in rows:
        click.echo(
            f"{r['layer']:>5} {r['head']:>4}  {r['content']:>7.0%} {r['self']:>5.0%} "
            f"{r['special']:>10.0%} {r['previous']:>9.0%} {r['next']:>5.0%}  "
            f"{r['top_word'] or '-'}"
        )
    best = rows[0]
    click.echo(f"render it: --mode model --layer {best['layer']} --head {best['head']}")


@main.command("scenes")
def scenes_command() -> None:
    """List the scenes `render --scene NAME` can draw, one line each."""
    from scenes import SCENES  # the registry only; manim loads when a scene is rendered

    width = max(map(len, SCENES))
    for name, (_module, line) in SCENES.items():
        click.echo(f"{name:<{width}}  {line}")


if __name__ == "__main__":  # pragma: no cover
    main()
