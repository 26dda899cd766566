"""An example of your own scene: the target's final attention weights as bars.

Render it (the file is code: name it on the command line; a spec file cannot):

    attention-drift render "He sat on the river bank." -t bank \
        --scene-file docs/my_scene.py --scene WeightsScene --format png

It draws only what the plan holds (self.plan), in the theme's colours (self.pal), and
follows the theme file's fonts, sizes and pacing like every built-in scene.
"""

from manim import DOWN, LEFT, FadeIn, GrowFromEdge, VGroup

from scenes.components import WeightBars, label
from scenes.picture import BeatScene
from scenes.theme import SIZES


class WeightsScene(BeatScene):
    NEEDS = ()  # the optional plan parts it draws (attention_math.request.PARTS); none here

    def setup(self) -> None:
        plan = self.load_plan()  # the plan; also applies the theme (background, fonts)
        sentence = plan.sentences[0]
        final = sentence.steps[-1]  # the last step: every context word attended
        words = [sentence.words[i].text for i in final.words]
        self.title = label(f"Where “{plan.target}” looks", self.pal, size=SIZES.title)
        self.bars = WeightBars(words, list(final.weights), self.pal, color=self.pal.color(0))
        VGroup(self.title, self.bars).arrange(DOWN, buff=0.6, aligned_edge=LEFT)

    def construct(self) -> None:
        self.play(FadeIn(self.title))
        self.beat("The target and its sentence.", caption="The target word")
        self.play(GrowFromEdge(self.bars, LEFT))
        self.beat("Each word's share of the target's attention.", caption="Attention weights")
