"""The command line: every bad input gives its exit code and a message that says what to do;
results on stdout, status on stderr; `--help` stays light."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from attention_math import __version__
from attention_math.plan import Plan
from scenes import app
from scenes.app import cli
from scenes.app.notebook import RenderResult

RIVER = "He sat on the river bank."
CASH = "He deposited cash at the bank."


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def assert_user_error(result: Result, message: str, code: int = 1) -> None:
    """Exit `code`, the message on stderr, no traceback, nothing on stdout."""
    assert result.exit_code == code, result.output
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    if code == 1:  # one line "Error: ..." last (status lines may come before it)
        lines = result.stderr.strip().splitlines()
        assert lines[-1].startswith("Error: "), result.stderr
        assert sum(line.startswith("Error") for line in lines) == 1, result.stderr


# ---------------------------------------------------------------------------------------------
# plan


def test_plan_prints_json_on_stdout(toml_embeddings: Path) -> None:
    result = run("plan", RIVER, "--target", "bank", "--embeddings", toml_embeddings)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    plan = Plan.from_json(result.stdout)
    assert plan.target == "bank"
    assert [s.text for s in plan.sentences] == [RIVER]


def test_plan_options_reach_the_plan(toml_embeddings: Path) -> None:
    result = run(
        "plan", RIVER, "-t", "BANK", "-c", CASH, "--compare", "The bank, the river.",
        "--embeddings", toml_embeddings, "--scale", "0.5", "--order", "sentence",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert [s["text"] for s in d["sentences"]] == [RIVER, CASH, "The bank, the river."]
    assert d["attention"]["scale_rule"] == "0.5"
    assert d["attention"]["order"] == "sentence"
    assert all(s["scale"] == 0.5 for s in d["sentences"])


def test_plan_with_default_embeddings(minilm_dir: Path) -> None:
    result = run("plan", RIVER, "--target", "bank", "--compare", CASH)
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["embedding"]["kind"] == "minilm"
    assert d["embedding"]["dim"] == 384


def test_plan_output_file(toml_embeddings: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    out.write_text("old")
    result = run("plan", RIVER, "-t", "bank", "--embeddings", toml_embeddings, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert Plan.load(out).target == "bank"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json", "vectors.toml"]


def test_plan_output_dash_is_stdout(toml_embeddings: Path) -> None:
    result = run("plan", RIVER, "-t", "bank", "--embeddings", toml_embeddings, "-o", "-")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["target"] == "bank"


def test_plan_output_in_a_missing_folder(toml_embeddings: Path, tmp_path: Path) -> None:
    out = tmp_path / "nope" / "plan.json"
    result = run("plan", RIVER, "-t", "bank", "--embeddings", toml_embeddings, "-o", out)
    assert_user_error(result, "does not exist; create it first")
    assert not out.parent.exists()


def test_plan_error_leaves_the_old_output_alone(toml_embeddings: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    out.write_text("old")
    result = run("plan", RIVER, "-t", "meadow", "--embeddings", toml_embeddings, "-o", out)
    assert result.exit_code == 1
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json", "vectors.toml"]


# ---------------------------------------------------------------------------------------------
# bad inputs (both commands build the plan the same way)


@pytest.mark.parametrize("command", ["plan", "render"])
def test_target_not_in_sentence_suggests_the_closest(command: str, toml_embeddings: Path) -> None:
    result = run(command, RIVER, "--target", "bnak", "--embeddings", toml_embeddings)
    assert_user_error(result, '"bnak" is not a word of the sentence; closest: "bank"')


@pytest.mark.parametrize("sentence", ["", "   "])
def test_empty_sentence(sentence: str, toml_embeddings: Path) -> None:
    result = run("plan", sentence, "--target", "bank", "--embeddings", toml_embeddings)
    assert_user_error(result, "the sentence is empty")


def test_sentence_without_words(toml_embeddings: Path) -> None:
    result = run("plan", "?! …", "--target", "bank", "--embeddings", toml_embeddings)
    assert_user_error(result, "has no words")


def test_empty_compare_sentence(toml_embeddings: Path) -> None:
    result = run("plan", RIVER, "-t", "bank", "-c", "", "--embeddings", toml_embeddings)
    assert_user_error(result, "compare sentence 1 is empty")


def test_compare_sentence_without_the_target(toml_embeddings: Path) -> None:
    result = run("plan", RIVER, "-t", "bank", "-c", "He sat.", "--embeddings", toml_embeddings)
    assert_user_error(result, '"bank" is not a word of compare sentence 1')


def test_word_missing_from_the_embeddings_is_named(toml_embeddings: Path) -> None:
    result = run("plan", "He sat by the meadow bank.", "-t", "bank", "--embeddings",
                 toml_embeddings)  # fmt: skip
    assert_user_error(result, '"meadow" is not in the embeddings file vectors.toml')


def test_target_missing_from_the_embeddings_is_named(write_file: Callable[..., Path]) -> None:
    path = write_file("v.toml", "river = [1, 2]\nsat = [2, 1]\n")
    result = run("plan", RIVER, "-t", "bank", "--embeddings", path)
    assert_user_error(result, '"bank" is not in the embeddings file v.toml')


def test_missing_embeddings_file(tmp_path: Path) -> None:
    result = run("plan", RIVER, "-t", "bank", "--embeddings", tmp_path / "nope.toml")
    assert_user_error(result, "nope.toml' does not exist")


def test_embeddings_file_that_is_a_folder(tmp_path: Path) -> None:
    result = run("plan", RIVER, "-t", "bank", "--embeddings", tmp_path)
    assert_user_error(result, "is a folder, not a file")


def test_embeddings_file_that_is_not_text(write_file: Callable[..., Path]) -> None:
    path = write_file("v.txt", b"bank 1 2\n\xff\xfe 3 4\n")
    result = run("plan", RIVER, "-t", "bank", "--embeddings", path)
    assert_user_error(result, "v.txt:2: not UTF-8 text")


def test_malformed_text_embeddings_name_the_line(write_file: Callable[..., Path]) -> None:
    path = write_file("glove.txt", "bank 1 2\nriver 1 two\n")
    result = run("plan", RIVER, "-t", "bank", "--embeddings", path)
    assert_user_error(result, "glove.txt:2: 'two' is not a number")


def test_malformed_toml_embeddings_name_the_key(write_file: Callable[..., Path]) -> None:
    path = write_file("v.toml", 'bank = [1, 2]\nriver = "wet"\n')
    result = run("plan", RIVER, "-t", "bank", "--embeddings", path)
    assert_user_error(result, "v.toml: 'river' must be a list of numbers")


def test_invalid_toml_is_one_line(write_file: Callable[..., Path]) -> None:
    path = write_file("v.toml", "bank = [1, 2]\nriver = = 3\n")
    result = run("plan", RIVER, "-t", "bank", "--embeddings", path)
    assert_user_error(result, "v.toml: not valid TOML")
    assert "line 2" in result.stderr


def test_target_twice_needs_target_index(write_file: Callable[..., Path]) -> None:
    path = write_file("v.toml", "bank = [1, 0]\nriver = [0, 1]\n")
    sentence = "The bank by the river bank."
    result = run("plan", sentence, "-t", "bank", "--embeddings", path)
    assert_user_error(result, "'bank' occurs 2 times (tokens 1, 5); choose one with --target-index")
    ok = run("plan", sentence, "-t", "bank", "--target-index", "5", "--embeddings", path)
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["sentences"][0]["target_index"] == 5


def test_wrong_target_index(write_file: Callable[..., Path]) -> None:
    path = write_file("v.toml", "bank = [1, 0]\nriver = [0, 1]\n")
    result = run("plan", "The bank by the river bank.", "-t", "bank", "--target-index", "2",
                 "--embeddings", path)  # fmt: skip
    assert_user_error(result, "token 2 is 'by', not 'bank'; it occurs at token 1, 5")


def test_target_index_must_be_a_number(toml_embeddings: Path) -> None:
    result = run("plan", RIVER, "-t", "bank", "--target-index", "last")
    assert_user_error(result, "'last' is not a valid integer", code=2)


def test_no_context_words(toml_embeddings: Path) -> None:
    result = run("plan", "The bank.", "-t", "bank", "--embeddings", toml_embeddings)
    assert_user_error(result, "has no context words to attend to")
    assert "--keep-stopwords" in result.stderr


@pytest.mark.parametrize(
    ("scale", "message"),
    [
        ("0", "--scale must be a positive number, got '0'"),
        ("-1", "--scale must be a positive number, got '-1'"),
        ("-0.5", "--scale must be a positive number"),
        ("inf", "--scale must be a positive number"),
        ("big", "--scale 'big' is not understood; use auto, 1/sqrt(d), 1 or a positive number"),
    ],
)
def test_bad_scale(scale: str, message: str, toml_embeddings: Path) -> None:
    result = run("plan", RIVER, "-t", "bank", "--scale", scale, "--embeddings", toml_embeddings)
    assert_user_error(result, message)


@pytest.mark.parametrize("scale", ["auto", "1/sqrt(d)", "1", "0.25", "3"])
def test_good_scale(scale: str, toml_embeddings: Path) -> None:
    result = run("plan", RIVER, "-t", "bank", "--scale", scale, "--embeddings", toml_embeddings)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("command", "option", "value"),
    [
        ("plan", "--order", "random"),
        ("render", "--order", "random"),
        ("render", "--format", "webp"),
        ("render", "--quality", "8k"),
        ("render", "--theme", "neon"),
    ],
)
def test_unknown_option_values(command: str, option: str, value: str) -> None:
    result = run(command, RIVER, "-t", "bank", option, value)
    assert_user_error(result, f"Invalid value for '{option}': '{value}' is not one of", code=2)


def test_missing_target_option() -> None:
    assert_user_error(run("plan", RIVER), "Missing option '--target'", code=2)


def test_unknown_option() -> None:
    assert_user_error(run("plan", RIVER, "-t", "bank", "--colour", "red"), "No such option", 2)


def test_missing_model_package(monkeypatch: pytest.MonkeyPatch, minilm_dir: Path) -> None:
    from attention_math import embeddings, model

    def not_installed() -> None:
        raise model.ModelNotFoundError("the all-MiniLM-L6-v2 model package is not installed")

    monkeypatch.setattr(embeddings, "default_embeddings", not_installed)
    result = run("plan", RIVER, "-t", "bank")
    assert_user_error(result, "model package is not installed")


def test_a_bug_is_not_swallowed(monkeypatch: pytest.MonkeyPatch, toml_embeddings: Path) -> None:
    from attention_math import build

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(build, "build_plan", broken)
    result = run("plan", RIVER, "-t", "bank", "--embeddings", toml_embeddings)
    assert result.exit_code == 1
    assert isinstance(result.exception, ValueError)


# ---------------------------------------------------------------------------------------------
# render (scenes.render replaced by a fake: these test the command, not Manim)


class FakeRender:
    """Stands in for scenes.app.render: records its arguments, writes tiny files and the plan
    (as the store does), returns them as a RenderResult."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, plan: Plan, **kwargs: Any) -> RenderResult:
        kwargs = {**dataclasses.asdict(kwargs["options"]), **kwargs}  # the options it was given
        self.calls.append({"plan": plan, **kwargs})
        out_dir: Path = kwargs["out_dir"]
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = kwargs["name"] or "bank-he-sat"
        progress: Callable[[str], None] = kwargs["progress"]
        paths = []
        print("a library printing on stdout while rendering")
        for fmt in kwargs["formats"]:
            progress(f"rendering {fmt}")
            path = out_dir / f"{stem}.{fmt}"
            path.write_bytes(b"media")
            paths.append(path)
        plan.save(out_dir / f"{stem}.plan.json")
        return RenderResult(paths, plan_path=out_dir / f"{stem}.plan.json")


@pytest.fixture
def fake_render(monkeypatch: pytest.MonkeyPatch) -> FakeRender:
    fake = FakeRender()
    monkeypatch.setattr(app, "render", fake)
    return fake


def test_render_prints_paths_on_stdout_and_status_on_stderr(
    fake_render: FakeRender, toml_embeddings: Path, tmp_path: Path
) -> None:
    out = tmp_path / "media"
    result = run("render", RIVER, "-t", "bank", "-c", CASH, "--embeddings", toml_embeddings,
                 "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        str(out / "bank-he-sat.gif"),
        str(out / "bank-he-sat.mp4"),
        str(out / "bank-he-sat.plan.json"),
    ]
    assert "rendering gif" in result.stderr
    assert "a library printing on stdout" in result.stderr  # kept off stdout
    (call,) = fake_render.calls
    assert call["formats"] == ("gif", "mp4")  # the default
    assert (call["quality"], call["theme"], call["name"]) == ("medium", "dark", None)
    assert [s.text for s in call["plan"].sentences] == [RIVER, CASH]
    assert Plan.load(out / "bank-he-sat.plan.json") == call["plan"]


def test_formats_come_repeated_or_as_a_comma_list(
    fake_render: FakeRender, toml_embeddings: Path, tmp_path: Path
) -> None:
    """`--format png,gif --format mp4,png`: every format once, in order; an unknown one in a
    list is named as on its own."""
    result = run("render", RIVER, "-t", "bank", "--embeddings", toml_embeddings, "--out",
                 tmp_path, "--format", "png, gif", "--format", "mp4,png")  # fmt: skip
    assert result.exit_code == 0, result.output
    (call,) = fake_render.calls
    assert call["formats"] == ("png", "gif", "mp4")
    result = run("render", RIVER, "-t", "bank", "--format", "png,webp")
    assert_user_error(result, "Invalid value for '--format': 'webp' is not one of", code=2)
    result = run("render", RIVER, "-t", "bank", "--slides", "--slides-format", "pdf,pptx",
                 "--embeddings", toml_embeddings, "--out", tmp_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert fake_render.calls[-1]["slides_formats"] == ("pdf", "pptx")


def test_render_options_reach_scenes(
    fake_render: FakeRender, toml_embeddings: Path, tmp_path: Path
) -> None:
    result = run(
        "render", RIVER, "-t", "bank", "--embeddings", toml_embeddings, "--out", tmp_path,
        "--format", "png", "--format", "mp4", "--format", "png", "--quality", "low",
        "--theme", "light", "--name", "figure", "--keep-stopwords", "--scale", "1",
    )  # fmt: skip
    # --keep-stopwords needs vectors for "he", "on", "the": the TOML has none
    assert_user_error(result, '"He" is not in the embeddings file vectors.toml')
    result = run(
        "render", RIVER, "-t", "bank", "--embeddings", toml_embeddings, "--out", tmp_path,
        "--format", "png", "--format", "mp4", "--format", "png", "--quality", "low",
        "--theme", "light", "--name", "figure", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # --quiet
    (call,) = fake_render.calls
    assert call["formats"] == ("png", "mp4")
    assert (call["quality"], call["theme"], call["name"]) == ("low", "light", "figure")
    assert result.stdout.splitlines()[-1] == str(tmp_path / "figure.plan.json")


def test_render_prints_what_the_render_returns(
    toml_embeddings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI writes no file itself: it prints the media and the plan the render wrote."""

    def cached(plan: Plan, **kwargs: Any) -> RenderResult:
        return RenderResult([tmp_path / "x.png"], cached=True, plan_path=tmp_path / "x.plan.json")

    monkeypatch.setattr(app, "render", cached)
    result = run("render", RIVER, "-t", "bank", "--embeddings", toml_embeddings, "--out",
                 tmp_path, "--format", "png")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(tmp_path / "x.png"), str(tmp_path / "x.plan.json")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.toml"]


def test_render_into_a_file(fake_render: FakeRender, toml_embeddings: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("not a folder")
    result = run("render", RIVER, "-t", "bank", "--embeddings", toml_embeddings, "--out", out)
    assert_user_error(result, "is a file, not a folder; choose another --out")
    assert fake_render.calls == []
    assert out.read_text() == "not a folder"


def test_render_under_a_file(
    fake_render: FakeRender, toml_embeddings: Path, tmp_path: Path
) -> None:
    (tmp_path / "f").write_text("x")
    result = run("render", RIVER, "-t", "bank", "--embeddings", toml_embeddings, "--out",
                 tmp_path / "f" / "media")  # fmt: skip
    assert_user_error(result, "is a file; choose another --out")
    assert fake_render.calls == []


def test_render_error_writes_nothing(
    fake_render: FakeRender, toml_embeddings: Path, tmp_path: Path
) -> None:
    out = tmp_path / "media"
    result = run("render", RIVER, "-t", "bnak", "--embeddings", toml_embeddings, "--out", out)
    assert result.exit_code == 1
    assert not out.exists()
    assert fake_render.calls == []


@pytest.mark.parametrize("name", ["a/b", "..", " "])
def test_render_name_must_be_a_plain_stem(
    name: str, fake_render: FakeRender, toml_embeddings: Path, tmp_path: Path
) -> None:
    result = run("render", RIVER, "-t", "bank", "--embeddings", toml_embeddings, "--out",
                 tmp_path, "--name", name)  # fmt: skip
    assert_user_error(result, "is not a plain file name")
    assert fake_render.calls == []


def test_render_user_error_from_scenes(
    monkeypatch: pytest.MonkeyPatch, toml_embeddings: Path, tmp_path: Path
) -> None:
    from attention_math.errors import InputError

    def refuses(plan: Plan, **kwargs: Any) -> list[Path]:
        raise InputError("the sentence is too long for the frame")

    monkeypatch.setattr(app, "render", refuses)
    result = run("render", RIVER, "-t", "bank", "--embeddings", toml_embeddings, "--out", tmp_path)
    assert result.exit_code == 1
    assert "Error: the sentence is too long for the frame" in result.stderr


def test_choices_come_from_the_option_tables() -> None:
    import scenes
    from scenes.app import options

    params = {p.name: p for p in cli.main.commands["render"].params}
    assert tuple(params["formats"].type.choices) == options.FORMATS
    assert tuple(params["quality"].type.choices) == options.QUALITIES
    assert tuple(params["theme"].type.choices) == options.THEMES
    assert tuple(params["scene"].type.choices) == tuple(scenes.SCENES)


# ---------------------------------------------------------------------------------------------
# version and help


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"attention-drift, version {__version__}"


@pytest.mark.parametrize("args", [["--help"], ["plan", "--help"], ["render", "--help"], ["-h"]])
def test_help(args: Sequence[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0
    assert "Usage: " in result.stdout


def test_render_help_lists_the_choices() -> None:
    text = run("render", "--help").stdout
    for choice in ("gif", "mp4", "png", "4k", "light", "--compare", "--target-index"):
        assert choice in text


def test_help_and_version_import_no_numpy_or_manim() -> None:
    """The fast path: only click, the application's CLI and attention_math's errors load for
    --help / --version (no scene module, no numpy, no manim)."""
    code = textwrap.dedent(
        """
        import sys
        from scenes.app.cli import main
        for args in (["--help"], ["plan", "--help"], ["render", "--help"], ["--version"]):
            try:
                main(args, prog_name="attention-drift")
            except SystemExit as e:
                assert e.code == 0, (args, e.code)
        heavy = ("numpy", "sklearn", "scipy", "manim", "safetensors", "tokenizers",
                 "rich", "PIL", "torch")
        drawing = [m for m in sys.modules
                   if m.startswith("scenes.") and not m.startswith("scenes.app")]
        print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in heavy) + drawing),
              file=sys.stderr)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stderr.strip() == ""


def test_plan_command_does_not_import_manim(toml_embeddings: Path) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        from scenes.app.cli import main
        try:
            main(["plan", "He sat on the river bank.", "-t", "bank",
                  "--embeddings", {str(toml_embeddings)!r}], prog_name="attention-drift")
        except SystemExit as e:
            assert e.code == 0, e.code
        print(",".join(sorted(m for m in sys.modules
                              if m.split(".")[0] in ("manim", "cairo")
                              or (m.startswith("scenes.") and not m.startswith("scenes.app")))),
              file=sys.stderr)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout)["target"] == "bank"
    assert out.stderr.strip() == ""


def test_module_entry_point() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "scenes.app", "--version"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0
    assert __version__ in out.stdout
