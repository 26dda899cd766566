"""STEM.srt and STEM.vtt: the beats' captions as subtitles next to every video.

Every scene ends each beat with `self.beat(notes, caption=...)` (`scenes.beats.BeatScene`);
in a video pass the caption becomes a subcaption (Manim's `Scene.add_subcaption`) shown from
the end of the previous beat to the end of this one, and the pass writes Manim's list as
SubRip (`scenes.app.media.passes`). `write_captions` turns that file into the two files players
read: SubRip (``.srt``: course platforms, VLC, video editors) and WebVTT (``.vtt``: the
HTML page's ``<track kind="captions">``), with the same cues, each wrapped into lines of at
most LINE_CHARS characters (broken at spaces, balanced), the text escaped for WebVTT.

The page (`--format html`) also reads two tracks written from the beats the scene recorded
in STEM.figure.json (`write_beat_tracks`): STEM.chapters.vtt (``kind="chapters"``, one cue per
beat: the page's steps, any player's chapter menu) and STEM.descriptions.vtt
(``kind="descriptions"``: per beat, what moves and by how much, from the plan's numbers, for
screen readers).

No manim here: this only reads and writes text.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scenes.figure.narration import start_name

if TYPE_CHECKING:
    from attention_math.plan import Plan

LINE_CHARS = 42  # the usual subtitle line (BBC, Netflix): two lines fit a 16:9 frame
# an SRT / VTT timestamp: hours, minutes, seconds and milliseconds (, in SRT, . in VTT)
TIMESTAMP = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d\d\d)")


@dataclass(frozen=True)
class Cue:
    """One subtitle: shown from `start` to `end` (seconds into the video), `text` one line."""

    start: float
    end: float
    text: str


def parse_time(stamp: str) -> float:
    """``00:01:02,500`` (SRT) or ``00:01:02.500`` (VTT) -> 62.5 seconds."""
    m = TIMESTAMP.fullmatch(stamp.strip())
    if m is None:
        raise ValueError(f"not a subtitle timestamp: {stamp!r}")
    h, mi, s, ms = (int(g) for g in m.groups())
    return h * 3600 + mi * 60 + s + ms / 1000


def read_srt(text: str) -> list[Cue]:
    """The cues of a SubRip file (blocks of: index, ``start --> end``, text lines), in order;
    the text's lines joined by spaces."""
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = block.splitlines()
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue
        start, end = lines[timing].split("-->")
        body = " ".join(line.strip() for line in lines[timing + 1 :] if line.strip())
        cues.append(Cue(parse_time(start), parse_time(end.split()[0]), body))
    return cues


def wrap(text: str, width: int = LINE_CHARS) -> list[str]:
    """`text` in as few lines of at most `width` characters as fit, broken at spaces: two
    lines after a clause (``;``, ``:``, ``,``) when both fit, else balanced (the lines about
    equally long, as subtitles are set); a word longer than `width` stays whole on a line."""
    words = " ".join(text.split()).split(" ")
    if len(" ".join(words)) <= width:
        return [" ".join(words)]
    greedy = _fill(words, width)
    n = len(greedy)
    if n == 2:  # two lines: break after a clause (; : ,) when both halves fit
        for i in sorted(range(1, len(words)), key=lambda i: abs(2 * i - len(words))):
            first, second = " ".join(words[:i]), " ".join(words[i:])
            if first[-1] in ";:," and max(len(first), len(second)) <= width:
                return [first, second]
    # the narrowest width that still needs only n lines: the most even lines
    for w in range(max(len(w) for w in words), width + 1):
        lines = _fill(words, w)
        if len(lines) <= n:
            return lines
    return greedy


def _fill(words: list[str], width: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(cues: list[Cue]) -> str:
    """SubRip text: numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, wrapped lines."""
    blocks = [
        f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n" + "\n".join(wrap(c.text))
        for i, c in enumerate(cues, start=1)
    ]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def vtt_escape(text: str) -> str:
    """Cue text as WebVTT reads it: &, < and > as character references (a sentence with
    ``<b>`` or ``-->`` in it shows as typed)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cues: list[Cue]) -> str:
    """WebVTT text: the header, then ``HH:MM:SS.mmm --> HH:MM:SS.mmm`` cues, wrapped lines."""
    blocks = [
        f"{i}\n{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n"
        + "\n".join(vtt_escape(line) for line in wrap(c.text))
        for i, c in enumerate(cues, start=1)
    ]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + ("\n" if blocks else "")


def write_captions(srt_file: Path, folder: Path, stem: str) -> list[Path]:
    """STEM.srt and STEM.vtt in `folder` from the pass's subcaptions (`srt_file`, as Manim
    writes them); the cues in time order, each shown for at least a millisecond."""
    cues = sorted(read_srt(srt_file.read_text(encoding="utf-8")), key=lambda c: c.start)
    cues = [c for c in cues if c.text and round(c.end * 1000) > round(c.start * 1000)]
    srt_path, vtt_path = folder / f"{stem}.srt", folder / f"{stem}.vtt"
    srt_path.write_text(to_srt(cues), encoding="utf-8")
    vtt_path.write_text(to_vtt(cues), encoding="utf-8")
    return [srt_path, vtt_path]


def beat_cues(figure: dict[str, Any]) -> list[Cue]:
    """A cue per beat of STEM.figure.json: from its start to its end, its caption (or
    "Step N"); beats that take no time are left out."""
    return [
        Cue(b["start"], b["end"], b["caption"] or f"Step {n}")
        for n, b in enumerate(figure["beats"], start=1)
        if round(b["end"] * 1000) > round(b["start"] * 1000)
    ]


def _words(plan: Plan, si: int, tokens: tuple[int, ...]) -> str:
    s = plan.sentences[si]
    if len(tokens) == 1:
        return f"“{s.words[tokens[0]].text}”"
    return f"the other {len(tokens)} words"


def describe_beat(plan: Plan, what: str, si: int | None, k: int | None) -> str:
    """What a DriftScene beat moves and by how much, from the plan (the descriptions track)."""
    n = len(plan.sentences)
    if what == "poster" or si is None or k is None:
        if what == "poster":
            whose = f"each of the {n} sentences takes" if n > 1 else "its sentence takes"
            return (f"The whole figure at rest: {start_name(plan)} and where "
                    f"{whose} it. Then the drift is rewound.")  # fmt: skip
        ends = "; ".join(_ends(plan, i) for i in range(n))
        return f"Summary, nothing moves: {ends}."
    s = plan.sentences[si]
    step, prev = s.steps[k], s.steps[max(k - 1, 0)]
    if what == "panel":
        start = start_name(plan)
        return (f"Sentence {si + 1}, “{s.text}”, starts: its arrow is {start}, weight 1.00; "
                "its weights panel appears.")  # fmt: skip
    if what == "formula":
        return f"Sentence {si + 1} ends; its equation appears: {_ends(plan, si)}."
    old = dict(zip(prev.words, prev.weights, strict=True))
    falls = ", ".join(
        f"{s.words[i].text} {old[i]:.2f} → {w:.2f}"
        for i, w in zip(step.words, step.weights, strict=True)
        if i in old
    )
    moved = math.dist(prev.point, step.point)
    return (
        f"{_words(plan, si, step.joined)} joins with weight "
        f"{step.weight_of(step.joined):.2f}; the others fall: {falls}. The arrow's tip moves "
        f"{moved:.2f} units towards {_words(plan, si, step.joined)}; the trail grows by one step."
    )


def _ends(plan: Plan, si: int) -> str:
    s = plan.sentences[si]
    terms = " + ".join(
        f"{w:.2f}·{s.words[i].text}" for i, w in zip(s.final.words, s.final.weights, strict=True)
    )
    moved = math.dist(s.steps[0].point, s.final.point)
    return f"{s.target.text}′ = {terms}, {moved:.2f} units from {start_name(plan)}"


def write_beat_tracks(plan: Plan, figure_file: Path, folder: Path, stem: str) -> list[Path]:
    """STEM.chapters.vtt (a chapter per beat, titled by its caption) and
    STEM.descriptions.vtt (per beat, `describe_beat`) in `folder`, from the beats recorded in
    `figure_file` (STEM.figure.json)."""
    figure = json.loads(figure_file.read_text(encoding="utf-8"))
    chapters = beat_cues(figure)
    kept = [b for b in figure["beats"] if round(b["end"] * 1000) > round(b["start"] * 1000)]
    described = [
        Cue(c.start, c.end, describe_beat(plan, b["what"], b["sentence"], b["step"]))
        for c, b in zip(chapters, kept, strict=True)
    ]
    out = []
    for kind, cues in (("chapters", chapters), ("descriptions", described)):
        path = folder / f"{stem}.{kind}.vtt"
        path.write_text(to_vtt(cues), encoding="utf-8")
        out.append(path)
    return out


def write_caption_chapters(srt_file: Path, folder: Path, stem: str) -> list[Path]:
    """STEM.chapters.vtt from the captions (STEM.srt): a chapter per beat, for a scene that
    records no STEM.figure.json (each beat has a caption)."""
    path = folder / f"{stem}.chapters.vtt"
    path.write_text(to_vtt(read_srt(srt_file.read_text(encoding="utf-8"))), encoding="utf-8")
    return [path]
