"""When each part of the drift figure is on screen: the storyboard's rules as beat indices
(scenes.figure.model.beats), from the plan alone.

The poster is the last frame (everything); then the drift is rewound and each sentence
plays in turn (its arrow from its panel on, a trail step and the rings of the words joining
from their step on, its end label and equation from its formula on), the other sentences
dimmed; the summary ends it (a comparison's equations, or the one sentence's panel).
"""

from __future__ import annotations

from attention_math.plan import Plan
from scenes.figure.model import Beat, beats


class Story:
    """The beats at whose end each part shows (tuples of indices into `beats`)."""

    def __init__(self, plan: Plan) -> None:
        self.beats: tuple[Beat, ...] = beats(plan)
        self.multi = len(plan.sentences) > 1
        self.n_steps = [len(s.steps) for s in plan.sentences]

    def index(self, what: str, si: int | None = None, k: int | None = None) -> int:
        """The index of a beat (a "step" needs its k; "panel", "formula" their sentence)."""
        for i, b in enumerate(self.beats):
            if b.what == what and b.sentence == si and (k is None or b.step == k):
                return i
        raise KeyError((what, si, k))

    @property
    def always(self) -> tuple[int, ...]:
        return tuple(range(len(self.beats)))

    def from_on(self, start: int) -> tuple[int, ...]:
        """The poster and every beat from `start` on (what the poster shows comes back)."""
        return (0, *range(max(start, 1), len(self.beats)))

    def arrow(self, si: int) -> tuple[int, ...]:
        return self.from_on(self.index("panel", si))

    def joined(self, si: int, k: int) -> tuple[int, ...]:
        """A trail step, or the ring of a word joining, at step k (k >= 1)."""
        return self.from_on(self.index("step", si, k))

    def end_label(self, si: int) -> tuple[int, ...]:
        return self.from_on(self.index("formula", si))

    def arrow_at(self, si: int, k: int) -> tuple[int, ...]:
        """The beats sentence si's arrow ends at step k's output."""
        last = self.n_steps[si] - 1
        start = self.index("panel", si) if k == 0 else self.index("step", si, k)
        if k == last:
            return self.from_on(start)
        return (start, *range(start + 1, self.index("step", si, k + 1)))

    def moving(self, si: int) -> tuple[int, ...]:
        """The beats during which sentence si's arrow turns (and its bars count)."""
        return tuple(self.index("step", si, k) for k in range(1, self.n_steps[si]))

    def panel(self, si: int) -> tuple[int, ...]:
        """A comparison's panel shows from its sentence's start to its formula; the one
        sentence's stays to the end (the poster and the summary are that panel)."""
        start = self.index("panel", si)
        if not self.multi:
            return self.from_on(start)
        return tuple(range(start, self.index("formula", si) + 1))

    def equation(self, si: int) -> tuple[int, ...]:
        if not self.multi:
            return (0, self.index("formula", si), len(self.beats) - 1)
        return (self.index("formula", si),)

    def summary(self) -> tuple[int, ...]:
        """A comparison's summary: the poster and the last beat."""
        return (0, len(self.beats) - 1) if self.multi else ()

    def dimmed(self, si: int) -> tuple[int, ...]:
        """While another sentence plays, sentence si's parts are dimmed."""
        if not self.multi:
            return ()
        return tuple(i for i, b in enumerate(self.beats) if b.sentence not in (None, si))
