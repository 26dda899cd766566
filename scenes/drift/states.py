"""What is on screen when: always, in the last frame, per sentence (to dim)."""

from __future__ import annotations

from manim import (
    Animation,
    Mobject,
    VMobject,
)

from scenes.components import (
    Dim,
)
from scenes.drift.layout import DriftLayout


class DriftStates(DriftLayout):
    """The figure's states: the mobjects on screen all the time, in the last frame, of
    one sentence."""

    def always_on(self) -> list[Mobject]:
        """What is on screen all the time, in drawing order (drawn once per animation)."""
        return [
            self.title,
            self.header,
            self.caption,
            self.key,
            *self.panel_frames,
            *self.panel_badges,
            self.leaders,
            *self.dots,
            *self.origin_marks,
            *self.static_arrows,
            *self.start_labels,
            *self.word_labels.values(),
        ]

    def final_state(self) -> list[Mobject]:
        """What the last frame adds: trails, arrows, end labels, rings, the conclusion."""
        out: list[Mobject] = []
        for si in range(len(self.plan.sentences)):
            out += [*self.trails[si], self.arrows[si], *self.end_label(si)]
        out += list(self.rings.values())
        out += self.together  # small multiples: the outputs together, once all is told
        if self.multi:
            assert self.summary is not None
            out.append(self.summary)
        else:
            out += [self.panels[0], self.equations[0]]
        return out

    def end_label(self, si: int) -> list[VMobject]:
        """Sentence si's end label with its leader line, if it has one."""
        leader = self.end_leaders[si]
        return [self.end_labels[si]] if leader is None else [leader, self.end_labels[si]]

    def own_marks(self, si: int) -> list[Mobject]:
        """The plot's marks that belong to sentence si alone: its words' points, labels and
        leaders (a word two sentences share is neutral and stays), and its own static
        vector and label when the sentences' static vectors differ."""
        out: list[Mobject] = []
        for j, pt in enumerate(self.points):
            if pt["sentences"] == {si}:
                out.append(pt["mob"])
                if j in self.word_labels:
                    out.append(self.word_labels[j])
        if not self.shared_start:  # its own static vector (and label): thin, or its panel's
            out += [self.static_arrows[si], *self.start_label_of.get(si, [])]
        if self.geometry.multiples:  # its panel: frame, badge, origin
            out += [self.panel_frames[si], self.panel_badges[si], self.origin_marks[si]]
        out += [self.leader_of[id(m)] for m in out if id(m) in self.leader_of]
        return out

    def dim(self, si: int, level: float) -> list[Animation]:
        """Sentence si's things to opacity `level`: chips, rings, trail, arrow, end label and
        the plot's marks of its own (points, labels, leaders)."""
        # a trail's line and dot are added one by one (Create, Fade), not as their group
        things: list[Mobject] = [part for t in self.trails[si] for part in t.submobjects]
        things += [self.arrows[si], *self.end_label(si)]
        things += [r for (sj, _), r in self.rings.items() if sj == si]
        things = [m for m in things if m in self.mobjects]
        things += [self.sentence_rows[si], *self.own_marks(si)]  # on screen, maybe in a group
        return [Dim(m, level) for m in things]

    def dim_now(self, anims: list[Animation]) -> list[Animation]:
        """Dimming happens at once (a fading header costs a GIF more than it shows): each
        Dim is applied now, before the beat's animations, so what it dims is drawn as part
        of the still background (once) rather than redrawn with every frame of the fade.
        Returns no animations."""
        for a in anims:
            a.begin()
            a.finish()
        return []
