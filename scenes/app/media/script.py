"""STEM.script.md, the narration script, and the slides' presenter notes: one text per beat.

Every scene ends each beat with `self.beat(notes, caption=...)` (`scenes.beats.BeatScene`):
the caption is one line saying what the beat shows (the subtitles' short form), the notes
state the beat's numbers. A pass records them with each beat's time range (BEATS_FILE,
CAPTIONS_FILE, TIMES_FILE); `read_beats` reads them back. `Beat.notes_text` is what a
lecturer says over the beat (`spoken`: the notes as a sentence read aloud, symbols in words)
and the numbers as the figure writes them; the script prints it under each beat's time range
and caption, and every deck (HTML, PDF, PowerPoint) takes it as the slide's notes, so the
script and the slides never disagree.

Nothing is drawn here: this reads the beats' record and writes text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from scenes.beats import BEATS_FILE, CAPTIONS_FILE, TIMES_FILE


@dataclass(frozen=True)
class Beat:
    """One beat: number (from 1), its time range in the video (seconds), the caption (what is
    on screen, in short) and the notes (its numbers, as the scene states them)."""

    number: int
    start: float
    end: float
    caption: str
    notes: str

    @property
    def say(self) -> str:
        """A sentence to read aloud over the beat, with its numbers."""
        return spoken(self.notes)

    @property
    def notes_text(self) -> str:
        """The beat's text for a lecturer: what to say, then the numbers as on screen. The
        script's body for the beat and every deck's presenter notes."""
        return f"Say: {self.say}\nNumbers: {self.notes}"

    @property
    def time_range(self) -> str:
        return f"{clock(self.start)}–{clock(self.end)}"


def read_beats(folder: Path) -> list[Beat]:
    """The beats a pass recorded in `folder` (`BeatScene.write_beats`), in order."""

    def load(name: str) -> list[object]:
        value = json.loads((folder / name).read_text(encoding="utf-8"))
        if not isinstance(value, list):
            raise RuntimeError(f"{folder / name} is not a list")
        return value

    notes, captions, times = load(BEATS_FILE), load(CAPTIONS_FILE), load(TIMES_FILE)
    if not len(notes) == len(captions) == len(times):
        raise RuntimeError(f"{folder}: {len(notes)} notes, {len(captions)} captions, "
                           f"{len(times)} time ranges: a beat was recorded in part")  # fmt: skip
    return [
        Beat(i, float(t[0]), float(t[1]), str(c), str(n))  # type: ignore[index]
        for i, (n, c, t) in enumerate(zip(notes, captions, times, strict=True), start=1)
    ]


# symbols as a lecturer reads them; the order matters (longer patterns first)
_SPOKEN: list[tuple[str, str]] = [
    (r"(?<=\d)·(?=\w)", " times "),  # 0.56·bank
    (r"\b(\w)·(\w)\b", r"\1 dot \2"),  # q·k
    (r"·", " times "),
    (r"(\w)′", r"\1 prime"),
    (r"‖(\w)‖²", r"the squared length of \1"),  # 1/‖q‖²
    (r"(?<=\d)/(?=‖|the squared)", " over "),
    (r"√", "root "),
    (r"(?<![\w.])−(?=\d)", "minus "),
    (r"−", " minus "),
    (r"\s*→\s*", " gives "),
    (r"^×\s*", "multiplied by "),  # × scale
    (r"\s*×\s*", " by "),  # 5 rows × 5 columns
    (r"(?<=\d)/(?=\d|root)", " over "),  # 1/√384
    (r"\s+=\s+", " equals "),
    (r"\s+\+\s+", ", plus "),
    (r"\s+\|\s+", ". "),  # then a capital (`spoken`)
    (r"\s+/\s+", " and "),
    (r"\s+—\s+", ": "),
]


def spoken(notes: str) -> str:
    """`notes` as a sentence to read aloud: symbols in words (· times, ′ prime, − minus,
    → gives, = equals), a capital first letter (unless quoted) and a full stop."""
    text = notes
    for pattern, words in _SPOKEN:
        text = re.sub(pattern, words, text)
    text = " ".join(text.split())
    if not text:
        return ""
    # each sentence's first letter a capital; not inside quotes (a quoted word stays as the
    # sentence has it), nor a lone letter (q·k)
    text = re.sub(r"(^|\. )([a-z])(?=[a-z])", lambda m: m[1] + m[2].upper(), text)
    return text if text.endswith((".", "!", "?", ".”")) else text + "."


def clock(seconds: float) -> str:
    """``1:02.5``: minutes and seconds to a tenth."""
    tenths = round(seconds * 10)
    minutes, rest = divmod(tenths, 600)
    return f"{minutes}:{rest // 10:02d}.{rest % 10}"


def script_markdown(title: str, beats: list[Beat]) -> str:
    """The narration script as Markdown: a heading per beat with its time range and caption,
    then its `notes_text`."""
    total = clock(beats[-1].end) if beats else clock(0)
    lines = [
        f"# {title}",
        "",
        f"{len(beats)} beats, {total} in all. Each beat: its time in the video, what is on "
        f"screen, what to say, and the numbers as the figure writes them. The slides' notes "
        f"are the same text.",
    ]
    for b in beats:
        lines += ["", f"## {b.number}. {b.time_range} · {b.caption or '(no caption)'}", ""]
        lines += [f"{line}  " for line in b.notes_text.splitlines()]
    return "\n".join(lines).rstrip() + "\n"


def write_script(folder: Path, dest: Path, title: str) -> Path:
    """STEM.script.md at `dest` from the beats recorded in `folder`."""
    dest.write_text(script_markdown(title, read_beats(folder)), encoding="utf-8")
    return dest
