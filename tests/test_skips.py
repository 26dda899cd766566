"""A test steps aside for something the machine lacks only through `missing_reference`, which
fails instead of skipping under ATTENTION_DRIFT_REQUIRE_REFERENCE=1 (CI): a CI machine without
ffmpeg, ffprobe, fc-list or a package of the test extras goes red, not quietly green."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_REFERENCE, missing_reference, needs_module, needs_tools

TESTS = Path(__file__).parent
# Skips that are no lack of the machine: (file, the literal reason).
NOT_ENVIRONMENT = {("test_figure.py", "control frames written")}  # UPDATE_CONTROL mode


@pytest.fixture
def required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_REFERENCE, "1")


@pytest.fixture
def optional(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_REFERENCE, raising=False)


@pytest.fixture
def bare_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH of one empty folder (programs put there are found, nothing else is)."""
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


def outcome(call: Callable[[], object]) -> tuple[str, str]:
    """("skip" | "fail" | "pass", the message): what `call` makes of the test (a skip is
    caught here, so that a helper that skips where it should fail fails this test)."""
    try:
        call()
    except pytest.skip.Exception as exc:
        return "skip", str(exc)
    except pytest.fail.Exception as exc:
        return "fail", str(exc)
    return "pass", ""


def test_missing_reference_skips_when_not_required(optional: None) -> None:
    assert outcome(lambda: missing_reference("no model here")) == ("skip", "no model here")


@pytest.mark.parametrize("value", ["0", "", "yes"])
def test_only_the_value_1_requires(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_REFERENCE, value)
    assert outcome(lambda: missing_reference("no model here"))[0] == "skip"


def test_missing_reference_fails_when_required(required: None) -> None:
    assert outcome(lambda: missing_reference("no model here")) == (
        "fail",
        "no model here (ATTENTION_DRIFT_REQUIRE_REFERENCE=1)",
    )


def test_needs_tools_names_the_missing_program_and_its_package(
    optional: None, bare_path: Path
) -> None:
    assert outcome(lambda: needs_tools("ffprobe")) == (
        "skip",
        "needs ffprobe on the PATH (apt-get install ffmpeg)",
    )


def test_needs_tools_fails_when_required(required: None, bare_path: Path) -> None:
    kind, message = outcome(lambda: needs_tools("fc-list"))
    assert (kind, message.split(" (")[0]) == ("fail", "needs fc-list on the PATH")


def test_needs_tools_passes_with_the_programs_on_the_path(required: None, bare_path: Path) -> None:
    for name in ("ffmpeg", "ffprobe"):
        (bare_path / name).write_text("#!/bin/sh\n")
        (bare_path / name).chmod(0o755)
    assert outcome(lambda: needs_tools("ffmpeg", "ffprobe")) == ("pass", "")
    kind, message = outcome(lambda: needs_tools("ffmpeg", "fc-list"))
    assert kind == "fail" and message.startswith("needs fc-list on the PATH (")  # only it


def test_needs_module(optional: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert needs_module("json").dumps([]) == "[]"
    kind, message = outcome(lambda: needs_module("no_such_mod_3f"))
    assert kind == "skip" and "needs the Python package no_such_mod_3f" in message
    monkeypatch.setenv(REQUIRE_REFERENCE, "1")
    assert outcome(lambda: needs_module("no_such_mod_3f"))[0] == "fail"


MARKED = """
import pytest

@pytest.mark.needs("no-such-program-3f9a")
def test_missing():
    pass

@pytest.mark.needs("sh")
def test_present():
    pass
"""


@pytest.mark.parametrize(("value", "outcomes"), [
    (None, {"passed": 1, "skipped": 1}),
    ("1", {"passed": 1, "errors": 1}),
])  # fmt: skip
def test_the_needs_mark_goes_through_missing_reference(
    value: str | None, outcomes: dict[str, int], pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    if value is None:
        monkeypatch.delenv(REQUIRE_REFERENCE, raising=False)
    else:
        monkeypatch.setenv(REQUIRE_REFERENCE, value)
    pytester.makeconftest("from tests.conftest import pytest_runtest_setup  # noqa: F401\n")
    pytester.makepyfile(MARKED)
    pytester.makeini("[pytest]\nmarkers =\n    needs: programs on the PATH\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(**outcomes)
    if value == "1":
        result.stdout.fnmatch_lines(["*needs no-such-program-3f9a on the PATH*=1)*"])


def skips_in(path: Path) -> list[tuple[int, str]]:
    """(line, reason) of every pytest.skip / importorskip / mark.skip / mark.skipif in a file;
    reason is the literal text given, or "" when it is not a literal."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        if name not in ("pytest.skip", "pytest.importorskip", "pytest.mark.skip",
                        "pytest.mark.skipif", "skip", "importorskip"):  # fmt: skip
            continue
        texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
        texts += [k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)]
        found.append((node.lineno, str(texts[0]) if texts else ""))
    return sorted(found)


def test_every_skip_for_the_machine_goes_through_missing_reference() -> None:
    """Static: no test file skips by itself (pytest.skip, importorskip, skipif) but for a
    reason that is no lack of the machine; conftest's missing_reference is the one skip."""
    found = {
        f"{path.name}:{line}": reason
        for path in sorted(TESTS.rglob("*.py"))
        for line, reason in skips_in(path)
        if (path.name, reason) not in NOT_ENVIRONMENT
    }
    (conftest_skip,) = [k for k in found if k.startswith("conftest.py:")]
    del found[conftest_skip]  # missing_reference itself
    assert found == {}, "skip through tests.conftest.missing_reference (needs_tools, ...)"


def test_the_sweep_sees_a_skip(tmp_path: Path) -> None:
    """The sweep above would catch each way of skipping."""
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import shutil, pytest\n"
        "@pytest.mark.skipif(shutil.which('ffmpeg') is None, reason='needs ffmpeg')\n"
        "def test_a():\n    pytest.skip('needs fc-list')\n"
        "def test_b():\n    pytest.importorskip('nbclient')\n"
    )
    assert skips_in(sample) == [(2, "needs ffmpeg"), (4, "needs fc-list"), (6, "nbclient")]
