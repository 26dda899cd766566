"""The numbers name options by their field; each front end spells them its own way.

`attention_math` writes "{keep_stopwords}" (attention_math.errors): the command line says
`--keep-stopwords`, a spec file `keep_stopwords`, and a plain `str(error)` (a notebook) the
bare field name. No message of the numbers spells a command-line flag itself.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import attention_math
from attention_math.errors import OPTION, InputError, spell
from attention_math.request import PlanRequest
from scenes.app import cli
from scenes.app.spec import SpecError, build_plans, load_spec

RIVER = "He sat on the river bank."
TWICE = "The bank by the bank."
STOPWORDS_ONLY = "he = [0, 1]\non = [1, 1]\nthe = [1, 0]\nbank = [2, 1]\n"
FILES = ("embeddings", "model_dir", "senses")  # relative to the spec's folder

# a request (a spec entry; `plan` arguments), what the CLI says, what the spec says instead
CASES = {
    "target": ({"sentence": RIVER, "target": " "},
               "give the word to follow with --target", "give the word to follow with target"),
    "target_index": ({"sentence": TWICE, "target": "bank"},
                     "choose one with --target-index", "choose one with target_index"),
    "keep_stopwords": ({"sentence": "He on the bank.", "target": "bank", "embeddings": "v.toml"},
                       "try --keep-stopwords", "try keep_stopwords"),
    "scale": ({"sentence": RIVER, "target": "bank", "scale": "abc"},
              "--scale 'abc' is not understood", "scale 'abc' is not understood"),
    "layer": ({"sentence": RIVER, "target": "bank", "layer": 2},
              "--layer, --head and --drop-specials need --mode model",
              "layer, head and drop_specials need mode model"),
    "model_dir": ({"sentence": RIVER, "target": "bank", "model_dir": "."},
                  "add --mode model or leave out --model-dir",
                  "add mode model or leave out model_dir"),
    "analogy": ({"scene": "AnalogyScene", "analogy": "a + + b", "embeddings": "v.toml"},
                "--analogy 'a + + b': two signs in a row", "analogy 'a + + b': two signs in a row"),
    # a METAVAR: the command line says what follows the flag
    "senses": ({"scene": "SenseSplitScene", "target": "zebra"},
               "give your own with --senses FILE", "give your own with senses"),
}  # fmt: skip


def plan_args(request: dict[str, Any], folder: Path) -> list[str]:
    """`attention-drift plan` arguments for `request` (files in `folder`)."""
    args = ["plan", *([request["sentence"]] if "sentence" in request else [])]
    for key, value in request.items():
        if key != "sentence":
            args += [f"--{key.replace('_', '-')}", str(folder / value if key in FILES else value)]
    return args


def spec_problem(request: dict[str, Any], folder: Path) -> str:
    """The problem a spec file with `request` as its one entry (in `folder`) reports."""
    spec = folder / "course.toml"
    entry = "".join(f"{key} = {json.dumps(value)}\n" for key, value in request.items())
    spec.write_text(f"[[renders]]\n{entry}", encoding="utf-8")
    with pytest.raises(SpecError) as err:
        build_plans(load_spec(spec, collect=True))
    return str(err.value)


@pytest.mark.parametrize(("entry", "on_cli", "in_spec"), CASES.values(), ids=list(CASES))
def test_the_cli_names_flags_and_a_spec_names_keys(
    tmp_path: Path, entry: dict[str, Any], on_cli: str, in_spec: str
) -> None:
    (tmp_path / "v.toml").write_text(STOPWORDS_ONLY, encoding="utf-8")
    result = CliRunner().invoke(cli.main, plan_args(entry, tmp_path))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and on_cli in result.stderr, result.stderr

    problem = spec_problem(entry, tmp_path)
    assert in_spec in problem, problem
    assert not re.search(r"--[a-z]", problem), problem


def test_a_spec_run_from_the_command_line_names_keys(tmp_path: Path) -> None:
    spec = tmp_path / "course.toml"
    spec.write_text(f'[[renders]]\nsentence = "{RIVER}"\ntarget = "bank"\nlayer = 2\n')
    result = CliRunner().invoke(cli.main, ["render", "--spec", str(spec)])
    assert result.exit_code == 1, result.output
    assert "renders[0].layer: layer, head and drop_specials need mode model" in result.stderr
    assert "--layer" not in result.stderr


def test_the_library_names_the_bare_field() -> None:
    with pytest.raises(InputError) as err:
        PlanRequest(RIVER, "bank", layer=2)
    assert str(err.value) == "layer, head and drop_specials need mode model"
    assert err.value.template == "{layer}, {head} and {drop_specials} need {mode} model"
    assert err.value.spelled(lambda field, metavar: f"{field}=") == (
        "layer=, head= and drop_specials= need mode= model"
    )


def test_only_option_braces_are_spelled() -> None:
    def flag(field: str, metavar: str) -> str | None:
        return None if field == "other" else f"--{field} {metavar}".strip()

    message = "{embeddings:FILE} or {target}, not {other}, {Target}, {target:file} or {}"
    assert spell(message, flag) == (
        "--embeddings FILE or --target, not {other}, {Target}, {target:file} or {}"
    )
    assert spell(message) == "embeddings or target, not other, {Target}, {target:file} or {}"


def attention_math_strings(docstrings: bool = True) -> list[tuple[str, int, str]]:
    """Every string literal of attention_math (f-strings' text too) with its place."""
    found = []
    for path in sorted(Path(attention_math.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = set() if docstrings else {id(doc) for doc in _docstrings(tree)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) not in skip:
                    found.append((path.name, node.lineno, node.value))
    return found


def _docstrings(tree: ast.Module) -> list[ast.AST]:
    owners = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return [
        node.body[0].value
        for node in ast.walk(tree)
        if isinstance(node, owners)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    ]


# a shell command and the Hugging Face cache's folder names, not options
NOT_FLAGS = re.compile(r"pip install --no-deps|models--[\w-]+--[\w.-]+")


def test_the_numbers_never_spell_a_flag() -> None:
    flags = [
        (name, line, text)
        for name, line, text in attention_math_strings()
        if re.search(r"--[A-Za-z]", NOT_FLAGS.sub("", text))
    ]
    assert flags == []


def test_every_option_in_a_message_is_a_field() -> None:
    fields = {f.name for f in dataclasses.fields(PlanRequest)}
    unknown = [
        (name, line, m[0])
        for name, line, text in attention_math_strings(docstrings=False)
        for m in OPTION.finditer(text)
        if m[1] not in fields
    ]
    assert unknown == []
