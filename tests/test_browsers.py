"""tests/browsers.py finds the browser and its driver on the PATH under their usual names."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests import browsers


def executable(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def bare_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH of one empty folder, and no macOS apps."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(browsers, "MACOS_BROWSERS", ())
    return tmp_path


@pytest.mark.parametrize("name", ["chromium-browser", "google-chrome", "chrome"])
def test_a_browser_under_another_usual_name_is_found(bare_path: Path, name: str) -> None:
    assert browsers.find_browser() is None
    browser = executable(bare_path, name)
    assert browsers.find_browser() == browser


def test_chromium_comes_before_chrome(bare_path: Path) -> None:
    executable(bare_path, "google-chrome")
    chromium = executable(bare_path, "chromium")
    assert browsers.find_browser() == chromium


def test_the_snap_driver_is_found_and_a_plain_file_is_not(bare_path: Path) -> None:
    (bare_path / "chromedriver").write_text("not executable", encoding="utf-8")
    assert browsers.find_driver() is None
    driver = executable(bare_path, "chromium.chromedriver")
    assert browsers.find_driver() == driver


def test_a_macos_app_is_found_off_the_path(
    bare_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = executable(bare_path, "Chromium")
    monkeypatch.setenv("PATH", os.devnull)
    monkeypatch.setattr(browsers, "MACOS_BROWSERS", (str(bare_path / "absent"), str(app)))
    assert browsers.find_browser() == app


def test_the_message_names_what_to_install() -> None:
    message = browsers.missing_message()
    assert "chromedriver" in message and "apt-get install chromium chromium-driver" in message


def test_render_sh_checks_the_same_names() -> None:
    script = (Path(__file__).parent.parent / "render.sh").read_text(encoding="utf-8")
    assert f"BROWSERS=({' '.join(browsers.BROWSER_NAMES)})" in script
    assert f"DRIVERS=({' '.join(browsers.DRIVER_NAMES)})" in script
