"""How long each part of the drift figure lasts, from the plan: each step as long as its
move needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attention_math.plan import Plan
from scenes.figure.narration import drift_caption


@dataclass(frozen=True)
class Timing:
    """Seconds of each part of the figure (`timeline`). fade: every fade and dimming (short:
    a fade redraws its whole area in every frame, the costliest thing in a GIF); poster:
    the first frame's hold; intro / outro: a sentence's start and end, fade included; step:
    the longest step (motion and rest); hold: the last frame. moves: per sentence, per step
    k >= 1, the seconds the output moves (as long as its move needs); rests: the still time
    after each move (the eye catches up, the step's caption is read)."""

    fade: float
    poster: float
    intro: float
    step: float
    outro: float
    hold: float
    total: float
    moves: tuple[tuple[float, ...], ...] = ()
    rests: tuple[tuple[float, ...], ...] = ()


MAX_SECONDS = 30.0


# A step's motion: MOVE_S[0] s for a move too small to see, plus MOVE_GAIN s per reach of
# the drift moved (the farthest output from the origin), at most MOVE_S[1] s; then REST_S s.
MOVE_S = (0.6, 1.8)


MOVE_GAIN = 2.4


REST_S = 0.45


READ_CPS = 19.0  # subtitle guides: about 17-20 characters a second


def step_moves(plan: Plan) -> list[list[float]]:
    """Per sentence, per step k >= 1: how far the output moves, as a share of the drift's
    reach (plan units: the view is one uniform scale, so shares on screen are the same)."""
    o = np.array(plan.projection.origin)
    pts = [[np.array(st.point) for st in s.steps] for s in plan.sentences]
    reach = max(float(np.linalg.norm(p - o)) for ps in pts for p in ps)
    return [
        [float(np.linalg.norm(b - a)) / max(reach, 1e-12) for a, b in zip(ps, ps[1:], strict=False)]
        for ps in pts
    ]


def timeline(plan: Plan) -> Timing:
    """How long each part lasts: each step as long as its move needs (eased; a large pull
    moves for about 1.5 s), about 20 s for the post's figure, never over 30 s (every step
    shrinks alike when the steps would not fit)."""
    n = len(plan.sentences)
    fade, poster, hold = 0.2, 1.8, 3.5
    intro, outro = (1.0, 1.8) if n <= 2 else (0.6, 0.9)
    fixed = poster + fade + n * (intro + outro) + (fade if n > 1 else 0.0) + hold
    moves = [
        [float(np.clip(MOVE_S[0] + MOVE_GAIN * d, *MOVE_S)) for d in ds] for ds in step_moves(plan)
    ]
    rests = [  # the step's caption read at READ_CPS characters a second
        [
            max(REST_S, len(drift_caption(plan, "step", si, k)) / READ_CPS - m)
            for k, m in enumerate(ms, start=1)
        ]
        for si, ms in enumerate(moves)
    ]
    need = sum(map(sum, moves)) + sum(map(sum, rests))
    f = min(1.0, (MAX_SECONDS - 1.0 - fixed) / max(need, 1e-9))
    scaled = tuple(tuple(m * f for m in ms) for ms in moves)
    still = tuple(tuple(r * f for r in rs) for rs in rests)
    steps = [
        m + r for ms, rs in zip(scaled, still, strict=True) for m, r in zip(ms, rs, strict=True)
    ]
    total = fixed + sum(steps)
    return Timing(fade, poster, intro, max(steps, default=0.0), outro, hold, total, scaled, still)
