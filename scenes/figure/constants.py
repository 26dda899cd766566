"""The drift figure's layout constants (scene units: the frame is 14.22 × 8 units)."""

from __future__ import annotations

MARGIN = 0.36  # inner margin of the layout (the check's safe margin is 2 % = 0.284)

GUTTER = 0.4  # between the plot and the panel column

PANEL_W = 5.2  # the panel column

NAME_W = 2.0  # panel row labels longer than this are cut with "…"

ROW_H = (0.34, 0.42)  # panel row height: least, most

MAX_SENTENCES = 5  # a sentence and up to 4 compared: one colour and one badge each

MAX_WORD_LABELS = 24  # word labels in the plot (beyond: unlabelled points)

FEW_WORD_LABELS = 14  # when that many cannot be placed apart: the first 14 only

CUT_LABEL = 7  # a word label with no place clear of every line is cut to this many characters

LEADER_GAP = 0.45  # a label placed farther than this from its point gets a line to it

LABEL_WEIGHT = {"end": 2.0, "start": 1.5}  # how much a long leader of each label costs

SAME_MARK = 0.35  # a word of two sentences drawn this close: one mark ("[special] ×3")

ON_ORIGIN = 0.12  # a word this close to the origin is drawn as a ring round it

DIM = 0.28  # opacity factor of the sentences not playing

BEND = 0.2  # a pull or trail step that would lie on an arrow bows out by this × its length

ON_LINE = 0.1  # a line this close to an arrow's, along it, would be hidden by it

CHIP_BUFF = 0.15  # between a sentence's chips

EQ_SPACE = 0.1  # between an equation's terms, ink to ink (their struts are invisible)

EQ_INDENT = 0.3  # an equation's lines after the first

EQ_LEADING = 0.08  # between an equation's lines, strut to strut

EQ_STRUTS = 0.25  # a StrutText's invisible bars either side of the ink: not the width's

MULTIPLES_FROM = 3  # from this many sentences on, one plot panel per sentence (same axes)

PANEL_GAP = 0.3  # between two panels of small multiples

PANEL_MARGIN = 0.35  # inside a panel, round what it shows

MIN_PANEL_W = 2.2  # a small multiple at least this wide, where the plot allows (its labels)
