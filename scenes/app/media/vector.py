"""Vector stills: the frame a PNG still shows, as SVG or PDF (`--format svg`, `--format pdf`).

Manim's Cairo renderer draws every VMobject as cairo paths (`Camera.display_vectorized`) onto
an ImageSurface over the frame's pixels. Here the very same camera code draws the scene's
mobjects onto a cairo SVGSurface or PDFSurface of the frame's size, with the camera's own
transform (`VectorCamera.get_cairo_context`), so a file holds the paths the PNG was
rasterised from: shapes and text (Pango's glyphs, outlines already in Manim) as paths, no
raster image, the theme's background as a rectangle (none when transparent). One unit is one
pixel: an SVG's user unit is px, a PDF page is the frame's size in points (72 dpi).

Manim swaps red and blue for its pixel buffer (cairo's ARGB32 is BGRA in memory): the vector
camera swaps them back. A mobject cairo cannot draw as paths (an image, a point cloud, a
background image) is refused (`VectorError`); no scene here draws one.

`VectorSaver` is what a pass gives a scene (`scenes.beats.BeatScene.still_savers`): it writes
beat-NN.svg / .pdf next to each beat's PNG, and scene.svg / .pdf for the final frame.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import cairo
    from manim import Scene

VECTOR_FORMATS = ("svg", "pdf")
CREATOR = "attention-drift"


class VectorError(RuntimeError):
    """The frame holds something that cannot be drawn as vector paths."""


@dataclass(frozen=True)
class VectorSaver:
    """Writes the scene's frame in `formats` (VECTOR_FORMATS): next to a beat's still
    (beat-NN.png -> beat-NN.svg) or, for the final frame, `folder`/scene.FORMAT. A plain
    object (not a function) so that, as a class attribute of a scene, it is not bound."""

    formats: tuple[str, ...]
    folder: Path

    def __call__(self, scene: Scene, still: Path | None) -> None:
        for fmt in self.formats:
            dest = still.with_suffix(f".{fmt}") if still else self.folder / f"scene.{fmt}"
            save_vector(scene, dest, fmt)

    def final(self, fmt: str) -> Path:
        """The file of the final frame in `fmt`."""
        return self.folder / f"scene.{fmt}"


def save_vector(scene: Scene, dest: Path, fmt: str) -> Path:
    """The scene's current frame as an SVG or PDF file `dest` (its mobjects as they are now,
    drawn as the renderer draws a frame)."""
    import cairo
    from manim import config

    width, height = config.pixel_width, config.pixel_height  # the camera's (Manim's config)
    dest.parent.mkdir(parents=True, exist_ok=True)
    surface: cairo.Surface
    if fmt == "svg":
        surface = cairo.SVGSurface(str(dest), width, height)
        surface.set_document_unit(cairo.SVGUnit.PX)  # width="1280px": the PNG's size
    elif fmt == "pdf":
        surface = cairo.PDFSurface(str(dest), width, height)
        surface.set_metadata(cairo.PDFMetadata.CREATOR, CREATOR)
    else:
        raise ValueError(f"not a vector format: {fmt!r} (one of {', '.join(VECTOR_FORMATS)})")
    try:
        draw_frame(scene, cairo.Context(surface))
    finally:
        surface.finish()
    return dest


def draw_frame(scene: Scene, ctx: cairo.Context) -> None:
    """Draw the scene's frame onto `ctx` (a surface of the frame's pixel size): the
    background, then every mobject in the order the renderer draws them."""
    from manim import Mobject, VMobject
    from manim.camera.camera import Camera
    from manim.utils.iterables import list_update

    camera = scene.camera
    if not isinstance(camera, Camera):
        raise VectorError("vector stills need Manim's Cairo renderer (not OpenGL)")
    mobjects = list_update(scene.mobjects, scene.foreground_mobjects)  # as update_frame
    for m in camera.get_mobjects_to_display(mobjects):
        kind = camera.type_or_raise(m)
        if kind not in (VMobject, Mobject) or getattr(m, "get_background_image", _none)():
            raise VectorError(
                f"{type(m).__name__} is drawn as pixels, not paths: no vector still of this frame"
            )
    opacity = float(camera.background_opacity)
    if opacity > 0:
        from manim import ManimColor

        r, g, b = ManimColor(camera.background_color).to_rgb()
        ctx.set_source_rgba(r, g, b, opacity)
        ctx.paint()
    # the camera's transform: the one it gives its own pixel buffer's context
    matrix = camera.get_cairo_context(camera.pixel_array).get_matrix()
    ctx.set_matrix(matrix)
    vector: Any = copy.copy(camera)
    vector.__class__ = _vector_camera(type(camera))  # type: ignore[arg-type]
    vector.vector_ctx = ctx
    vector.capture_mobjects(mobjects)


def _none() -> None:
    return None


@functools.cache
def _vector_camera(base: type) -> type[Any]:
    """`base` (Manim's Camera or a subclass) drawing onto a given vector context."""
    import numpy as np

    class VectorCamera(base):
        vector_ctx: Any = None

        def get_cairo_context(self, pixel_array: Any) -> Any:
            return self.vector_ctx

        def set_cairo_context_color(self, ctx: Any, rgbas: Any, vmobject: Any) -> Any:
            # Manim hands cairo (b, g, r) for its BGRA buffer; a vector surface takes (r, g, b)
            swapped = np.asarray(rgbas)[:, [2, 1, 0, 3]]
            return super().set_cairo_context_color(ctx, swapped, vmobject)

    return VectorCamera
