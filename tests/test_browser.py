"""The outputs where they are used: a real browser (headless Chromium) plays them.

A small render (low quality, MP4 + WebM + GIF + the `--format html` page) is served from a
temporary folder by `http.server` on 127.0.0.1 (an ephemeral port, in a thread) and opened
in the system's Chromium through Selenium with the system's chromedriver (tests/browsers.py
finds them on the PATH; never a downloaded browser or driver: the paths are given and
SE_OFFLINE=true). The checks
are what a reader of the post would see: each video reaches HAVE_ENOUGH_DATA and its clock
runs, the decoded sizes are the rendered ones, the GIF loads at 800×450, and the screenshot
of each element is a picture, not a black or empty box. The `--format html` page shows its
poster (STEM.poster.png, the first frame) before the video plays, and its captions track
(STEM.vtt) loads with cues that state the plan's numbers and are drawn during play.

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
from tests.browsers import find_browser, find_driver, missing_message
from tests.conftest import TOML_VECTORS, missing_reference

pytestmark = pytest.mark.slow

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
    chromium, chromedriver = find_browser(), find_driver()
    if chromium is None or chromedriver is None:
        missing_reference(missing_message())
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing_reference("selenium is not installed (pip install -r requirements-test.txt)")
    old = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not fetch a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for flag in [*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('profile')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(chromedriver)), options=options)
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


# --------------------------------------------------------------------------------------------
# the page's poster and captions (issue 14)


def grey(png: bytes | Path, size: tuple[int, int] | None = None) -> np.ndarray:
    """A PNG (bytes or file) as grey levels, resized to `size` when given."""
    source = io.BytesIO(png) if isinstance(png, bytes) else png
    with Image.open(source) as im:
        g = im.convert("L")
        if size is not None and g.size != size:
            g = g.resize(size, Image.Resampling.BOX)
        return np.asarray(g, dtype=np.float64)


def test_poster_is_the_first_frame_and_shows_before_play(
    served: tuple[str, Path], browser: Any
) -> None:
    import subprocess

    from selenium.webdriver.common.by import By

    base, folder = served
    # the poster is the video's first frame (decoded by ffmpeg, independent of our code)
    first = folder / "first-frame.png"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(folder / "fig.mp4"), "-frames:v", "1",
         str(first)],
        check=True,
    )  # fmt: skip
    poster = grey(folder / "fig.poster.png")
    assert poster.shape == (SIZE[1], SIZE[0]) and poster.std() > MIN_STD
    # H.264 in limited-range yuv420p: a level or two everywhere, more at the edges
    assert float(np.abs(poster - grey(first)).mean()) < 4.0
    # the page's own video element, not yet playing (no autoplay, nothing loaded): the
    # browser draws its poster
    browser.get(f"{base}/fig.html")
    browser.execute_script(
        """const v = document.querySelector('figure video');
        v.pause(); const c = v.cloneNode(true); v.remove();
        c.removeAttribute('autoplay'); c.preload = 'none'; c.id = 'still';
        document.querySelector('figure').prepend(c);"""
    )
    end = time.monotonic() + 10
    while True:
        state = browser.execute_script(
            """const v = document.getElementById('still');
            return {poster: v.poster, readyState: v.readyState, paused: v.paused};"""
        )
        shot = browser.find_element(By.ID, "still").screenshot_as_png
        with Image.open(io.BytesIO(shot)) as im:
            shot_size = im.size
        seen = grey(shot)
        diff = float(np.abs(seen - grey(folder / "fig.poster.png", shot_size)).mean())
        if diff < 6.0 or time.monotonic() > end:
            break
        time.sleep(0.2)
    (folder / "poster-in-browser.png").write_bytes(shot)
    OBSERVED["poster before play"] = (
        f"{state['poster'].rsplit('/', 1)[-1]}, readyState {state['readyState']}, "
        f"paused {state['paused']}, screenshot {shot_size[0]}×{shot_size[1]} differs from "
        f"the PNG by {diff:.2f} grey levels (std {seen.std():.1f}); "
        f"{folder / 'poster-in-browser.png'}"
    )
    assert state["poster"].endswith("/fig.poster.png")
    assert state["readyState"] == 0 and state["paused"]  # nothing of the video is drawn
    assert seen.std() > MIN_STD and diff < 6.0  # the poster, scaled to the element


def page_cues(driver: Any) -> dict[str, Any]:
    return driver.execute_script(
        """const v = document.querySelector('figure video');
        const el = v.querySelector('track'); const t = v.textTracks[0];
        return {trackReady: el.readyState, kind: t.kind, mode: t.mode, label: t.label,
                src: el.src, cues: t.cues ? Array.from(t.cues).map(
                    c => [c.startTime, c.endTime, c.text]) : null};"""
    )


def test_captions_track_loads_with_the_plans_numbers(
    served: tuple[str, Path], browser: Any
) -> None:
    from attention_math.plan import Plan
    from tests.test_captions import expected_numbers

    base, folder = served
    browser.get(f"{base}/fig.html")
    end = time.monotonic() + 10
    while (state := page_cues(browser))["trackReady"] != 2:  # HTMLTrackElement.LOADED
        assert state["trackReady"] != 3, "the captions track failed to load"
        assert time.monotonic() < end, f"the track did not load: {state}"
        time.sleep(0.1)
    assert (state["kind"], state["mode"], state["label"]) == ("captions", "showing", "English")
    assert state["src"].endswith("/fig.vtt")
    plan = Plan.load(folder / "fig.plan.json")
    texts = [" ".join(text.split()) for _, _, text in state["cues"]]
    at = 0
    for needle in expected_numbers(plan):  # every number, in the plan's order
        at = next((i for i in range(at, len(texts)) if needle in texts[i]), -1) + 1
        assert at, f"no cue says {needle!r} after cue {at}: {texts}"
    duration = browser.execute_script("return document.querySelector('figure video').duration;")
    assert state["cues"][0][0] == 0 and state["cues"][-1][1] <= duration + 0.1
    OBSERVED["captions track"] = f"{len(texts)} cues; e.g. {texts[2]!r}, {texts[4]!r}"


def test_captions_show_during_play(served: tuple[str, Path], browser: Any) -> None:
    """A frame with a cue showing, against the same frame with the track hidden: the
    captions are drawn, at the bottom of the video, and the cue says a joining word's weight."""
    from selenium.webdriver.common.by import By

    base, folder = served
    browser.get(f"{base}/fig.html")
    browser.execute_script("document.querySelector('figure video').id = 'figure-video';")
    wait_playing(browser, "figure-video")
    end = time.monotonic() + 10
    while not (cues := page_cues(browser)["cues"]):
        assert time.monotonic() < end, "no cues"
        time.sleep(0.1)
    start, stop, text = next(c for c in cues if "joins with weight" in c[2])
    # play into the middle of that cue, then hold the frame
    browser.execute_script(
        "const v = arguments[0]; v.currentTime = arguments[1]; v.play();",
        browser.find_element(By.ID, "figure-video"),
        start + 0.3 * (stop - start),
    )
    end = time.monotonic() + 10
    while True:
        active = browser.execute_script(
            """const v = document.getElementById('figure-video');
            const a = v.textTracks[0].activeCues;
            return [v.paused, v.currentTime, a && a.length ? a[0].text : null];"""
        )
        if (active[2] == text and not active[0]) or time.monotonic() > end:
            break
        time.sleep(0.05)
    browser.execute_script("document.getElementById('figure-video').pause();")
    time.sleep(0.3)
    video = browser.find_element(By.ID, "figure-video")
    with_captions = video.screenshot_as_png
    (folder / "captions-in-browser.png").write_bytes(browser.get_screenshot_as_png())
    browser.execute_script("document.getElementById('figure-video').textTracks[0].mode = 'hidden';")
    time.sleep(0.3)
    without = video.screenshot_as_png
    a, b = grey(with_captions), grey(without)
    rows = np.abs(a - b).mean(axis=1)  # per row of pixels
    third = len(rows) // 3
    OBSERVED["captions during play"] = (
        f"cue {text!r} active at {active[1]:.2f} s; change with the track hidden: bottom "
        f"third {rows[2 * third :].mean():.2f}, top third {rows[:third].mean():.2f} grey "
        f"levels; {folder / 'captions-in-browser.png'}"
    )
    assert active[2] == text and "joins with weight 0." in text
    assert rows[2 * third :].mean() > 1.0  # the cue is drawn over the bottom of the frame
    assert rows[:third].mean() < 0.1  # and nothing else changed
