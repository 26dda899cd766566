"""Every output kind run as a user runs it: from a working folder, with relative paths, into
the default `out` or an `--out rel/dir` (GIF, MP4, PNG, the HTML page, slides, captions, a
spec file naming its files relative to itself). Each checks the printed paths, the files
themselves, and that nothing is written outside the output folder or left half-made."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from PIL import Image

from scenes.app import cli
from tests.conftest import RIVER, TOML_VECTORS, attention_formula, probe, write_spec

pytestmark = pytest.mark.render
SMALL = ("--embeddings", "vectors.toml", "--quality", "low", "--name", "fig", "-q")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder (the cwd) with vectors.toml in it."""
    monkeypatch.chdir(tmp_path)
    Path("vectors.toml").write_text(TOML_VECTORS, encoding="utf-8")
    return tmp_path


def written(result: Result, folder: Path, out: str, names: list[str]) -> list[Path]:
    """The command printed out/NAME for each name, in order, and wrote exactly those files
    (and its record) into `out`, relative to `folder`; nothing half-made, nothing elsewhere."""
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.stdout.splitlines() == [f"{out}/{n}" for n in names]
    made = sorted(p.name for p in (folder / out).iterdir())
    assert made == sorted([*names, "fig.cache.json"]), made  # no .render-* staging left
    top = out.split("/")[0]
    assert sorted(p.name for p in folder.iterdir()) == sorted(["vectors.toml", top])
    return [folder / out / n for n in names]


def test_gif_into_the_default_out(here: Path) -> None:
    result = run("render", RIVER, "-t", "bank", "--format", "gif", *SMALL)
    gif, _, _ = written(result, here, "out", ["fig.gif", "fig.figure.json", "fig.plan.json"])
    with Image.open(gif) as im:
        assert (im.format, im.size) == ("GIF", (800, 450))
        assert im.n_frames > 50 and im.info.get("loop") == 0


@pytest.mark.parametrize("out", ["out", "rel/dir"])
def test_png_into_out_or_a_relative_folder(here: Path, out: str) -> None:
    extra = () if out == "out" else ("--out", out)
    result = run("render", RIVER, "-t", "bank", "--format", "png", *SMALL, *extra)
    png, _, _ = written(result, here, out, ["fig.png", "fig.figure.json", "fig.plan.json"])
    with Image.open(png) as im:
        assert (im.format, im.size) == ("PNG", (854, 480))


@pytest.fixture(scope="module")
def mp4_render(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Result]]:
    """One MP4 (with its captions) rendered from a working folder into --out rel/dir."""
    folder = tmp_path_factory.mktemp("mp4")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        Path("vectors.toml").write_text(TOML_VECTORS, encoding="utf-8")
        yield folder, run("render", RIVER, "-t", "bank", "--format", "mp4", "--out", "rel/dir",
                          *SMALL)  # fmt: skip


@pytest.mark.needs("ffprobe")
def test_mp4_into_a_relative_folder(mp4_render: tuple[Path, Result]) -> None:
    folder, result = mp4_render
    names = ["fig.mp4", "fig.poster.png", "fig.srt", "fig.vtt", "fig.figure.json",
             "fig.plan.json"]  # fmt: skip
    mp4 = written(result, folder, "rel/dir", names)[0]
    info = probe(mp4)
    assert (info["codec"], info["pix_fmt"], info["size"]) == ("h264", "yuv420p", (854, 480))
    assert info["frames"] > 100


def cues(text: str) -> list[tuple[str, str, str]]:
    """(start, end, text) of every cue of an SRT or WebVTT file (read here, not by the tool)."""
    stamp = r"(\d\d:\d\d:\d\d[,.]\d\d\d)"
    found = re.findall(rf"{stamp} --> {stamp}[^\n]*\n(.+?)(?:\n\n|\n*$)", text, flags=re.S)
    return [(a.replace(",", "."), b.replace(",", "."), " ".join(t.split())) for a, b, t in found]


@pytest.mark.needs("ffprobe")
def test_captions_next_to_the_mp4(mp4_render: tuple[Path, Result]) -> None:
    folder, result = mp4_render
    assert result.exit_code == 0, result.output
    media = folder / "rel/dir"
    srt = (media / "fig.srt").read_text(encoding="utf-8")
    vtt = (media / "fig.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT")
    assert cues(srt) == cues(vtt)  # the same cues, in both spellings
    # A caption per beat: the title, the panel, sat and river joining, the formula, the
    # summary; in order, within the video; the last states the final weights.
    got = cues(srt)
    assert len(got) == 6, got
    assert [c[0] for c in got] == sorted(c[0] for c in got)
    seconds = [int(h) * 3600 + int(m) * 60 + float(s) for h, m, s in
               (c[1].split(":") for c in got)]  # fmt: skip
    assert seconds[-1] <= probe(media / "fig.mp4")["duration"] + 0.1
    vectors = {w: np.array(v) for w, v in tomllib.loads(TOML_VECTORS).items()}
    want = attention_formula("bank", {w: vectors[w] for w in ("bank", "river", "sat")})
    assert got[-1][2] == want  # "bank′ = 0.42·bank + 0.38·river + 0.20·sat"


def test_html_page_into_a_relative_folder_names_its_media_relatively(here: Path) -> None:
    result = run("render", RIVER, "-t", "bank", "--format", "html", "--out", "rel/dir", *SMALL)
    # the reduced-motion stepper's stills: one per distinct beat still, numbered from 01
    count = sum(line.endswith(".webp") for line in result.stdout.splitlines())
    assert count >= 3
    stills = [f"fig.beat-{n:02d}.webp" for n in range(1, count + 1)]
    names = [*stills, "fig.mp4", "fig.poster.png", "fig.srt", "fig.vtt", "fig.gif",
             "fig.chapters.vtt", "fig.descriptions.vtt", "fig.html", "fig.figure.json",
             "fig.plan.json"]  # fmt: skip
    page = written(result, here, "rel/dir", names)[-3]
    html = page.read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|poster)="([^"]+)"', html)
    assert sorted(set(refs)) == ["fig.chapters.vtt", "fig.descriptions.vtt", "fig.gif",
                                 "fig.mp4", "fig.poster.png", "fig.vtt"]  # fmt: skip
    assert all((page.parent / r).is_file() for r in refs)  # beside the page: copy the folder
    assert str(here) not in html and "rel/dir" not in html


def test_slides_into_the_default_out(here: Path) -> None:
    result = run("render", RIVER, "-t", "bank", "--scene", "AttentionMathScene", "--slides",
                 "--format", "png", *SMALL)  # fmt: skip
    page = written(result, here, "out", ["fig.png", "fig.html", "fig.plan.json"])[1]
    html = page.read_text(encoding="utf-8")
    # AttentionMathScene's six beats, each a slide whose video is inside the page
    assert html.count('data-background-video="data:video/mp4;base64,') == 6
    assert str(here) not in html and "out/" not in html


SPEC = """\
[defaults]
quality = "low"
formats = ["png"]
embeddings = "vectors.toml"  # next to this file, not in the working folder

[[renders]]
sentence = "He sat on the river bank."
target = "bank"
name = "fig"
"""


@pytest.mark.parametrize(
    ("spec_out", "args", "out"),
    [
        (None, (), "out"),  # the default --out, from the working folder
        (None, ("--out", "rel/dir"), "rel/dir"),
        ("media", (), "course/media"),  # the spec's own out: inside its folder
    ],
)
def test_spec_with_relative_paths_inside(
    here: Path, spec_out: str | None, args: tuple[str, ...], out: str
) -> None:
    course = here / "course"
    course.mkdir()
    Path("vectors.toml").rename(course / "vectors.toml")
    write_spec(course, (f'out = "{spec_out}"\n' if spec_out else "") + SPEC)
    result = run("render", "--spec", "course/course.toml", "-q", *args)
    assert result.exit_code == 0, (result.output, result.exception)
    printed = [Path(p).resolve() for p in result.stdout.splitlines()]
    names = ("fig.png", "fig.figure.json", "fig.plan.json")
    assert printed == [(here / out / n).resolve() for n in names]
    assert sorted(p.name for p in (here / out).iterdir()) == [
        "fig.cache.json", "fig.figure.json", "fig.plan.json", "fig.png"
    ]  # fmt: skip
    tops = {out.split("/")[0], "course"}
    assert {p.name for p in here.iterdir()} == tops  # nothing else in the working folder
    with Image.open(here / out / "fig.png") as im:
        assert im.size == (854, 480)
