"""What a render returns: the written paths, shown inline in Jupyter.

`RenderResult` is a list of the media paths (equal to a plain list of them) that knows the
plan file next to them and whether anything was rendered; in a notebook it shows the media
(videos play with their poster and captions, images show), embedded as data URLs up to
EMBED_LIMIT bytes. A render with `--format html` shows its page's figure, the same markup
(`scenes.app.media.webpage`: controls, steps, highlights), its files embedded the same way.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
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
        figure = next((f for p in paths if p.suffix == ".html" and (f := _figure(p, paths))), "")
        if figure:
            names = ", ".join(html.escape(p.name) for p in paths)
            return f"<div><p><code>{names}</code></p>{figure}</div>"
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


_FIGURE = re.compile(r'<figure class="adf".*?</figure>', re.S)
_TRACK_MIME = {".vtt": "text/vtt", ".png": "image/png", ".json": "application/json"}


def _figure(page: Path, paths: Sequence[Path]) -> str:
    """The `<figure class="adf">` of a `--format html` page, with every file it names (media,
    poster, tracks, the beat stills in its data) embedded; "" when the page has none."""
    found = _FIGURE.search(page.read_text(encoding="utf-8")) if page.is_file() else None
    if found is None:
        return ""
    files = {p.name: p for p in paths if p.is_file()}

    def embed(name: str) -> str | None:
        p = files.get(name)
        mime = _MIME.get(p.suffix.lower()) or _TRACK_MIME.get(p.suffix.lower()) if p else None
        return _src(p, mime) if p and mime else None

    def attr(m: re.Match[str]) -> str:
        src = embed(html.unescape(m.group(2)))
        return f'{m.group(1)}"{html.escape(src) if src else m.group(2)}"'

    figure = re.sub(r'(\b(?:src|poster)=)"([^"]*)"', attr, found.group(0))
    for name in files:  # the stills' names in the figure's JSON data
        src = embed(name)
        if src and name.endswith(".png"):
            figure = figure.replace(json.dumps(name, ensure_ascii=False), json.dumps(src))
    return figure


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
