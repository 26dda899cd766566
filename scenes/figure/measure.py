"""Text measured without drawing: the box of a text's ink as Manim's `Text` (and so
scenes.components.label, fitted, StrutText) has it, from the same Pango layout.

Pango (through ManimPango) lays the text out into an SVG exactly as `Text` does (the same
settings, size / 4.8, a line spacing of 1.3 × size); its glyph outlines are read with
svgelements as Manim reads them, and the box is that of every outline point, Bézier control
points included (Manim's box), at Manim's text scale. It agrees with `Text` to 1e-9 scene
units (tests/test_figure_model.py); each text is measured once per process.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from typing import Any

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


def ink_box(
    text: str, size: float, weight: str = "NORMAL", font: str = "Noto Sans"
) -> tuple[float, float, float, float]:
    """The box of a text's glyph outlines as Pango lays them out, in scene units, y down
    (Pango's page): (x_min, y_min, x_max, y_max)."""
    import manimpango
    import svgelements as se

    with tempfile.TemporaryDirectory() as folder:
        # named by what it holds, as Manim names its SVGs: where the application shares
        # Pango's SVGs across runs (scenes.app.cache.texts), the file's name is the cache's key
        made = repr((text, size, weight, font, START, PAGE, LINE_SPACING))
        path = os.path.join(folder, hashlib.sha256(made.encode()).hexdigest()[:32] + ".svg")
        setting = manimpango.TextSetting(
            0, len(text), font=font, slant="NORMAL", weight=weight, line_num=0, color="#FFFFFF"
        )
        size_ = size / TEXT2SVG_ADJUSTMENT
        spacing = size * LINE_SPACING / TEXT2SVG_ADJUSTMENT
        manimpango.text2svg([setting], size_, spacing, False, path, *START, *PAGE, text)
        manimpango.PangoUtils.remove_last_M(path)
        svg = se.SVG.parse(path)
    xs: list[float] = []
    ys: list[float] = []
    for element in svg.elements():
        if isinstance(element, se.Path):
            for seg in element:
                for p in _points(seg, se):
                    xs.append(p[0])
                    ys.append(p[1])
    if not xs:
        return (0.0, 0.0, 0.0, 0.0)
    return (min(xs) * SCALE, min(ys) * SCALE, max(xs) * SCALE, max(ys) * SCALE)


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
