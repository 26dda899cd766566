"""The application under hostile and faulty input (issue 12): a spec reaches nothing outside
its folder, a render's files appear together or not at all, workers die with their batch,
default names never collide, and every mistake is one escaped line with its exit status.

Fast tests build plans from small hand-made vectors and commit hand-made files; the ones that
render (or kill a real batch) are marked slow.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import re
import signal
import subprocess
import sys
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from attention_math import build_plan
from attention_math.errors import OutputError
from attention_math.plan import Plan
from attention_math.request import PlanRequest, make_plan
from scenes import scene_needs
from scenes.app import batch, cli
from scenes.app.cache.key import cache_key, cached_files
from scenes.app.files.commit import check_name as store_check_name
from scenes.app.files.commit import commit as store_commit
from scenes.app.files.commit import name_taken, set_owner, staging
from scenes.app.files.names import MAX_STEM, default_stem, render_identity, safe_stem, stem_of
from scenes.app.options import RenderOptions
from scenes.app.spec import SpecError, build_plans, load_spec
from tests.conftest import CASH, RIVER, TOML_VECTORS, rendering_frames, wait_for, write_spec

CLI = Path(sys.executable).with_name("attention-drift")
SECRET = "SENTINEL-3b7e1d"
SMALL_WORDS = """\
he = [0.1, 0.2, 0.9]
on = [0.3, -0.1, 0.2]
the = [0.0, 0.1, 0.1]
"""
VECTORS = TOML_VECTORS + SMALL_WORDS
HASHED = r"-[0-9a-f]{8}"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def one_error_line(result: Result, status: int = 1) -> str:
    """The single `Error: ...` line of a failed command (asserts exit status, no traceback)."""
    assert result.exit_code == status, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.stderr
    assert not any(0xD800 <= ord(c) <= 0xDFFF or ord(c) < 32 for c in lines[0]), lines[0]
    return lines[0]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A spec's folder with vectors.toml in it, and a secret next to (outside) it."""
    (tmp_path / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    spec_dir = tmp_path / "course"
    spec_dir.mkdir()
    (spec_dir / "vectors.toml").write_text(VECTORS, encoding="utf-8")
    return spec_dir


def entry(key: str, value: str) -> str:
    return f'[[renders]]\nsentence = "{RIVER}"\ntarget = "bank"\n{key} = "{value}"\n'


# ---------------------------------------------------------------------------------------------
# 1. confinement by real path


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("embeddings", "../secret.txt"),
        ("embeddings", "../../../../../../../etc/passwd"),
        ("embeddings", "/proc/self/environ"),
        ("senses", "/etc/passwd"),
        ("embeddings", "link.toml"),  # a symlink in the folder to the file outside
        ("senses", "inner/../../secret.txt"),
    ],
)
def test_a_spec_names_nothing_outside_its_folder(folder: Path, key: str, value: str) -> None:
    (folder / "link.toml").symlink_to(folder.parent / "secret.txt")
    (folder / "inner").mkdir()
    scene = "" if key == "embeddings" else 'scene = "SenseSplitScene"\n'
    spec = write_spec(folder, entry(key, value) + scene)
    line = one_error_line(run("render", "--spec", spec, "--out", folder / "out"))
    assert line.startswith(f"Error: course.toml: renders[0].{key}: ")
    assert "outside the spec's folder" in line and "copy the file there" in line
    assert SECRET not in line and "root:" not in line and "PATH=" not in line
    assert not (folder / "out").exists()


def test_nothing_outside_is_even_opened(folder: Path) -> None:
    """The file outside is a named pipe: opening it to read would block, so a spec that
    is refused in time proves it was never opened."""
    fifo = folder.parent / "pipe.txt"
    os.mkfifo(fifo)
    spec = write_spec(folder, entry("embeddings", "../pipe.txt"))
    done = subprocess.run([CLI, "render", "--spec", spec, "--out", folder / "out"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1
    assert "renders[0].embeddings" in done.stderr and "outside" in done.stderr


def test_a_model_folder_with_a_file_leading_outside_is_refused(folder: Path) -> None:
    model = folder / "model"
    model.mkdir()
    (model / "config.json").symlink_to(folder.parent / "secret.txt")
    spec = write_spec(folder, entry("model_dir", "model") + 'mode = "model"\n')
    line = one_error_line(run("render", "--spec", spec))
    assert "renders[0].model_dir:" in line and "holds config.json, which leads outside" in line
    assert SECRET not in line


def test_out_through_a_symlink_is_refused_and_nothing_is_written(folder: Path) -> None:
    elsewhere = folder.parent / "elsewhere"
    elsewhere.mkdir()
    (folder / "media").symlink_to(elsewhere)
    spec = write_spec(folder, 'out = "media/course"\n' + entry("embeddings", "vectors.toml"))
    line = one_error_line(run("render", "--spec", spec))
    assert line.startswith('Error: course.toml: out: "media/course" leads through a symlink '
                           "outside the spec's folder")  # fmt: skip
    assert "give --out on the command line" in line
    assert list(elsewhere.iterdir()) == []


def test_paths_inside_the_folder_are_fine_symlinks_included(folder: Path) -> None:
    (folder / "data").mkdir()
    (folder / "data" / "v.toml").write_text(VECTORS, encoding="utf-8")
    (folder / "alias.toml").symlink_to(folder / "data" / "v.toml")
    spec = write_spec(folder, 'out = "media"\n' + entry("embeddings", "alias.toml")
                      + entry("embeddings", "data/../vectors.toml"))  # fmt: skip
    loaded = load_spec(spec)
    assert loaded.out == folder / "media"
    plans = build_plans(loaded)
    assert [p.embedding.name for p in plans] == ["alias.toml", "vectors.toml"]


def test_the_command_line_may_name_any_file_and_shows_only_a_short_escaped_excerpt(
    tmp_path: Path,
) -> None:
    """A file the user names directly may be anywhere; a bad one is quoted in a short,
    escaped excerpt of its first line, never its contents."""
    bad = tmp_path / "environ"
    bad.write_bytes(b"SHELL=/bin/bash\x00\x1b[31mPATH=/usr/bin\x00" + SECRET.encode() * 50)
    line = one_error_line(run("plan", RIVER, "-t", "bank", "--embeddings", bad))
    assert SECRET not in line and "\x1b" not in line and "\x00" not in line
    assert line.startswith("Error: environ:1: ") and "\\x00" in line
    assert len(line) < 160, line


# ---------------------------------------------------------------------------------------------
# 2. all or nothing


def stage_files(out_dir: Path, stem: str, content: bytes, extra: tuple[str, ...] = ()) -> Any:
    """A commit of STEM.png, STEM.mp4, STEM.plan.json (and `extra` names) made by hand."""
    out_dir.mkdir(exist_ok=True)

    def commit(key: str = "k", content_key: str | None = None, **kw: Any) -> Any:
        with staging(out_dir) as stage:
            names = [f"{stem}.png", f"{stem}.mp4", *extra]
            for name in names:
                (stage / name).write_bytes(content + name.encode())
            (stage / f"{stem}.plan.json").write_bytes(content)
            media = [stage / n for n in names]
            return store_commit(stage, out_dir, stem, key, media, content=content_key, **kw)

    return commit


def snapshot(folder: Path) -> dict[str, bytes | str]:
    return {
        p.name: ("<folder>" if p.is_dir() else p.read_bytes())
        for p in sorted(folder.iterdir())
        if not p.name.startswith(".")
    }


def test_a_commit_that_fails_midway_puts_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage_files(tmp_path, "k", b"old", extra=("k.gif",))()
    before = snapshot(tmp_path)
    real = os.replace

    def cannot_replace_the_mp4(src: Any, dst: Any) -> None:
        if Path(dst).name == "k.mp4" and ".render-" in str(src):
            raise PermissionError(13, "Permission denied", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", cannot_replace_the_mp4)
    with pytest.raises(OutputError) as err:
        stage_files(tmp_path, "k", b"new")(key="k2")
    monkeypatch.setattr(os, "replace", real)
    message = str(err.value)
    assert "\n" not in message
    assert message == (
        f"cannot replace {tmp_path}/k.mp4 (Permission denied); the render was not committed "
        f"and the previous files of {tmp_path} are back as they were"
    )
    assert snapshot(tmp_path) == before  # k.png was replaced, then put back; k.gif kept
    assert cached_files(tmp_path, "k", "k") is not None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_an_old_file_that_cannot_be_replaced_or_linked_stays_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As with an immutable file (chattr +i): it can be neither hard-linked nor replaced, so
    it is copied aside, the rename fails naming the destination, and everything stays."""
    stage_files(tmp_path, "k", b"old")()
    before = snapshot(tmp_path)
    real_replace, real_link = os.replace, os.link

    def immutable_png(src: Any, dst: Any, **kw: Any) -> None:
        if Path(dst) == tmp_path / "k.png" and ".previous" not in str(src):
            raise PermissionError(1, "Operation not permitted", str(src), None, str(dst))
        real_replace(src, dst)

    def no_link(src: Any, dst: Any, **kw: Any) -> None:
        if Path(src) == tmp_path / "k.png":
            raise PermissionError(1, "Operation not permitted", str(src))
        real_link(src, dst, **kw)

    monkeypatch.setattr(os, "replace", immutable_png)
    monkeypatch.setattr(os, "link", no_link)
    with pytest.raises(OutputError) as err:
        stage_files(tmp_path, "k", b"new")(key="k2")
    monkeypatch.undo()
    assert str(err.value) == (
        f"cannot replace {tmp_path}/k.png (Operation not permitted); the render was not "
        f"committed and the previous files of {tmp_path} are back as they were"
    )
    assert snapshot(tmp_path) == before
    assert cached_files(tmp_path, "k", "k", verify=True) is not None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_folder_where_a_file_goes_is_refused_before_anything_moves(tmp_path: Path) -> None:
    stage_files(tmp_path, "k", b"old")()
    (tmp_path / "k.mp4").unlink()
    (tmp_path / "k.mp4").mkdir()
    before = snapshot(tmp_path)
    with pytest.raises(OutputError, match=r"k\.mp4 is a folder, so the render cannot be "
                       r"written there: nothing was replaced"):  # fmt: skip
        stage_files(tmp_path, "k", b"new")(key="k2")
    assert snapshot(tmp_path) == before


def test_a_folder_at_stem_png_is_one_line_before_the_render(tmp_path: Path) -> None:
    vectors = tmp_path / "v.toml"
    vectors.write_text(VECTORS, encoding="utf-8")
    out = tmp_path / "out"
    (out / "fig.png").mkdir(parents=True)
    result = run("render", RIVER, "-t", "bank", "--embeddings", vectors, "--name", "fig",
                 "--format", "png", "--out", out)  # fmt: skip
    line = one_error_line(result)
    assert line == (f"Error: {out}/fig.png is a folder, so the render cannot be written there; "
                    "move it away or choose another name")  # fmt: skip
    assert "rendering the last frame" not in result.stderr  # refused before any pass
    assert sorted(p.name for p in out.iterdir()) == ["fig.png"]


def test_files_of_another_render_of_the_stem_go_those_of_the_same_content_stay(
    tmp_path: Path,
) -> None:
    """After a commit, the folder holds one render's files under STEM: the previous render's
    other files are removed, unless they show the same content (a GIF then a PNG of it)."""
    stage_files(tmp_path, "k", b"a", extra=("k.html", "k.gif"))(key="a", content_key="A")
    stage_files(tmp_path, "k", b"b")(key="b", content_key="B")
    assert sorted(snapshot(tmp_path)) == ["k.cache.json", "k.mp4", "k.plan.json", "k.png"]
    stage_files(tmp_path, "k", b"b", extra=("k.gif",))(key="b2", content_key="B")
    stage_files(tmp_path, "k", b"b")(key="b3", content_key="B")
    record = json.loads((tmp_path / "k.cache.json").read_text())
    assert sorted(record["files"]) == ["k.gif", "k.mp4", "k.plan.json", "k.png"]
    hit = cached_files(tmp_path, "k", "b3")
    assert hit is not None and sorted(p.name for p in hit) == ["k.gif", "k.mp4", "k.png"]


def test_the_record_checks_hashes_cheaply_and_with_verify(tmp_path: Path) -> None:
    stage_files(tmp_path, "k", b"old")()
    png = tmp_path / "k.png"
    st = png.stat()
    assert cached_files(tmp_path, "k", "k", verify=True) is not None
    corrupt = bytearray(png.read_bytes())
    corrupt[1] ^= 0xFF
    png.write_bytes(bytes(corrupt))  # the same size, a new mtime
    assert png.stat().st_size == st.st_size
    assert cached_files(tmp_path, "k", "k") is None  # mtime differs: hashed, differs
    os.utime(png, ns=(st.st_atime_ns, st.st_mtime_ns))  # size and mtime as recorded
    assert cached_files(tmp_path, "k", "k") is not None  # the cheap check trusts them
    assert cached_files(tmp_path, "k", "k", verify=True) is None  # --verify does not
    png.write_bytes(b"old" + b"k.png")
    assert cached_files(tmp_path, "k", "k") is not None  # touched, same bytes: a hit


def test_a_record_of_an_older_version_is_not_a_hit(tmp_path: Path) -> None:
    stage_files(tmp_path, "k", b"old")()
    record = json.loads((tmp_path / "k.cache.json").read_text())
    record["files"] = {n: f["size"] for n, f in record["files"].items()}  # sizes only
    (tmp_path / "k.cache.json").write_text(json.dumps(record))
    assert cached_files(tmp_path, "k", "k") is None


# ---------------------------------------------------------------------------------------------
# 4. names that never collide


@pytest.fixture(scope="module")
def vectors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("vectors") / "vectors.toml"
    path.write_text(VECTORS, encoding="utf-8")
    return path


def test_every_option_that_changes_the_output_changes_the_default_name(
    vectors: Path, tmp_path: Path
) -> None:
    other = tmp_path / "vectors.toml"  # the same name, other numbers
    other.write_text(VECTORS.replace("2.5", "2.4"), encoding="utf-8")
    base = {"embeddings_file": vectors}
    plans = {
        "base": build_plan(RIVER, "bank", **base),
        "compare": build_plan(RIVER, "bank", compare=[CASH], **base),
        "compare other": build_plan(RIVER, "bank", compare=["Cash at the bank."], **base),
        "punctuation": build_plan(RIVER.replace(".", "!"), "bank", **base),
        "scale": build_plan(RIVER, "bank", scale=0.5, **base),
        "order": build_plan(RIVER, "bank", order="sentence", **base),
        "stop-words": build_plan(RIVER, "bank", keep_stopwords=True, **base),
        "embeddings": build_plan(RIVER, "bank", embeddings_file=other),
        "occurrence": build_plan("bank by the river bank", "bank", target_index=0, **base),
        "occurrence 2": build_plan("bank by the river bank", "bank", target_index=4, **base),
    }
    stems = {what: default_stem(p) for what, p in plans.items()}
    looks = {
        "light": RenderOptions(theme="light"),
        "transparent": RenderOptions(transparent=True),
        "transparent light": RenderOptions(transparent=True, theme="light"),
        "high": RenderOptions(quality="high"),
        "low": RenderOptions(quality="low"),
        "slides": RenderOptions(slides=True),
        "scene": RenderOptions(scene="AttentionMatrixScene"),
    }
    for what, options in looks.items():
        stems[what] = default_stem(plans["base"], options)
    assert len(set(stems.values())) == len(stems), stems
    words = "bank-he-sat-on-the-river-bank"
    assert stems["base"] == default_stem(plans["base"], RenderOptions(formats=("png",)))
    for what, suffix in [("base", ""), ("compare", "-compare"), ("light", "-light"),
                         ("transparent", "-transparent-dark"),
                         ("transparent light", "-transparent-light"),
                         ("high", "-high"), ("low", "-low"),
                         ("slides", "-slides"), ("scale", "")]:  # fmt: skip
        assert re.fullmatch(words + suffix + HASHED, stems[what]), (what, stems[what])
    assert stems["scene"].startswith("attentionmatrix-bank-he-sat")
    for stem in stems.values():
        assert safe_stem(stem, limit=MAX_STEM) == stem


def test_model_mode_names_its_layer_and_head(tmp_path: Path, minilm_dir: Path) -> None:
    req = PlanRequest(RIVER, "bank", mode="model", layer=6, head=11)
    stem = default_stem(make_plan(req))
    assert re.fullmatch("bank-he-sat-on-the-river-bank-model-l6h11" + HASHED, stem), stem
    mean = default_stem(make_plan(PlanRequest(RIVER, "bank", mode="model", layer=6,
                                                    head="mean")))  # fmt: skip
    assert "-model-l6hmean-" in mean


def test_long_sentences_keep_their_suffixes_within_the_limit(vectors: Path) -> None:
    long = "bank " + " ".join(["river"] * 25)
    plan = build_plan(long, "bank", compare=[CASH], embeddings_file=vectors)
    options = RenderOptions(theme="light", quality="high", slides=True)
    stem = default_stem(plan, options)
    assert re.fullmatch(r"bank-bank-river-[a-z-]+-compare-light-high-slides" + HASHED, stem)
    assert len(stem) <= MAX_STEM
    assert stem_of(plan, RenderOptions(name=stem)) == stem  # a batch passes it back


def fake_record(out_dir: Path, stem: str, plan: Plan, options: RenderOptions) -> None:
    out_dir.mkdir(exist_ok=True)
    with staging(out_dir) as stage:
        (stage / f"{stem}.png").write_bytes(b"png")
        store_commit(stage, out_dir, stem, "key", [stage / f"{stem}.png"],
                     identity=render_identity(plan, options))  # fmt: skip


def test_an_explicit_name_is_not_reused_for_another_render(vectors: Path, tmp_path: Path) -> None:
    river = build_plan(RIVER, "bank", embeddings_file=vectors)
    cash = build_plan(CASH, "bank", embeddings_file=vectors)
    fig = RenderOptions(name="fig")
    fake_record(tmp_path, "fig", river, fig)
    store_check_name(tmp_path, "fig", river, fig)  # the same render: fine
    store_check_name(tmp_path, "fig", river, RenderOptions(name="fig", formats=("gif",)))
    with pytest.raises(OutputError) as err:
        store_check_name(tmp_path, "fig", cash, fig)
    assert str(err.value) == (
        f"the name fig is taken in {tmp_path} by another render (different sentences); "
        f"choose another name, or --force to replace it"
    )
    with pytest.raises(OutputError, match=r"\(different theme\)"):
        store_check_name(tmp_path, "fig", river, RenderOptions(name="fig", theme="light"))
    store_check_name(tmp_path, "fig", cash, RenderOptions(name="fig", force=True))


def test_a_commit_that_lost_the_race_for_a_name_is_refused(vectors: Path, tmp_path: Path) -> None:
    """Two renders passed check_name before either committed: the second commit checks
    again under the folder's lock, so it cannot silently replace the other figure."""
    river = build_plan(RIVER, "bank", embeddings_file=vectors)
    cash = build_plan(CASH, "bank", embeddings_file=vectors)
    fig = RenderOptions(name="fig")
    fake_record(tmp_path, "fig", river, fig)  # the first render has just committed
    cash_id = render_identity(cash, fig)
    with staging(tmp_path) as stage:
        (stage / "fig.png").write_bytes(b"cash")
        taken = r"the name fig is taken .*\(different sentences\)"
        with pytest.raises(OutputError, match=taken):
            store_commit(stage, tmp_path, "fig", "key2", [stage / "fig.png"],
                         identity=cash_id, replace_other=False)  # fmt: skip
    assert (tmp_path / "fig.png").read_bytes() == b"png"  # the first render's file stays
    assert name_taken(tmp_path, "fig", render_identity(river, fig)) is None
    with staging(tmp_path) as stage:  # --force: replaced
        (stage / "fig.png").write_bytes(b"cash")
        store_commit(stage, tmp_path, "fig", "key2", [stage / "fig.png"],
                     identity=cash_id, replace_other=True)  # fmt: skip
    assert (tmp_path / "fig.png").read_bytes() == b"cash"


def test_a_spec_name_that_holds_another_render_is_a_problem_before_rendering(
    folder: Path,
) -> None:
    other = build_plan(CASH, "bank", embeddings_file=folder / "vectors.toml")
    fake_record(folder / "out", "fig", other, RenderOptions(name="fig"))
    spec = write_spec(folder, entry("embeddings", "vectors.toml") + 'name = "fig"\n')
    with pytest.raises(SpecError) as err:
        batch.plan_spec(spec, out_dir=folder / "out")
    assert err.value.problems == (
        f"renders[0].name: fig is taken in {folder / 'out'} by another render (different "
        'sentences); give this one another name = "...", or force = true to replace it',
    )
    jobs = batch.plan_spec(spec, out_dir=folder / "out", force=True)[0]
    assert [j.stem for j in jobs] == ["fig"]
    # Written for this very entry (since edited): its new render may replace it.
    set_owner(folder / "out", "fig", f"{spec.resolve()}#fig")
    (job,) = batch.plan_spec(spec, out_dir=folder / "out")[0]
    assert job.stem == "fig" and job.owner == f"{spec.resolve()}#fig"
    other = write_spec(folder, entry("embeddings", "vectors.toml") + 'name = "fig"\n', "b.toml")
    with pytest.raises(SpecError, match="fig is taken in"):  # another spec: not its owner
        batch.plan_spec(other, out_dir=folder / "out")


# ---------------------------------------------------------------------------------------------
# 5. one clear line for every case


BAD = "riv\udce9r"  # what Python makes of the byte 0xE9 in argv (surrogateescape)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", f"He sat on the {BAD} bank.", "-t", "bank"],
         "the sentence has a byte that is not UTF-8 (0xE9) at character 18"),
        (["plan", RIVER, "-t", "bank", "-o", "p.json", "-c", f"A {BAD} bank."],
         "compare sentence 1 has a byte that is not UTF-8 (0xE9) at character 6"),
        (["plan", RIVER, "-t", "bank", "--embeddings", f"{BAD}.toml"],
         "--embeddings has a byte that is not UTF-8 (0xE9) at character 4 (“riv\\xe9r.toml”)"),
        (["plan", RIVER, "-t", "bank", "-o", f"{BAD}.json"],
         "--output has a byte that is not UTF-8 (0xE9)"),
        (["render", RIVER, "-t", "bank", "--name", BAD], "--name has a byte that is not UTF-8"),
        (["render", RIVER, "-t", "bank", "--out", BAD], "--out has a byte that is not UTF-8"),
        (["render", "--spec", f"{BAD}.toml"], "--spec has a byte that is not UTF-8"),
        (["heads", RIVER, "-t", BAD], "the target has a byte that is not UTF-8 (0xE9)"),
    ],
)  # fmt: skip
def test_bytes_that_are_not_utf8_in_argv_are_one_line(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    line = one_error_line(run(*args))
    assert line.startswith(f"Error: {message}"), line
    assert line.endswith("give it as UTF-8 (for a file, rename it)")
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_plain_plan_never_prints_json_that_is_not_utf8(tmp_path: Path) -> None:
    """Through a real process: argv bytes that are not UTF-8 never come out as JSON."""
    vectors = tmp_path / "v\xe9.toml"
    vectors.write_text(VECTORS, encoding="utf-8")
    raw = os.fsencode(tmp_path) + b"/v\xe9.toml"
    done = subprocess.run([os.fsencode(CLI), b"plan", RIVER.encode(), b"-t", b"bank",
                           b"--embeddings", raw], capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode == 1 and done.stdout == b""
    done.stderr.decode("utf-8")  # the message itself is UTF-8 (the byte shown as \xe9)
    assert b"\\xe9" in done.stderr
    ok = subprocess.run([CLI, "plan", RIVER, "-t", "bank", "--embeddings", vectors],
                        capture_output=True, timeout=120)  # fmt: skip
    assert ok.returncode == 0
    json.loads(ok.stdout.decode("utf-8"))


def counting(monkeypatch: pytest.MonkeyPatch, *functions: tuple[Any, str]) -> dict[str, int]:
    """Calls of each (module, name) counted, by name, as the module's attribute is called."""
    calls: dict[str, int] = {}
    for module, name in functions:
        real = getattr(module, name)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] = calls.get(_name, 0) + 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return calls


def test_a_10000_character_word_is_one_short_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted, not timed: a long sentence or target is refused on its length before anything
    reads it; a long word is split once per sentence reading and never compared letter by
    letter with a vocabulary (the work that grows with the word)."""
    from attention_math import embeddings, tokens

    calls = counting(
        monkeypatch, (tokens, "tokenize"), (tokens, "edit_distance"), (embeddings, "load")
    )
    line = one_error_line(run("plan", "He sat on the " + "x" * 9_000 + " bank.", "-t", "bank"))
    assert line == "Error: the sentence has 9,020 characters; at most 1000 are shown"
    assert calls == {}
    word = "y" * 600
    line = one_error_line(run("plan", f"He sat on the {word} bank.", "-t", "bank"))
    assert line.startswith("Error: the sentence has a word of 600 characters (“yyyy")
    assert len(line) < 160
    assert calls["tokenize"] <= 2 and calls.get("load", 0) <= 1, calls
    assert "edit_distance" not in calls, calls
    calls.clear()
    line = one_error_line(run("plan", RIVER, "-t", "z" * 10_000))
    assert line == "Error: --target has 10,000 characters; at most 100 are shown"
    assert calls == {}


def test_model_dir_without_model_mode_is_an_error(tmp_path: Path) -> None:
    line = one_error_line(run("plan", RIVER, "-t", "bank", "--model-dir", tmp_path / "nowhere"))
    assert line == (
        "Error: --model-dir goes with --mode model (or a scene that runs the model): without "
        "it the plan does not use the checkpoint; add --mode model or leave out --model-dir"
    )


def test_control_characters_are_refused_or_escaped(vectors: Path) -> None:
    line = one_error_line(run("plan", "He sat\x1b[2J on the river bank.", "-t", "bank"))
    assert "ESC (U+001B) at character 7" in line and "\\x1b[2J" in line
    line = one_error_line(run("plan", RIVER, "-t", "bank", "-c", "A cat\x00 sat."))
    assert line.startswith("Error: compare sentence 1 (“A cat\\x00 sat.”) has the control "
                           "character NUL")  # fmt: skip


def test_the_batch_summary_shows_control_characters_and_markup_escaped() -> None:
    from rich.console import Console

    plan_less = batch.Job("renders[0]", None, RenderOptions(), Path("out"), "fig")
    reason = "bad \x1b[31mred\x07 [bold]markup[/bold] \x00"
    outcomes = [batch.Outcome(plan_less, "failed", reason=reason)]
    console = Console(record=True, width=200, color_system=None, force_terminal=False)
    console.print(batch.summary_table(outcomes, 1.0))
    text = console.export_text()
    assert "\x1b" not in text and "\x07" not in text and "\x00" not in text
    assert "bad \\x1b[31mred\\x07 [bold]markup[/bold] \\x00" in text


def test_errors_name_the_sentence_they_are_about(vectors: Path) -> None:
    line = one_error_line(run("plan", RIVER, "-t", "bank", "-c", "A cat sat.", "--embeddings",
                              vectors))  # fmt: skip
    assert line.startswith('Error: "bank" is not a word of compare sentence 1 (“A cat sat.”)')


@pytest.fixture
def checkpoint(tmp_path: Path) -> Callable[..., Path]:
    from test_checkpoints import CONFIG, encoder_tensors, head_tensors, write_folder

    def make(name: str, kind: str | None = None, **config: Any) -> Path:
        tensors = encoder_tensors()
        if kind is not None:
            tensors = {f"bert.{k}": v for k, v in tensors.items()} | head_tensors(kind)
        settings = {**CONFIG, **config}
        if kind is not None:
            settings["architectures"] = [kind]
        return write_folder(tmp_path / name, tensors, settings)

    return make


def test_checkpoint_problems_are_one_line_and_heads_names_the_model(
    checkpoint: Callable[..., Path],
) -> None:
    tanh = checkpoint("tanh-bert", hidden_act="gelu_new")
    for command in (["plan", RIVER, "-t", "bank", "--mode", "model"], ["heads", RIVER, "-t",
                    "bank"]):  # fmt: skip
        line = one_error_line(run(*command, "--model-dir", tanh))
        assert line.endswith(
            'config.json: hidden_act = "gelu_new" is not supported: only the '
            'exact erf GELU ("gelu") is computed here'
        ), line
    mlm = checkpoint("my-mlm", "BertForMaskedLM")
    result = run("heads", RIVER, "-t", "bank", "--model-dir", mlm, "--top", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("heads of my-mlm for “bank” in “He sat")
    assert "all-MiniLM" not in result.stdout
    assert "BertForMaskedLM's task head (cls.*: 7 tensors) is ignored" in result.stderr
    result = run("plan", RIVER, "-t", "bank", "--mode", "model", "--model-dir", mlm)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model"]["name"] == "my-mlm"


# ---------------------------------------------------------------------------------------------
# 6. memory: one parse per embeddings file, plans built as they are sent


def test_a_spec_reads_each_embeddings_file_once(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import attention_math.embeddings as E

    (folder / "glove.txt").write_text(
        "".join(f"{w} {' '.join(str(x) for x in v)}\n" for w, v in
                [("bank", (2, 0.6)), ("river", (1.5, 1.5)), ("sat", (0.2, 1)),
                 ("cash", (2.5, -1)), ("deposited", (1, -1.2)), ("tree", (0, 3))])
    )  # fmt: skip
    calls: list[tuple[str, frozenset[str] | None]] = []
    real = E.load_embeddings_file

    def counting(path: Any, words: Any = None) -> Any:
        calls.append((Path(path).name, None if words is None else frozenset(words)))
        return real(path, words)

    monkeypatch.setattr(E, "load_embeddings_file", counting)
    body = '[defaults]\nembeddings = "glove.txt"\n' + "".join(
        f'[[renders]]\nsentence = "{s}"\ntarget = "bank"\n'
        for s in (RIVER, CASH, "The bank by the tree.", "He sat at the bank.")
    )
    plans = build_plans(load_spec(write_spec(folder, body)))
    assert [name for name, _ in calls] == ["glove.txt"]
    assert {"river", "cash", "tree", "deposited"} <= (calls[0][1] or set())
    monkeypatch.setattr(E, "load_embeddings_file", real)
    alone = [build_plan(s, "bank", embeddings_file=folder / "glove.txt")
             for s in (RIVER, CASH, "The bank by the tree.", "He sat at the bank.")]  # fmt: skip
    assert [p.to_json() for p in plans] == [p.to_json() for p in alone]


def sentences(n: int) -> list[str]:
    """n different sentences of the words in VECTORS."""
    return [f"The {'river ' * (i % 4 + 1)}bank{' sat' * (i // 4)}." for i in range(n)]


class InstantPool:
    """A stand-in for the process pool: every render is done at once (no processes); it
    keeps only the cache key and a weak reference of each plan it is sent."""

    _max_workers = 2

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.plans: list[weakref.ref[Plan]] = []

    def submit(self, fn: Any, job: batch.Job, force: bool) -> Future[Any]:
        assert job.plan is not None
        self.keys.append(cache_key(job.plan, job.options))
        self.plans.append(weakref.ref(job.plan))
        future: Future[Any] = Future()
        future.set_result(("done", [], 0.0, ""))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


@pytest.mark.slow
def test_plans_are_built_as_the_renders_are_sent(folder: Path) -> None:
    body = '[defaults]\nembeddings = "vectors.toml"\nformats = ["png"]\n' + "".join(
        f'[[renders]]\nsentence = "{s}"\ntarget = "bank"\n' for s in sentences(12)
    )
    jobs, planner = batch.plan_spec(write_spec(folder, body), out_dir=folder / "out")
    assert all(j.plan is None and j.key is not None for j in jobs)  # checked, then dropped
    pool = InstantPool()
    most = 0

    def build(job: batch.Job) -> batch.Job:
        nonlocal most
        gc.collect()  # the plans made since the freeze below: what is left is alive
        most = max(most, sum(ref() is not None for ref in pool.plans))
        assert job.entry is not None
        return dataclasses.replace(job, plan=planner.plan(job.entry))

    # Everything made before this test out of the collector's way: each collect() scans only
    # what the batch makes (in a worker that ran other files first, a full scan of their
    # heap took about 2 s, twelve times). The plans are all made after it.
    gc.freeze()
    try:
        outcomes = batch.run_batch(jobs, pool=pool, build=build)
    finally:
        gc.unfreeze()
    assert [(o.status, o.reason) for o in outcomes] == [("done", "")] * 12
    assert all(o.job.plan is None for o in outcomes)  # outcomes hold no plans
    assert 0 < most <= 2 * InstantPool._max_workers  # plans alive at once: those in flight
    assert pool.keys == [j.key for j in sorted(jobs, key=lambda j: -j.cost)]  # the same plans


# ---------------------------------------------------------------------------------------------
# 3. workers die with their parent (a real batch, kill -9)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def reaper() -> Iterator[list[int]]:
    """Pids to kill at the end of the test, whatever happened (nothing is left running)."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_kill_9_of_a_batch_takes_its_workers_and_the_resource_tracker(
    folder: Path, reaper: list[int]
) -> None:
    body = '[defaults]\nembeddings = "vectors.toml"\nquality = "low"\nformats = ["mp4"]\n'
    body += "".join(f'[[renders]]\nsentence = "{s}"\ntarget = "bank"\n' for s in sentences(12))
    spec = write_spec(folder, body)
    proc = subprocess.Popen([CLI, "render", "--spec", spec, "--jobs", "2", "--quiet", "--out",
                             folder / "out"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    reaper.append(proc.pid)
    # Killed in the middle: once a worker draws frames (2 workers + the resource tracker).
    wait_for(lambda: rendering_frames(folder / "out") or proc.poll() is not None, 240,
             "a worker drawing frames")  # fmt: skip
    kids = children_of(proc.pid)
    reaper.extend(kids)
    assert proc.poll() is None and len(kids) >= 3, kids
    tracker = [k for k in kids if b"resource_tracker" in Path(f"/proc/{k}/cmdline").read_bytes()]
    assert tracker, "no resource tracker among the children"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    wait_for(lambda: not any(alive(k) for k in kids), 60, "the children to go after kill -9")


# ---------------------------------------------------------------------------------------------
# 4. the README's examples, in order, into one folder


MY_TOML = """\
bank = [2.0, 0.6]
river = [1.5, 1.5]
sat = [0.2, 1.0]
cash = [2.5, -1.0]
deposited = [1.0, -1.2]
"""


def caption_lines(page: str) -> list[str]:
    """The lines of a page's <figcaption>, unescaped."""
    import html

    inside = page.split("<figcaption>", 1)[1].split("</figcaption>", 1)[0]
    return [html.unescape(part.strip()) for part in inside.split("<br>")]


def final_formula(plan: Plan, i: int) -> str:
    """The sentence's last step as the caption must state it, from the plan's own numbers."""
    s = plan.sentences[i]
    terms = [f"{w:.2f}·{s.words[j].text}" for j, w in zip(s.final.words, s.final.weights,
                                                          strict=True)]  # fmt: skip
    return f"“{s.text}”: {s.target.text}′ = " + " + ".join(terms)


Example = tuple[list[str], PlanRequest, str]  # the flags, the request they make, the scene


def readme_examples(my_toml: Path) -> list[Example]:
    """The command line's examples of the README (after `render RIVER -t bank`), each with a
    page where the example makes one, else a still."""
    return [
        (["--compare", CASH, "--format", "html"], PlanRequest(RIVER, "bank", compare=(CASH,)),
         "DriftScene"),
        (["--theme", "light", "--format", "png", "--name", "bank-light"],
         PlanRequest(RIVER, "bank"), "DriftScene"),
        (["--embeddings", str(my_toml), "--format", "html"],
         PlanRequest(RIVER, "bank", embeddings=my_toml), "DriftScene"),
        (["--format", "html"], PlanRequest(RIVER, "bank"), "DriftScene"),
        (["--mode", "model", "--layer", "6", "--head", "11", "--format", "html"],
         PlanRequest(RIVER, "bank", mode="model", layer=6, head=11), "DriftScene"),
        (["--mode", "model", "--format", "html"], PlanRequest(RIVER, "bank", mode="model"),
         "DriftScene"),
        (["--compare", CASH, "--scene", "LayerDriftScene", "--format", "png"],
         PlanRequest(RIVER, "bank", compare=(CASH,)),
         "LayerDriftScene"),
    ]  # fmt: skip


def render_example(args: list[str], out: Path) -> list[Path]:
    """The files an example's render prints (at low quality, into `out`)."""
    result = run("render", RIVER, "-t", "bank", *args, "--quality", "low", "--out", out)
    assert result.exit_code == 0, (args, result.output)
    return [Path(p) for p in result.stdout.split()]


def check_own_files(
    out: Path, args: list[str], files: list[Path], plan_path: Path, plan_json: str
) -> None:
    """An example's files are still its own: its plan, its stem's files (and its record lists
    them all), and its page, where it makes one, captions its own plan."""
    saved = Plan.load(plan_path)
    assert saved.to_json() == plan_json, args  # still this example's plan
    stem = plan_path.name.removesuffix(".plan.json")
    assert all(f.exists() and f.name.startswith(stem + ".") for f in files), files
    record = json.loads((out / f"{stem}.cache.json").read_text())
    assert sorted(record["files"]) == sorted(f.name for f in out.glob(f"{stem}.*")
                                             if not f.name.endswith(".cache.json"))  # fmt: skip
    page = out / f"{stem}.html"
    if "html" in args:
        lines = caption_lines(page.read_text(encoding="utf-8"))
        for i in range(len(saved.sentences)):
            assert final_formula(saved, i) in lines, (args, lines)
        assert lines[-1] == f"Vectors: {saved.embedding.name}."
    else:
        assert not page.exists()


@pytest.mark.slow
def test_the_readme_examples_in_order_never_overwrite_one_another(
    tmp_path: Path, minilm_dir: Path
) -> None:
    """The command line's examples of the README, rendered one after the other into one
    folder (low quality; a page where the example makes one, else a still): every render
    keeps its own files, and every page captions its own plan."""
    (tmp_path / "my.toml").write_text(MY_TOML, encoding="utf-8")
    out = tmp_path / "out"
    examples = readme_examples(tmp_path / "my.toml")
    printed = [render_example(args, out) for args, _request, _scene in examples]
    plans = [p for files in printed for p in files if p.name.endswith(".plan.json")]
    assert len(plans) == len(examples)
    expected = [
        make_plan(dataclasses.replace(request, needs=frozenset(scene_needs(scene)))).to_json()
        for _args, request, scene in examples
    ]
    by_stem = {}
    for plan_path, plan_json in zip(plans, expected, strict=True):
        # one stem, one render: examples share a name only when they draw the same plan
        assert by_stem.setdefault(plan_path.name, plan_json) == plan_json, plan_path.name
    assert len(by_stem) == len(examples)  # the best head is layer 6 head 11, but chosen
    for (args, _request, _scene), files, plan_path, plan_json in zip(
        examples, printed, plans, expected, strict=True
    ):
        check_own_files(out, args, files, plan_path, plan_json)
    model = Plan.load(plans[4]).model
    assert model is not None and (model.layer_index, model.head_index) == (5, 10)
    assert "-model-l6h11-" in plans[4].name and plans[1].name == "bank-light.plan.json"


@pytest.mark.slow
def test_an_explicit_name_used_again_for_another_render_is_refused(tmp_path: Path) -> None:
    vectors = tmp_path / "v.toml"
    vectors.write_text(VECTORS, encoding="utf-8")
    base = ["--embeddings", vectors, "--format", "png", "--quality", "low", "--out",
            tmp_path / "out", "--name", "fig"]  # fmt: skip
    assert run("render", RIVER, "-t", "bank", *base).exit_code == 0
    before = (tmp_path / "out" / "fig.png").read_bytes()
    line = one_error_line(run("render", CASH, "-t", "bank", *base))
    assert line == (
        f"Error: the name fig is taken in {tmp_path / 'out'} by another render (different "
        "sentences); choose another name, or --force to replace it"
    )
    assert (tmp_path / "out" / "fig.png").read_bytes() == before
    assert Plan.load(tmp_path / "out" / "fig.plan.json").sentences[0].text == RIVER
    again = run("render", RIVER, "-t", "bank", *base, "--format", "mp4")  # the same render
    assert again.exit_code == 0, again.output
    forced = run("render", CASH, "-t", "bank", *base, "--force")
    assert forced.exit_code == 0, forced.output
    assert Plan.load(tmp_path / "out" / "fig.plan.json").sentences[0].text == CASH
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "fig.cache.json",
        "fig.figure.json",
        "fig.plan.json",
        "fig.png",
    ]  # fmt: skip  (the mp4 of the other render went with it)
