"""`--format html`: a page for blog authors whose `<figure>` the reader can pause, step and explore.

The page references the media by relative file name, so the folder can be copied to a static
site as it is; nothing is fetched from elsewhere (no CDN, no web font). Its
`<figure class="adf">` is the part to paste, and carries its own scoped style and script
(scenes/app/media/web/figure.css and figure.js, inlined; every rule under `.adf`, ids made unique
when a page holds two figures):

- a `<video muted playsinline>` with the MP4 (H.264 yuv420p: every browser plays it, most in
  hardware) and, when rendered, the WebM (VP9); the GIF as an `<img>` inside it for browsers
  without `<video>`; STEM.poster.png (the first frame) as its poster; three tracks: the beats'
  captions (STEM.vtt, `kind="captions" default`), a chapter per beat (STEM.chapters.vtt: the
  steps) and what each beat moves and by how much (STEM.descriptions.vtt);
- controls (play/pause, previous/next step, a scrubber, captions on/off) that work by keyboard
  (Space or k pauses, ← → step); the script plays the video only without
  `prefers-reduced-motion: reduce`, once the pause control is on screen; with it, nothing moves
  on its own: the poster, then the beat stills (STEM.beat-NN.png) one step at a time;
- over the video, the figure model the scene drew (STEM.figure.json, inlined): a hot region
  over each of its elements that stands for a word of the final sum (chip, panel row, track
  and value, equation term, point or marker, trail step), shown at the beats the model shows
  it; hovering one, or focusing a chip, rings that word's elements on screen and says its
  score, weight and term (the plan's numbers);
- a `<figcaption>` with the final weighted sum of every sentence, read from the plan, where the
  vectors come from, and a long description of the whole figure. The alt text says the same.
  Without script the video keeps the browser's own controls.

Every string that comes from the user (sentences, words, target, file names) is HTML-escaped;
the inlined JSON cannot close its `<script>`.

MP4 comes first because headless Chromium 156 (Debian) plays both sources and the MP4 is the
smaller file (bench/run.py and tests/test_browser.py measure this); a browser takes the first
source it can play.

No manim here: this only reads a plan.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from html import escape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from scenes.figure.narration import start_name

if TYPE_CHECKING:
    from attention_math.plan import Plan, Sentence

# suffix: MIME type of a <source>, in the order the sources are listed
VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm"}
WEB = resources.files("scenes.app.media") / "web"  # the figure's script and style, inlined
# the tracks next to a video: suffix -> (kind, label); captions shown by default
TRACKS = {
    ".vtt": ("captions", "English"),
    ".chapters.vtt": ("chapters", "Steps"),
    ".descriptions.vtt": ("descriptions", "What moves"),
}


def weighted_sum(sentence: Sentence, digits: int = 2, top: int | None = None) -> str:
    """The sentence's last drift step as a formula: ``bank′ = 0.56·bank + 0.26·river``;
    with `top`, its first `top` terms and how many more (``+ 3 more``).

    Empty when the sentence has no steps (a scene that draws no drift)."""
    if not sentence.steps:
        return ""
    return step_sum(sentence, len(sentence.steps) - 1, digits, top)


def step_sum(sentence: Sentence, k: int, digits: int = 2, top: int | None = None) -> str:
    """Step k's weighted sum as `weighted_sum` writes the last: in the plan's order (the
    figure's: the target's term, then the words as they joined); never "+ 1 more", which
    takes the room of the term it hides."""
    step = sentence.steps[k]
    pairs = list(zip(step.weights, step.words, strict=True))
    top = top if top is not None and len(pairs) > top + 1 else None
    terms = [f"{w:.{digits}f}·{sentence.words[i].text}" for w, i in pairs[:top]]
    more = len(pairs) - len(terms)
    return f"{sentence.target.text}′ = " + " + ".join(terms) + (f" + {more} more" if more else "")


def results(plan: Plan, top: int = 4) -> list[dict]:
    """Per sentence, what the page says of its result (a badge focused, its panel or output
    pointed at): its text; its output as its first `top` terms (`weighted_sum`) and the sum
    at each step (`step_sum`; at a step of that sentence the readout says both); how far the
    output ends from where it started (the plan's 2-D points) and what that start is
    (`start_name`). Empty when a sentence has no steps (a scene that draws no drift)."""
    if not all(s.steps for s in plan.sentences):
        return []
    return [
        {
            "text": s.text,
            "formula": weighted_sum(s, top=top),
            "now": [step_sum(s, k, top=top) for k in range(len(s.steps))],
            "moved": round(math.dist(s.steps[0].point, s.final.point), 4),
            "start": start_name(plan),
        }
        for s in plan.sentences
    ]


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


def long_description(plan: Plan, figure: dict | None = None) -> list[str]:
    """The whole figure in words, for screen readers (and anyone): how it is laid out (small
    multiples and the outputs together when the figure model, STEM.figure.json, has them),
    then per sentence each word as it joins with its weight, the final equation and how far
    the target moved (from the plan)."""
    kinds = {e["kind"] for e in (figure or {}).get("elements", [])}
    where = (
        "Each sentence has its own small plot of the words as points (a 2-D PCA of their "
        "vectors, the same axes in each)"
        if "frame" in kinds
        else "The plot shows the words as points (a 2-D PCA of their vectors)"
    )
    out = [
        f"{where}; an arrow from the origin is {start_name(plan)}. For each sentence, the "
        f"context words join one at a time: the weights renormalise in the panel on the right "
        f"and the arrow's tip moves towards each word, leaving a trail."
    ]
    if "together frame" in kinds:
        out[0] += (
            " At the start and the end, one more plot, “together”, draws every sentence's "
            "output from one origin, each named by its sentence's number, to compare them."
        )
    for si, s in enumerate(plan.sentences):
        joins = [
            f"{', '.join(s.words[i].text for i in st.joined)} ({st.weight_of(st.joined):.2f})"
            for st in s.steps[1:]
        ]
        moved = math.dist(s.steps[0].point, s.final.point) if s.steps else 0.0
        text = f"Sentence {si + 1}, “{s.text}”"
        if joins:
            text += f": the words join in this order, with their weights: {'; '.join(joins)}"
        formula = weighted_sum(s)
        if formula:
            text += f". It ends at {formula}, {moved:.2f} units from where it started"
        out.append(text + ".")
    return out


def web_stills(pngs: Sequence[Path], folder: Path, stem: str) -> tuple[list[Path], list[str]]:
    """The beat stills for the page's reduced-motion stepper: each PNG as a lossless WebP
    (the same pixels in about a third of the bytes), STEM.beat-NN.webp in `folder`; a still
    equal to an earlier one is not written again. Returns (the files written, the file name of
    every beat in order)."""
    from PIL import Image

    written: list[Path] = []
    names: list[str] = []
    seen: dict[bytes, str] = {}
    for png in pngs:
        with Image.open(png) as im:
            key = hashlib.sha256(im.tobytes()).digest()
            if key not in seen:
                dest = folder / f"{stem}.{png.stem}.webp"
                im.save(dest, "WEBP", lossless=True, method=4)
                written.append(dest)
                seen[key] = dest.name
        names.append(seen[key])
    return written, names


def figure_html(
    plan: Plan,
    media: Sequence[str],
    size: tuple[int, int],
    *,
    scene: str = "DriftScene",
    gif_size: tuple[int, int] = (800, 450),
    folder: Path | None = None,
    stills: Sequence[str] | None = None,
) -> str:
    """A complete HTML page (UTF-8) with the figure; `media` are file names next to it.

    media: the rendered files; .mp4 / .webm become <source>s (in VIDEO_TYPES order), .gif the
      fallback <img>, STEM.poster.png the video's poster (shown before it plays), the .vtt
      files its tracks (TRACKS), STEM.figure.json (read from `folder`) the highlights.
      size: the video's width and height in pixels. stills: the reduced-motion step of
      every beat (`web_stills`; default: the STEM.beat-NN.png of `media`).
    """
    figure = figure_markup(
        plan, media, size, scene=scene, gif_size=gif_size, folder=folder, stills=stills
    )
    width = size[0] if any(m.endswith(tuple(VIDEO_TYPES)) for m in media) else gif_size[0]
    # the reader's words, not the scene's class name
    drift = scene == "DriftScene"
    heading = f"How attention moves “{plan.target}”" if drift else f"{plan.target}: {scene}"
    return PAGE.format(heading=escape(heading), width=width, figure=figure)


def figure_markup(
    plan: Plan,
    media: Sequence[str],
    size: tuple[int, int],
    *,
    scene: str = "DriftScene",
    gif_size: tuple[int, int] = (800, 450),
    folder: Path | None = None,
    stills: Sequence[str] | None = None,
) -> str:
    """The paste-ready `<figure class="adf">` (arguments as for `figure_html`)."""
    by_suffix = {_suffix(m): m for m in media if "." in m}
    headline, lines, source = describe(plan, scene)
    alt = " ".join(["Animation.", headline, *[f"{line}." for line in lines], source])
    fallback = _gif_fallback(by_suffix, gif_size, alt)
    sources = _video_sources(by_suffix)
    uid = _uid(plan, media)
    caption = "<br>\n    ".join(
        [escape(headline), *[escape(line) for line in lines], escape(source)]
    )
    figure = _figure_data(folder, by_suffix)
    long = "".join(f"<p>{escape(p)}</p>" for p in long_description(plan, figure))
    parts = [f'<figure class="adf" style="max-width: {size[0] if sources else gif_size[0]}px">']
    if not sources:
        parts += [fallback.strip(), f"  <figcaption>\n    {caption}\n  </figcaption>", "</figure>"]
        return "\n".join(parts)
    if stills is None:
        stills = sorted(m for m in media if _is_still(m))
    data = {
        "figure": figure,
        "stills": list(stills),
        "results": results(plan),
    }
    video = _video_element(media, size, alt, [*sources, *_tracks(by_suffix), fallback], uid)
    parts += [
        '  <div class="adf-stage">',
        video,
        f'    <img class="adf-still" hidden src="{escape(by_suffix.get(".poster.png", ""))}" '
        f'width="{size[0]}" height="{size[1]}" alt="{escape(alt)}">',
        "  </div>",
        CONTROLS.format(uid=uid),
        # after the controls (the Tab order: playback first, then the words), over the video
        f'  <svg class="adf-overlay" style="aspect-ratio: {size[0]} / {size[1]}" role="group" '
        'aria-label="The numbers: focus or point at a word or a sentence’s badge" '
        'preserveAspectRatio="none"></svg>',
        f'  <details><summary>Describe the figure</summary><div id="{uid}-long">{long}</div>'
        "</details>",
        f'  <script type="application/json" class="adf-data">{_json(data)}</script>',
        f"  <style>\n{_asset('figure.css', '</style')}  </style>",
        f"  <script>\n{_asset('figure.js', '</script')}  </script>",
        f"  <figcaption>\n    {caption}\n  </figcaption>",  # a figure's first or last child
        "</figure>",
    ]
    return "\n".join(parts)


# The page around the figure: the figure, between the two comments, is the part to paste.
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{heading}</title>
</head>
<body>
<main>
<h1 style="max-width: {width}px; margin: 1em auto 0; font: 600 1.25em system-ui, sans-serif">\
{heading}</h1>
<!-- the figure: copy from here, with the files it names -->
{figure}
<!-- to here -->
</main>
</body>
</html>
"""

CONTROLS = """  <div class="adf-controls" role="group" aria-label="Playback" hidden>
    <button type="button" class="adf-play" aria-label="Play">▶</button>
    <button type="button" class="adf-prev" aria-label="Previous step">⏮</button>
    <button type="button" class="adf-next" aria-label="Next step">⏭</button>
    <input type="range" class="adf-scrub" aria-label="Position" min="0" max="0" step="any" \
value="0">
    <button type="button" class="adf-cc" aria-pressed="true" aria-label="Captions">CC</button>
    <p class="adf-step" aria-live="off"></p>
  </div>
  <p class="adf-readout" aria-live="polite"></p>
  <p class="adf-spoken adf-sr" aria-live="polite"></p>"""


def _uid(plan: Plan, media: Sequence[str]) -> str:
    """The figure's id prefix, from its sentences and files (figure.js makes it unique on a
    page that holds the same figure twice)."""
    key = repr((plan.target, [s.text for s in plan.sentences], list(media)))
    return "adf-" + hashlib.sha1(key.encode()).hexdigest()[:8]


def _suffix(name: str) -> str:
    """The suffix a file plays its part by: ``.chapters.vtt``, ``.poster.png``, ``.mp4``."""
    for long in (".chapters.vtt", ".descriptions.vtt", ".poster.png", ".figure.json"):
        if name.endswith(long):
            return long
    return "." + name.rsplit(".", 1)[-1]


def _is_still(name: str) -> bool:
    stem = name.rsplit(".", 2)
    return len(stem) == 3 and stem[1].startswith("beat-") and stem[2] == "png"


def _figure_data(folder: Path | None, by_suffix: dict[str, str]) -> dict | None:
    """STEM.figure.json (the layout the scene drew), or None when there is none."""
    name = by_suffix.get(".figure.json")
    if folder is None or name is None or not (folder / name).is_file():
        return None
    return json.loads((folder / name).read_text(encoding="utf-8"))


def _json(data: object) -> str:
    """JSON for a `<script type="application/json">`: no `</script>` or `<!--` inside."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str, closing: str) -> str:
    """The figure's script or style, checked not to end its own element."""
    text = (WEB / name).read_text(encoding="utf-8")
    if closing in text.lower():
        raise RuntimeError(f"{name} cannot be inlined: it contains {closing}")
    return text


def _video_sources(by_suffix: dict[str, str]) -> list[str]:
    """A `<source>` line per video file, in VIDEO_TYPES order."""
    return [
        f'    <source src="{escape(by_suffix[suffix])}" type="{kind}">'
        for suffix, kind in VIDEO_TYPES.items()
        if suffix in by_suffix
    ]


def _tracks(by_suffix: dict[str, str]) -> list[str]:
    """The tracks (TRACKS) of the files there: captions shown by default (the video is muted),
    chapters (the steps), descriptions."""
    out = []
    for suffix, (kind, label) in TRACKS.items():
        if suffix in by_suffix:
            default = " default" if kind == "captions" else ""
            out.append(
                f'    <track kind="{kind}"{default} src="{escape(by_suffix[suffix])}" '
                f'srclang="en" label="{label}">'
            )
    return out


def _gif_fallback(by_suffix: dict[str, str], gif_size: tuple[int, int], alt: str) -> str:
    """The GIF as an `<img>` line (inside the video for browsers without one), or ""."""
    if ".gif" not in by_suffix:
        return ""
    return (
        f'    <img src="{escape(by_suffix[".gif"])}" loading="lazy" width="{gif_size[0]}" '
        f'height="{gif_size[1]}" alt="{escape(alt)}">'
    )


def _video_element(
    media: Sequence[str], size: tuple[int, int], alt: str, children: list[str], uid: str
) -> str:
    """The `<video>` element around its `children` lines (sources, tracks, the GIF fallback;
    empty ones left out), with the poster if `media` has one; the browser's own controls
    until the figure's script replaces them."""
    # the poster is the first frame (STEM.poster.png), never the last (STEM.png)
    posters = [m for m in media if m.endswith(".poster.png")]
    poster = f' poster="{escape(posters[0])}"' if posters else ""
    return "\n".join(
        [
            f'    <video controls muted playsinline preload="auto" width="{size[0]}" '
            f'height="{size[1]}"{poster} aria-label="{escape(alt)}" '
            f'aria-describedby="{uid}-long">',
            *[child for child in children if child],
            "    </video>",
        ]
    )
