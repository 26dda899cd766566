"""DriftScene: the target's static vector drifts as each context word gets its weight.

The figure, beat by beat (every number from the plan):

- poster: the last frame first (title, sentences, the static vector, where every sentence
  takes it, the weights): a paused GIF, a link preview or a still shows the whole story,
  and the loop returns to it without a cut;
- the drift is rewound, and then for each sentence (the others dimmed): its weights panel;
  one step per context word (the word's chip is ringed, its point pulses, a line from the
  point to the arrow's tip, as thick as the word's weight, shows the pull while the arrow
  moves, the bars and numbers count to the renormalised weights, the trail grows); the
  sentence's equation;
- the summary: every sentence's equation (or, for one sentence, its panel and equation);
  in small multiples, with the outputs together (a panel more: every sentence's output on
  the same axes, each named by its badge; in the poster too).

Layout: one grid. A title and the sentences (left-aligned) on top; below, the plot on the
left and the panel column on the right. The view is fitted to the drift (origin, static
vector, every step); words far outside are drawn at the plot's edge as markers pointing
towards them. Long input is summarised: at most 8 panel rows (the plan's last step joins
the rest of the words together: attention.MAX_STEPS), the equation's largest terms, and
chips elided with "…" when a sentence does not fit its rows.

The layout is data (scenes.figure.model.Figure): the scene lays the figure out once, without
drawing (scenes.figure.build.lay_out_figure: the column of title, chips, panels, equations
and summary; the plot in its rounds, scenes.figure.plotmodel.PlotLayout, with its view and
mapping, marks, key, labels and leaders), checks that model and makes each mobject once,
where the model puts it: no placement rounds, nothing read back from a mobject. Every plot
coordinate goes through the PlotLayout's mapping; a widget's own shape comes from
scenes.figure.widgets, as the model's does. The package's parts: `scene` (the storyboard),
`states` (what is on screen when), `layout` (the layout and its check), `panels`, `header`,
`points`, `vectors`, `labels` (the mobjects of the layout's parts), `equation`,
`animations`, `helpers`; narration, timing, geometry and the chip rule live in
scenes.figure (no manim). tests/figure_reader.py reads the figure back from the mobjects
drawn, and the tests hold it equal to the model, element for element.

With `figure_file` set (`--format html`), the scene also writes the model as JSON
(scenes.figure.export.page_data: every chip, point, panel row, equation term and arrow tip
in frame coordinates, per beat its time and what is on screen, every element), for the
page's highlights.
"""

from scenes.drift.equation import Equation, EquationTerms, set_lines, wrap_terms
from scenes.drift.scene import DriftScene
from scenes.figure.chips import elided
from scenes.figure.constants import (
    BEND,
    CHIP_BUFF,
    DIM,
    EQ_INDENT,
    EQ_SPACE,
    GUTTER,
    LEADER_GAP,
    MARGIN,
    MAX_SENTENCES,
    MAX_WORD_LABELS,
    NAME_W,
    ON_LINE,
    ON_ORIGIN,
    PANEL_W,
    ROW_H,
)
from scenes.figure.narration import beat_plan, drift_caption, drift_notes, still_note
from scenes.figure.timing import MAX_SECONDS, Timing, step_moves, timeline

__all__ = [
    "BEND",
    "CHIP_BUFF",
    "DIM",
    "EQ_INDENT",
    "EQ_SPACE",
    "GUTTER",
    "LEADER_GAP",
    "MARGIN",
    "MAX_SECONDS",
    "MAX_SENTENCES",
    "MAX_WORD_LABELS",
    "NAME_W",
    "ON_LINE",
    "ON_ORIGIN",
    "PANEL_W",
    "ROW_H",
    "DriftScene",
    "Equation",
    "EquationTerms",
    "Timing",
    "beat_plan",
    "drift_caption",
    "drift_notes",
    "elided",
    "set_lines",
    "step_moves",
    "still_note",
    "timeline",
    "wrap_terms",
]
