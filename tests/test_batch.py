"""Many renders, safely: the cache, atomic commits, killed renders, parallel batches from a
spec file, determinism and the notebook result.

Renders are real (manim, low quality, PNG stills where a video is not needed); kill tests
send real signals to a real `attention-drift render` in a subprocess.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result
from PIL import Image

from attention_math import build_plan
from attention_math.errors import InputError, OutputError
from attention_math.plan import Plan
from scenes.app import batch, cli, notebook, signals
from scenes.app.cache import code
from scenes.app.cache.key import cache_key as store_cache_key
from scenes.app.cache.key import cached_files
from scenes.app.files.commit import _host, clean_stale
from scenes.app.files.commit import commit as store_commit
from scenes.app.files.commit import staging as store_staging
from scenes.app.files.names import default_stem, stem_of
from scenes.app.options import RenderOptions
from tests.conftest import CASH, RIVER, TOML_VECTORS, rendering_frames, wait_for

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("attention-drift")


@pytest.fixture(scope="module")
def vectors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("vectors") / "vectors.toml"
    path.write_text(TOML_VECTORS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def plan(vectors: Path) -> Plan:
    return build_plan(RIVER, "bank", embeddings_file=vectors)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


# ---------------------------------------------------------------------------------------------
# the cache key


def cache_key(plan: Plan, **options: Any) -> str:
    return store_cache_key(plan, RenderOptions(**options))


def test_cache_key_changes_with_every_input(
    plan: Plan, vectors: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = {"scene": "DriftScene", "formats": ("gif", "mp4"), "quality": "low", "theme": "dark"}
    key = cache_key(plan, **base)
    assert key == cache_key(plan, **base)  # stable
    assert key == cache_key(plan, **{**base, "formats": ("mp4", "gif", "mp4")})  # a set
    assert key == cache_key(plan, **base, name="other", force=True)  # not what the media show
    other_plan = build_plan(RIVER, "bank", embeddings_file=vectors, order="sentence")
    changed = [
        cache_key(other_plan, **base),
        cache_key(plan, **{**base, "scene": "AttentionMatrixScene"}),
        cache_key(plan, **{**base, "formats": ("gif",)}),
        cache_key(plan, **{**base, "quality": "medium"}),
        cache_key(plan, **{**base, "theme": "light"}),
        cache_key(plan, **{**base, "formats": ("mov",)}, transparent=True),
        cache_key(plan, **base, stills=True),
    ]
    monkeypatch.setattr("attention_math.__version__", "9.9.9")
    changed.append(cache_key(plan, **base))
    assert len({key, *changed}) == len(changed) + 1


def test_code_version_follows_the_scene_and_its_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editing a scene's module changes its key (and only the keys of the scenes that import
    it); editing the render pipeline or the media room changes all; the registry, the files,
    the caches, the batch or the command line none."""
    import shutil

    import scenes

    shutil.copytree(code.SOURCE_DIR / "scenes", tmp_path / "scenes",
                    ignore=shutil.ignore_patterns("__pycache__", "revealjs"))  # fmt: skip
    copy = tmp_path / "scenes"
    monkeypatch.setattr(code, "SOURCE_DIR", tmp_path)
    names = list(scenes.SCENES)
    before = {s: code.code_version(s) for s in names}

    def edit(name: str) -> dict[str, bool]:
        path = copy / name
        path.write_text(path.read_text() + "\n# edited\n")
        now = {s: code.code_version(s) for s in names}
        changed = {s: now[s] != before[s] for s in names}
        before.update(now)
        return changed

    partial = False
    for scene, entry in scenes.SCENES.items():
        module = entry.module
        name = module.split(".")[-1]  # a module, or a package (scenes.drift)
        changed = edit(f"{name}/__init__.py" if (copy / name).is_dir() else f"{name}.py")
        assert changed[scene]
        partial = partial or not all(changed.values())
    assert partial  # some scene's own module is drawn by no other scene
    assert all(edit("app/pipeline.py").values())  # every scene renders through the pipeline
    assert edit("theme.py")["DriftScene"]  # imported by drift.py through components
    assert edit("drift/labels.py")["DriftScene"]  # a part of the scene's package
    assert edit("figure/plot.py")["DriftScene"]  # the figure model it draws
    app = copy / "app"
    media = sorted(p for p in (app / "media").glob("*.py") if p.name != "__init__.py")
    assert {p.stem for p in media} >= {"passes", "chunks", "slides", "webpage", "vector"}
    for path in media:  # the whole media room draws, found by its folder, not by a list
        assert all(edit(str(path.relative_to(copy))).values()), path.name
    rest = [p for p in app.rglob("*.py") if "media" not in p.parts and p.name != "pipeline.py"]
    assert {p.name for p in rest} >= {"cli.py", "batch.py", "commit.py", "key.py", "texts.py"}
    for path in [copy / "__init__.py", *sorted(rest)]:  # the registry, the other rooms
        assert not any(edit(str(path.relative_to(copy))).values()), path


# ---------------------------------------------------------------------------------------------
# commits and cache hits (no manim: files made by hand)


def fake_render(
    out_dir: Path, stem: str, key: str, content: bytes = b"new"
) -> notebook.RenderResult:
    out_dir.mkdir(exist_ok=True)
    with store_staging(out_dir) as stage:
        (stage / f"{stem}.png").write_bytes(content)
        (stage / f"{stem}.mp4").write_bytes(content * 2)
        (stage / f"{stem}.plan.json").write_text("{}")
        return store_commit(stage, out_dir, stem, key, [stage / f"{stem}.png",
                                                         stage / f"{stem}.mp4"])  # fmt: skip


def test_commit_then_hit_and_every_kind_of_miss(tmp_path: Path) -> None:
    result = fake_render(tmp_path, "s", "k1")
    assert result == [tmp_path / "s.png", tmp_path / "s.mp4"]
    assert listing(tmp_path) == ["s.cache.json", "s.mp4", "s.plan.json", "s.png"]
    hit = cached_files(tmp_path, "s", "k1")
    assert hit == result and hit is not None and hit.cached
    assert hit.plan_path == tmp_path / "s.plan.json"
    assert cached_files(tmp_path, "s", "k2") is None  # another key
    assert cached_files(tmp_path, "t", "k1") is None  # another stem

    (tmp_path / "s.mp4").write_bytes(b"new")  # truncated: the size differs
    assert cached_files(tmp_path, "s", "k1") is None
    fake_render(tmp_path, "s", "k1")
    (tmp_path / "s.png").unlink()  # a file missing
    assert cached_files(tmp_path, "s", "k1") is None
    fake_render(tmp_path, "s", "k1")
    for broken in ("{", "[]", '{"key": "k1"}', '{"key": "k1", "files": {"../x": 1}}'):
        (tmp_path / "s.cache.json").write_text(broken)
        assert cached_files(tmp_path, "s", "k1") is None, broken


def test_an_interrupted_commit_is_undone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_render(tmp_path, "s", "old", b"old")
    real_replace = os.replace
    calls = []

    def dies_on_the_second_file(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C between two renames
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", dies_on_the_second_file)
    with pytest.raises(KeyboardInterrupt):
        fake_render(tmp_path, "s", "new", b"new")
    monkeypatch.setattr(os, "replace", real_replace)
    # The commit was undone: the old files and their record, never the new key.
    assert (tmp_path / "s.png").read_bytes() == b"old"
    assert cached_files(tmp_path, "s", "old", verify=True) is not None
    assert cached_files(tmp_path, "s", "new") is None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # staging removed


def test_a_swallowed_signal_still_stops_the_commit(tmp_path: Path) -> None:
    """Python drops an exception raised in a finalizer or weakref callback; a Ctrl-C that
    lands there must still keep the render from being committed."""
    fake_render(tmp_path, "s", "old", b"old")
    with pytest.raises(KeyboardInterrupt), signals.signals_as_exceptions():
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # interrupted at once
        except KeyboardInterrupt:
            pass  # swallowed, as Python does in a finalizer
        fake_render(tmp_path, "s", "new", b"new")
    assert (tmp_path / "s.png").read_bytes() == b"old"
    assert cached_files(tmp_path, "s", "old") is not None
    assert signals._received == []  # the next render starts clean
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_stale_staging_folders_are_removed(tmp_path: Path) -> None:
    host = _host()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folders = {
        "dead": f".render-{dead.pid}-{host}-abc",
        "alive": f".render-{os.getppid()}-{host}-abc",
        "mine": f".render-{os.getpid()}-{host}-abc",
        "young_old_style": ".render-xyz",
        "aged_old_style": ".render-uvw",
        "other_host_young": f".render-{dead.pid}-otherhost-abc",
        "other_host_aged": f".render-{dead.pid}-otherhost-def",
    }
    for name in folders.values():
        (tmp_path / name).mkdir()
        (tmp_path / name / "partial.mp4").write_bytes(b"x")
    (tmp_path / "keep.mp4").write_bytes(b"x")
    hours_ago = time.time() - 2 * 3600
    for key in ("aged_old_style", "other_host_aged"):
        os.utime(tmp_path / folders[key], (hours_ago, hours_ago))
    removed = {p.name for p in clean_stale(tmp_path)}
    assert removed == {folders[k] for k in ("dead", "aged_old_style", "other_host_aged")}
    assert sorted(listing(tmp_path)) == sorted(
        [folders[k] for k in ("alive", "mine", "young_old_style", "other_host_young")]
        + ["keep.mp4"]
    )
    # A day later even a folder with a live pid goes (the pid may be someone else's now).
    removed = {p.name for p in clean_stale(tmp_path, now=time.time() + 25 * 3600)}
    assert folders["alive"] in removed and folders["mine"] not in removed


# ---------------------------------------------------------------------------------------------
# real renders: cache, force, determinism


@pytest.fixture(scope="module")
def png_twice(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same PNG rendered, asked for again (cached), and rendered again with force."""
    from scenes.app import render

    out = tmp_path_factory.mktemp("cache")
    messages: list[str] = []
    first = render(plan, formats=["png"], quality="low", out_dir=out, name="s")
    first_pixels, first_stat = pixels(first[0]), first[0].stat()
    again = render(plan, formats=["png"], quality="low", out_dir=out, name="s",
                   progress=messages.append)  # fmt: skip
    again_mtime = again[0].stat().st_mtime_ns
    forced = render(plan, formats=["png"], quality="low", out_dir=out, name="s", force=True)
    return {"out": out, "first": first, "first_pixels": first_pixels, "first_stat": first_stat,
            "again": again, "again_mtime": again_mtime,
            "messages": messages,
            "forced": forced}  # fmt: skip


def test_second_render_is_cached(png_twice: dict[str, Any]) -> None:
    first, again = png_twice["first"], png_twice["again"]
    assert not first.cached and again.cached
    assert again == first  # the same paths, as a plain list compares
    assert png_twice["again_mtime"] == png_twice["first_stat"].st_mtime_ns  # not rewritten
    up_to_date = "up to date: s.png, s.figure.json, s.plan.json"
    assert any(m.startswith(up_to_date) for m in png_twice["messages"])
    assert listing(png_twice["out"]) == ["s.cache.json", "s.figure.json", "s.plan.json", "s.png"]


def test_force_renders_again_with_the_same_frame(png_twice: dict[str, Any]) -> None:
    """Determinism: the same plan gives the same pixels."""
    forced = png_twice["forced"]
    assert not forced.cached
    assert forced[0].stat().st_ino != png_twice["first_stat"].st_ino  # a new file
    assert np.array_equal(pixels(forced[0]), png_twice["first_pixels"])


def test_cli_render_uses_the_cache_and_force(vectors: Path, tmp_path: Path) -> None:
    args = ["render", RIVER, "-t", "bank", "--embeddings", vectors, "--format", "png",
            "--quality", "low", "--out", tmp_path, "--name", "f"]  # fmt: skip
    first = run(*args)
    assert first.exit_code == 0, first.output
    mtime = (tmp_path / "f.png").stat().st_mtime_ns
    again = run(*args)
    assert again.exit_code == 0, again.output
    printed = "".join(f"{tmp_path / n}\n" for n in ("f.png", "f.figure.json", "f.plan.json"))
    assert again.stdout == first.stdout == printed
    assert "up to date" in again.stderr and "--force" in again.stderr
    assert (tmp_path / "f.png").stat().st_mtime_ns == mtime
    forced = run(*args, "--force")
    assert forced.exit_code == 0, forced.output
    assert "up to date" not in forced.stderr
    assert (tmp_path / "f.png").stat().st_mtime_ns != mtime


def test_the_same_input_gives_the_same_plan_bytes_in_any_process(vectors: Path) -> None:
    """Byte for byte, across processes with different hash seeds."""
    outs = []
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([str(CLI), "plan", RIVER, "-t", "bank", "-c", CASH,
                               "--embeddings", str(vectors)], env=env, capture_output=True,
                              check=True)  # fmt: skip
        outs.append(done.stdout)
    assert outs[0] == outs[1] == outs[2]
    assert outs[0] == build_plan(RIVER, "bank", compare=[CASH],
                                 embeddings_file=vectors).to_json().encode()  # fmt: skip


def framemd5(path: Path) -> list[str]:
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v", "-f", "framemd5", "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.split(",")[-1].strip() for line in out.splitlines() if not line.startswith("#")]


def test_the_same_input_gives_the_same_video_frames(plan: Plan, tmp_path: Path) -> None:
    from scenes.app import render

    a, *_ = render(plan, formats=["mp4"], quality="low", out_dir=tmp_path / "a", name="v")
    b, *_ = render(plan, formats=["mp4"], quality="low", out_dir=tmp_path / "b", name="v")
    frames = framemd5(a)
    assert len(frames) > 50
    assert frames == framemd5(b)


# ---------------------------------------------------------------------------------------------
# failures while writing


def test_out_of_disk_keeps_the_old_file(
    plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenes.app import pipeline, render

    def disk_full(job: Any, scene: str, work: Path, *args: Any, **kw: Any) -> Path:
        work.mkdir(parents=True)
        (work / "scene.png").write_bytes(b"half a fr")
        raise OSError(errno.ENOSPC, "No space left on device")

    (tmp_path / "s.png").write_bytes(b"old")
    monkeypatch.setattr(pipeline, "manim_pass", disk_full)
    with pytest.raises(OutputError) as info:
        render(plan, formats=["png"], quality="low", out_dir=tmp_path, name="s")
    assert str(info.value) == (
        f"cannot write in {str(tmp_path)!r}: No space left on device; the previous files are "
        f"unchanged (free some space, or choose another folder)"
    )
    assert isinstance(info.value, InputError)
    assert listing(tmp_path) == ["s.png"]
    assert (tmp_path / "s.png").read_bytes() == b"old"
    # The command line says it in one line.
    vectors = plan_file_vectors(tmp_path)
    result = run("render", RIVER, "-t", "bank", "--embeddings", vectors, "--format", "png",
                 "--quality", "low", "--out", tmp_path, "--name", "s")  # fmt: skip
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"Error: cannot write in {str(tmp_path)!r}: No space left on device")
    )
    assert (tmp_path / "s.png").read_bytes() == b"old"


def plan_file_vectors(folder: Path) -> Path:
    path = folder.parent / "v.toml"
    path.write_text(TOML_VECTORS, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# killed renders (a real `attention-drift render` in a subprocess)


def unhandled_traceback(stderr: bytes) -> bool:
    """A traceback other than Python's "Exception ignored in ..." (a signal that lands in a
    finalizer is printed and dropped there; check_signals raises it again)."""
    text = stderr.decode()
    return text.count("Traceback (most recent call last)") > text.count("Exception ignored in")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_killing_a_render_keeps_the_old_file_and_leaves_nothing(
    sig: signal.Signals, vectors: Path, tmp_path: Path
) -> None:
    old = tmp_path / "k.mp4"
    old.write_bytes(b"the previous, good video")
    proc = subprocess.Popen(
        [str(CLI), "render", RIVER, "-t", "bank", "-c", CASH, "--embeddings", str(vectors),
         "--format", "mp4", "--quality", "low", "--out", str(tmp_path), "--name", "k"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_for(lambda: rendering_frames(tmp_path) or proc.poll() is not None)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0
    assert out == b""  # nothing claimed as written
    assert not unhandled_traceback(err), err.decode()
    assert listing(tmp_path) == ["k.mp4"]  # no partial file, no staging folder, no record
    assert old.read_bytes() == b"the previous, good video"


def test_a_hard_kill_leaves_a_staging_folder_the_next_render_removes(
    vectors: Path, tmp_path: Path, plan: Plan
) -> None:
    old = tmp_path / "k.mp4"
    old.write_bytes(b"old")
    proc = subprocess.Popen(
        [str(CLI), "render", RIVER, "-t", "bank", "--embeddings", str(vectors), "--format",
         "mp4", "--quality", "low", "--out", str(tmp_path), "--name", "k"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for(lambda: rendering_frames(tmp_path))
    proc.kill()  # SIGKILL: no clean-up can run
    proc.wait()
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(".render-")]
    assert left and left[0].startswith(f".render-{proc.pid}-")
    assert old.read_bytes() == b"old"
    clean_stale(tmp_path)  # what the next render into this folder does first
    assert listing(tmp_path) == ["k.mp4"]


# ---------------------------------------------------------------------------------------------
# two renders into one folder


def test_two_renders_into_one_folder_do_not_clobber(vectors: Path, tmp_path: Path) -> None:
    """Concurrent renders of different names and of the same name: every file whole. Of the
    two different figures racing for one name, whichever comes second (at the start or at
    the commit) is refused, as it is when they run one after the other; the cache record
    matches the files that won."""

    def start(name: str, theme: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(CLI), "render", RIVER, "-t", "bank", "--embeddings", str(vectors), "--format",
             "png", "--quality", "low", "--out", str(tmp_path), "--name", name, "--theme",
             theme, "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip

    procs = [start("a", "light"), start("same", "dark"), start("same", "light")]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    codes = [p.returncode for p in procs]
    assert codes[0] == 0, errors[0]
    assert sorted(codes[1:]) == [0, 1], errors
    refused = errors[1 + codes[1:].index(1)]
    assert "the name same is taken" in refused and "(different theme)" in refused, refused
    assert listing(tmp_path) == sorted(
        f"{s}.{ext}"
        for s in ("a", "same")
        for ext in ("png", "figure.json", "plan.json", "cache.json")
    )
    assert pixels(tmp_path / "a.png")[0, 0].tolist() == [255, 255, 255]  # light
    same = pixels(tmp_path / "same.png")[0, 0].tolist()
    assert same in ([0x11, 0x13, 0x18], [255, 255, 255])
    # The record names the theme whose file is there: asking for it again is a hit, the other
    # theme is a miss.
    plan = Plan.load(tmp_path / "same.plan.json")
    winner = "dark" if same == [0x11, 0x13, 0x18] else "light"
    assert winner == ("dark", "light")[codes[1:].index(0)]  # the render that succeeded
    loser = "light" if winner == "dark" else "dark"
    key = {t: cache_key(plan, scene="DriftScene", formats=("png",), quality="low", theme=t)
           for t in ("dark", "light")}  # fmt: skip
    assert cached_files(tmp_path, "same", key[winner]) is not None
    assert cached_files(tmp_path, "same", key[loser]) is None


# ---------------------------------------------------------------------------------------------
# batches from spec files


def write_spec(folder: Path, body: str) -> Path:
    (folder / "vectors.toml").write_text(TOML_VECTORS, encoding="utf-8")
    path = folder / "course.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


SPEC = f"""\
    out = "media"
    [defaults]
    quality = "low"
    formats = ["png"]
    embeddings = "vectors.toml"

    [[renders]]
    sentence = "{RIVER}"
    target = "bank"
    name = "river"

    [[renders]]
    sentence = "{CASH}"
    target = "bank"
    theme = "light"
    name = "cash"

    [[renders]]
    sentence = "{RIVER}"
    target = "bank"
    compare = ["{CASH}"]
    name = "both"
"""


def test_spec_batch_in_workers_one_failure_does_not_stop_the_others(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SPEC)
    media = tmp_path / "media"
    media.mkdir()
    (media / "cash.png").mkdir()  # a folder where renders[1]'s file goes: it cannot commit
    result = run("render", "--spec", spec, "--jobs", "2")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        str(media / "river.png"), str(media / "river.figure.json"),
        str(media / "river.plan.json"),
        str(media / "both.png"), str(media / "both.figure.json"), str(media / "both.plan.json"),
    ]  # fmt: skip
    err = result.stderr
    assert err.strip().splitlines()[-1] == "Error: 1 of 3 renders failed"
    # the table gives the reason, folded at the terminal's width anywhere (a long path too)
    folded = "".join(err.split())
    assert "renders[1]" in err and "cash.pngisafolder,sotherendercannotbewrittenthere" in folded
    assert "3 renders: 2 done, 0 cached, 1 failed" in err
    assert pixels(media / "river.png")[0, 0].tolist() == [0x11, 0x13, 0x18]
    assert Plan.load(media / "both.plan.json").sentences[1].text == CASH
    assert not [p for p in media.iterdir() if p.name.startswith(".render-")]

    (media / "cash.png").rmdir()
    again = run("render", "--spec", spec)
    assert again.exit_code == 0, again.output
    assert "3 renders: 1 done, 2 cached, 0 failed" in again.stderr
    assert pixels(media / "cash.png")[0, 0].tolist() == [255, 255, 255]

    # All up to date: found from the entries' inputs, no plan built (no numpy, no manim).
    code = (
        "import sys; from scenes.app.cli import main\n"
        f"sys.argv = ['attention-drift', 'render', '--spec', {str(spec)!r}, '-q']\n"
        "try: main()\nexcept SystemExit as e: assert e.code in (0, None), e\n"
        "print('numpy' in sys.modules, 'manim' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)  # fmt: skip
    numpy_loaded, manim_loaded = done.stdout.split()[-2:]
    assert (numpy_loaded, manim_loaded) == ("False", "False")
    printed = sorted(done.stdout.split()[:-2])
    assert printed == sorted(str(p) for p in media.iterdir() if "cache" not in p.name)

    # One entry changed: only that one renders again.
    spec.write_text(spec.read_text().replace('name = "both"', 'name = "both"\norder = "sentence"'))
    third = run("render", "--spec", spec)
    assert third.exit_code == 0, third.output
    assert "3 renders: 1 done, 2 cached, 0 failed" in third.stderr
    assert Plan.load(media / "both.plan.json").attention.order == "sentence"


def test_entry_inputs_follow_the_files_an_entry_reads(tmp_path: Path) -> None:
    from scenes.app.spec import load_spec

    spec = write_spec(tmp_path, SPEC)
    entries = load_spec(spec).entries
    before = [batch.entry_inputs(e) for e in entries]
    assert len(set(before)) == 3
    assert before == [batch.entry_inputs(e) for e in load_spec(spec).entries]  # stable
    vectors = tmp_path / "vectors.toml"
    vectors.write_text(vectors.read_text().replace("bank = [2.0", "bank = [2.5"))
    after = [batch.entry_inputs(e) for e in load_spec(spec).entries]
    assert not set(before) & set(after)


def test_spec_with_overrides_and_out_from_the_command_line(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, f"""\
        out = "media"
        [defaults]
        embeddings = "vectors.toml"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        name = "river"
        quality = "high"
        formats = ["gif", "mp4"]
    """)  # fmt: skip
    out = tmp_path / "drafts"
    result = run("render", "--spec", spec, "--theme", "light", "--quality", "low", "--format",
                 "png", "--out", out, "--quiet")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # --quiet: no progress, no table
    assert not (tmp_path / "media").exists()
    assert listing(out) == ["river.cache.json", "river.figure.json", "river.plan.json",
                            "river.png"]  # fmt: skip
    px = pixels(out / "river.png")
    assert px.shape == (480, 854, 3)  # low
    assert px[0, 0].tolist() == [255, 255, 255]  # light


def test_a_bad_spec_renders_nothing_and_lists_every_problem(tmp_path: Path) -> None:
    """The problems found without plans (keys, values, files, the sentences and targets)
    first, every one, before any plan is built; then those the plans find, every one."""
    bad_target = SPEC.replace('target = "bank"\n    compare', 'target = "bnak"\n    compare')
    spec = write_spec(
        tmp_path,
        bad_target.replace('name = "cash"', 'name = "cash"\nqualty = "low"').replace(
            'name = "river"', 'name = "river"\nformats = ["jpg"]'
        ),
    )
    result = run("render", "--spec", spec)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'course.toml: renders[0].formats: "jpg" is not one of gif, mp4, png, webm, mov, html, '
        'svg, pdf; closest: "png"',
        'course.toml: renders[1].qualty: unknown key; closest: "quality"',
        'course.toml: renders[2].target: "bnak" is not a word of the main sentence; closest: '
        '"bank"',
        "Error: 3 problems in course.toml; nothing was rendered",
    ]
    spec = write_spec(
        tmp_path, bad_target.replace('name = "cash"', 'name = "cash"\ncompare = ["A cat."]')
    )
    result = run("render", "--spec", spec)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'course.toml: renders[1].compare[0]: "bank" is not a word of compare sentence 1 (“A '
        "cat.”); no word of compare sentence 1 is close",
        'course.toml: renders[2].target: "bnak" is not a word of the main sentence; closest: '
        '"bank"',
        "Error: 2 problems in course.toml; nothing was rendered",
    ]
    assert not (tmp_path / "media").exists()


def test_one_problem_is_one_line(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SPEC.replace('name = "both"', 'name = "river"'))
    result = run("render", "--spec", spec)
    assert result.exit_code == 1
    # The workers started while the plans were built are gone.
    assert not [pid for pid in children(os.getpid()) if worker(pid)]
    assert result.stderr == (
        "Error: course.toml: renders[2].name: writes river.* like renders[0]; give one of them "
        'another name = "..."\n'
    )


def test_default_names_tell_themes_apart(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, f"""\
        [defaults]
        embeddings = "vectors.toml"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        theme = "light"
    """)  # fmt: skip
    jobs = batch.plan_spec(spec, out_dir=tmp_path / "out")[0]
    dark, light = (j.stem for j in jobs)
    assert re.fullmatch(r"bank-he-sat-on-the-river-bank-[0-9a-f]{8}", dark), dark
    assert re.fullmatch(r"bank-he-sat-on-the-river-bank-light-[0-9a-f]{8}", light), light
    assert all(j.out_dir == tmp_path / "out" for j in jobs)


def test_long_default_names_keep_their_suffixes(vectors: Path) -> None:
    """The name a batch records is the name the render writes: within the stem limit, with
    -compare and -light kept, so that themes do not collide."""
    long = "bank " + " ".join(["river"] * 25)
    for compare in ([], [CASH]):
        plan = build_plan(long, "bank", compare=compare, embeddings_file=vectors)
        stems = {t: default_stem(plan, RenderOptions(theme=t)) for t in ("dark", "light")}
        for stem in stems.values():
            assert stem_of(plan, RenderOptions(name=stem)) == stem
        assert re.search(("-compare" if compare else "") + "-light-[0-9a-f]{8}$", stems["light"])
        assert stems["dark"] != stems["light"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "1"], "--scale does not go with --spec"),
        (["--name", "x"], "--name does not go with --spec"),
        (["--target", "bank"], "--target does not go with --spec"),
        (["He sat."], "SENTENCE does not go with --spec"),
    ],
)
def test_plan_options_do_not_go_with_spec(tmp_path: Path, args: list[str], message: str) -> None:
    spec = write_spec(tmp_path, SPEC)
    result = run("render", "--spec", spec, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "media").exists()


def test_spec_file_errors(tmp_path: Path) -> None:
    result = run("render", "--spec", tmp_path / "nope.toml")
    assert result.exit_code == 1
    assert result.stderr == f"Error: nope.toml: spec file {str(tmp_path / 'nope.toml')!r} does " \
                            f"not exist\n"  # fmt: skip
    (tmp_path / "empty.toml").write_text("")
    result = run("render", "--spec", tmp_path / "empty.toml")
    assert result.stderr == (
        "Error: empty.toml: no renders: add a [[renders]] table with at least sentence and target\n"
    )


def dying_render_job(job: batch.Job, force: bool) -> tuple[str, list[str], float, str]:
    """A worker function for the next test: the job named "dies" kills its process."""
    if job.stem == "dies":
        os._exit(9)
    time.sleep(0.2)
    return "done", [], 0.2, ""


def test_a_worker_that_dies_fails_only_its_render(
    plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "_render_job", dying_render_job)
    options = RenderOptions(formats=("png",), quality="low")
    jobs = [batch.Job(f"renders[{i}]", plan, options, tmp_path, stem)
            for i, stem in enumerate(["a", "dies", "b", "c"])]  # fmt: skip
    outcomes = batch.run_batch(jobs, workers=2, force=True)
    assert [o.status for o in outcomes] == ["done", "failed", "done", "done"]
    assert "worker process died" in outcomes[1].reason


def test_killing_a_batch_stops_its_workers_and_keeps_old_files(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SPEC.replace('formats = ["png"]', 'formats = ["mp4"]'))
    media = tmp_path / "media"
    media.mkdir()
    for stem in ("river", "cash", "both"):
        (media / f"{stem}.mp4").write_bytes(b"old " + stem.encode())
    proc = subprocess.Popen([str(CLI), "render", "--spec", str(spec), "--jobs", "2", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        wait_for(lambda: rendering_frames(media) or proc.poll() is not None, timeout=90)
        assert proc.poll() is None, proc.communicate()
        workers = children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM
    assert out == b""
    assert b"leaked" not in err, err.decode()  # the workers' semaphores were cleaned up
    assert not unhandled_traceback(err), err.decode()
    assert listing(media) == ["both.mp4", "cash.mp4", "river.mp4"]  # nothing new, nothing partial
    for stem in ("river", "cash", "both"):
        assert (media / f"{stem}.mp4").read_bytes() == b"old " + stem.encode()
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() and not zombie(pid)
                             for pid in workers), timeout=10)  # fmt: skip


def clean_up_slowly(folder: str, seconds: float) -> None:
    """A worker task for the next test: makes `folder` and waits; stopped, it takes `seconds`
    to remove it (as the store's `with` removes a render's staging folder) and leaves as a
    stopped render does (`batch._leave`)."""
    path = Path(folder)
    path.mkdir()
    try:
        try:
            time.sleep(60)
        finally:
            time.sleep(seconds)
            path.rmdir()
    except (SystemExit, KeyboardInterrupt) as exc:
        batch._leave(exc)


def test_a_stopped_worker_cleans_up_to_the_end_while_the_others_exit(tmp_path: Path) -> None:
    """Seeing the first stopped worker exit, the process pool takes itself for broken and
    terminates every worker again: the one still cleaning up ignores that (signals.stop_once)
    and removes its folder."""
    pool = batch._pool(2, quiet=True)
    folders = [tmp_path / "quick", tmp_path / "slow"]
    for folder, seconds in zip(folders, (0.0, 2.0), strict=True):
        pool.submit(clean_up_slowly, str(folder), seconds)
    wait_for(lambda: all(f.is_dir() for f in folders))
    batch.stop_workers(pool)
    assert listing(tmp_path) == []


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout  # fmt: skip
    return [int(x) for x in out.split()]


def worker(pid: int) -> bool:
    """A live pool worker (not the resource tracker, which stays for the session)."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"spawn_main" in cmd and not zombie(pid)


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


# ---------------------------------------------------------------------------------------------
# notebooks


def test_render_result_is_a_list_that_shows_itself_in_jupyter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mp4, png = tmp_path / "a.mp4", tmp_path / "a.png"
    mp4.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    result = notebook.RenderResult([mp4, png], plan_path=tmp_path / "a.plan.json")
    assert result == [mp4, png] and isinstance(result, list)
    assert result.files == [mp4, png, tmp_path / "a.plan.json"]
    page = result._repr_html_()
    assert '<video src="data:video/mp4;base64,AAAAGGZ0eXBtcDQy"' in page
    assert "controls" in page and "loop" in page
    assert '<img src="data:image/png;base64,iVBORw0KGgo="' in page
    monkeypatch.setattr(notebook, "EMBED_LIMIT", 4)  # too big to embed: a relative path
    monkeypatch.chdir(tmp_path)
    assert '<video src="a.mp4"' in result._repr_html_()
    mp4.unlink()
    assert "missing: <code>" in result._repr_html_()


def test_python_api_for_notebooks(png_twice: dict[str, Any]) -> None:
    """`from attention_math import build_plan`, `from scenes import render`: the paths come
    back, and the plan they show is next to them."""
    import attention_math
    import scenes.app

    assert attention_math.build_plan is build_plan
    assert callable(scenes.app.render)
    first = png_twice["first"]
    assert first.plan_path is not None and Plan.load(first.plan_path).target == "bank"
    assert '<img src="data:image/png;base64,' in first._repr_html_()
