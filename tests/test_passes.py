"""One pass, every raster format: frames in, files out (scenes.app.media.passes).

The fast tests feed `FrameSink` frames made here with numpy (no Manim) and read the files
back with ffprobe / ffmpeg / PIL, independent of the code under test. The slow ones render a
real scene and compare the formats made from one pass with each other and with a still pass.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import probe

needs_ffmpeg = pytest.mark.needs("ffmpeg")
COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200)]  # one per second of the clip


def frame(size: tuple[int, int], colour: tuple[int, int, int], x: int = 0) -> np.ndarray:
    """[h, w, 4] RGBA: `colour` everywhere, a white 8×8 square at column x."""
    w, h = size
    f = np.zeros((h, w, 4), np.uint8)
    f[..., :3] = colour
    f[..., 3] = 255
    f[4:12, x : x + 8, :3] = 255
    return f


def decoded(path: Path, size: tuple[int, int]) -> np.ndarray:
    """Every frame of a media file as [n, h, w, 3] RGB, decoded by ffmpeg."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True,
        capture_output=True,
    ).stdout
    w, h = size
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)


@pytest.fixture
def clip(tmp_path: Path):
    """Three seconds at 30 fps, 160×90: second s is COLOURS[s] with a square moving right;
    the last second is one frame written 30 times (as Manim writes a wait)."""
    from scenes.app.media.passes import FrameSink

    size = (160, 90)
    counted: list[int] = []
    sink = FrameSink(tmp_path, size, 30, ["mp4", "gif", "png", "webm"], poster=True,
                     on_frames=counted.append)  # fmt: skip
    with sink:
        for i in range(60):
            sink.write(frame(size, COLOURS[i // 30], x=i))
        sink.write(frame(size, COLOURS[2], x=60), 30)
        sink.last_frame(frame(size, COLOURS[2], x=100))
    return sink, size, counted


@needs_ffmpeg
def test_every_format_comes_from_the_same_frames(clip) -> None:
    sink, size, counted = clip
    assert sum(counted) == sink.frames == 90
    mp4 = probe(sink.files["mp4"])
    assert (mp4["codec"], mp4["pix_fmt"], mp4["size"], mp4["fps"]) == ("h264", "yuv420p", size, 30)
    assert mp4["frames"] == 90
    webm = probe(sink.files["webm"])
    assert (webm["codec"], webm["frames"]) == ("vp9", 90)
    # Each second of the MP4 shows that second's colour (lossy: within a few levels).
    frames = decoded(sink.files["mp4"], size)
    for s, colour in enumerate(COLOURS):
        corner = frames[s * 30 + 15, 40:80, 100:150].reshape(-1, 3).mean(axis=0)
        assert np.abs(corner - colour).max() < 12


@needs_ffmpeg
def test_the_gif_intermediate_is_800x450_at_10_fps_picked_by_time(clip, tmp_path) -> None:
    from scenes.app.media.passes import GIF_SIZE, encode_gif

    sink, _, _ = clip
    info = probe(sink.files["gif"])
    assert (info["size"], info["frames"]) == (GIF_SIZE, 30)  # 3 s at 10 fps
    frames = decoded(sink.files["gif"], GIF_SIZE)
    for s, colour in enumerate(COLOURS):  # lossless RLE: the colours are exact
        for f in frames[s * 10 : s * 10 + 10]:
            assert (f[200:400, 600:780] == colour).all()
    gif = tmp_path / "x.gif"
    encode_gif(sink.files["gif"], gif, "#111318", opaque=True)
    with Image.open(gif) as im:
        assert im.size == GIF_SIZE and im.info.get("loop") == 0
        assert im.info.get("duration") == 100  # ms per frame: 10 fps
        assert im.n_frames == 30


@needs_ffmpeg
def test_poster_is_the_first_frame_and_png_the_final_state(clip) -> None:
    sink, size, _ = clip
    with Image.open(sink.files["poster"]) as im:
        assert im.mode == "RGB"  # an opaque theme: no alpha channel
        assert (np.asarray(im) == frame(size, COLOURS[0], x=0)[..., :3]).all()
    with Image.open(sink.files["png"]) as im:
        assert (np.asarray(im) == frame(size, COLOURS[2], x=100)[..., :3]).all()


@needs_ffmpeg
def test_transparent_frames_keep_their_alpha(tmp_path: Path) -> None:
    from scenes.app.media.passes import FrameSink

    size = (64, 36)
    clear = np.zeros((36, 64, 4), np.uint8)
    clear[10:20, 10:20] = (255, 255, 255, 255)
    sink = FrameSink(tmp_path, size, 10, ["mov", "png"], transparent=True, poster=True)
    with sink:
        sink.write(clear, 10)
        sink.last_frame(clear)
    info = probe(sink.files["mov"])
    assert (info["codec"], info["pix_fmt"], info["frames"]) == ("qtrle", "argb", 10)
    for name in ("png", "poster"):
        with Image.open(sink.files[name]) as im:
            assert im.mode == "RGBA"
            assert (np.asarray(im) == clear).all()


@needs_ffmpeg
def test_a_failed_render_stops_ffmpeg_and_keeps_no_file(tmp_path: Path) -> None:
    from scenes.app.media.passes import FrameSink

    sink = FrameSink(tmp_path, (32, 18), 10, ["mp4"], poster=True)
    with pytest.raises(RuntimeError, match="the scene broke"), sink:
        sink.write(frame((32, 18), COLOURS[0]), 3)
        raise RuntimeError("the scene broke")
    assert sink.files == {}
    assert sink._proc is not None and sink._proc.returncode is not None  # not left running


def test_unknown_formats_are_refused(tmp_path: Path) -> None:
    from scenes.app.media.passes import FrameSink

    with pytest.raises(ValueError, match="html"):
        FrameSink(tmp_path, (32, 18), 10, ["mp4", "html"])


# ---------------------------------------------------------------------------------------------
# the SVG cache shared by renders


def test_svgs_appear_whole_or_not_at_all(tmp_path: Path) -> None:
    """A writer wrapped by atomic_writer writes elsewhere and renames: while it writes, a
    reader (another render) sees no file at the final name; afterwards, the whole file."""
    from scenes.app.cache.texts import atomic_writer

    final = tmp_path / "abc.svg"
    seen: list[bool] = []

    def slow_write(settings: str, path: str, text: str) -> str:
        with open(path, "w") as f:
            f.write("<svg>")
            f.flush()
            seen.append(final.exists())  # what a concurrent reader would find
            f.write(text + "</svg>")
        return path

    returned = atomic_writer(slow_write, 1)("s", str(final), "hello")
    assert returned == str(final)
    assert seen == [False]
    assert final.read_text() == "<svg>hello</svg>"
    assert [p.name for p in tmp_path.iterdir()] == ["abc.svg"]  # no temporary file left


def test_two_writers_of_one_svg_leave_one_whole_file(tmp_path: Path) -> None:
    from scenes.app.cache.texts import atomic_writer

    final = tmp_path / "t.svg"
    start = threading.Barrier(2)

    def write(path: str, body: str) -> str:
        start.wait()
        Path(path).write_text(f"<svg>{body * 10_000}</svg>")
        return path

    wrapped = atomic_writer(write, 0)
    threads = [threading.Thread(target=wrapped, args=(str(final), c)) for c in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    text = final.read_text()
    assert text in (f"<svg>{c * 10_000}</svg>" for c in "ab")
    assert [p.name for p in tmp_path.iterdir()] == ["t.svg"]


def test_an_svg_cut_short_is_not_published(tmp_path: Path) -> None:
    """Pango does not report a full disk: a file without its closing tag is an error, and
    no other render ever finds it."""
    from scenes.app.cache.texts import atomic_writer

    def cut_short(path: str) -> str:
        Path(path).write_text("<svg><path d='M 0 0")
        return path

    with pytest.raises(OSError, match="not written whole"):
        atomic_writer(cut_short, 0)(str(tmp_path / "c.svg"))
    assert list(tmp_path.iterdir()) == []


def test_the_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from scenes.app.cache.texts import cache_folder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder() == tmp_path / "attention-drift"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored (the spec)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "attention-drift"


# ---------------------------------------------------------------------------------------------
# real renders


@pytest.mark.render
def test_one_pass_png_is_the_still_pass_png(tmp_path: Path) -> None:
    """STEM.png made from the movie pass is the still pass's picture (up to the last
    sub-pixel of a number that counted to its value, rather than being set to it); the
    poster is the first frame of the MP4. The still pass runs in a fresh process with its own
    cache folder: Pango's SVGs land there, whole."""
    import os

    from attention_math import build_plan
    from scenes.app import render

    plan = build_plan("He sat on the river bank.", "bank")
    files = render(plan, formats=["mp4", "png"], quality="low", out_dir=tmp_path / "a", name="f")
    names = ["f.mp4", "f.poster.png", "f.srt", "f.vtt", "f.png", "f.figure.json"]
    assert [p.name for p in files] == names
    cache = tmp_path / "cache"
    subprocess.run(
        [sys.executable, "-m", "scenes.app", "render", "He sat on the river bank.", "-t",
         "bank", "--format", "png", "--quality", "low", "--name", "f", "--out",
         str(tmp_path / "b"), "--quiet"],
        check=True, capture_output=True, env={**os.environ, "XDG_CACHE_HOME": str(cache)},
    )  # fmt: skip
    with Image.open(tmp_path / "a" / "f.png") as a, Image.open(tmp_path / "b" / "f.png") as b:
        differ = np.abs(np.asarray(a.convert("RGB"), int) - np.asarray(b.convert("RGB"), int))
    assert differ.max(axis=-1).astype(bool).mean() < 1e-3  # 14 of 409,920 pixels, here
    with Image.open(tmp_path / "a" / "f.poster.png") as im:
        poster = np.asarray(im.convert("RGB")).astype(int)
    first = decoded(tmp_path / "a" / "f.mp4", (854, 480))[0].astype(int)
    assert np.abs(first - poster).mean() < 3  # H.264 is lossy: close, not equal
    svgs = list((cache / "attention-drift").glob("texts-*/*.svg"))
    assert len(svgs) > 10
    assert all(p.read_bytes().rstrip().endswith(b"</svg>") for p in svgs)
    assert not list(cache.rglob("*.tmp"))


def test_the_cache_forgets_what_no_render_used_for_months(tmp_path: Path) -> None:
    import os
    import time

    from scenes.app.cache.texts import CACHE_DAYS, _prune

    now = time.time()
    old, recent = tmp_path / "old.svg", tmp_path / "recent.svg"
    for path, age_days in ((old, CACHE_DAYS + 1), (recent, CACHE_DAYS - 1)):
        path.write_text("<svg></svg>")
        os.utime(path, (now - age_days * 86400,) * 2)
    _prune(tmp_path, now)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".pruned", "recent.svg"]
    old.write_text("<svg></svg>")
    os.utime(old, (now - (CACHE_DAYS + 1) * 86400,) * 2)
    _prune(tmp_path, now + 3600)  # pruned an hour ago: not again today
    assert old.exists()
