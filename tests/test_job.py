"""The hand-off from the application to the scene (scenes.job.SceneJob), the scene registry
as the one declaration of NEEDS, theme files (colours, fonts, sizes, pacing) and a user's own
scene file (issue 22)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from attention_math import build_plan
from scenes.app import cli

RIVER = "He sat on the river bank."
DOCS_SCENE = Path(__file__).parent.parent / "docs" / "my_scene.py"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def theme_file(folder: Path, text: str, name: str = "theme.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- the registry: one declaration of NEEDS -----------------------------------------------


def test_every_class_takes_its_needs_from_the_registry() -> None:
    import importlib
    import inspect

    from scenes import SCENES
    from scenes.app.media.passes import scene_class

    for name, entry in SCENES.items():
        assert scene_class(name).NEEDS == entry.needs, name
    for module in {entry.module for entry in SCENES.values()}:  # no second declaration
        assert "NEEDS = (" not in inspect.getsource(importlib.import_module(module)), module


def test_a_plan_without_the_scene_part_fails_once_with_one_message(tmp_path: Path) -> None:
    from attention_math.errors import InputError
    from scenes.app import render

    plan = build_plan(RIVER, "bank")  # no weight matrix in it
    with pytest.raises(InputError) as info:
        render(plan, scene="AttentionMatrixScene", formats=["png"], quality="low",
               out_dir=tmp_path)  # fmt: skip
    message = str(info.value)
    assert message.startswith("AttentionMatrixScene draws the plan's matrix, which this plan lacks")
    assert "\n" not in message
    assert not list(tmp_path.glob("*.png"))  # refused before any pass


# ---- theme files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('colour = "#FFFFFF"\n', "unknown key colour; use one of base, colors, fonts"),
        ('[colors]\ntext = "white"\n', 'text = \'white\' is not a colour; write it as "#RRGGBB"'),
        ("[colors]\nglow = \"#FFFFFF\"\n", "unknown key [colors] glow; use one of background"),
        ("[sizes]\nsmall = 10\n", "small = 10 is out of range; give a number from 22 to 48"),
        ("[sizes]\nbody = 40\n", "[sizes] must keep small <= body <= title (now 22, 40, 32)"),
        ("[pacing]\nspeed = 0\n", "speed = 0 is out of range; give a number from 0.25 to 4"),
        ('base = "sepia"\n', "base = 'sepia' is not a theme; choose from dark, light"),
        ("[colors\n", "not valid TOML"),
        ('[fonts]\ntext = ""\n', "[fonts] text = '' is not a font name"),
        ('import = "os"\n', "unknown key import"),
    ],
)  # fmt: skip
def test_a_bad_theme_file_is_one_line_saying_what_to_change(
    tmp_path: Path, text: str, said: str
) -> None:
    path = theme_file(tmp_path, text)
    result = run("render", RIVER, "-t", "bank", "--theme-file", path, "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    line = result.output.strip()
    assert line.startswith(f"Error: {path}: "), line
    assert said in line, line
    assert "\n" not in line and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # refused before any work


def test_a_missing_theme_file_says_so(tmp_path: Path) -> None:
    result = run("render", RIVER, "-t", "bank", "--theme-file", tmp_path / "none.toml")
    assert result.exit_code == 1
    assert "none.toml: cannot be read" in result.output and "check the path" in result.output


def test_theme_file_values_and_transparency() -> None:
    from scenes.theme import LIGHT, Pacing, TextSizes, look

    path = Path(__file__).parent / "job-theme.toml"
    try:
        path.write_text(
            'base = "light"\n[colors]\ntext = "#102030"\nseries = ["#AA0000", "#00AA00"]\n'
            '[fonts]\ntext = "DejaVu Sans"\n[sizes]\nbody = 28\ntitle = 36\n'
            "[pacing]\nspeed = 2\nhold = 0.5\n",
            encoding="utf-8",
        )
        found = look("dark", False, path)
        clear = look("dark", True, path)
    finally:
        path.unlink()
    assert found.palette.text == "#102030" and found.palette.series == ("#AA0000", "#00AA00")
    assert found.palette.background == LIGHT.background and found.palette.muted == LIGHT.muted
    assert found.typography.font == "DejaVu Sans"
    assert found.typography.sizes == TextSizes(title=36, body=28, small=22)
    assert found.pacing == Pacing(speed=2.0, hold=0.5)
    assert clear.palette.background is None and clear.palette.text == "#102030"


def test_sizes_and_font_reach_the_text_code() -> None:
    from scenes.components import StrutText, label
    from scenes.theme import DARK, SIZES, TextSizes, Typography, use_typography

    normal = label("Bank", DARK, size=SIZES.body)
    try:
        use_typography(Typography(font="DejaVu Sans", sizes=TextSizes(title=40, body=30, small=24)))
        big = label("Bank", DARK, size=SIZES.body)
        strut = StrutText("Bank", DARK, size=SIZES.small)
    finally:
        use_typography(Typography())
    assert big.font == "DejaVu Sans" and normal.font == "Noto Sans"
    assert big.height / normal.height == pytest.approx(30 / 26, rel=0.05)
    assert strut.glyphs.height > label("Bank", DARK, size=SIZES.small).height * 1.05


def test_the_theme_file_is_in_the_cache_key(tmp_path: Path) -> None:
    from scenes.app.cache.key import cache_key
    from scenes.app.options import RenderOptions

    plan = build_plan(RIVER, "bank")
    path = theme_file(tmp_path, '[colors]\ntext = "#FFFFFF"\n')
    first = cache_key(plan, RenderOptions(theme_file=path))
    theme_file(tmp_path, '[colors]\ntext = "#EEEEEE"\n')
    second = cache_key(plan, RenderOptions(theme_file=path))
    assert len({first, second, cache_key(plan, RenderOptions())}) == 3


def test_a_spec_reads_its_theme_file_next_to_it(tmp_path: Path) -> None:
    from scenes.app.spec import load_spec

    theme_file(tmp_path, '[colors]\ntext = "#FFFFFF"\n', "mine.toml")
    spec = tmp_path / "course.toml"
    spec.write_text(
        f'[[renders]]\nsentence = "{RIVER}"\ntarget = "bank"\ntheme_file = "mine.toml"\n',
        encoding="utf-8",
    )
    (entry,) = load_spec(spec).entries
    assert entry.options.theme_file == tmp_path / "mine.toml"
    assert entry.options.look().palette.text == "#FFFFFF"


# ---- a user's own scene --------------------------------------------------------------------


def test_a_spec_may_not_load_code(tmp_path: Path) -> None:
    (tmp_path / "my_scene.py").write_text(DOCS_SCENE.read_text(encoding="utf-8"))
    spec = tmp_path / "course.toml"
    spec.write_text(
        f'[[renders]]\nsentence = "{RIVER}"\ntarget = "bank"\nscene = "WeightsScene"\n'
        'scene_file = "my_scene.py"\n',
        encoding="utf-8",
    )
    result = run("render", "--spec", spec, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "renders[0].scene_file: a spec file cannot load code" in result.output
    spec.write_text(
        f'[[renders]]\nsentence = "{RIVER}"\ntarget = "bank"\nscene = "my_scene.py:WeightsScene"\n',
        encoding="utf-8",
    )
    result = run("render", "--spec", spec, "--out", tmp_path / "out")
    assert result.exit_code == 1 and "renders[0].scene:" in result.output


def test_a_missing_scene_file(tmp_path: Path) -> None:
    result = run("render", RIVER, "-t", "bank", "--scene-file", tmp_path / "no.py", "--scene",
                 "WeightsScene", "--out", tmp_path / "out")  # fmt: skip
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: --scene-file {tmp_path / 'no.py'}: no such file; check the path"
    )


def test_a_missing_class(tmp_path: Path) -> None:
    result = run("render", RIVER, "-t", "bank", "--scene", f"{DOCS_SCENE}:Nope",
                 "--out", tmp_path / "out")  # fmt: skip
    assert result.exit_code == 1
    assert (
        "has no class Nope (its scene classes: WeightsScene); name one with --scene"
        in result.output
    )


def test_a_class_that_is_not_a_scene(tmp_path: Path) -> None:
    path = tmp_path / "plain.py"
    path.write_text("class Plain:\n    pass\n", encoding="utf-8")
    result = run("render", RIVER, "-t", "bank", "--scene-file", path, "--scene", "Plain",
                 "--out", tmp_path / "out")  # fmt: skip
    assert result.exit_code == 1
    assert "Plain in " in result.output and "is not a scene: build it on BeatScene" in result.output


def test_a_file_that_fails_to_load(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("class Broken(:\n", encoding="utf-8")
    result = run("render", RIVER, "-t", "bank", "--scene", f"{path}:Broken")
    assert result.exit_code == 1
    assert "cannot be loaded (line 1): SyntaxError" in result.output


def _colours(png: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(png) as im:
        return np.asarray(im.convert("RGB")).reshape(-1, 3)


def _share(pixels: np.ndarray, hex_colour: str, within: int = 2) -> float:
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return float(np.mean(np.all(np.abs(pixels.astype(int) - rgb) <= within, axis=1)))


@pytest.mark.render
def test_the_docs_scene_renders_in_a_theme_file(tmp_path: Path) -> None:
    """docs/my_scene.py from the command line, with a theme file: the file's background
    fills the frame and its first series colour draws the bars (not a blank frame)."""
    path = theme_file(
        tmp_path, 'base = "light"\n[colors]\nbackground = "#FDF6E3"\nseries = ["#CB4B16"]\n'
    )
    out = tmp_path / "out"
    result = run("render", RIVER, "-t", "bank", "--scene-file", DOCS_SCENE, "--scene",
                 "WeightsScene", "--theme-file", path, "--format", "png", "--quality", "low",
                 "--out", out, "--quiet")  # fmt: skip
    assert result.exit_code == 0, result.output
    (png,) = out.glob("*.png")
    pixels = _colours(png)
    assert _share(pixels, "#FDF6E3") > 0.8  # the file's background
    # the bars, in the file's colour (at the bars' 0.9 opacity over the background)
    assert _share(pixels, "#CB4B16", within=25) > 0.002
    assert len(np.unique(pixels, axis=0)) > 20  # text and bars drawn, anti-aliased
    # the code is in the key: an edited scene file renders again
    changed = tmp_path / "my_scene.py"
    changed.write_text(DOCS_SCENE.read_text(encoding="utf-8") + "\n# edited\n")
    again = run("render", RIVER, "-t", "bank", "--scene", f"{changed}:WeightsScene",
                "--theme-file", path, "--format", "png", "--quality", "low",
                "--out", out)  # fmt: skip
    assert again.exit_code == 0 and "up to date" not in again.output


def _duration(movie: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(movie)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return float(json.loads(out.stdout)["format"]["duration"])


@pytest.mark.render
@pytest.mark.needs("ffmpeg", "ffprobe")
def test_pacing_changes_the_video_duration(tmp_path: Path) -> None:
    """The same scene at speed 1, at speed 2, and with a 1 s hold after each of its 2 beats."""
    from scenes.app import render

    plan = build_plan(RIVER, "bank")
    seconds = {}
    for name, pacing in [("plain", ""), ("fast", "speed = 2"), ("held", "hold = 1")]:
        path = theme_file(tmp_path, f"[pacing]\n{pacing}\n", f"{name}.toml")
        (mp4,) = [p for p in render(plan, scene=f"{DOCS_SCENE}:WeightsScene", formats=["mp4"],
                                    quality="low", out_dir=tmp_path / name, theme_file=path,
                                    captions=False) if p.suffix == ".mp4"]  # fmt: skip
        seconds[name] = _duration(mp4)
    assert seconds["plain"] == pytest.approx(2.0, abs=0.15)  # two 1 s animations
    assert seconds["fast"] == pytest.approx(seconds["plain"] / 2, abs=0.15)
    assert seconds["held"] == pytest.approx(seconds["plain"] + 2, abs=0.15)


def test_the_job_is_one_frozen_value() -> None:
    from scenes.job import SceneJob, job_for

    job = job_for(build_plan(RIVER, "bank"), "light", stills_dir="x")
    assert isinstance(job, SceneJob) and job.palette.name == "light"
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.stills_dir = "y"  # type: ignore[misc]


def test_the_manim_command_reads_the_plan_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one path without the application (`manim scenes/x.py Scene`): the environment."""
    from scenes.job import from_environment

    plan = build_plan(RIVER, "bank")
    plan.save(tmp_path / "p.plan.json")
    monkeypatch.delenv("ATTENTION_DRIFT_PLAN", raising=False)
    with pytest.raises(RuntimeError, match="set ATTENTION_DRIFT_PLAN to a plan JSON file"):
        from_environment("DriftScene")
    monkeypatch.setenv("ATTENTION_DRIFT_PLAN", str(tmp_path / "p.plan.json"))
    monkeypatch.setenv("ATTENTION_DRIFT_THEME", "light")
    job = from_environment("DriftScene")
    assert job.plan == plan and job.palette.name == "light"


def test_a_user_scene_s_needs_build_its_plan(tmp_path: Path) -> None:
    """A user's class declares its NEEDS; the request for it asks the plan for them."""
    from scenes.app.options import needs_of, plan_request

    path = tmp_path / "matrix_scene.py"
    path.write_text(
        "from scenes.picture import LectureScene\n\n\n"
        "class MatrixLook(LectureScene):\n"
        '    NEEDS = ("matrix",)\n',
        encoding="utf-8",
    )
    ref = f"{path}:MatrixLook"
    assert needs_of(ref) == ("matrix",)
    request = plan_request({"sentence": RIVER, "target": "bank"}, ref)
    assert request.needs == frozenset({"matrix"})
    assert needs_of("AttentionMatrixScene") == ("matrix",)
