"""The store and the command line against a hostile or unusual folder (issue 18): a record
deletes nothing but its own render's files, cannot hang or bomb a render, another process's
lock is waited for a bounded time, a read-only folder still serves what is up to date, and
every message is one escaped line with the right exit status.

Fast tests commit hand-made files through the store; the slides test renders (slow).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from attention_math.errors import OutputError
from attention_math.request import PlanRequest
from scenes.app import batch, cli, spec
from scenes.app.cache.inputs import note_inputs, records_by_inputs
from scenes.app.cache.key import cache_key, cached_files
from scenes.app.files.commit import (
    CACHE_SUFFIX,
    LOCK_SECONDS_VARIABLE,
    MAX_RECORD_BYTES,
    lock_seconds,
    name_taken,
)
from scenes.app.files.commit import commit as store_commit
from scenes.app.files.commit import staging as store_staging
from scenes.app.files.names import own_file
from scenes.app.options import RenderOptions
from tests.conftest import RIVER, TOML_VECTORS, missing_reference, write_spec

HANG_GUARD = 60  # seconds: a call that has not returned by then hangs (it would forever)
VECTORS = TOML_VECTORS + "he = [0.1, 0.2, 0.9]\non = [0.3, -0.1, 0.2]\nthe = [0.0, 0.1, 0.1]\n"


def run(*args: str | Path, color: bool = False) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args], color=color)


def error_line(result: Result, status: int = 1) -> str:
    """The one `Error: ...` line of a failed command, with no raw control character."""
    assert result.exit_code == status, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.stderr
    assert all(ch.isprintable() for ch in lines[0]), repr(lines[0])
    return lines[0]


def commit(out_dir: Path, stem: str, content: bytes = b"x", key: str = "k", **kw: Any) -> Any:
    """A render of STEM (STEM.png, STEM.mp4, STEM.plan.json) committed by the store."""
    out_dir.mkdir(exist_ok=True)
    with store_staging(out_dir) as stage:
        media = [stage / f"{stem}.png", stage / f"{stem}.mp4"]
        for path in media:
            path.write_bytes(content + path.name.encode())
        (stage / f"{stem}.plan.json").write_bytes(content)
        return store_commit(stage, out_dir, stem, key, media, **kw)


def returns(call: Callable[[], Any]) -> Any:
    """What `call()` returns (or raises), run in a daemon thread; fails the test if it has not
    returned after HANG_GUARD seconds (it would wait forever: on a FIFO, on a lock)."""
    outcome: list[tuple[bool, Any]] = []

    def target() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:
            outcome.append((False, exc))

    thread = threading.Thread(target=target, daemon=True)  # a hung one does not block the exit
    thread.start()
    thread.join(HANG_GUARD)
    if not outcome:
        pytest.fail(f"{call} did not return: it hangs")
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def record_of(out_dir: Path, stem: str) -> Path:
    return out_dir / f"{stem}{CACHE_SUFFIX}"


# ---------------------------------------------------------------------------------------------
# a record deletes nothing but its own render's files (defect 2)


def test_a_forged_record_cannot_get_other_files_deleted(tmp_path: Path) -> None:
    commit(tmp_path, "b1", b"other render")
    commit(tmp_path, "k", b"old")
    (tmp_path / "victim.txt").write_text("keep me\n", encoding="utf-8")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("keep me too\n", encoding="utf-8")
    record = json.loads(record_of(tmp_path, "k").read_text(encoding="utf-8"))
    for name in ("victim.txt", "b1.png", "b1.cache.json", "k2.png"):
        record["files"][name] = {"size": 1, "mtime_ns": 1, "sha256": "0" * 64}
    record_of(tmp_path, "k").write_text(json.dumps(record), encoding="utf-8")

    commit(tmp_path, "k", b"new", key="k-new")  # a --force render of k
    assert (tmp_path / "victim.txt").read_text(encoding="utf-8") == "keep me\n"
    assert (tmp_path / "b1.png").read_bytes() == b"other renderb1.png"
    assert cached_files(tmp_path, "b1", "k", verify=True) is not None  # b1 is intact
    hit = cached_files(tmp_path, "k", "k-new", verify=True)
    assert hit is not None and sorted(p.name for p in hit) == ["k.mp4", "k.png"]
    record = json.loads(record_of(tmp_path, "k").read_text(encoding="utf-8"))
    record["files"][f"../{outside.name}"] = {"size": 1, "mtime_ns": 1, "sha256": "0" * 64}
    record_of(tmp_path, "k").write_text(json.dumps(record), encoding="utf-8")
    commit(tmp_path, "k", b"newer", key="k-newer")
    assert outside.read_text(encoding="utf-8") == "keep me too\n"


def test_a_record_naming_other_files_is_not_a_hit(tmp_path: Path) -> None:
    """As shown by a hit, a file another render or the user owns would be taken for this
    render's (and a --force render of it would remove it)."""
    commit(tmp_path, "k")
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"someone else's")
    st = victim.stat()
    record = json.loads(record_of(tmp_path, "k").read_text(encoding="utf-8"))
    record["media"].append("victim.txt")
    record["files"]["victim.txt"] = {
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "sha256": hashlib.sha256(b"someone else's").hexdigest(),
    }
    record_of(tmp_path, "k").write_text(json.dumps(record), encoding="utf-8")
    assert cached_files(tmp_path, "k", "k", verify=True) is None


@pytest.mark.parametrize(
    ("name", "own"),
    [
        ("k.png", True), ("k.plan.json", True), ("k.poster.png", True), ("k.beat-03.png", True),
        ("k.srt", True), ("k.vtt", True), ("k.html", True), ("k.pdf", True),
        ("k.slides.pptx", True), ("k.script.md", True), ("k.beat-01.webp", True),
        ("k.cache.json", False), ("k.txt", False), ("k2.png", False), ("kk.png", False),
        ("victim.txt", False), ("../k.png", False), ("k.png/x", False), (".k.png", False),
    ],
)  # fmt: skip
def test_own_files_are_the_stem_and_a_known_suffix(name: str, own: bool) -> None:
    assert own_file("k", name) is own


# ---------------------------------------------------------------------------------------------
# a record cannot hang, bomb or crash a render (defects 4 and 6)


def fifo(path: Path) -> None:
    os.mkfifo(path)


def link_to_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def link_to_a_good_record(path: Path) -> None:
    """A symlink to a record that would be a hit (made elsewhere): not followed either."""
    elsewhere = path.parent.parent / f"{path.parent.name}-elsewhere"
    commit(elsewhere, "k")
    for name in ("k.png", "k.mp4", "k.plan.json"):
        os.replace(elsewhere / name, path.parent / name)
    path.symlink_to(record_of(elsewhere, "k"))


def nested(path: Path) -> None:
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")


def nested_in_a_record(path: Path) -> None:
    path.write_text('{"key": "k", "files": {}, "x": ' + "[" * 200_000 + "]" * 200_000 + "}")


def too_big(path: Path) -> None:
    path.write_text(json.dumps({"key": "k", "files": {}, "pad": "x" * MAX_RECORD_BYTES}))


def not_utf8(path: Path) -> None:
    path.write_bytes(b'{"key": "k\xff", "files": {}}')


@pytest.mark.parametrize(
    "make", [fifo, link_to_zero, link_to_a_good_record, nested, nested_in_a_record, too_big,
             not_utf8],
)  # fmt: skip
def test_a_record_that_is_not_a_small_regular_json_file_is_no_record(
    tmp_path: Path, make: Callable[[Path], None]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    make(record_of(out, "k"))
    assert returns(lambda: cached_files(out, "k", "k")) is None
    assert returns(lambda: records_by_inputs(out)) == {}
    assert returns(lambda: name_taken(out, "k", {"scene": "x"})) is None
    result = returns(lambda: commit(out, "k", key="k2"))  # a render replaces it
    assert sorted(p.name for p in result) == ["k.mp4", "k.png"]
    assert cached_files(out, "k", "k2", verify=True) is not None
    assert not record_of(out, "k").is_symlink()


def test_a_record_of_this_version_still_reads(tmp_path: Path) -> None:
    """The guards refuse only what the store never writes."""
    commit(tmp_path, "k", inputs="in")
    assert records_by_inputs(tmp_path) == {"in": ("k", "k")}
    hit = cached_files(tmp_path, "k", "k", verify=True)
    assert hit is not None and hit.plan_path == tmp_path / "k.plan.json"


# ---------------------------------------------------------------------------------------------
# another process's lock (defect 3)

HOLD = """\
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(600)
"""


@pytest.fixture
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder holding a render of k, its lock held by another process (as `flock -x DIR
    sleep 600` would); lock waits of a fraction of a second."""
    out = tmp_path / "out"
    commit(out, "k", inputs="in")
    monkeypatch.setenv("ATTENTION_DRIFT_LOCK_SECONDS", "0.3")  # LOCK_SECONDS_VARIABLE
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        yield out
    finally:
        holder.kill()
        holder.wait()


def test_an_up_to_date_render_needs_no_lock(locked: Path) -> None:
    hit = returns(lambda: cached_files(locked, "k", "k", verify=True))
    assert hit is not None and sorted(p.name for p in hit) == ["k.mp4", "k.png"]
    assert returns(lambda: records_by_inputs(locked)) == {"in": ("k", "k")}
    returns(lambda: note_inputs(locked, "k", "k", "new inputs"))  # best effort: skipped
    assert records_by_inputs(locked) == {"in": ("k", "k")}


def test_a_commit_waits_for_the_lock_saying_so_then_gives_up_in_one_line(
    locked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.name for p in locked.iterdir())
    with pytest.raises(OutputError) as info:
        returns(lambda: commit(locked, "k", b"new", key="k2"))
    assert str(info.value) == (
        f"another process has held the lock of {locked} for 0.3 s (a render writing there? "
        f"`fuser -v` names it); wait for it to end, or choose another folder"
    )
    waiting = capsys.readouterr().err.splitlines()
    assert waiting == [
        f"attention-drift: waiting up to 0.3 s for another process to finish writing in "
        f"{locked} (it holds the folder's lock)"
    ]
    assert sorted(p.name for p in locked.iterdir()) == before
    assert cached_files(locked, "k", "k", verify=True) is not None  # untouched


def test_the_lock_wait_is_configurable_and_defaults_to_a_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(LOCK_SECONDS_VARIABLE, raising=False)
    assert lock_seconds() == 60
    for value, seconds in (("2.5", 2.5), ("-1", 0.0), ("soon", 60.0), ("nan", 60.0)):
        monkeypatch.setenv(LOCK_SECONDS_VARIABLE, value)
        assert lock_seconds() == seconds


# ---------------------------------------------------------------------------------------------
# names with control and bidi characters (defect 7)


@pytest.mark.parametrize(
    ("name", "shown"),
    [("x\x1b[31my", "x\\x1b[31my"), ("gnp.\u202eexe", "gnp.\\u202eexe"), ("a\x07b", "a\\x07b")],
)
def test_a_name_with_control_characters_is_refused_escaped(name: str, shown: str) -> None:
    result = run("render", RIVER, "-t", "bank", "--name", name, "--format", "png", color=True)
    line = error_line(result)
    assert line == f'Error: --name "{shown}" has control characters; give a stem like bank-river'
    assert "\x1b" not in result.output and "\u202e" not in result.output


# ---------------------------------------------------------------------------------------------
# read-only folders, Ctrl-C (defect 8)


def request_inputs(vectors: Path, name: str) -> str:
    request = PlanRequest(RIVER, "bank", embeddings=vectors)
    return cli._request_inputs(request, RenderOptions(formats=("png",), name=name))


@pytest.fixture
def vectors(tmp_path: Path) -> Path:
    path = tmp_path / "vectors.toml"
    path.write_text(VECTORS, encoding="utf-8")
    return path


def read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """`folder` as on a file system mounted read-only: no write access, ST_RDONLY set (the
    tests may run as root, where a mode bit would not stop a write)."""
    real_access, real_statvfs = os.access, os.statvfs

    class ReadOnly:
        f_flag = os.ST_RDONLY

    def access(path: Any, mode: int, **kw: Any) -> bool:
        return False if Path(path) == folder and mode & os.W_OK else real_access(path, mode, **kw)

    def statvfs(path: Any) -> Any:
        return ReadOnly() if Path(path) == folder else real_statvfs(path)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "statvfs", statvfs)


def test_a_read_only_folder_serves_an_up_to_date_render(
    tmp_path: Path, vectors: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    commit(out, "fig", inputs=request_inputs(vectors, "fig"))
    read_only(monkeypatch, out)
    result = run("render", RIVER, "-t", "bank", "--embeddings", vectors, "--format", "png",
                 "--name", "fig", "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(out / "fig.png"), str(out / "fig.mp4"),
                                          str(out / "fig.plan.json")]  # fmt: skip
    assert result.stderr.startswith(f"attention-drift: up to date in {out}")


def test_a_read_only_folder_is_said_to_be_read_only(
    tmp_path: Path, vectors: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    read_only(monkeypatch, out)
    result = run("render", RIVER, "-t", "bank", "--embeddings", vectors, "--format", "png",
                 "--out", out)  # fmt: skip
    assert error_line(result) == (
        f"Error: cannot write in {str(out)!r} (read-only file system); choose another --out"
    )
    assert "computing the plan" not in result.stderr  # refused before any work
    monkeypatch.undo()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m: False if m & os.W_OK else real_access(p, m))
    result = run("render", RIVER, "-t", "bank", "--embeddings", vectors, "--out", out)
    assert error_line(result) == (
        f"Error: cannot write in {str(out)!r} (permission denied); choose another --out"
    )


def test_a_spec_in_a_read_only_folder_serves_what_is_up_to_date(
    tmp_path: Path, vectors: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry up to date by its plan's key is served; one to render is refused in one
    line that says the folder is read-only."""
    out = tmp_path / "out"
    entry = f'[[renders]]\nsentence = "{RIVER}"\ntarget = "bank"\nembeddings = "vectors.toml"\n'
    path = write_spec(tmp_path, entry + 'name = "fig"\n')
    loaded = spec.load_spec(path).entries[0]
    plan = spec.Planner([loaded]).plan(loaded)
    commit(out, "fig", key=cache_key(plan, loaded.options))
    read_only(monkeypatch, out)
    jobs, _ = batch.plan_spec(path, out_dir=out)
    assert jobs[0].ready is not None and [p.name for p in jobs[0].ready] == ["fig.png", "fig.mp4"]
    path = write_spec(tmp_path, entry + 'name = "fig"\n' + entry + 'name = "new"\n')
    result = run("render", "--spec", path, "--out", out)
    assert error_line(result) == (
        f"Error: cannot write in {str(out)!r} (read-only file system); choose another folder "
        f"(--out)"
    )


@pytest.mark.parametrize("spec_option", [False, True])
def test_ctrl_c_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vectors: Path, spec_option: bool
) -> None:
    def interrupted(*args: Any, **kw: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_render_media", interrupted)
    monkeypatch.setattr(batch, "run_spec", interrupted)
    path = write_spec(tmp_path, f'[[renders]]\nsentence = "{RIVER}"\ntarget = "bank"\n')
    args = ["--spec", path] if spec_option else [RIVER, "-t", "bank", "--embeddings", vectors]
    result = run("render", *args, "--out", tmp_path / "out")
    assert result.exit_code == 130, result.output
    assert result.stderr.splitlines()[-1] == (
        "attention-drift: interrupted; files not finished were not written"
    )


def test_a_batch_starts_its_workers_deaf_to_the_terminals_ctrl_c() -> None:
    """A worker still importing when Ctrl-C comes would print a KeyboardInterrupt traceback:
    processes start with SIGINT ignored (their own handler comes with `_worker_init`), and
    the batch's own handler is back afterwards."""
    import signal

    before = signal.getsignal(signal.SIGINT)
    show = "import signal; print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)"
    with batch._no_ctrl_c_inherited():
        child = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True)
    assert child.stdout == "True\n"
    assert signal.getsignal(signal.SIGINT) is before
    child = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True)
    assert child.stdout == "False\n"


# ---------------------------------------------------------------------------------------------
# a spec is checked, every entry, before any plan is built (defect 8)


@pytest.fixture
def no_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kw: Any) -> Any:
        pytest.fail("a plan was built before every entry was checked")

    monkeypatch.setattr(spec.Planner, "plan", refuse)


ENTRIES = 2000


@pytest.mark.parametrize(
    ("last", "problem"),
    [
        ('quality = "ultra"', '.quality: "ultra" is not one of low, medium, high, 4k'),
        ('embeddings = "missing.toml"',
         """.embeddings: "missing.toml" does not exist in the spec's folder; check the name"""),
        ('embeddings = "sub"', '.embeddings: "sub" is a folder; give the file\'s name'),
        ('embeddings = "fifo"', '.embeddings: "fifo" is not a regular file; give the file\'s '
         "name"),
        ('mode = "model"\nmodel_dir = "vectors.toml"',
         '.model_dir: "vectors.toml" is not a folder; give the folder that holds the '
         "checkpoint's files"),
        ('name = "r5"', '.name: writes r5.* like renders[5]; give one of them another name = '
         '"..."'),
    ],
)  # fmt: skip
def test_the_last_of_2000_entries_is_reported_before_any_plan(
    tmp_path: Path, vectors: Path, no_plans: None, last: str, problem: str
) -> None:
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "fifo")
    entries = "".join(
        f'[[renders]]\nsentence = "{RIVER}"\ntarget = "bank"\nname = "r{i}"\n'
        for i in range(ENTRIES - 1)
    )
    last_entry = f'[[renders]]\nsentence = "{RIVER}"\ntarget = "bank"\n{last}\n'
    path = write_spec(tmp_path, f'[defaults]\nembeddings = "vectors.toml"\n{entries}{last_entry}')
    result = run("render", "--spec", path, "--out", tmp_path / "out")
    assert error_line(result) == f"Error: course.toml: renders[{ENTRIES - 1}]{problem}"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("last", "problem"),
    [
        ('sentence = "He sat on the river."\ntarget = "bank"',
         '.target: "bank" is not a word of the sentence'),
        ('sentence = "He sat on the river bank."\ntarget = "bank"\ncompare = ["He sat."]',
         ".compare[0]: "),
        ('sentence = ""\ntarget = "bank"', ".sentence: "),
    ],
)  # fmt: skip
def test_a_target_missing_from_the_last_of_2000_sentences_is_found_before_any_plan(
    tmp_path: Path, vectors: Path, no_plans: None, last: str, problem: str
) -> None:
    """The sentences are located (tokens only, no vector read) before any plan is built."""
    entries = "".join(
        f'[[renders]]\nsentence = "{RIVER}"\ntarget = "bank"\nname = "r{i}"\n'
        for i in range(ENTRIES - 1)
    )
    path = write_spec(tmp_path, f'[defaults]\nembeddings = "vectors.toml"\n{entries}'
                      f"[[renders]]\n{last}\n")  # fmt: skip
    result = run("render", "--spec", path, "--out", tmp_path / "out")
    assert error_line(result).startswith(f"Error: course.toml: renders[{ENTRIES - 1}]{problem}")
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------
# relative output folders (--slides crashed with the default `out`)


def test_every_path_below_the_command_line_is_absolute(
    tmp_path: Path, vectors: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From a working folder with a relative --out (and the default `out`), the pipeline and
    the passes get absolute paths: manim-slides reads a relative one against its own file."""
    from scenes.app import pipeline

    seen: list[Path] = []

    def passes(plan: Any, options: Any, stage: Path, stem: str, progress: Any) -> list[Path]:
        seen.append(stage)
        (stage / f"{stem}.png").write_bytes(b"png")
        return [stage / f"{stem}.png"]

    monkeypatch.setattr(pipeline, "run_passes", passes)
    monkeypatch.chdir(tmp_path)
    for out, folder in ((None, tmp_path / "out"), ("drafts/figs", tmp_path / "drafts" / "figs")):
        args = ["--out", out] if out else []
        result = run("render", RIVER, "-t", "bank", "--embeddings", "vectors.toml", "--format",
                     "png", "--name", "fig", *args)  # fmt: skip
        assert result.exit_code == 0, result.output
        assert seen[-1].is_absolute() and seen[-1].parent == folder
        # printed as the user would write them: below the working folder, relative
        shown = folder.relative_to(tmp_path)
        assert result.stdout.splitlines() == [str(shown / "fig.png"),
                                              str(shown / "fig.plan.json")]  # fmt: skip
    entry = f'[[renders]]\nsentence = "{RIVER}"\ntarget = "bank"\nembeddings = "vectors.toml"\n'
    jobs, _ = batch.plan_spec(write_spec(tmp_path, entry))
    assert jobs[0].out_dir == tmp_path / "out"


@pytest.mark.render
@pytest.mark.parametrize("out", [None, "drafts"])
def test_slides_render_into_a_relative_folder(
    tmp_path: Path, vectors: Path, monkeypatch: pytest.MonkeyPatch, out: str | None
) -> None:
    from scenes.beats import HAVE_SLIDES

    if not HAVE_SLIDES:
        missing_reference("--slides needs manim-slides (pip install 'attention-drift[slides]')")
    monkeypatch.chdir(tmp_path)
    args = ["--out", out] if out else []
    result = run("render", RIVER, "-t", "bank", "--embeddings", "vectors.toml", "--scene",
                 "AttentionMathScene", "--slides", "--format", "png", "--quality", "low",
                 "--name", "deck", *args)  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = tmp_path / (out or "out")
    assert result.stdout.splitlines() == [str(Path(out or "out") / f"deck.{n}")
                                          for n in ("png", "html", "plan.json")]  # fmt: skip
    page = (folder / "deck.html").read_text(encoding="utf-8")
    notes = json.loads((folder / "deck.plan.json").read_text(encoding="utf-8"))
    assert notes["target"] == "bank"
    assert page.count('data-background-video="data:video/mp4;base64,') >= 2
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no staging left
