"""Vector stills (`--format svg`, `--format pdf`): real renders from a working folder with the
default `out`, checked as files (paths only: no raster image, no font, the frame's size, the
theme's background) and rasterised by programs other than the one that wrote them
(Chromium for the SVG, poppler's pdftoppm for the PDF) against the PNG still."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from attention_math import build_plan
from scenes.theme import PALETTES
from tests.browsers import find_browser, missing_message
from tests.conftest import CASH, RIVER, missing_reference, needs_tools

pytestmark = pytest.mark.render

SVG = "{http://www.w3.org/2000/svg}"
SIZE = (854, 480)  # --quality low
# Rasterised by another program, a vector still matches the PNG but for anti-aliasing:
# per channel the mean absolute difference is under MEAN_TOLERANCE, and under
# EDGE_SHARE of the pixels differ by more than 8 (of 255) in any channel.
MEAN_TOLERANCE = 2.0
EDGE_SHARE = 0.05


def drift_beats(plan) -> int:
    """DriftScene's beats, counted from the plan: the poster, then per sentence its start, one
    per joining word and its sum, then the summary."""
    return 1 + sum(1 + (len(s.steps) - 1) + 1 for s in plan.sentences) + 1


@pytest.fixture(scope="module")
def figure(tmp_path_factory):
    """The default figure (two sentences) as png, svg and pdf, with every beat's stills,
    rendered from a working folder into the default `out`."""
    from scenes.app import render

    folder = tmp_path_factory.mktemp("figure")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        plan = build_plan(RIVER, "bank", compare=[CASH])
        render(plan, formats=["png", "svg", "pdf"], stills=True, quality="low", name="fig")
    return folder / "out", plan


def pdf_is_vector(path: Path) -> None:
    """Every page of the PDF: the frame's size, paths drawn, no image, no font."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == SIZE
        assert not page.images
        resources = page["/Resources"]
        assert "/Font" not in resources
        for xobject in resources.get("/XObject", {}).values():
            assert xobject.get_object().get("/Subtype") != "/Image"
        assert b" c\n" in page.get_contents().get_data()  # cubic curves: the shapes as paths
    assert b"/Subtype /Image" not in path.read_bytes()


def svg_is_vector(path: Path, background: str | None) -> None:
    """The SVG: the frame's size in px, paths, no <image> and no <text>; its first shape the
    background (a frame-sized rectangle of `background`) or none."""
    root = ET.parse(path).getroot()
    assert (root.get("width"), root.get("height")) == (f"{SIZE[0]}px", f"{SIZE[1]}px")
    assert not list(root.iter(f"{SVG}image")) and not list(root.iter(f"{SVG}text"))
    assert len(list(root.iter(f"{SVG}path"))) > 50
    first = next(e for e in root.iter() if e.tag in (f"{SVG}rect", f"{SVG}path"))
    is_background = first.tag == f"{SVG}rect" and first.get("width") == str(SIZE[0])
    assert is_background == (background is not None)
    if background is not None:
        expected = [int(background[i : i + 2], 16) for i in (1, 3, 5)]
        m = re.search(r"fill:rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\)", first.get("style") or "")
        assert m is not None
        assert [round(float(p) * 255 / 100) for p in m.groups()] == expected


def chromium_png(svg: Path, dest: Path) -> Path:
    chromium = find_browser()
    if chromium is None:
        missing_reference(missing_message())
    subprocess.run(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--force-device-scale-factor=1", f"--window-size={SIZE[0]},{SIZE[1]}",
         f"--screenshot={dest.absolute()}", svg.absolute().as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    return dest


def difference(a: Path, b: Path) -> tuple[float, float]:
    """Mean absolute difference per channel, and the share of pixels differing by more than 8
    in a channel, of two RGB images of the same size."""
    with Image.open(a) as ia, Image.open(b) as ib:
        x = np.asarray(ia.convert("RGB"), dtype=int)
        y = np.asarray(ib.convert("RGB"), dtype=int)
    assert x.shape == y.shape
    d = np.abs(x - y)
    return float(d.mean()), float((d.max(axis=2) > 8).mean())


def test_svg_and_pdf_stills_are_paths_only(figure):
    out, plan = figure
    background = PALETTES["dark"].background
    svg_is_vector(out / "fig.svg", background)
    pdf_is_vector(out / "fig.pdf")
    n = drift_beats(plan)
    for fmt in ("png", "svg", "pdf"):
        assert len(list(out.glob(f"fig.beat-*.{fmt}"))) == n
    svg_is_vector(out / f"fig.beat-{n // 2:02d}.svg", background)
    pdf_is_vector(out / "fig.beat-03.pdf")


def test_rasterised_svg_matches_the_png(figure, tmp_path):
    out, _plan = figure
    for stem in ("fig", "fig.beat-03"):
        shot = chromium_png(out / f"{stem}.svg", tmp_path / f"{stem}.png")
        mean, share = difference(out / f"{stem}.png", shot)
        assert mean < MEAN_TOLERANCE and share < EDGE_SHARE, (stem, mean, share)


def test_rasterised_pdf_matches_the_png(figure, tmp_path):
    out, _plan = figure
    needs_tools("pdftoppm")
    base = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", str(out / "fig.pdf"),
                    str(base)], check=True, capture_output=True)  # fmt: skip
    mean, share = difference(out / "fig.png", base.with_suffix(".png"))
    assert mean < MEAN_TOLERANCE and share < EDGE_SHARE, (mean, share)


def test_a_wrong_colour_order_would_fail(figure, tmp_path):
    """The check above can fail: the PNG with red and blue swapped (what Manim's buffer order
    would give a vector surface) is far outside the tolerance."""
    out, _plan = figure
    with Image.open(out / "fig.png") as im:
        r, g, b = im.convert("RGB").split()
        Image.merge("RGB", (b, g, r)).save(tmp_path / "swapped.png")
    _mean, share = difference(out / "fig.png", tmp_path / "swapped.png")
    assert share > EDGE_SHARE


@pytest.mark.parametrize(("theme", "transparent"), [("light", False), ("dark", True)])
def test_light_and_transparent_svg(theme, transparent, tmp_path, monkeypatch):
    from scenes.app import render

    monkeypatch.chdir(tmp_path)
    plan = build_plan(RIVER, "bank")
    render(plan, formats=["svg"], theme=theme, transparent=transparent, quality="low", name="t")
    background = None if transparent else PALETTES[theme].background
    svg_is_vector(Path("out/t.svg"), background)
    assert not Path("out/t.png").exists()  # only what was asked for


def test_a_raster_mobject_is_refused(tmp_path):
    from manim import ImageMobject, Scene, tempconfig

    from scenes.app.media.vector import VectorError, save_vector

    with tempconfig({"media_dir": str(tmp_path), "pixel_width": 160, "pixel_height": 90}):
        scene = Scene()
        scene.add(ImageMobject(np.zeros((4, 4, 4), dtype=np.uint8)))
        with pytest.raises(VectorError, match="ImageMobject"):
            save_vector(scene, tmp_path / "x.svg", "svg")
