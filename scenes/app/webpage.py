"""`--format html`: a small page for blog authors that embeds the rendered figure.

The page references the media by relative file name, so the folder can be copied to a static
site as it is. Its `<figure>` is the part to paste: a `<video autoplay muted loop playsinline>`
with the MP4 (H.264 yuv420p: every browser plays it, most in hardware) and, when rendered,
the WebM (VP9) as a second source for browsers without H.264; the GIF as an `<img>` inside the
video element for browsers without `<video>`; a `<figcaption>` with the final weighted sum of
every sentence, read from the plan, and where the vectors come from. The alt text says the
same. The video shows STEM.poster.png (its first frame) before it plays, and carries the
beats' captions (STEM.vtt) as a `<track kind="captions" default>`. Every string that comes
from the user (sentences, words, target, file names) is HTML-escaped.

MP4 comes first because headless Chromium 156 (Debian) plays both sources and the MP4 is the
smaller file (bench/run.py and tests/test_browser.py measure this); a browser takes the first
source it can play.

No manim here: this only reads a plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attention_math.plan import Plan, Sentence

# suffix: MIME type of a <source>, in the order the sources are listed
VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm"}


def weighted_sum(sentence: Sentence, digits: int = 2) -> str:
    """The sentence's last drift step as a formula: ``bank′ = 0.56·bank + 0.26·river``.

    Empty when the sentence has no steps (a scene that draws no drift)."""
    if not sentence.steps:
        return ""
    final = sentence.final
    terms = [
        f"{w:.{digits}f}·{sentence.words[i].text}"
        for i, w in zip(final.words, final.weights, strict=True)
    ]
    return f"{sentence.target.text}′ = " + " + ".join(terms)


def describe(plan: Plan, scene: str = "DriftScene") -> tuple[str, list[str], str]:
    """(headline, one line per sentence, source) in plain text: the caption and the alt text."""
    lines = []
    for s in plan.sentences:
        formula = weighted_sum(s)
        lines.append(f"“{s.text}”: {formula}" if formula else f"“{s.text}”")
    if scene == "DriftScene" and lines:
        headline = (
            f"How “{plan.target}” drifts towards its context: each context word joins with "
            f"its attention weight."
        )
    else:
        headline = f"{scene}: “{plan.target}”."
    return headline, lines, f"Vectors: {plan.embedding.name}."


# The page around the figure: the figure, between the two comments, is the part to paste.
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{target}: {scene}</title>
<style>
  figure.attention-drift {{ max-width: {width}px; margin: 1em auto; }}
  figure.attention-drift video, figure.attention-drift img {{
    display: block; width: 100%; height: auto; }}
  figure.attention-drift figcaption {{ margin-top: 0.5em; font: 0.9em/1.4 system-ui, sans-serif; }}
</style>
</head>
<body>
<!-- the figure: copy from here, with the files it names -->
<figure class="attention-drift">
{body}
  <figcaption>
    {caption}
  </figcaption>
</figure>
<!-- to here -->
</body>
</html>
"""


def figure_html(
    plan: Plan,
    media: Sequence[str],
    size: tuple[int, int],
    *,
    scene: str = "DriftScene",
    gif_size: tuple[int, int] = (800, 450),
) -> str:
    """A complete HTML page (UTF-8) with the figure; `media` are file names next to it.

    media: the rendered files; .mp4 / .webm become <source>s (in VIDEO_TYPES order), .gif the
      fallback <img>, STEM.poster.png the video's poster (shown before it plays), .vtt its
      captions track. size: the video's width and height in pixels.
    """
    by_suffix = {"." + m.rsplit(".", 1)[-1]: m for m in media if "." in m}
    headline, lines, source = describe(plan, scene)
    alt = " ".join(["Animation.", headline, *[f"{line}." for line in lines], source])
    fallback = _gif_fallback(by_suffix, gif_size, alt)
    sources = _video_sources(by_suffix)
    if sources:
        body = _video_element(media, size, alt, [*sources, *_track(by_suffix), fallback])
    else:
        body = fallback.removeprefix("  ")
    caption = "<br>\n    ".join(
        [escape(headline), *[escape(line) for line in lines], escape(source)]
    )
    return PAGE.format(
        target=escape(plan.target),
        scene=escape(scene),
        width=size[0] if sources else gif_size[0],
        body=body,
        caption=caption,
    )


def _video_sources(by_suffix: dict[str, str]) -> list[str]:
    """A `<source>` line per video file, in VIDEO_TYPES order."""
    return [
        f'    <source src="{escape(by_suffix[suffix])}" type="{kind}">'
        for suffix, kind in VIDEO_TYPES.items()
        if suffix in by_suffix
    ]


def _track(by_suffix: dict[str, str]) -> list[str]:
    """The beats' captions track (STEM.vtt), shown by default (the video is muted); or none."""
    if ".vtt" not in by_suffix:
        return []
    return [
        f'    <track kind="captions" default src="{escape(by_suffix[".vtt"])}" '
        f'srclang="en" label="English">'
    ]


def _gif_fallback(by_suffix: dict[str, str], gif_size: tuple[int, int], alt: str) -> str:
    """The GIF as an `<img>` line (inside the video for browsers without one), or ""."""
    if ".gif" not in by_suffix:
        return ""
    return (
        f'    <img src="{escape(by_suffix[".gif"])}" width="{gif_size[0]}" '
        f'height="{gif_size[1]}" alt="{escape(alt)}">'
    )


def _video_element(
    media: Sequence[str], size: tuple[int, int], alt: str, children: list[str]
) -> str:
    """The `<video>` element around its `children` lines (sources, track, the GIF fallback;
    empty ones left out), with the poster if `media` has one."""
    # the poster is the first frame (STEM.poster.png), never the last (STEM.png)
    posters = [m for m in media if m.endswith(".poster.png")]
    poster = f' poster="{escape(posters[0])}"' if posters else ""
    return "\n".join(
        [
            f'  <video autoplay muted loop playsinline width="{size[0]}" '
            f'height="{size[1]}"{poster} aria-label="{escape(alt)}">',
            *[child for child in children if child],
            "  </video>",
        ]
    )
