"""attention-drift's numbers: tokens, embeddings, attention, drift, PCA, the plan.

numpy and scikit-learn only; this package never imports manim (a test keeps it so).
Heavy modules load lazily so that the command line's help starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Plan", "__version__", "build_plan"]

if TYPE_CHECKING:
    from attention_math.build import build_plan
    from attention_math.plan import Plan


def __getattr__(name: str) -> Any:
    if name == "build_plan":
        from attention_math.build import build_plan

        return build_plan
    if name == "Plan":
        from attention_math.plan import Plan

        return Plan
    raise AttributeError(f"module 'attention_math' has no attribute {name!r}")
