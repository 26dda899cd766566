"""Where the browser and its driver are, for the tests that drive one.

Chromium (or Chrome) and chromedriver are looked up on the PATH under their usual names,
the names `render.sh` checks for (Debian's `chromium` and `chromedriver`, Ubuntu's snap
`chromium` and `chromium.chromedriver`, Fedora's and Arch's `chromium` and `chromedriver`,
Google's `google-chrome`), then in macOS's /Applications. Nothing is ever downloaded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
DRIVER_NAMES = ("chromedriver", "chromium.chromedriver")
MACOS_BROWSERS = (
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
)
INSTALL = (
    "Debian: apt-get install chromium chromium-driver; Fedora: dnf install chromium "
    "chromedriver; Arch: pacman -S chromium; macOS: brew install --cask chromium chromedriver"
)


def _first(names: tuple[str, ...], paths: tuple[str, ...] = ()) -> Path | None:
    for name in names:
        found = shutil.which(name)
        if found is not None:
            return Path(found)
    return next((Path(p) for p in paths if Path(p).is_file()), None)


def find_browser() -> Path | None:
    """The first of BROWSER_NAMES on the PATH (or a macOS app), or None."""
    return _first(BROWSER_NAMES, MACOS_BROWSERS)


def find_driver() -> Path | None:
    """The first of DRIVER_NAMES on the PATH, or None."""
    return _first(DRIVER_NAMES)


def missing_message() -> str:
    """What is missing and how to get it, for a skip (or a failure in CI)."""
    return (
        f"no browser ({', '.join(BROWSER_NAMES)}) or no driver ({', '.join(DRIVER_NAMES)}) "
        f"on the PATH ({INSTALL})"
    )
