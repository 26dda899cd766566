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
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from attention_math import build_plan
from tests.browsers import find_browser, find_driver, missing_message
from tests.conftest import TOML_VECTORS, missing_reference, needs_tools

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


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """A static server that answers Range requests, as a static site's does: a browser can
    only seek in a video served with them (http.server alone sends the whole file)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = self.translate_path(self.path)
        if m is None or not os.path.isfile(path):
            self.left = None
            return super().send_head()
        size = os.path.getsize(path)
        start, end = int(m.group(1)), min(int(m.group(2) or size - 1), size - 1)
        f = open(path, "rb")  # closed by the handler after copyfile
        f.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.left = end - start + 1
        return f

    def copyfile(self, source: Any, outputfile: Any) -> None:
        if self.left is None:
            super().copyfile(source, outputfile)
        else:
            outputfile.write(source.read(self.left))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Render the media into a temp folder and serve it: yields (base URL, folder)."""
    from scenes.app import render

    folder = tmp_path_factory.mktemp("site")
    vectors = folder / "vectors.toml"
    vectors.write_text(TOML_VECTORS, encoding="utf-8")
    plan = build_plan(RIVER, "bank", embeddings_file=vectors)
    # --stills too: the scene's PNG of every beat, the tests' reference for the page's steps
    render(plan, formats=["html", "webm"], quality="low", out_dir=folder, name="fig", stills=True)
    (folder / "media.html").write_text(TEST_PAGE.format(stem="fig"), encoding="utf-8")

    handler = functools.partial(RangeHandler, directory=str(folder))
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
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})  # network events
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


def wait_for(driver: Any, condition: Any, message: str = "", timeout: float = 20.0) -> Any:
    """WebDriverWait until `condition(driver)` is truthy (its value), or a TimeoutException
    saying `message`."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition, message)


def wait_playing(driver: Any, element_id: str, after: float = 0.2) -> dict[str, Any]:
    """Wait until the video has enough data and its clock is past `after` seconds (or it
    failed); its state then."""

    def ready(d: Any) -> dict[str, Any] | None:
        state = video_state(d, element_id)
        done = state["readyState"] >= HAVE_ENOUGH_DATA and state["currentTime"] > after
        return state if state["error"] is not None or done else None

    return wait_for(driver, ready, f"{element_id} does not play past {after} s")


def next_frame(driver: Any) -> None:
    """Return once the browser has painted twice (what the page changed is on screen)."""
    driver.execute_async_script(
        "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done));"
    )


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
    later = wait_playing(media_page, kind, after=first["currentTime"] + 0.5)  # the clock runs
    assert later["error"] is None and not later["paused"]
    assert (later["videoWidth"], later["videoHeight"]) == SIZE
    OBSERVED[kind] = (
        f"readyState {first['readyState']}, currentTime {first['currentTime']:.3f} -> "
        f"{later['currentTime']:.3f} s, {later['videoWidth']}×{later['videoHeight']}"
    )


def test_gif_loads_at_800x450(media_page: Any) -> None:
    wait_for(
        media_page,
        lambda d: d.execute_script("return document.getElementById('gif').complete;"),
        "the GIF did not load",
    )
    size = media_page.execute_script(
        "const g = document.getElementById('gif'); return [g.naturalWidth, g.naturalHeight];"
    )
    assert tuple(size) == GIF_SIZE
    OBSERVED["gif"] = f"naturalWidth×naturalHeight {size[0]}×{size[1]}"


def test_screenshots_are_not_blank(media_page: Any) -> None:
    from selenium.webdriver.common.by import By

    for kind in ("mp4", "webm"):
        wait_playing(media_page, kind, after=1.5)  # past the first beat: the sentence shows
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
    later = wait_playing(browser, "figure-video", after=first["currentTime"] + 0.5)
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
    needs_tools("ffprobe")
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

    def poster_shown(d: Any) -> tuple[dict, bytes, tuple[int, int], np.ndarray, float] | None:
        state = d.execute_script(
            """const v = document.getElementById('still');
            return {poster: v.poster, readyState: v.readyState, paused: v.paused};"""
        )
        shot = d.find_element(By.ID, "still").screenshot_as_png
        with Image.open(io.BytesIO(shot)) as im:
            shot_size = im.size
        seen = grey(shot)
        diff = float(np.abs(seen - grey(folder / "fig.poster.png", shot_size)).mean())
        return (state, shot, shot_size, seen, diff) if diff < 6.0 else None

    state, shot, shot_size, seen, diff = wait_for(browser, poster_shown, "no poster drawn")
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
    state = wait_for(  # HTMLTrackElement.LOADED (2) or ERROR (3)
        browser, lambda d: (c := page_cues(d))["trackReady"] in (2, 3) and c, "no track"
    )
    assert state["trackReady"] == 2, "the captions track failed to load"
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
    cues = wait_for(browser, lambda d: page_cues(d)["cues"], "no cues")
    start, stop, text = next(c for c in cues if "joins with weight" in c[2])
    # play into the middle of that cue, then hold the frame
    browser.execute_script(
        "const v = arguments[0]; v.currentTime = arguments[1]; v.play();",
        browser.find_element(By.ID, "figure-video"),
        start + 0.3 * (stop - start),
    )
    active = wait_for(
        browser,
        lambda d: (a := d.execute_script(
            """const v = document.getElementById('figure-video');
            const a = v.textTracks[0].activeCues;
            return [v.paused, v.currentTime, a && a.length ? a[0].text : null];"""
        ))[2] == text and not a[0] and a,
        f"the cue {text!r} does not show",
    )  # fmt: skip
    browser.execute_script("document.getElementById('figure-video').pause();")
    next_frame(browser)
    video = browser.find_element(By.ID, "figure-video")
    with_captions = video.screenshot_as_png
    (folder / "captions-in-browser.png").write_bytes(browser.get_screenshot_as_png())
    browser.execute_script("document.getElementById('figure-video').textTracks[0].mode = 'hidden';")
    next_frame(browser)
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


# --------------------------------------------------------------------------------------------
# the figure the reader controls (issue 20): keyboard, steps, reduced motion, the numbers

NO_MOTION = [{"name": "prefers-reduced-motion", "value": "no-preference"}]
REDUCE = [{"name": "prefers-reduced-motion", "value": "reduce"}]
HOLD = 0.05  # figure.js: a paused step shows its beat's last frame, this long before its end


def open_figure(driver: Any, url: str, media: list[dict[str, str]] = NO_MOTION) -> None:
    """Open a page of figures with `prefers-reduced-motion` emulated as `media`; return once
    every figure's script ran and its chapters track is read."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": media})
    driver.get(url)
    wait_for(
        driver,
        lambda d: d.execute_script(
            """return Array.from(document.querySelectorAll('figure.adf')).every(f =>
                f.dataset.adfReady && Array.from(f.querySelector('video').textTracks)
                    .some(t => t.kind === 'chapters' && t.cues && t.cues.length));"""
        ),
        "the figure's script did not start or its chapters did not load",
    )


def chapters(folder: Path) -> list[tuple[float, float, str]]:
    """STEM.chapters.vtt read by the tests' own WebVTT reader: the steps' times."""
    from tests.test_captions import read_vtt

    return read_vtt((folder / "fig.chapters.vtt").read_text(encoding="utf-8"))


def figure_state(driver: Any, n: int = 0) -> dict[str, Any]:
    return driver.execute_script(
        """const f = document.querySelectorAll('figure.adf')[arguments[0]];
        const v = f.querySelector('video'), s = f.querySelector('.adf-still');
        const cc = Array.from(v.textTracks).find(t => t.kind === 'captions');
        const a = document.activeElement;
        return {paused: v.paused, time: v.currentTime, seeking: v.seeking,
                step: f.querySelector('.adf-step').textContent,
                play: f.querySelector('.adf-play').getAttribute('aria-label'),
                mode: f.dataset.adfMode, captions: cc.mode,
                pressed: f.querySelector('.adf-cc').getAttribute('aria-pressed'),
                videoShown: v.offsetParent !== null, stillShown: s.offsetParent !== null,
                still: s.currentSrc, stillLoaded: s.complete && s.naturalWidth, alt: s.alt,
                readout: f.querySelector('.adf-readout').textContent,
                active: (a.getAttribute('class') || '') + '|' +
                    (a.getAttribute('aria-label') || ''),
                outline: getComputedStyle(a).outlineStyle + ' ' + getComputedStyle(a).outlineWidth,
                stroke: getComputedStyle(a).stroke};""",
        n,
    )


def press(driver: Any, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    for key in keys:
        ActionChains(driver).send_keys(key).perform()


def at_step(driver: Any, cues: list[tuple[float, float, str]], i: int, n: int = 0) -> Any:
    """Wait until figure n shows step i paused: the clock at that chapter's time (its beat's
    last frame, HOLD before the chapter ends), the label naming it."""

    def there(d: Any) -> dict[str, Any] | None:
        s = figure_state(d, n)
        want = max(cues[i][0], cues[i][1] - HOLD)
        ok = s["paused"] and not s["seeking"] and abs(s["time"] - want) < 0.01
        return s if ok and s["step"].startswith(f"Step {i + 1} of {len(cues)}: ") else None

    return wait_for(driver, there, f"figure {n} does not show step {i + 1}")


def test_keyboard_only_pause_steps_and_captions(served: tuple[str, Path], browser: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    base, folder = served
    cues = chapters(folder)
    open_figure(browser, f"{base}/fig.html")
    wait_for(browser, lambda d: not figure_state(d)["paused"], "no autoplay without reduce")
    assert figure_state(browser)["play"] == "Pause"  # the pause control is there while it plays
    press(browser, Keys.TAB)  # from the page's start: the first stop is the play/pause button
    first = figure_state(browser)
    assert first["active"] == "adf-play|Pause" and first["outline"] == "solid 3px"
    press(browser, Keys.SPACE)
    paused = wait_for(browser, lambda d: (s := figure_state(d))["paused"] and s, "Space")
    assert paused["play"] == "Play"
    press(browser, "k")
    wait_for(browser, lambda d: not figure_state(d)["paused"], "k does not play")
    press(browser, "k")
    now = wait_for(browser, lambda d: (s := figure_state(d))["paused"] and s, "k does not pause")
    i = max(j for j, c in enumerate(cues) if c[0] <= now["time"])
    i = min(i, len(cues) - 3)
    press(browser, Keys.ARROW_RIGHT)
    at_step(browser, cues, i + 1)
    press(browser, Keys.ARROW_RIGHT)
    at_step(browser, cues, i + 2)
    press(browser, Keys.ARROW_LEFT)
    at_step(browser, cues, i + 1)
    names = []
    for _ in range(4):  # previous, next, the scrubber, captions: each named, focus visible
        press(browser, Keys.TAB)
        s = figure_state(browser)
        names.append(s["active"])
        assert s["outline"] == "solid 3px", s
    assert names == ["adf-prev|Previous step", "adf-next|Next step", "adf-scrub|Position",
                     "adf-cc|Captions"]  # fmt: skip
    press(browser, Keys.ENTER)
    off = wait_for(browser, lambda d: (s := figure_state(d))["captions"] == "hidden" and s, "CC")
    assert off["pressed"] == "false"
    press(browser, Keys.SPACE)
    on = wait_for(browser, lambda d: (s := figure_state(d))["captions"] == "showing" and s, "CC")
    assert on["pressed"] == "true" and on["paused"]  # Space on a button presses it only
    press(browser, Keys.TAB)  # then the words: a chip, focused, says its numbers
    chip = figure_state(browser)
    assert chip["active"].startswith("adf-hot adf-hot-chip|") and "weight 0." in chip["active"]
    assert chip["stroke"] != "none" and "score" in chip["readout"]
    OBSERVED["keyboard"] = (
        f"Tab order {['adf-play', *[n.split('|')[0] for n in names]]} then a chip "
        f"({chip['active'].split('|')[1]!r}); steps {i + 2} -> {i + 3} -> {i + 2} at "
        f"{[round(max(c[0], c[1] - HOLD), 2) for c in cues[i + 1 : i + 3]]} s"
    )


def test_reduced_motion_shows_stills_and_steps(served: tuple[str, Path], browser: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    base, folder = served
    cues = chapters(folder)
    try:
        open_figure(browser, f"{base}/fig.html", REDUCE)
        start = figure_state(browser)
        assert start["mode"] == "stills" and start["stillShown"] and not start["videoShown"]
        assert start["still"].endswith("/fig.poster.png") and start["play"] == "Play"
        press(browser, Keys.TAB, Keys.TAB, Keys.TAB)  # play, previous, next
        assert figure_state(browser)["active"] == "adf-next|Next step"
        shown = []
        for key, i in ((Keys.ENTER, 1), (Keys.ARROW_RIGHT, 2), (Keys.ARROW_LEFT, 1)):
            press(browser, key)
            s = wait_for(
                browser,
                lambda d, i=i: (s := figure_state(d))["step"].startswith(f"Step {i + 1} of ")
                and s["stillLoaded"] and not s["still"].endswith(".poster.png") and s,
                f"no still of step {i + 1}",
            )  # fmt: skip
            assert s["step"] == f"Step {i + 1} of {len(cues)}: {cues[i][2]}"
            assert s["alt"].startswith(f"Step {i + 1} of {len(cues)}: ")  # what it shows
            # the picture shown is the scene's own still of that beat, pixel for pixel
            name = s["still"].rsplit("/", 1)[-1]
            with (
                Image.open(folder / name) as a,
                Image.open(folder / f"fig.beat-{i + 1:02d}.png") as b,
            ):
                assert np.array_equal(np.asarray(a.convert("RGB")), np.asarray(b.convert("RGB")))
            shown.append(name)
        (folder / "reduced-motion.png").write_bytes(browser.get_screenshot_as_png())
        end = figure_state(browser)
        # nothing moved on its own: the video never played and stays hidden
        assert end["paused"] and end["time"] == 0 and not end["videoShown"]
        assert end["stillLoaded"] == SIZE[0]
        OBSERVED["reduced motion"] = (
            f"poster, then {' -> '.join(shown)} ({end['step']!r}); video paused "
            f"at 0 s; {folder / 'reduced-motion.png'}"
        )
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": NO_MOTION})


def dot_centre(still: Path, near: tuple[float, float], color: str) -> tuple[float, float]:
    """The centre of the drawn dot of `color` nearest `near` (pixels) in a beat still: the
    connected blob of that colour closest to `near` within 12 px, its centroid."""
    from scipy import ndimage

    with Image.open(still) as im:
        rgb = np.asarray(im.convert("RGB"), dtype=np.float64)
    target = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)
    x0, y0 = round(near[0]) - 12, round(near[1]) - 12
    window = rgb[y0 : y0 + 25, x0 : x0 + 25]
    mask = np.linalg.norm(window - target, axis=2) < 60
    labels, n = ndimage.label(mask)
    assert n, f"no dot of {color} within 12 px of {near} in {still.name}"
    ys, xs = np.nonzero(labels)
    nearest = np.argmin((xs - 12) ** 2 + (ys - 12) ** 2)
    blob = labels == labels[ys[nearest], xs[nearest]]
    by, bx = np.nonzero(blob)
    return float(bx.mean() + x0 + 0.5), float(by.mean() + y0 + 0.5)


def test_highlight_lands_on_the_drawn_point(served: tuple[str, Path], browser: Any) -> None:
    """Focus a word's chip at three steps: the ring the page draws round its point is
    centred within 2 px of the dot in the beat's still (the scene's own PNG of that frame)."""
    from selenium.webdriver.common.keys import Keys

    from scenes.theme import PALETTES

    base, folder = served
    cues = chapters(folder)
    figure = json.loads((folder / "fig.figure.json").read_text(encoding="utf-8"))
    # a context word of sentence 1 drawn as a point (not a marker at the edge)
    point = next(e for e in figure["elements"] if e["kind"] == "point" and e["sentence"] == 0)
    ((_, index),) = point["tokens"]
    word = next(w for w in figure["sentences"][0]["words"] if w["index"] == index)
    open_figure(browser, f"{base}/fig.html")
    press(browser, Keys.TAB, "k")
    wait_for(browser, lambda d: figure_state(d)["paused"], "k does not pause")
    chip = browser.execute_script(
        "return Array.from(document.querySelectorAll('.adf-hot-chip')).find("
        "c => c.getAttribute('aria-label').startsWith(arguments[0] + ','));",
        word["text"],
    )
    seen = []
    for i in (1, 2, len(cues) - 2):  # a sentence's panel, its first step, its formula
        s = figure_state(browser)
        k = int(s["step"].split()[1]) - 1
        press(browser, *[Keys.ARROW_RIGHT if i > k else Keys.ARROW_LEFT] * abs(i - k))
        at_step(browser, cues, i)
        browser.execute_script("arguments[0].focus();", chip)
        ring = wait_for(browser, lambda d: d.execute_script(
            """const c = document.querySelector('.adf-hl-point');
            if (c.hasAttribute('hidden')) return null;
            const r = c.getBoundingClientRect();
            const v = document.querySelector('figure.adf video').getBoundingClientRect();
            const k = v.width / arguments[0];
            return [(r.left + r.width / 2 - v.left) / k, (r.top + r.height / 2 - v.top) / k];""",
            SIZE[0]), "no highlight")  # fmt: skip
        dot = dot_centre(folder / f"fig.beat-{i + 1:02d}.png", ring, PALETTES["dark"].color(0))
        off = float(np.hypot(ring[0] - dot[0], ring[1] - dot[1]))
        seen.append(f"step {i + 1}: ring ({ring[0]:.1f}, {ring[1]:.1f}) dot "
                    f"({dot[0]:.1f}, {dot[1]:.1f}) {off:.2f} px")  # fmt: skip
        assert off <= 2.0, seen[-1]
        assert f"“{word['text']}”" in figure_state(browser)["readout"]
        if i == 2:
            (folder / "highlight.png").write_bytes(browser.get_screenshot_as_png())
    OBSERVED["highlight"] = f"“{word['text']}”: " + "; ".join(seen)


HOT_KINDS = ("chip", "row", "track", "value", "term", "point", "marker", "ring", "group")
# a sentence's own: pointing at one (or focusing a badge) says the sentence's result
SENTENCE_KINDS = ("badge", "together badge", "frame", "arrow", "together arrow", "equation",
                  "summary", "end label")  # fmt: skip


def region_boxes(driver: Any) -> dict[str, Any]:
    """Every hot region of the figure by the element it names: its box as [left, top, right,
    bottom] in the overlay, 0..1, and its shape; None when not displayed."""
    return driver.execute_script(
        """const o = document.querySelector('.adf-overlay').getBoundingClientRect();
        const out = {};
        document.querySelectorAll('.adf-hot').forEach(h => {
            const r = h.getBoundingClientRect(), on = getComputedStyle(h).display !== 'none';
            out[h.dataset.adfElement] = on ? {tag: h.tagName, box: [(r.left - o.left) / o.width,
                (r.top - o.top) / o.height, (r.right - o.left) / o.width,
                (r.bottom - o.top) / o.height]} : null; });
        return out;"""
    )


def test_hot_regions_are_the_models_elements(served: tuple[str, Path], browser: Any) -> None:
    """The page's hot regions are the figure model's elements: one for each chip, panel row,
    track, value, equation term and point of a word in the final sum, each trail step and
    each element of a sentence's own (SENTENCE_KINDS), named after it; at a step, those
    shown then are displayed, each over the element's box as the model built without manim
    puts it (scenes.figure.build, normalised to the frame);
    pointing at a panel row highlights the row (its label, bar and value) and says its
    word's numbers."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    from attention_math.plan import Plan
    from scenes.figure.build import build_figure
    from scenes.figure.export import norm_box

    base, folder = served
    plan = Plan.load(folder / "fig.plan.json")
    model = build_figure(plan)
    summed = {(si, i) for si, s in enumerate(plan.sentences) for i in s.final.words}
    want = [e for e in model.elements if e.kind == "trail" or (e.kind in HOT_KINDS
            and any(t in summed for t in e.tokens))
            or (e.kind in SENTENCE_KINDS and e.sentence is not None)]  # fmt: skip
    assert {e.kind for e in want} >= {"chip", "row", "track", "term", "point", "trail"}
    assert {e.kind for e in want} >= {"arrow", "equation"}  # a sentence's (one: no badge)
    cues = chapters(folder)
    open_figure(browser, f"{base}/fig.html")
    press(browser, Keys.TAB, "k")
    wait_for(browser, lambda d: figure_state(d)["paused"], "k does not pause")
    i = next(n for n, b in enumerate(model.beats) if b.what == "step")  # sentence 1's first word
    k = int(figure_state(browser)["step"].split()[1]) - 1
    press(browser, *[Keys.ARROW_RIGHT if i > k else Keys.ARROW_LEFT] * abs(i - k))
    at_step(browser, cues, i)
    regions = region_boxes(browser)
    assert sorted(regions) == sorted(e.name for e in want)
    shown = {e.name for e in want if i in e.shown}
    assert {n for n, r in regions.items() if r is not None} == shown
    px = 1.5 / SIZE[0]  # a region is its element's box with a pixel round it
    for e in want:
        r = regions[e.name]
        if r is None or r["tag"] != "rect":
            continue
        box = norm_box(e.box, model.frame)
        pad = [-1 / SIZE[0], -1 / SIZE[1], 1 / SIZE[0], 1 / SIZE[1]]
        assert r["box"] == pytest.approx([b + p for b, p in zip(box, pad, strict=True)],
                                         abs=px), e.name  # fmt: skip
    row = next(e for e in want if e.kind == "row" and e.sentence == 0 and i in e.shown)
    ((si, index),) = row.tokens
    word = plan.sentences[si].words[index].text
    region = browser.find_element("css selector", f'.adf-hot[data-adf-element="{row.name}"]')
    ActionChains(browser).move_to_element(region).perform()
    lit = wait_for(browser, lambda d: d.execute_script(
        """const h = document.querySelector('.adf-hl-row');
        if (h.hasAttribute('hidden')) return null;
        const o = document.querySelector('.adf-overlay').getBoundingClientRect();
        const r = h.getBoundingClientRect();
        return [(r.left - o.left) / o.width, (r.top - o.top) / o.height,
                (r.right - o.left) / o.width, (r.bottom - o.top) / o.height];"""),
        "no highlight of the row")  # fmt: skip
    # round the row's label, bar and value: the word's elements of the row
    parts = [norm_box(e.box, model.frame) for e in want
             if e.kind in ("row", "track", "value") and e.tokens == row.tokens]  # fmt: skip
    assert len(parts) == 3
    box = [min(b[0] for b in parts), min(b[1] for b in parts),
           max(b[2] for b in parts), max(b[3] for b in parts)]  # fmt: skip
    assert lit[0] < box[0] < box[2] < lit[2] and lit[1] < box[1] < box[3] < lit[3]
    assert lit == pytest.approx(box, abs=5 / SIZE[1])  # 3 px round it
    readout = figure_state(browser)["readout"]
    assert readout.startswith(f"“{word}” (sentence {si + 1}): score ")
    (folder / "hover-row.png").write_bytes(browser.get_screenshot_as_png())
    OBSERVED["hot regions"] = (f"{len(regions)} from the model's elements, {len(shown)} shown "
                               f"at step {i + 1}; pointing at {row.name!r}: {readout!r}; "
                               f"{folder / 'hover-row.png'}")  # fmt: skip


def the_figure(folder: Path) -> str:
    """The part of STEM.html a blogger pastes: between the two comments."""
    page = (folder / "fig.html").read_text(encoding="utf-8")
    return page.split("<!-- the figure: copy from here, with the files it names -->")[1].split(
        "<!-- to here -->"
    )[0]


HOST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>a blog post</title>
<link rel="icon" href="data:,"></head><body><main><h1>A post</h1>
<p id="host-p">Some text.</p><button id="host-b" type="button">A button</button>
{figures}</main></body></html>"""


def test_two_figures_on_one_page(served: tuple[str, Path], browser: Any) -> None:
    """The figure pasted twice into a blog's page: ids stay unique, each figure plays and
    steps on its own, and the page's own elements keep their style."""
    from selenium.webdriver.common.keys import Keys

    base, folder = served
    cues = chapters(folder)
    (folder / "host.html").write_text(HOST.format(figures=""), encoding="utf-8")
    (folder / "two.html").write_text(HOST.format(figures=the_figure(folder) * 2), "utf-8")
    style = """const s = e => { const c = getComputedStyle(document.getElementById(e));
        return [c.font, c.color, c.background, c.border, c.margin, c.outline].join('|'); };
        return [s('host-p'), s('host-b')];"""
    browser.get(f"{base}/host.html")
    alone = browser.execute_script(style)
    open_figure(browser, f"{base}/two.html")
    assert browser.execute_script(style) == alone  # no rule of the figure's reaches them
    ids = browser.execute_script("return Array.from(document.querySelectorAll('[id]'), e => e.id)")
    assert len(ids) == len(set(ids)) == 4, ids  # two host ids, a description per figure
    own = browser.execute_script(
        """return Array.from(document.querySelectorAll('figure.adf'), f => {
            const id = f.querySelector('video').getAttribute('aria-describedby');
            return f.contains(document.getElementById(id)); });"""
    )
    assert own == [True, True]
    for n in (0, 1):
        wait_for(browser, lambda d, n=n: not figure_state(d, n)["paused"], f"figure {n} plays")
    # pause the second by keyboard and step it; the first plays on
    browser.execute_script("document.querySelectorAll('.adf-play')[1].focus();")
    press(browser, Keys.SPACE)
    wait_for(browser, lambda d: figure_state(d, 1)["paused"], "the second does not pause")
    k = int(figure_state(browser, 1)["step"].split()[1]) - 1
    press(browser, Keys.ARROW_RIGHT if k < len(cues) - 1 else Keys.ARROW_LEFT)
    at_step(browser, cues, k + 1 if k < len(cues) - 1 else k - 1, n=1)
    assert not figure_state(browser, 0)["paused"]
    OBSERVED["two figures"] = f"ids {ids}; the second paused and stepped, the first plays"


def test_no_request_but_the_pages_own_files(served: tuple[str, Path], browser: Any) -> None:
    """Every request the page makes (CDP Network events, with and without reduced motion)
    is for a file in its folder: no CDN, no font, nothing else."""
    from selenium.webdriver.common.keys import Keys

    base, folder = served
    browser.get_log("performance")  # drop what earlier tests logged
    try:
        for media in (NO_MOTION, REDUCE):
            open_figure(browser, f"{base}/fig.html", media)
            if media is NO_MOTION:
                wait_playing_figure(browser)
            else:
                press(browser, Keys.TAB, Keys.TAB, Keys.TAB, Keys.ENTER)
                wait_for(browser, lambda d: figure_state(d)["stillLoaded"], "no still")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": NO_MOTION})
    urls = set()
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.add(message["params"]["request"]["url"])
    assert urls
    outside = [u for u in urls if not u.startswith(f"{base}/")]
    assert not outside, outside
    names = {u.removeprefix(f"{base}/") for u in urls}
    assert all((folder / n).is_file() for n in names), names
    assert {"fig.html", "fig.mp4", "fig.poster.png", "fig.vtt", "fig.chapters.vtt"} <= names
    assert "fig.gif" not in names  # the fallback inside <video> is never fetched (lazy)
    assert any(n.endswith(".webp") for n in names)  # a reduced-motion still
    OBSERVED["requests"] = f"{len(urls)}, all in the folder: {sorted(names)}"


def wait_playing_figure(driver: Any) -> None:
    wait_for(driver, lambda d: figure_state(d)["time"] > 0.2, "the figure does not play")


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core (the copy the axe-core-python package ships, requirements-test.txt) run in
    the page: its violations of serious or critical impact."""
    from importlib import resources

    try:
        script = (resources.files("axe_core_python") / "axe.min.js").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        missing_reference("axe-core-python is not installed (pip install -r requirements-test.txt)")
    driver.execute_script(script)
    result = driver.execute_async_script(
        "const done = arguments[0]; axe.run(document).then(r => done("
        "{version: axe.version, violations: r.violations}));"
    )
    OBSERVED.setdefault("axe-core", result["version"])
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_axe_finds_nothing_serious_on_the_page(served: tuple[str, Path], browser: Any) -> None:
    base, _ = served
    found = {}
    for name, media in (("page", NO_MOTION), ("reduced motion", REDUCE)):
        open_figure(browser, f"{base}/fig.html", media)
        found[name] = axe_violations(browser)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": NO_MOTION})
    OBSERVED["axe on fig.html"] = {k: [v["id"] for v in vs] for k, vs in found.items()}
    for name, violations in found.items():
        assert not violations, (name, [(v["id"], v["impact"], v["nodes"][0]["html"])
                                       for v in violations])  # fmt: skip


def test_axe_finds_nothing_serious_on_the_slides(
    tmp_path_factory: pytest.TempPathFactory, browser: Any
) -> None:
    """The `--slides` page (reveal.js inlined), opened from its file: axe-core finds no
    serious or critical violation, and its previous/next controls show."""
    from scenes.app import render
    from scenes.beats import HAVE_SLIDES

    if not HAVE_SLIDES:
        missing_reference("manim-slides is not installed (pip install 'attention-drift[slides]')")
    folder = tmp_path_factory.mktemp("deck")
    vectors = folder / "vectors.toml"
    vectors.write_text(TOML_VECTORS, encoding="utf-8")
    plan = build_plan(RIVER, "bank", embeddings_file=vectors)
    render(plan, formats=["png"], slides=True, quality="low", out_dir=folder, name="deck")
    browser.get((folder / "deck.html").as_uri())
    wait_for(browser, lambda d: d.execute_script("return !!(window.Reveal && Reveal.isReady())"))
    arrows = browser.execute_script(
        """return Array.from(document.querySelectorAll('.reveal .controls button'))
            .filter(b => b.offsetParent !== null).map(b => b.getAttribute('aria-label'));"""
    )
    assert arrows and any("next" in (a or "") for a in arrows), arrows
    violations = axe_violations(browser)
    (folder / "slides.png").write_bytes(browser.get_screenshot_as_png())
    OBSERVED["axe on the slides"] = [v["id"] for v in violations]
    OBSERVED["slides controls"] = f"{arrows}; {folder / 'slides.png'}"
    assert not violations, [(v["id"], v["impact"], v["nodes"][0]["html"][:200]) for v in violations]


# --------------------------------------------------------------------------------------------
# three sentences: small multiples and the outputs together; a sentence's badge says its result

CASH_SENTENCE = "He deposited cash at the bank."
FISH = "Fish swam near the muddy bank."
THREE_VECTORS = (
    TOML_VECTORS
    + """\
fish = [0.3, 0.2, 1.4]
swam = [0.1, 0.6, 1.2]
near = [0.4, -0.3, 0.8]
muddy = [1.1, 0.9, 0.9]
"""
)


@pytest.fixture(scope="module")
def three(served: tuple[str, Path]) -> tuple[str, Path, Any, Any]:
    """A three-sentence figure (small multiples, the outputs together) rendered next to the
    first and served with it: (its URL, its folder, its plan, the figure model built from the
    plan without manim, what the scene drew)."""
    from attention_math.plan import Plan
    from scenes.app import render
    from scenes.figure.build import build_figure

    base, folder = served
    vectors = folder / "three.toml"
    vectors.write_text(THREE_VECTORS, encoding="utf-8")
    plan = build_plan(RIVER, "bank", compare=[CASH_SENTENCE, FISH], embeddings_file=vectors)
    render(plan, formats=["html"], quality="low", out_dir=folder, name="three")
    plan = Plan.load(folder / "three.plan.json")  # what the page was made from
    model = build_figure(plan)
    assert {"together badge", "together arrow", "frame"} <= {e.kind for e in model.elements}
    return f"{base}/three.html", folder, plan, model


def expected_result(plan: Any, si: int, k: int | None = None) -> str:
    """What the readout says of sentence si, from the plan: its terms in the plan's order
    (the first four and how many more, when there are six or more), how far its output ends
    from the static vector; at its step k (not the last), the sum then first."""
    import math

    s = plan.sentences[si]

    def terms(step: Any) -> str:
        said = [f"{w:.2f}·{s.words[i].text}" for w, i in zip(step.weights, step.words,
                                                             strict=True)]  # fmt: skip
        if len(said) > 5:
            said = [*said[:4], f"{len(said) - 4} more"]
        return "bank′ = " + " + ".join(said)

    now = f"now {terms(s.steps[k])}; in the end " if k is not None else ""
    moved = math.dist(s.steps[0].point, s.final.point)
    return (f"Sentence {si + 1}, “{s.text}”: {now}{terms(s.final)}; it ends {moved:.2f} "
            f"units from the static vector of “bank”.")  # fmt: skip


def lit_boxes(driver: Any) -> dict[str, list[list[float]]]:
    """The sentence's highlights on screen by class ("adf-hl", "adf-hl adf-halo",
    "adf-veil"), each box as [left, top, right, bottom] in the overlay, 0..1."""
    return driver.execute_script(
        """const o = document.querySelector('.adf-overlay').getBoundingClientRect();
        const out = {};
        document.querySelectorAll('.adf-lit > *').forEach(h => {
            const r = h.getBoundingClientRect(), k = h.getAttribute('class');
            (out[k] = out[k] || []).push([(r.left - o.left) / o.width, (r.top - o.top) / o.height,
                (r.right - o.left) / o.width, (r.bottom - o.top) / o.height]); });
        return out;"""
    )


def to_last_step(driver: Any, n_steps: int) -> None:
    """From the play button (focused), by keyboard: pause, then → to the last step."""
    from selenium.webdriver.common.keys import Keys

    if not figure_state(driver)["paused"]:
        press(driver, "k")
        wait_for(driver, lambda d: figure_state(d)["paused"], "k does not pause")
    press(driver, *[Keys.ARROW_RIGHT] * (n_steps + 2))  # past the end: it stays at the last
    wait_for(driver, lambda d: figure_state(d)["step"].startswith(f"Step {n_steps} of "),
             f"→ does not reach step {n_steps}")  # fmt: skip
    wait_for(driver, lambda d: not figure_state(d)["seeking"], "still seeking")
    press(driver, Keys.ARROW_RIGHT)  # once more, there: it stays (a looping video went to 0)
    next_frame(driver)
    wait_for(driver, lambda d: not figure_state(d)["seeking"], "still seeking")
    next_frame(driver)
    end = figure_state(driver)
    assert end["step"].startswith(f"Step {n_steps} of ") and end["time"] > 1.0, end


def tab_through_overlay(driver: Any) -> list[dict[str, Any]]:
    """Tab from the captions button through every stop of the figure's overlay; the state at
    each (what is focused, the readout, the focus ring)."""
    from selenium.webdriver.common.keys import Keys

    stops = []
    for _ in range(80):
        press(driver, Keys.TAB)
        s = figure_state(driver)
        if not s["active"].startswith("adf-hot"):
            if stops:
                break
            continue
        stops.append(s)
    return stops


def test_three_sentences_badges_say_each_result(three: tuple[str, Path, Any, Any],
                                                browser: Any) -> None:  # fmt: skip
    """With three sentences (small multiples and the outputs together), at the last step:
    Tab visits each sentence's badge then its words, row by row, then the badges of the panels
    and of the outputs together, in sentence order, each with a visible focus and a name that
    says what it is; focusing the together panel's badge 2 says sentence 2's result with the
    plan's numbers, rings its panel of the grid (the model's box), its badge and its output
    together, and veils the other panels; pointing at panel 3 says sentence 3's."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    from scenes.figure.export import norm_box

    url, folder, plan, model = three
    n = len(json.loads((folder / "three.figure.json").read_text(encoding="utf-8"))["beats"])
    open_figure(browser, url)
    press(browser, Keys.TAB)  # the play button
    to_last_step(browser, n)
    stops = tab_through_overlay(browser)
    names = [s["active"].split("|", 1)[1] for s in stops]
    want = []
    for si, s in enumerate(plan.sentences):
        want.append(f"Sentence {si + 1}: “{s.text}”: bank′ = ")
        want += [f"{s.words[i].text}, sentence {si + 1}: score " for i in sorted(s.final.words)]
    want += [f"Sentence {si + 1}’s panel: “{s.text}”" for si, s in enumerate(plan.sentences)]
    want += [f"Sentence {si + 1}’s output, together: “{s.text}”"
             for si, s in enumerate(plan.sentences)]  # fmt: skip
    assert len(names) == len(want), names
    for got, start in zip(names, want, strict=True):
        assert got.startswith(start), (got, start)
    assert all(s["stroke"] != "none" for s in stops)  # the focus ring shows on each
    # the together panel's badge 2: sentence 2's result, its panel and output lit
    badge = next(s for s in stops if s["active"].split("|")[1].startswith("Sentence 2’s output"))
    assert badge["readout"] == expected_result(plan, 1)
    browser.execute_script(
        "document.querySelector('[data-adf-element=\"together badge 2\"]').focus();"
    )
    assert figure_state(browser)["readout"] == expected_result(plan, 1)
    lit = lit_boxes(browser)
    frames = {e.sentence: norm_box(e.box, model.frame) for e in model.elements
              if e.kind == "frame"}  # fmt: skip
    pad = [-3 / SIZE[0], -3 / SIZE[1], 3 / SIZE[0], 3 / SIZE[1]]
    ring = [b + p for b, p in zip(frames[1], pad, strict=True)]
    assert any(box == pytest.approx(ring, abs=1.5 / SIZE[0]) for box in lit["adf-hl"]), lit
    veils = sorted(lit["adf-veil"])
    assert len(veils) == 2, lit  # over the other two panels
    for veil, frame in zip(veils, sorted([frames[0], frames[2]]), strict=True):
        assert veil == pytest.approx(frame, abs=1.5 / SIZE[0])
    together = next(e for e in model.elements if e.name == "together badge 2")
    tb = norm_box(together.box, model.frame)
    assert any(b[0] < tb[0] < tb[2] < b[2] and b[1] < tb[1] < tb[3] < b[3]
               for b in lit["adf-hl"])  # fmt: skip
    arrow = next(e for e in model.elements if e.name == "together arrow 2")
    ab = norm_box(arrow.box, model.frame)
    assert any(b[0] <= ab[2] and ab[0] <= b[2] and b[1] <= ab[3] and ab[1] <= b[3]
               for b in lit["adf-hl adf-halo"])  # fmt: skip
    next_frame(browser)
    (folder / "three-badge-2.png").write_bytes(browser.get_screenshot_as_png())
    # pointing at the empty corner of panel 3 of the grid
    browser.execute_script("document.activeElement.blur();")
    region = browser.find_element("css selector", '.adf-hot[data-adf-element="panel frame 3"]')
    w, h = region.size["width"], region.size["height"]
    ActionChains(browser).move_to_element_with_offset(region, w / 2 - 4, h / 2 - 4).perform()
    said = wait_for(browser, lambda d: (r := figure_state(d)["readout"]).startswith(
        "Sentence 3,") and r, "pointing at panel 3 says nothing of sentence 3")  # fmt: skip
    assert said == expected_result(plan, 2)
    ActionChains(browser).move_by_offset(0, h).perform()  # off the figure
    OBSERVED["three sentences"] = (
        f"{len(names)} Tab stops; together badge 2: {badge['readout']!r}; "
        f"{folder / 'three-badge-2.png'}"
    )


def test_three_sentences_reduced_motion_and_axe(three: tuple[str, Path, Any, Any],
                                                browser: Any) -> None:  # fmt: skip
    """With reduced motion, the three-sentence figure shows its poster (the outputs together
    in it): its together badges are reached by Tab at once and say their sentence's result;
    nothing plays; Enter pins one; at a step of sentence 3, its panel's badge says the sum
    then too. axe-core finds nothing serious, with and without reduced motion."""
    from selenium.webdriver.common.keys import Keys

    url, folder, plan, _ = three
    try:
        open_figure(browser, url, REDUCE)
        assert figure_state(browser)["mode"] == "stills"
        press(browser, Keys.TAB)  # the play button
        stops = tab_through_overlay(browser)
        last = stops[-1]
        assert last["active"].split("|")[1].startswith("Sentence 3’s output, together")
        assert last["readout"] == expected_result(plan, 2)
        end = figure_state(browser)
        assert end["paused"] and end["time"] == 0 and end["stillShown"]
        # Enter pins a badge's result: it stays when the focus moves on, past the figure
        browser.execute_script(
            "document.querySelector('[data-adf-element=\"together badge 2\"]').focus();"
        )
        press(browser, Keys.ENTER, Keys.TAB)
        assert figure_state(browser)["readout"] == expected_result(plan, 2)  # badge 3 focused
        press(browser, Keys.TAB)
        left = figure_state(browser)
        assert not left["active"].startswith("adf-hot") and left["readout"] == expected_result(
            plan, 1
        )
        # at a step of sentence 3, its panel's badge says the sum then, and in the end
        browser.execute_script(
            "document.querySelector('[data-adf-element=\"together badge 2\"]').focus();"
        )
        press(browser, Keys.ENTER)  # unpinned
        beats = json.loads((folder / "three.figure.json").read_text(encoding="utf-8"))["beats"]
        i = next(n for n, b in enumerate(beats) if b["what"] == "step" and b["sentence"] == 2)
        press(browser, *[Keys.ARROW_RIGHT] * i)
        wait_for(browser, lambda d: figure_state(d)["step"].startswith(f"Step {i + 1} of "),
                 f"→ does not reach step {i + 1}")  # fmt: skip
        browser.execute_script(
            "document.querySelector('[data-adf-element=\"panel badge 3\"]').focus();"
        )
        mid = figure_state(browser)["readout"]
        assert mid == expected_result(plan, 2, beats[i]["step"]), mid
        found = {"reduced motion": axe_violations(browser)}
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": NO_MOTION})
    open_figure(browser, url)
    found["page"] = axe_violations(browser)
    for name, violations in found.items():
        assert not violations, (name, [(v["id"], v["impact"], v["nodes"][0]["html"][:200])
                                       for v in violations])  # fmt: skip
