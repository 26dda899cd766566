"""What a render returns: the written paths, shown inline in Jupyter.

`RenderResult` is a list of the media paths (equal to a plain list of them) that knows the
plan file next to them and whether anything was rendered; in a notebook it shows the media
(videos play with their poster and captions, images show), embedded as data URLs up to
EMBED_LIMIT bytes.
"""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Sequence
from pathlib import Path

EMBED_LIMIT = 50_000_000  # notebooks: files up to this size are embedded as data URLs


class RenderResult(list[Path]):
    """The written media paths (a list of Path, equal to a plain list of them).

    cached: True when nothing was rendered (the files were already up to date).
    plan_path: the STEM.plan.json next to the media.
    In Jupyter the result shows the media inline (videos play, images show).
    """

    def __init__(
        self, paths: Sequence[Path] = (), *, cached: bool = False, plan_path: Path | None = None
    ) -> None:
        super().__init__(Path(p) for p in paths)
        self.cached = cached
        self.plan_path = plan_path

    @property
    def files(self) -> list[Path]:
        """The media and the plan, as the CLI prints them."""
        return [*self, *([self.plan_path] if self.plan_path else [])]

    def _repr_html_(self) -> str:
        paths = [Path(p) for p in self]
        # a video's poster (STEM.poster.png) and captions (STEM.vtt) go into its element
        extras = {p for p in paths if p.name.endswith(".poster.png") or p.suffix == ".vtt"}
        parts = [_media_html(p, paths) for p in paths if p not in extras]
        note = " (cached)" if self.cached else ""
        names = ", ".join(html.escape(Path(p).name) for p in self)
        return f"<div><p><code>{names}</code>{note}</p>{''.join(parts)}</div>"


_MIME = {
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".gif": "image/gif",
    ".png": "image/png",
}


def _src(path: Path, mime: str) -> str:
    if path.stat().st_size <= EMBED_LIMIT:
        return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    # too big to embed: a path the notebook's server can serve (relative to its cwd)
    return html.escape(os.path.relpath(path))


def _media_html(path: Path, siblings: Sequence[Path] = ()) -> str:
    mime = _MIME.get(path.suffix.lower())
    if mime is None:
        return ""
    if not path.is_file():
        return f"<p>missing: <code>{html.escape(str(path))}</code></p>"
    src, alt = _src(path, mime), html.escape(path.name)
    if not mime.startswith("video/"):
        return f'<img src="{src}" alt="{alt}" style="max-width:100%">'
    stem = path.name[: -len(path.suffix)]
    found = {p.name: p for p in siblings if p.is_file()}
    poster = found.get(f"{stem}.poster.png")
    vtt = found.get(f"{stem}.vtt")
    poster_attr = f' poster="{_src(poster, "image/png")}"' if poster else ""
    track = (
        f'<track kind="captions" default src="{_src(vtt, "text/vtt")}" srclang="en" '
        f'label="English">'
        if vtt
        else ""
    )
    return (
        f'<video src="{src}" title="{alt}"{poster_attr} controls loop autoplay muted playsinline '
        f'style="max-width:100%">{track}</video>'
    )
