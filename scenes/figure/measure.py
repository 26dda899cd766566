"""Text measured without drawing: the box of a text's ink as Manim's `Text` (and so
scenes.components.label, fitted, StrutText) has it, from the same Pango layout.

Pango (through ManimPango) lays the text out into an SVG exactly as `Text` does (the same
settings, size / 4.8, a line spacing of 1.3 × size); its glyph outlines are read with
svgelements as Manim reads them, and the box is that of every outline point, Bézier control
points included (Manim's box), at Manim's text scale. It agrees with `Text` to 1e-9 scene
units (tests/test_figure_model.py); each text is measured once per process, and once per
Pango version on disk (`glyph_boxes`: the user's cache folder, like the application's), so a
corpus of figures measures in seconds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

Box = tuple[float, float, float, float]

LRM = "\u200e"  # scenes.components.label puts it first: Pango lays right-to-left words apart
TEXT2SVG_ADJUSTMENT = 4.8  # Manim: the size Pango is given is font_size / 4.8
LINE_SPACING = 1.3  # Manim's default line spacing, × the size
START = (30, 20)  # Manim's START_X, START_Y: where Pango starts the text on its page
PAGE = (854, 480)  # the page's size (any size holding the text gives the same glyphs)
# SVG units (svgelements reads Pango's page in pt at 96 ppi: 4/3 px per pt) back to points,
# then Manim's TEXT_MOB_SCALE_FACTOR
SCALE = 0.75 * 0.05


@functools.cache
def measure(
    text: str, size: float, weight: str = "NORMAL", font: str = "Noto Sans"
) -> tuple[float, float]:
    """The (width, height) in scene units of `label(text, size=size, weight=weight)` (the
    box of its ink; (0, 0) for a text without ink)."""
    x0, y0, x1, y1 = ink_box(LRM + text, size, weight, font)
    return (x1 - x0, y1 - y0)


def ink_box(text: str, size: float, weight: str = "NORMAL", font: str = "Noto Sans") -> Box:
    """The box of a text's glyph outlines as Pango lays them out, in scene units, y down
    (Pango's page): (x_min, y_min, x_max, y_max)."""
    boxes = glyph_boxes(text, size, weight, font)
    if not boxes:
        return (0.0, 0.0, 0.0, 0.0)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


@functools.cache
def glyph_boxes(
    text: str, size: float, weight: str = "NORMAL", font: str = "Noto Sans"
) -> tuple[Box, ...]:
    """The box of each glyph outline with ink (Manim's `Text` submobjects, in order), in
    scene units, y down (Pango's page), as `ink_box`. Kept on disk (`_disk_folder`)."""
    made = repr((text, size, weight, font, START, PAGE, LINE_SPACING))
    name = hashlib.sha256(made.encode()).hexdigest()[:32]
    folder = _disk_folder()
    path = folder / f"{name}.json" if folder is not None else None
    if path is not None:
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            if kept["made"] == made:
                return tuple(tuple(b) for b in kept["boxes"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    boxes = _pango_glyph_boxes(text, size, weight, font, name)
    if path is not None:
        _publish(path, json.dumps({"made": made, "boxes": boxes}))
    return boxes


def _pango_glyph_boxes(
    text: str, size: float, weight: str, font: str, name: str
) -> tuple[Box, ...]:
    """Pango lays the text out into an SVG; each glyph path's box."""
    import manimpango
    import svgelements as se

    with tempfile.TemporaryDirectory() as folder:
        # named by what it holds, as Manim names its SVGs: where the application shares
        # Pango's SVGs across runs (scenes.app.cache.texts), the file's name is the cache's key
        path = os.path.join(folder, name + ".svg")
        setting = manimpango.TextSetting(
            0, len(text), font=font, slant="NORMAL", weight=weight, line_num=0, color="#FFFFFF"
        )
        size_ = size / TEXT2SVG_ADJUSTMENT
        spacing = size * LINE_SPACING / TEXT2SVG_ADJUSTMENT
        manimpango.text2svg([setting], size_, spacing, False, path, *START, *PAGE, text)
        manimpango.PangoUtils.remove_last_M(path)
        svg = se.SVG.parse(path)
    out: list[Box] = []
    for element in svg.elements():
        if isinstance(element, se.Path):
            pts = [p for seg in element for p in _points(seg, se)]
            if pts:
                xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                out.append((min(xs) * SCALE, min(ys) * SCALE, max(xs) * SCALE, max(ys) * SCALE))
    return tuple(out)


@functools.cache
def _disk_folder() -> Path | None:
    """$XDG_CACHE_HOME/attention-drift/measure-manimpango-VERSION (else ~/.cache/...): this
    user's own folder (made private; None, and nothing kept, when it is not)."""
    from importlib.metadata import PackageNotFoundError, version

    if os.environ.get("ATTENTION_DRIFT_NO_MEASURE_CACHE"):
        return None
    try:
        pango = version("manimpango")
    except PackageNotFoundError:
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    folder = root / "attention-drift" / f"measure-manimpango-{pango}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = folder.stat()
    except OSError:
        return None
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return folder


def _publish(path: Path, data: str) -> None:
    """Write a file whole or not at all (another process may be writing it too)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        pass


def _points(seg: Any, se: Any) -> list[tuple[float, float]]:
    """The points Manim keeps of one path segment (a quadratic's as a cubic's controls)."""

    def xy(p: Any) -> tuple[float, float]:
        return (float(p.x), float(p.y))

    if isinstance(seg, se.Line):
        return [xy(seg.start), xy(seg.end)]
    if isinstance(seg, se.QuadraticBezier):
        (sx, sy), (cx, cy), (ex, ey) = xy(seg.start), xy(seg.control), xy(seg.end)
        c1 = ((sx + 2 * cx) / 3, (sy + 2 * cy) / 3)
        c2 = ((2 * cx + ex) / 3, (2 * cy + ey) / 3)
        return [(sx, sy), c1, c2, (ex, ey)]
    if isinstance(seg, se.CubicBezier):
        return [xy(seg.start), xy(seg.control1), xy(seg.control2), xy(seg.end)]
    return []  # a move or a close adds no point of its own
