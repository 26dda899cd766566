"""One render on every core (scenes.app.media.chunks): a render drawn in chunks at once is a serial
render, frame for frame.

The reference is the serial pass (`passes.movie_pass` without chunks); files are compared by
ffmpeg's frame hashes of their decoded frames (`ffmpeg -f framemd5`), the captions and PNGs
byte for byte.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import pytest

from scenes.app.media import chunks
from scenes.app.media.chunks import Chunk, split

needs_ffmpeg = pytest.mark.needs("ffmpeg")  # a failure, not a skip, in CI (conftest)


def frame_hashes(path: Path) -> list[str]:
    """ffmpeg's MD5 of every decoded frame of a media file, in order."""
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "framemd5", "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.rsplit(",", 1)[-1].strip() for line in out.splitlines() if line[:1] != "#"]


@pytest.mark.parametrize(
    ("frames", "n", "cuts"),
    [
        ([10, 10, 10, 10], 2, [(0, 1), (2, 3)]),
        ([10, 10, 10, 10], 4, [(0, 0), (1, 1), (2, 2), (3, 3)]),
        ([30, 1, 1, 1, 1, 1], 2, [(0, 0), (1, 5)]),  # an animation is never cut
        ([5, 5], 3, [(0, 0), (1, 1)]),  # no more chunks than animations
        ([7], 2, [(0, 0)]),
        ([0, 0, 9, 0, 9, 0], 2, [(0, 2), (3, 5)]),  # waits of no frames go with a neighbour
    ],
)
def test_split_cuts_contiguous_chunks_of_about_equal_frames(frames, n, cuts) -> None:
    got = split(frames, n)
    assert [(c.first, c.last) for c in got] == cuts
    assert [c.final for c in got] == [False] * (len(cuts) - 1) + [True]


def test_only_videos_large_enough_and_more_than_one_process_are_chunked() -> None:
    try:
        chunks.set_limit(2)
        assert chunks.pass_for((1920, 1080), 60, ["mp4", "gif"]) is not None
        assert chunks.pass_for((1920, 1080), 60, ["png"]) is None  # a still
        assert chunks.pass_for((854, 480), 15, ["mp4"]) is None  # low quality: does not pay
        assert chunks.pass_for((800, 450), 10, ["gif"]) is None  # a GIF alone
        assert chunks.pass_for((3840, 2160), 60, ["mp4"], jobs=1) is None
        chunks.set_limit(1)  # --jobs 1, or a batch's worker
        assert chunks.pass_for((3840, 2160), 60, ["mp4"]) is None
    finally:
        chunks.set_limit(None)


@pytest.mark.parametrize(("cores", "load", "limit"), [(2, 0.0, 1), (4, 0.5, 3), (8, 6.5, 1),
                                                       (16, 2.0, 14)])  # fmt: skip
def test_without_jobs_chunks_need_three_free_cores(
    monkeypatch: pytest.MonkeyPatch, cores: int, load: float, limit: int
) -> None:
    monkeypatch.setattr(chunks, "available_cores", lambda: cores)
    monkeypatch.setattr(chunks.os, "getloadavg", lambda: (load, load, load))
    assert chunks.limit() == limit


@pytest.fixture(scope="module")
def serial_and_chunked(tmp_path_factory: pytest.TempPathFactory):
    """The river sentence at 854×480 15 fps (mp4, GIF, PNG, poster, captions, the beats'
    stills), rendered serially and in two chunks (forced: too small to pay otherwise)."""
    from attention_math import build_plan
    from scenes.app.media.passes import movie_pass
    from scenes.job import job_for

    plan = build_plan("He sat on the river bank.", "bank")
    root = tmp_path_factory.mktemp("chunks")
    made = {}
    in_chunks = functools.partial(chunks.chunked_frames, jobs=2)
    for name, pass_fn in [("serial", None), ("chunked", in_chunks)]:
        job = job_for(plan, captions=True, stills_dir=str(root / name / "stills"))
        made[name] = movie_pass(job, "DriftScene", root / name / "work", (854, 480),
                                15, ["mp4", "gif", "png"], poster=True,
                                pass_fn=pass_fn)  # fmt: skip
    return made["serial"], made["chunked"], root


@needs_ffmpeg
@pytest.mark.render
def test_a_render_in_chunks_is_the_serial_render_frame_for_frame(serial_and_chunked) -> None:
    serial, chunked, root = serial_and_chunked
    assert len(list((root / "chunked" / "work").glob("chunk-*"))) >= 1  # it ran in chunks
    for fmt in ("mp4", "gif"):
        a, b = frame_hashes(serial[fmt]), frame_hashes(chunked[fmt])
        assert len(a) > 100
        assert a == b, f"{fmt}: frames differ from {next(i for i, p in enumerate(a) if p != b[i])}"
    for what in ("png", "poster", "srt"):  # the final state, the first frame, the captions
        assert chunked[what].read_bytes() == serial[what].read_bytes(), what
    assert serial["srt"].read_text(encoding="utf-8").count("-->") >= 3
    stills = sorted(p.name for p in (root / "serial" / "stills").iterdir())
    assert len(stills) >= 3  # every beat's still (--stills), taken by the last chunk
    assert stills == sorted(p.name for p in (root / "chunked" / "stills").iterdir())
    for name in stills:
        assert (root / "chunked" / "stills" / name).read_bytes() == (
            root / "serial" / "stills" / name
        ).read_bytes(), name


@needs_ffmpeg
@pytest.mark.render
def test_the_chunks_split_the_animations_between_them(serial_and_chunked, tmp_path) -> None:
    """The count pass lists the frames each animation draws: they add up to the serial
    render's frames, and two chunks each get a fair share."""
    from attention_math import build_plan

    serial, _, _ = serial_and_chunked
    from scenes.job import job_for

    job = job_for(build_plan("He sat on the river bank.", "bank"))
    got = chunks.plan_chunks(job, "DriftScene", tmp_path, 15, 2, (854, 480))
    span = chunks.render_span(job, "DriftScene", tmp_path, (854, 480), 15,
                              Chunk(1 << 30, -1))  # fmt: skip
    assert sum(span.frames) == len(frame_hashes(serial["mp4"]))
    assert len(got) == 2 and got[0].first == 0 and got[1].last == len(span.frames) - 1
    shares = [sum(span.frames[c.first : c.last + 1]) for c in got]
    assert min(shares) > 0.3 * sum(shares)


@needs_ffmpeg
@pytest.mark.render
def test_a_scene_told_after_its_poster_renders_in_chunks_as_serially(minilm_dir, tmp_path) -> None:
    """A scene whose story is rehearsed first (BeatScene.tell_after_poster: its animations
    played to their end without the renderer) counts and cuts only what it draws: in two
    chunks it is the serial render frame for frame, and it opens on its last frame."""
    import numpy as np
    from PIL import Image

    from attention_math.request import PlanRequest, make_plan
    from scenes.app.media.passes import movie_pass
    from scenes.job import job_for

    plan = make_plan(PlanRequest(target="bat", needs=frozenset({"senses"})))
    made = {}
    in_chunks = functools.partial(chunks.chunked_frames, jobs=2)
    for name, pass_fn in [("serial", None), ("chunked", in_chunks)]:
        made[name] = movie_pass(job_for(plan), "SenseSplitScene", tmp_path / name, (426, 240),
                                5, ["mp4", "gif"], pass_fn=pass_fn)  # fmt: skip
    assert len(list((tmp_path / "chunked").glob("chunk-*"))) >= 1  # it ran in chunks
    a, b = frame_hashes(made["serial"]["mp4"]), frame_hashes(made["chunked"]["mp4"])
    assert len(a) > 30 and a == b
    with Image.open(made["chunked"]["gif"]) as im:  # the poster is the last frame
        first = np.asarray(im.convert("RGB"), dtype=np.int16)
        im.seek(im.n_frames - 1)
        last = np.asarray(im.convert("RGB"), dtype=np.int16)
    assert np.abs(first - last).max(axis=2).mean() < 1.0
