"""The scale rule as the user gives it: text in, a rule name or a positive number out.

No numpy here, so that checking a request (a spec file of a hundred entries, a cached
batch) does not load it; `attention.resolve_scale` turns the rule into a number for a query.
"""

from __future__ import annotations

import math

from attention_math.errors import OptionError

SCALE_RULES = ("auto", "1/sqrt(d)", "1")


def parse_scale(text: str) -> str | float:
    """A scale as the user writes it: one of SCALE_RULES or a positive number."""
    t = text.strip().lower().replace(" ", "")
    if t in SCALE_RULES:
        return t
    try:
        value = float(t)
    except ValueError:
        raise OptionError(
            "scale",
            f"{{scale}} {text!r} is not understood; use auto, 1/sqrt(d), 1 or a positive number",
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise OptionError("scale", f"{{scale}} must be a positive number, got {text!r}")
    return value
