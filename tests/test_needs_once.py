"""A scene's NEEDS and a request's target are each checked in one place (issue 22).

NEEDS: `scenes.job.check_needs`, which the application calls before any pass
(`scenes.app.pipeline.check_plan`) and the `manim` command before the job is made
(`scenes.job.from_environment`); no scene checks its plan parts again. The target:
`attention_math.request.check_target`, called once per request when the request is made
(the command line, a spec file's entries and the notebook API all make one)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from attention_math import build_plan
from attention_math.errors import InputError
from scenes import SCENES

RIVER = "He sat on the river bank."
SCENES_DIR = Path(__file__).parent.parent / "scenes"
NEEDY = [name for name, entry in SCENES.items() if entry.needs]


def expected_start(name: str) -> str:
    """How the one message begins for a plain plan (no optional part at all)."""
    return f"{name} draws the plan's {', '.join(SCENES[name].needs)}, which this plan lacks ("


# ---- NEEDS ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NEEDY)
def test_a_plan_without_the_parts_is_refused_by_the_one_check(name: str, tmp_path: Path) -> None:
    """The render refuses before any pass, with the one message: what is missing, in words,
    and the commands that make a plan with it."""
    from attention_math.request import PART_WORDS
    from scenes.app import render

    plan = build_plan(RIVER, "bank")  # simple attention: none of the optional parts
    with pytest.raises(InputError) as info:
        render(plan, scene=name, formats=["png"], quality="low", out_dir=tmp_path)
    message = str(info.value)
    assert message.startswith(expected_start(name)), message
    assert "\n" not in message
    for part in SCENES[name].needs:
        assert PART_WORDS[part] in message
    assert f"attention-drift render --scene {name}," in message
    assert f"attention-drift plan --scene {name}," in message
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("name", NEEDY)
def test_the_manim_command_gives_the_same_message(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scene made by the `manim` command (no job: the plan from the environment) is
    refused by the same check, with the same message, before Manim makes anything."""
    from scenes.app.media.passes import scene_class
    from scenes.app.pipeline import check_plan

    plan = build_plan(RIVER, "bank")
    plan.save(tmp_path / "p.plan.json")
    monkeypatch.setenv("ATTENTION_DRIFT_PLAN", str(tmp_path / "p.plan.json"))
    with pytest.raises(InputError) as by_app:
        check_plan(plan, name)
    cls = scene_class(name)
    assert cls.job is None  # as the `manim` command finds the class
    with pytest.raises(InputError) as by_manim:
        cls()
    assert str(by_manim.value) == str(by_app.value)
    assert str(by_manim.value).startswith(expected_start(name))


def test_a_user_scene_is_named_as_the_command_line_renders_it() -> None:
    from scenes.job import check_needs

    with pytest.raises(InputError) as info:
        check_needs(build_plan(RIVER, "bank"), "my_scene.py:Mine", ("matrix",))
    message = str(info.value)
    assert message.startswith("my_scene.py:Mine draws the plan's matrix, which this plan lacks")
    assert "attention-drift render --scene-file my_scene.py --scene Mine" in message
    assert "needs={'matrix'}" in message


def test_a_plan_with_the_parts_passes() -> None:
    from attention_math.request import PlanRequest, make_plan
    from scenes.job import check_needs

    plan = make_plan(PlanRequest(RIVER, "bank", needs=frozenset({"weighted_sum", "matrix"})))
    check_needs(plan, "AttentionMathScene", ("weighted_sum",))  # no error
    check_needs(plan, "AttentionMatrixScene", ("matrix",))


def test_every_part_has_its_words() -> None:
    from attention_math.request import PART_WORDS, PARTS

    assert tuple(PART_WORDS) == PARTS


def scene_sources() -> dict[str, str]:
    """Every scene module's source (the registered scenes and the modules they are built
    from), but the job's, which holds the one check."""
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(SCENES_DIR.rglob("*.py"))
        if p.name != "job.py" and "app" not in p.relative_to(SCENES_DIR).parts
    }


def test_no_scene_checks_its_parts_again() -> None:
    """The parts' message and the scenes' old ones are written nowhere in the scenes."""
    sources = scene_sources()
    assert {"layers.py", "matrix.py", "picture.py", "attention_math_table.py"} <= set(sources)
    old = re.compile(r"needs (a|an|the) [\w' -]*(plan|comparison|matrix|sum)")
    for name, text in sources.items():
        assert "which this plan lacks" not in text, name
        assert not old.search(text), (name, old.search(text))
        assert "missing_parts" not in text and "check_needs(" not in text, name


# ---- the target -----------------------------------------------------------------------------


def test_a_request_without_its_target_or_sentence_names_them() -> None:
    from attention_math.request import MissingValue, PlanRequest

    with pytest.raises(MissingValue) as info:
        PlanRequest(RIVER)
    assert info.value.fields == ("target",) and info.value.field == "target"
    assert str(info.value) == "the target word is empty; give the word to follow with target"
    with pytest.raises(MissingValue) as info:
        PlanRequest(target="bank")
    assert info.value.fields == ("sentence",)
    assert str(info.value) == "the sentence is empty; give a sentence in quotes"
    with pytest.raises(MissingValue) as info:
        PlanRequest()
    assert info.value.fields == ("sentence", "target") and info.value.field == "target"
    # a sense split needs no sentence, an analogy not even a target
    with pytest.raises(MissingValue) as info:
        PlanRequest(needs=frozenset({"senses"}))
    assert info.value.fields == ("target",)
    PlanRequest(needs=frozenset({"analogy"}))


def test_a_blank_target_is_refused_when_the_request_is_made() -> None:
    """Blank is the request's to refuse; what the target is a word of, the builder's (it reads
    the sentence's tokens: test_tokens)."""
    from attention_math.request import MissingValue, PlanRequest, make_plan

    with pytest.raises(InputError, match="the target word is empty") as info:
        PlanRequest(RIVER, "  ")
    assert info.value.field == "target" and not isinstance(info.value, MissingValue)
    with pytest.raises(InputError, match="the sentence is empty") as info:
        PlanRequest(" ", "bank")
    assert info.value.field == "sentence"
    request = PlanRequest(RIVER, ".")  # one character, not blank: the builder's to judge
    with pytest.raises(InputError, match="is punctuation, not a word"):
        make_plan(request)


def counting(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every call of the one target check, recorded."""
    from attention_math import request

    calls: list[object] = []
    real = request.check_target

    def check(r: request.PlanRequest) -> None:
        calls.append(r)
        real(r)

    monkeypatch.setattr(request, "check_target", check)
    return calls


def test_the_command_line_checks_the_target_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from scenes.app import cli

    calls = counting(monkeypatch)
    result = CliRunner().invoke(cli.main, ["plan", RIVER, "-t", "bank"])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    calls.clear()
    result = CliRunner().invoke(cli.main, ["plan", RIVER])
    assert result.exit_code == 2 and "Missing option '--target'" in result.output
    assert len(calls) == 1  # the same check said so
    calls.clear()
    result = CliRunner().invoke(cli.main, ["plan", RIVER, "-t", "."])
    assert result.exit_code == 1 and "is punctuation, not a word" in result.output
    assert len(calls) == 1


def test_a_spec_checks_each_entry_s_target_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenes.app.spec import load_spec
    from tests.conftest import write_spec

    calls = counting(monkeypatch)
    path = write_spec(tmp_path, f"""\
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        [[renders]]
        sentence = "{RIVER}"
        target = "river"
    """)  # fmt: skip
    spec = load_spec(path)
    assert [e.request.target for e in spec.entries] == ["bank", "river"]
    assert len(calls) == 2
