"""The outputs where they are used: a real browser (headless Chromium) plays them.

A small render (low quality, MP4 + WebM + GIF + the `--format html` page) is served from a
temporary folder by `http.server` on 127.0.0.1 (an ephemeral port, in a thread) and opened
in Debian's `/usr/bin/chromium` through Selenium with Debian's `/usr/bin/chromedriver`
(never a downloaded browser or driver: the paths are given and SE_OFFLINE=true). The checks
are what a reader of the post would see: each video reaches HAVE_ENOUGH_DATA and its clock
runs, the decoded sizes are the rendered ones, the GIF loads at 800×450, and the screenshot
of each element is a picture, not a black or empty box.

`./render.sh test` installs chromium, chromium-driver and selenium (requirements-test.txt);
there (ATTENTION_DRIFT_REQUIRE_REFERENCE=1, so in CI) a missing browser fails the tests
instead of skipping them.
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from attention_math import build_plan
from tests.conftest import TOML_VECTORS, missing_reference

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1800,1100",
]
RIVER = "He sat on the river bank."
SIZE = (854, 480)  # --quality low
GIF_SIZE = (800, 450)
HAVE_ENOUGH_DATA = 4  # HTMLMediaElement.readyState
MIN_STD = 8.0  # grey levels: the dark background alone is ~0, with the figure's text > 20

# what the tests saw, for the report (pytest -s prints it at the end of the module)
OBSERVED: dict[str, Any] = {}

TEST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>media</title>
<style>body {{ margin: 0; background: #fff; }} video, img {{ display: block; margin: 4px; }}
div {{ display: flex; }}</style></head>
<body>
<div>
<video id="mp4" autoplay muted loop playsinline src="{stem}.mp4"></video>
<video id="webm" autoplay muted loop playsinline src="{stem}.webm"></video>
</div>
<img id="gif" src="{stem}.gif" alt="the GIF">
</body></html>
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Render the media into a temp folder and serve it: yields (base URL, folder)."""
    from scenes.app import render

    folder = tmp_path_factory.mktemp("site")
    vectors = folder / "vectors.toml"
    vectors.write_text(TOML_VECTORS, encoding="utf-8")
    plan = build_plan(RIVER, "bank", embeddings_file=vectors)
    render(plan, formats=["html", "webm"], quality="low", out_dir=folder, name="fig")
    (folder / "media.html").write_text(TEST_PAGE.format(stem="fig"), encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    if OBSERVED:
        print("\nbrowser test observed:")
        for key, value in OBSERVED.items():
            print(f"  {key}: {value}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Debian Chromium through Selenium, with a fresh profile; nothing downloaded."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.is_file():
            missing_reference(f"{path} is missing (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing_reference("selenium is not installed (pip install -r requirements-test.txt)")
    old = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not fetch a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('profile')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        OBSERVED["browser"] = (
            f"{driver.capabilities.get('browserName')} {driver.capabilities.get('browserVersion')}"
        )
        yield driver
    finally:
        driver.quit()
        if old is None:
            os.environ.pop("SE_OFFLINE", None)
        else:
            os.environ["SE_OFFLINE"] = old


def video_state(driver: Any, element_id: str) -> dict[str, Any]:
    return driver.execute_script(
        """const v = document.getElementById(arguments[0]);
        return {readyState: v.readyState, currentTime: v.currentTime, paused: v.paused,
                videoWidth: v.videoWidth, videoHeight: v.videoHeight,
                error: v.error && v.error.code, src: v.currentSrc};""",
        element_id,
    )


def wait_playing(driver: Any, element_id: str, timeout: float = 15.0) -> dict[str, Any]:
    """Poll until the video has enough data and its clock has moved; the last state."""
    end = time.monotonic() + timeout
    while True:
        state = video_state(driver, element_id)
        if state["error"] is not None or time.monotonic() > end:
            return state
        if state["readyState"] >= HAVE_ENOUGH_DATA and state["currentTime"] > 0.2:
            return state
        time.sleep(0.1)


def std_of(png: bytes) -> float:
    with Image.open(io.BytesIO(png)) as im:
        return float(np.asarray(im.convert("L"), dtype=np.float64).std())


@pytest.fixture(scope="module")
def media_page(served: tuple[str, Path], browser: Any) -> Any:
    base, _ = served
    browser.get(f"{base}/media.html")
    return browser


@pytest.mark.parametrize("kind", ["mp4", "webm"])
def test_video_plays(media_page: Any, kind: str) -> None:
    first = wait_playing(media_page, kind)
    assert first["error"] is None, f"{kind}: MediaError code {first['error']}"
    assert first["readyState"] == HAVE_ENOUGH_DATA
    assert not first["paused"]
    time.sleep(1.0)
    later = video_state(media_page, kind)
    assert later["currentTime"] - first["currentTime"] > 0.5  # the clock runs (~1 s)
    assert (later["videoWidth"], later["videoHeight"]) == SIZE
    OBSERVED[kind] = (
        f"readyState {first['readyState']}, currentTime {first['currentTime']:.3f} -> "
        f"{later['currentTime']:.3f} s over 1 s, {later['videoWidth']}×{later['videoHeight']}"
    )


def test_gif_loads_at_800x450(media_page: Any) -> None:
    end = time.monotonic() + 10
    while not media_page.execute_script("return document.getElementById('gif').complete;"):
        assert time.monotonic() < end, "the GIF did not load"
        time.sleep(0.1)
    size = media_page.execute_script(
        "const g = document.getElementById('gif'); return [g.naturalWidth, g.naturalHeight];"
    )
    assert tuple(size) == GIF_SIZE
    OBSERVED["gif"] = f"naturalWidth×naturalHeight {size[0]}×{size[1]}"


def test_screenshots_are_not_blank(media_page: Any) -> None:
    from selenium.webdriver.common.by import By

    for kind in ("mp4", "webm"):
        wait_playing(media_page, kind)
    time.sleep(1.5)  # past the first beat: the sentence is on screen
    page = std_of(media_page.get_screenshot_as_png())
    # each element on its own: a video that decodes to black would pass the page's test
    # (white page, dark boxes) but not this one
    parts = {
        kind: std_of(media_page.find_element(By.ID, kind).screenshot_as_png)
        for kind in ("mp4", "webm", "gif")
    }
    OBSERVED["screenshot std (grey levels)"] = ", ".join(
        [f"page {page:.1f}", *(f"{k} {v:.1f}" for k, v in parts.items())]
    )
    assert page > MIN_STD
    for kind, std in parts.items():
        assert std > MIN_STD, f"{kind} looks blank (std {std:.1f})"


def test_exported_html_page_plays_mp4_with_caption(served: tuple[str, Path], browser: Any) -> None:
    from selenium.webdriver.common.by import By

    base, folder = served
    browser.get(f"{base}/fig.html")
    video = browser.find_element(By.TAG_NAME, "video")
    browser.execute_script("arguments[0].id = 'figure-video';", video)
    first = wait_playing(browser, "figure-video")
    assert first["error"] is None
    assert first["readyState"] == HAVE_ENOUGH_DATA
    assert first["src"].endswith("/fig.mp4")  # the first source, which Chromium plays
    time.sleep(1.0)
    later = video_state(browser, "figure-video")
    assert later["currentTime"] > first["currentTime"] + 0.5
    assert (later["videoWidth"], later["videoHeight"]) == SIZE
    caption = browser.find_element(By.TAG_NAME, "figcaption").text
    assert "bank′ = " in caption and "He sat on the river bank." in caption
    # every file the page names is there (relative names: the folder can be copied)
    for name in ("fig.mp4", "fig.webm", "fig.gif"):
        assert (folder / name).is_file()
    OBSERVED["fig.html"] = (
        f"plays {later['src'].rsplit('/', 1)[-1]}, currentTime {first['currentTime']:.3f} -> "
        f"{later['currentTime']:.3f} s; caption {caption.splitlines()[1]!r}"
    )


def test_mp4_is_browser_safe_h264_yuv420p(served: tuple[str, Path]) -> None:
    """Chromium (software decoding) also plays yuv444p H.264; Safari, Firefox on some systems
    and hardware decoders do not, so the file itself must be yuv420p."""
    if shutil.which("ffprobe") is None:
        pytest.skip("needs ffprobe")
    import subprocess

    _, folder = served
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,pix_fmt",
            "-of",
            "csv=p=0",
            str(folder / "fig.mp4"),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert out == "h264,yuv420p"
    OBSERVED["fig.mp4 stream"] = out
