"""SceneJob: everything the application hands a scene, in one typed, frozen value.

The application builds it once per render (`scenes.app.pipeline`), from the plan and the
resolved look (`scenes.theme.look`: palette with transparency, typography, pacing), and each
pass adds only what it asks of the scene (`dataclasses.replace`: stills, slides, captions).
A scene reads it as `self.job` (set as a class attribute by the pass) and nothing else: no
environment variables, no palette names to look up again, nothing checked twice.

The only other way in is the `manim` command on a scene file (`from_environment`), for
scene authors: ATTENTION_DRIFT_PLAN names a plan JSON file, ATTENTION_DRIFT_THEME a theme.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from attention_math.errors import InputError
from scenes.theme import Look, Palette, look

if TYPE_CHECKING:
    from attention_math.plan import Plan

PLAN_VARIABLE = "ATTENTION_DRIFT_PLAN"  # the `manim` command only (from_environment)
THEME_VARIABLE = "ATTENTION_DRIFT_THEME"


@dataclass(frozen=True)
class SceneJob:
    """What a scene draws and how (BeatScene reads it in setup and at every beat).

    plan: the plan to draw (it holds the parts the scene's NEEDS name: check_needs, before
      the job is made). look: palette (transparency included), typography, pacing.
    captions: each beat's caption a subcaption over its time (video passes only: Manim's own
      writer would put a still's .srt in the working folder).
    slides: cut a slide at every beat (manim-slides), written to slides_dir.
    stills_dir: save a PNG of every beat there. final_only: only the last frame is wanted
      (a scene whose first frame is its last may stop once drawn).
    still_savers: more writers of each still and of the final frame (the vector stills):
      each called as saver(scene, path) after a PNG is saved, and saver(scene, None) at the end.
    record_dir: write every beat's notes, caption and time range there (the script's source).
    figure_file: where a scene that can writes the layout it drew as JSON (the web page).
    """

    plan: Plan
    look: Look = field(default_factory=Look)
    captions: bool = False
    slides: bool = False
    slides_dir: str | None = None
    stills_dir: str | None = None
    final_only: bool = False
    still_savers: tuple[Any, ...] = ()
    record_dir: str | None = None
    figure_file: str | None = None

    @property
    def palette(self) -> Palette:
        """The palette (look.palette)."""
        return self.look.palette


def check_needs(plan: Plan, scene: str, needs: Iterable[str]) -> None:
    """Refuse a plan without the parts `scene` draws (its NEEDS), in one line saying what
    is missing and how to make a plan that has it: the one check of a scene's NEEDS, made
    before the job is made (the application's `scenes.app.pipeline.check_plan`, the `manim`
    command's `from_environment`); scenes trust their job's plan.
    scene: a registered name, or a user's "FILE.py:Class"."""
    from attention_math.request import PART_WORDS, missing_parts

    needs = tuple(needs)
    missing = missing_parts(plan, needs)
    if not missing:
        return
    file, _, name = scene.rpartition(":")
    flags = f"--scene-file {file} --scene {name}" if file else f"--scene {scene}"
    raise InputError(
        f"{scene} draws the plan's {', '.join(missing)}, which this plan lacks "
        f"({'; '.join(PART_WORDS[p] for p in missing)}): render it with attention-drift "
        f"render {flags}, make its plan with attention-drift plan {flags}, or in Python "
        f"with make_plan(PlanRequest(..., needs={{{', '.join(map(repr, needs))}}}))"
    )


def from_environment(scene: str, needs: Iterable[str] = ()) -> SceneJob:
    """The job of a scene run with the `manim` command: the plan in $ATTENTION_DRIFT_PLAN,
    the theme in $ATTENTION_DRIFT_THEME (default dark). The application never uses this.
    needs: the scene's NEEDS, which the plan must hold (check_needs)."""
    from attention_math.plan import Plan

    path = os.environ.get(PLAN_VARIABLE)
    if not path:
        raise RuntimeError(
            f"{scene} needs a plan: use attention-drift render, or set {PLAN_VARIABLE} to a "
            f"plan JSON file"
        )
    plan = Plan.load(path)
    check_needs(plan, scene, needs)
    return SceneJob(plan, look(os.environ.get(THEME_VARIABLE, "dark")))


def job_for(plan: Plan, theme: str = "dark", **changes: Any) -> SceneJob:
    """A job for `plan` in built-in theme `theme` (tests, notebooks, tools): SceneJob's
    fields as keywords."""
    return SceneJob(plan, look(theme), **changes)
