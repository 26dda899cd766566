"""A course on a cluster (scenes.app.cluster): `render --spec FILE --cluster ADDRESS`.

The reference is the same spec rendered by the local batch with --jobs 1: the cluster run
must give the same files, byte for byte (PNG and GIF are deterministic). Each run starts its
own Ray on 127.0.0.1 (`--cluster local`: every Ray server bound there) and stops it.
Ray is the optional extra `cluster`; `./render.sh test` installs it (without it these tests
are skipped, and fail under ATTENTION_DRIFT_REQUIRE_REFERENCE=1).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from attention_math.errors import OutputError
from scenes.app import cli
from scenes.app import cluster as cluster_module
from scenes.app.media import chunks
from tests.conftest import CASH, RIVER, TOML_VECTORS, missing_reference

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
    formats = ["png", "gif"]

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


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def write_course(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vectors.toml").write_text(TOML_VECTORS, encoding="utf-8")
    spec = folder / "course.toml"
    spec.write_text(textwrap.dedent(SPEC), encoding="utf-8")
    return spec


def media(folder: Path) -> dict[str, bytes]:
    """The rendered files of a folder (not the records, which hold times and paths)."""
    files = sorted(folder.iterdir())
    return {p.name: p.read_bytes() for p in files if p.suffix in (".png", ".gif")}


def test_without_ray_the_cluster_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails
    spec = write_course(tmp_path)
    result = run("render", "--spec", spec, "--cluster", "local")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: --cluster needs Ray, which is not installed: pip install "
        "'attention-drift[cluster]' (Ray), or leave --cluster out"
    ]
    assert not (tmp_path / "media").exists()


def test_cluster_goes_with_spec() -> None:
    result = run("render", RIVER, "-t", "bank", "--cluster", "local")
    assert result.exit_code == 2
    assert "--cluster goes with --spec FILE" in result.stderr


@pytest.fixture(scope="module")
def cluster() -> str:
    """`local`: each run starts its own Ray on 127.0.0.1 (about 15 s) and stops it."""
    try:
        import ray  # noqa: F401
    except ImportError:
        missing_reference("Ray is not installed: pip install '.[cluster]'")
    return "local"


@pytest.fixture(scope="module")
def course(cluster: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The course rendered by the local batch (--jobs 1), and on the cluster twice: first with
    a folder where renders[1]'s file goes (it cannot commit), then again without it. Two
    tests read it: one Ray start a run is the slow part."""
    tmp_path = tmp_path_factory.mktemp("course")
    reference = write_course(tmp_path / "local")
    local = run("render", "--spec", reference, "--jobs", "1")
    spec = write_course(tmp_path / "cluster")
    out = tmp_path / "cluster" / "media"
    out.mkdir()
    (out / "cash.png").mkdir()  # a folder where renders[1]'s file goes: it cannot commit
    first = run("render", "--spec", spec, "--cluster", cluster)
    listed = sorted(
        str(p) for p in out.iterdir() if p.suffix in (".png", ".gif", ".json")
        and "cache" not in p.name and p.is_file()
    )  # fmt: skip
    (out / "cash.png").rmdir()
    again = run("render", "--spec", spec, "--cluster", cluster)
    return {"root": tmp_path, "spec": spec, "out": out, "local": local, "first": first,
            "listed": listed, "again": again}  # fmt: skip


@pytest.mark.render
def test_a_course_on_the_cluster_is_the_local_batch(course: dict[str, Any]) -> None:
    tmp_path, out = course["root"], course["out"]
    assert course["local"].exit_code == 0
    expected = media(tmp_path / "local" / "media")
    assert sorted(expected) == ["both.png", "cash.png", "river.gif", "river.png"]

    result = course["first"]
    assert result.exit_code == 1
    err = " ".join(result.stderr.split())
    assert "failed renders[1] cash:" in err  # the bad entry, by name, and why
    assert "cash.pngisafolder" in "".join(err.split())  # (wrapped by the table)
    assert "3 renders: 2 done, 0 cached, 1 failed" in err
    assert result.stdout.splitlines() == [
        str(out / "river.gif"), str(out / "river.png"), str(out / "river.plan.json"),
        str(out / "both.png"), str(out / "both.plan.json"),
    ] or sorted(result.stdout.splitlines()) == course["listed"]  # fmt: skip
    again = course["again"]
    assert again.exit_code == 0, again.output
    assert "3 renders: 1 done, 2 cached, 0 failed" in again.stderr  # cached ones not sent
    assert media(out) == expected  # byte for byte
    for name in ("river", "cash", "both"):
        local = (tmp_path / "local" / "media" / f"{name}.plan.json").read_bytes()
        assert (out / f"{name}.plan.json").read_bytes() == local


@pytest.mark.render
def test_all_cached_nothing_is_sent(course: dict[str, Any]) -> None:
    """A course already rendered (on the cluster, by the fixture): the cluster is not even
    reached (an address where no cluster is: nothing tries it)."""
    assert course["again"].exit_code == 0, course["again"].output
    again = run("render", "--spec", course["spec"], "--cluster", "127.0.0.1:1")
    assert again.exit_code == 0, again.output
    assert "3 renders: 0 done, 3 cached, 0 failed" in again.stderr


CHUNKED = f"""\
    out = "media"
    [defaults]
    quality = "low"
    formats = ["mp4", "gif"]
    embeddings = "vectors.toml"
    stills = true

    [[renders]]
    sentence = "{RIVER}"
    target = "bank"
    name = "river"
    slides = true

    [[renders]]
    sentence = "{CASH}"
    target = "bank"
    theme = "light"
    name = "cash"
"""


def frame_hashes(path: Path) -> list[str]:
    """ffmpeg's MD5 of every decoded frame of a media file, in order."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "framemd5", "-"],
                         check=True, capture_output=True, text=True).stdout  # fmt: skip
    return [line.rsplit(",", 1)[-1].strip() for line in out.splitlines() if line[:1] != "#"]


@pytest.mark.render
@pytest.mark.needs("ffmpeg")
def test_a_long_render_goes_in_chunks_with_the_serial_frames(
    cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every entry forced into chunks (CHUNK_MIN_RATE 0, 1 s a chunk): river's MP4 and GIF
    decode to --jobs 1's frames, its captions, poster, stills and slides' deck (a task
    beside the chunks) are the same bytes; cash's second chunk fails, and cash fails by
    name while river is committed."""
    folder = tmp_path / "serial"
    folder.mkdir()
    (folder / "vectors.toml").write_text(TOML_VECTORS, encoding="utf-8")
    only_river = textwrap.dedent(CHUNKED).rsplit("[[renders]]", 1)[0]
    (folder / "course.toml").write_text(only_river, encoding="utf-8")
    assert run("render", "--spec", folder / "course.toml", "--jobs", "1").exit_code == 0
    serial = folder / "media"

    chunked = tmp_path / "chunked"
    chunked.mkdir()
    (chunked / "vectors.toml").write_text(TOML_VECTORS, encoding="utf-8")
    (chunked / "course.toml").write_text(textwrap.dedent(CHUNKED), encoding="utf-8")
    monkeypatch.setattr(cluster_module, "CHUNK_MIN_RATE", 0)
    monkeypatch.setattr(chunks, "MIN_SECONDS", 1.0)

    def broken_chunk(task: Any, root: str) -> Any:
        """The light theme's chunks past the first fail (a nested function goes to the
        worker by value: it runs this, not the real one)."""
        from scenes.app import cluster as real

        if task.job.palette.name == "light" and task.chunk.first > 0:
            raise RuntimeError("this chunk broke")
        return real.render_chunk(task, root)

    monkeypatch.setattr(cluster_module, "render_chunk", broken_chunk)
    seen: list[tuple[str, int]] = []
    frames = cluster_module.RayChunks.frames

    def spy(self: Any, job: Any, *args: Any, **kw: Any) -> Path:
        try:
            return frames(self, job, *args, **kw)
        finally:
            seen.append((job.palette.name, self.chunks))

    monkeypatch.setattr(cluster_module.RayChunks, "frames", spy)
    result = run("render", "--spec", chunked / "course.toml", "--cluster", cluster)
    assert result.exit_code == 1, result.output
    err = " ".join(result.stderr.split())
    assert "failed renders[1] cash:" in err and "thischunkbroke" in "".join(err.split())
    assert "2 renders: 1 done, 0 cached, 1 failed" in err
    assert sorted(seen) == [("dark", 2), ("light", 2)]  # each in 2 chunks (2 CPUs)
    out = chunked / "media"
    assert not list(out.glob("cash.*"))  # nothing of the failed entry committed
    for name in ("river.mp4", "river.gif"):
        expected = frame_hashes(serial / name)
        assert len(expected) > 20 and frame_hashes(out / name) == expected, name
    same = ["river.srt", "river.vtt", "river.poster.png", "river.html"]  # html: the deck
    same += sorted(p.name for p in serial.glob("river.beat-*.png"))
    assert len(same) > 4
    for name in same:
        assert (out / name).read_bytes() == (serial / name).read_bytes(), name


def test_a_chunk_writes_where_its_worker_is(tmp_path: Path) -> None:
    """The scene's attributes name the driver's folders; `moved` gives the worker's, in
    strings, paths, tuples and dataclasses (vector.VectorSaver), and leaves the rest."""
    from scenes.app.media.vector import VectorSaver

    driver, worker = Path("/tmp/driver-x"), tmp_path
    attrs = {
        "stills_dir": "/tmp/driver-x/.work/stills",
        "still_savers": (VectorSaver(("svg",), driver / ".work" / "vector"),),
        "captions": True,
        "name": "river",  # a relative name stays
        "elsewhere": "/tmp/driver-xy/a",  # not under the driver's folder
    }
    got = cluster_module.moved(attrs, driver, worker)
    assert got["stills_dir"] == str(worker / ".work" / "stills")
    assert got["still_savers"] == (VectorSaver(("svg",), worker / ".work" / "vector"),)
    assert (got["captions"], got["name"], got["elsewhere"]) == (True, "river", "/tmp/driver-xy/a")
    assert attrs["stills_dir"] == "/tmp/driver-x/.work/stills"  # the input unchanged


def test_a_chunk_cannot_write_outside_its_render(tmp_path: Path) -> None:
    runner = cluster_module.RayChunks(None, 2, lambda text: None)
    runner.root = tmp_path / "render"
    runner._unpack([("frames/chunk-1/scene.srt", b"1")])
    assert (tmp_path / "render" / "frames" / "chunk-1" / "scene.srt").read_bytes() == b"1"
    for name in ("../outside.txt", "/etc/passwd", "frames/../../outside.txt"):
        with pytest.raises(OutputError, match="outside its folder"):
            runner._unpack([(name, b"x")])
    assert not (tmp_path / "outside.txt").exists()


@pytest.mark.parametrize(
    ("quality", "formats", "chunked"),
    [("high", ("mp4",), True), ("4k", ("webm", "png"), True), ("high", ("html",), True),
     ("medium", ("mp4",), False), ("high", ("png",), False), ("high", ("gif",), False)],
)  # fmt: skip
def test_long_renders_go_in_chunks(quality: str, formats: tuple[str, ...], chunked: bool) -> None:
    from scenes.app.options import RenderOptions

    options = RenderOptions(quality=quality, formats=formats)
    assert cluster_module._long(options) is chunked
