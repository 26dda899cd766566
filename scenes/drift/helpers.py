"""Small drawing helpers of the drift figure."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from manim import (
    Mobject,
)

M = TypeVar("M", bound=Mobject)


def put_at(m: M, box: tuple[float, float, float, float]) -> M:
    """Move m so that its centre is the box's centre (the layout's place for it)."""
    m.move_to(np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, 0.0]))
    return m


def put_top_left(m: Mobject, left: float, top: float) -> None:
    """Move m so that its top left corner is at (left, top)."""
    m.move_to(np.array([left + m.width / 2, top - m.height / 2, 0]))


def label_text(m: Mobject) -> str:
    """A label's text as shown (`original_text`: Manim's `text` drops the spaces), or its
    first part's (a label with its badge)."""
    for t in (m, m[0]):
        said = getattr(t, "original_text", None) or getattr(t, "text", None)
        if said:
            return str(said)
    return ""
