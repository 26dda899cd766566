"""DriftScene: the storyboard. The poster, the rewind, per sentence its start, a step per
word and its end; the summary.
"""

from __future__ import annotations

import json
from pathlib import Path

from manim import (
    Animation,
    Create,
    Text,
    VMobject,
    config,
    rate_functions,
)

from attention_math.errors import InputError
from scenes.components import (
    Fade,
    fitted,
    stacked,
    swap,
)
from scenes.drift.animations import MoveArrow, Pulse, early
from scenes.drift.helpers import put_top_left
from scenes.drift.states import DriftStates
from scenes.figure.constants import (
    DIM,
    MAX_SENTENCES,
    PANEL_W,
)
from scenes.figure.export import norm_point, page_data
from scenes.figure.narration import beat_plan, drift_caption, drift_notes, joined_text, still_note
from scenes.figure.timing import timeline
from scenes.theme import SIZES


class DriftScene(DriftStates):
    """The drift of the target's vector, for one sentence or several compared."""

    def setup(self) -> None:
        self.load_plan()  # plan, palette, background (scenes.beats.BeatScene)
        if len(self.plan.sentences) > MAX_SENTENCES:
            raise InputError(
                f"a drift figure shows at most {MAX_SENTENCES - 1} --compare sentences; "
                f"render the others in a second figure"
            )
        self.timing = timeline(self.plan)
        self.build_layout()  # the layout as data (self.figure), then its mobjects
        self.check_layout_items(self.figure.items())

    def construct(self) -> None:
        plan = self.plan  # each beat ends with self.beat(notes, caption=...)
        self.show_poster()
        if self.final_only:  # the poster is the last frame
            return
        self.beat(drift_notes(plan, "poster"), caption=drift_caption(plan, "poster"))
        self.rewind()
        for si, s in enumerate(plan.sentences):
            self.start_sentence(si)
            self.beat(drift_notes(plan, "panel", si), caption=drift_caption(plan, "panel", si))
            for k in range(1, len(s.steps)):
                self.add_word(si, k)
                self.beat(
                    drift_notes(plan, "step", si, k), caption=drift_caption(plan, "step", si, k)
                )
            self.end_sentence(si)
            self.beat(drift_notes(plan, "formula", si), caption=drift_caption(plan, "formula", si))
        self.show_summary()
        self.beat(drift_notes(plan, "summary"), caption=drift_caption(plan, "summary"))

    def show_poster(self) -> None:
        """The first frame is the last one: the whole figure, then it is rewound."""
        self.rings: dict[tuple[int, int], VMobject] = {}
        for si, s in enumerate(self.plan.sentences):
            for st in s.steps[1:]:
                for i in st.joined:
                    if i in self.chips[si]:
                        self.rings[(si, i)] = self.chips[si][i].outline()
            self.bars[si].set_weights(self.row_weights(si, len(s.steps) - 1))
        self.add(*self.always_on(), *self.final_state())
        self.wait(self.timing.poster)

    def rewind(self) -> None:
        self.play(*[Fade(m, out=True) for m in self.final_state()], run_time=self.timing.fade)

    def start_sentence(self, si: int) -> None:
        """Sentence si's turn: the others dimmed, its panel at step 0, its arrow at the start."""
        self.bars[si].set_weights(self.row_weights(si, 0))
        self.arrows[si].put(self.geometry.origin_of(si), self.start_points[si])
        anims: list[Animation] = [Fade(self.arrows[si])]
        if si == 0:
            anims.append(Fade(self.panels[si]))
        else:  # the panel takes the place of the last sentence's panel and equation
            anims += swap([self.panels[si - 1], self.equations[si - 1]], [self.panels[si]])
        if self.multi:  # every other sentence dimmed: its chips, trail, arrow, points, labels
            for sj in range(len(self.plan.sentences)):
                if sj == si - 1 or (si == 0 and sj > 0):
                    anims += self.dim_now(self.dim(sj, DIM))
            anims += self.dim_now(self.dim(si, 1.0))
        self.play(*anims, run_time=self.timing.fade)
        self.wait(self.timing.intro - self.timing.fade)
        self.connectors: list[VMobject] = []

    def add_word(self, si: int, k: int) -> None:
        """Step k: the next word (or the rest) joins; weights renormalise; the arrow moves."""
        s = self.plan.sentences[si]
        color = self.pal.color(si)
        step, prev = s.steps[k], s.steps[k - 1]
        to = self.geometry.to(si)  # plan to scene (sentence si's panel's, in small multiples)
        a, b = to(prev.point), to(step.point)
        arrow = self.arrows[si]
        self.remove(*self.connectors)
        self.connectors = []
        anims: list[Animation] = []
        for i in step.joined:
            if i in self.chips[si]:
                anims.append(Create(self.rings[(si, i)]))
        # The pulls: a dashed line from each word (or the group's mark) to the tip, as thick
        # as its weight (made once: build_pulls). The new output lies on it (a mix of the
        # old output and the word's vector), so the tip slides along it towards the word.
        for j, rope in self.pulls[si][k - 1]:
            self.connectors.append(rope)
            anims.append(Create(rope, rate_func=early))
            anims.append(Pulse(self.points[j]["at"], color))
        anims += self.still_line(si, k)
        trail = self.trails[si][k - 1]
        o = self.geometry.origin_of(si)
        anims.append(MoveArrow(arrow, o, a, b, rate_func=rate_functions.ease_in_out_sine))
        anims.append(Create(trail[0], rate_func=rate_functions.ease_in_out_sine))
        anims.append(Fade(trail[1]))
        anims += self.bars[si].to(self.row_weights(si, k), rate_func=early)
        self.play(*anims, run_time=self.timing.moves[si][k - 1])
        self.wait(self.timing.rests[si][k - 1])

    def still_line(self, si: int, k: int) -> list[Animation]:
        """When step k barely moves the output: one short line saying why, where the
        sentence's equation will be (it goes with the step, like the pull)."""
        why = still_note(self.plan, si, k)
        if not why:
            return []
        s = self.plan.sentences[si]

        def line(text: str) -> Text:
            room = min(PANEL_W, self.right - self.col_x)  # the column, trimmed to its texts
            return fitted(text, self.pal, size=SIZES.small, color=self.pal.muted, max_width=room)

        note: VMobject = line(f"{joined_text(s, k)}{why}")
        if note.original_text != f"{joined_text(s, k)}{why}":  # cut: the why on a line of its own
            note = stacked(line(joined_text(s, k)), line(why.removeprefix(": ")))
        put_top_left(note, self.col_x, self.lay.column.panels[si].equation.box[3])
        self.connectors.append(note)
        return [Fade(note)]

    def end_sentence(self, si: int) -> None:
        self.remove(*self.connectors)
        self.connectors = []
        anims: list[Animation] = [Fade(m) for m in self.end_label(si)]
        anims.append(Fade(self.equations[si]))
        self.play(*anims, run_time=self.timing.fade)
        self.wait(self.timing.outro - self.timing.fade)

    def show_summary(self) -> None:
        n = len(self.plan.sentences)
        anims: list[Animation] = []
        if self.multi:
            assert self.summary is not None
            anims += swap([self.panels[n - 1], self.equations[n - 1]], [self.summary])
            anims += [Fade(m) for m in self.together]  # the outputs together, if drawn
            for si in range(n - 1):
                anims += self.dim_now(self.dim(si, 1.0))
        if anims:
            self.play(*anims, run_time=self.timing.fade)
        self.wait(self.timing.hold)

    def beat(self, notes: str, caption: str | None = None) -> None:
        if self.figure_file is not None:  # when this beat ends; what is on screen then
            self.beat_ends = [*getattr(self, "beat_ends", []), float(self.time)]
            self.drawn_states = [*getattr(self, "drawn_states", []), self.drawn_state()]
        super().beat(notes, caption)

    def tear_down(self) -> None:
        super().tear_down()
        if self.figure_file is not None:
            data = page_data(
                self.figure,
                self.plan,
                pixels=(config.pixel_width, config.pixel_height),
                colors=[self.pal.color(si) for si in range(len(self.plan.sentences))],
                times=getattr(self, "beat_ends", []),
                captions=self.beat_captions,  # BeatScene.beat keeps them
            )
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            Path(self.figure_file).write_text(text, encoding="utf-8")

    def drawn_state(self) -> dict:
        """What the scene has on screen now, as `scenes.figure.export.beat_state` says the
        model shows at the end of this beat (the tests hold the two equal): each sentence's
        arrow tip (None: not drawn) and drawn trail segments, which panel, equation or
        summary shows."""
        n = len(getattr(self, "drawn_states", []))
        what, si, k = beat_plan(self.plan)[n]
        on = set(map(id, self.mobjects))
        return {
            "what": what,
            "sentence": si,
            "step": k,
            "tips": [norm_point(a.end) if id(a) in on else None for a in self.arrows],
            # a trail segment is added whole (the poster) or as its line (a step)
            "trails": [sum(id(t) in on or id(t[0]) in on for t in trail) for trail in self.trails],
            "panel": next((i for i, p in enumerate(self.panels) if id(p) in on), None),
            "equation": next((i for i, e in enumerate(self.equations) if id(e) in on), None),
            "summary": self.summary is not None and id(self.summary) in on,
        }
