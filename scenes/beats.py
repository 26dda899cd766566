"""BeatScene: the base of every scene, made of beats (slide / still boundaries).

Each scene calls `self.beat(notes, caption=...)` at the end of a beat, with presenter notes
that state that beat's numbers and a one-line caption. The caption becomes a subcaption
(Manim's `Scene.add_subcaption`) over the beat's time, for STEM.srt / STEM.vtt
(`scenes.app.media.captions`). What else a beat does depends on the pass that renders the scene:

- a normal render: nothing (the scene plays straight through, as a plain Manim `Scene`);
- `--slides`: `manim_slides.Slide.next_slide(notes=...)`, so that manim-slides cuts one
  slide per beat (the export is in the application layer);
- `--stills`: the frame at that moment is saved as a PNG (and given to `still_savers`, which
  write it as SVG or PDF too).

Every beat's notes, caption and time range (from the end of the previous beat) can be
written out after the render (`record_dir`): the narration script and the decks' notes.

`BeatScene` is built on `manim_slides.Slide` when manim-slides is installed and on Manim's
`Scene` otherwise; with slides off it skips everything manim-slides adds (it would force a
movie to be written even for a still, and write a `slides/` folder into the working
directory), so a normal render is exactly a `Scene` render.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from manim import FadeOut, Group, Scene

from scenes.job import SceneJob, from_environment
from scenes.layout import Item, check, check_items, layout_error
from scenes.theme import Palette, Typography, use_typography

if TYPE_CHECKING:
    from attention_math.plan import Plan

try:
    from manim_slides.slide import Slide as _Base
    from manim_slides.slide.base import BaseSlide as _BaseSlide

    HAVE_SLIDES = True
except ImportError:  # pragma: no cover - manim-slides is an optional extra
    _Base = Scene  # type: ignore[misc,assignment]
    _BaseSlide = None  # type: ignore[misc,assignment]
    HAVE_SLIDES = False

BEATS_FILE = "beats.json"  # the presenter notes of every beat, in order
CAPTIONS_FILE = "captions.json"  # the one-line caption of every beat, in order ("" if none)
TIMES_FILE = "times.json"  # every beat's [start, end] in seconds, in order
POSTER = 1.5  # the first frame's hold: the scene's last frame, before its story is told


class BeatScene(_Base):
    """A scene made of beats, drawing `job` (scenes.job.SceneJob: the plan, the look, what
    the pass wants of the beats), which the render pass sets as a class attribute. With no
    job (the `manim` command on a scene file) the plan comes from ATTENTION_DRIFT_PLAN
    (`scenes.job.from_environment`, the only such path).

    NEEDS: the plan parts the scene draws; a registered scene's come from its entry in
    scenes.SCENES (`__init_subclass__`), a user's own scene class declares them.
    Pacing (`job.look.pacing`): every play's and wait's time is divided by its speed, and
    every beat ends with its hold, so every scene follows a theme file's pacing unchanged.
    """

    job: SceneJob = None  # type: ignore[assignment]  # set by the pass (or from_environment)
    NEEDS: tuple[str, ...] = ()
    skip_reversing = True  # manim-slides: the HTML never plays a slide backwards

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        from scenes import SCENES

        entry = SCENES.get(cls.__name__)
        if entry is not None and entry.module == cls.__module__:
            cls.NEEDS = entry.needs

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        job = type(self).job or from_environment(type(self).__name__, type(self).NEEDS)
        self.job: SceneJob = job  # this scene's (the class's, or the environment's)
        self.plan: Plan = job.plan
        self.pal: Palette = job.look.palette
        # what scenes read of the job by these names
        self.final_only, self.figure_file = job.final_only, job.figure_file
        self.beat_notes: list[str] = []
        self.beat_captions: list[str] = []
        self.beat_times: list[tuple[float, float]] = []  # each beat's start and end (seconds)
        self._beat_start = 0.0  # when the current beat began (the scene's time, seconds)
        self.rehearsing = False  # the story run through without frames (`tell_after_poster`)
        if not HAVE_SLIDES:
            super().__init__(*args, **kwargs)
        elif job.slides:
            if job.slides_dir is not None:
                kwargs.setdefault("output_folder", Path(job.slides_dir))
            super().__init__(*args, **kwargs)
        else:
            _BaseSlide.__init__(self, *args, **kwargs)  # not Slide.__init__: no forced movie

    def render(self, *args: Any, **kwargs: Any) -> Any:
        result: Any
        try:
            if HAVE_SLIDES and not self.job.slides:
                result = Scene.render(self, *args, **kwargs)  # no slide files written
            else:
                result = super().render(*args, **kwargs)
        finally:
            use_typography(Typography())  # the next scene in this process starts from none
        for folder in dict.fromkeys(f for f in (self.job.slides_dir, self.job.record_dir) if f):
            self.write_beats(Path(folder))
        for save in self.job.still_savers:
            save(self, None)
        return result

    def write_beats(self, folder: Path) -> None:
        """The beats' notes, captions and times (BEATS_FILE, CAPTIONS_FILE, TIMES_FILE)."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, value in ((BEATS_FILE, self.beat_notes), (CAPTIONS_FILE, self.beat_captions),
                            (TIMES_FILE, self.beat_times)):  # fmt: skip
            text = json.dumps(value, ensure_ascii=False)
            (folder / name).write_text(text, encoding="utf-8")

    @property
    def _background_color(self) -> str:
        """For manim-slides: the background as hex (scenes may set it as a string)."""
        from manim import ManimColor

        return ManimColor(self.camera.background_color).to_hex()  # type: ignore[union-attr]

    # ---- set-up shared by the scenes ---------------------------------------------------
    def load_plan(self) -> Plan:
        """The plan, with the job's look applied: the background, and the typography every
        text is drawn with (scenes.theme.use_typography). Every scene's setup calls it."""
        use_typography(self.job.look.typography)
        if self.pal.background is not None:
            self.camera.background_color = self.pal.background  # type: ignore[union-attr]
        return self.plan

    # ---- pacing -----------------------------------------------------------------------
    def play(self, *args: Any, **kwargs: Any) -> None:
        """Manim's play, its run time divided by the pacing's speed; while rehearsing
        (`tell_after_poster`), only its end state."""
        if self.rehearsing:
            self.play_to_end(*args, **kwargs)
            return
        speed = self.job.look.pacing.speed
        if speed != 1:
            if "run_time" in kwargs:
                kwargs["run_time"] = kwargs["run_time"] / speed
            else:
                from manim.animation.animation import prepare_animation

                args = tuple(prepare_animation(a) for a in args)
                for a in args:
                    a.run_time = a.run_time / speed
        super().play(*args, **kwargs)

    def wait(self, duration: float = 1.0, *args: Any, **kwargs: Any) -> None:
        """Manim's wait, divided by the pacing's speed (nothing while rehearsing)."""
        if not self.rehearsing:
            super().wait(duration / self.job.look.pacing.speed, *args, **kwargs)

    def play_to_end(self, *args: Any, **kwargs: Any) -> None:
        """The animations' end state, as Manim's skipping reaches it (updaters run once over
        the whole run time), but without the renderer: no frame, no clock, no animation
        number, so a chunked render counts and cuts only what is drawn."""
        self.compile_animation_data(*args, **kwargs)
        self.begin_animations()
        self.update_to_time(self.duration)
        for animation in self.animations or ():
            animation.finish()
            animation.clean_up_from_scene(self)

    def check_layout(self, boxes: Sequence[tuple[str, tuple[float, float, float, float]]]) -> None:
        """Every text inside the frame and none overlapping, or a LayoutError."""
        problems = check(list(boxes))
        if problems:
            raise layout_error(self.scene_name(), problems)

    def check_layout_items(self, items: Sequence[Item]) -> None:
        """The whole check (scenes.layout.check_items): every text against every other text,
        point, mark, arrow and trail, the safe margin, text sizes; or a LayoutError."""
        problems = check_items(list(items))
        if problems:
            raise layout_error(self.scene_name(), problems)

    def scene_name(self) -> str:
        """The name of the scene drawn (the class scenes.SCENES registers, not the subclass a
        pass makes of it)."""
        mro = type(self).__mro__
        return next(
            (c.__name__ for c in mro if c.__module__.startswith("scenes.")), mro[0].__name__
        )

    # ---- beats --------------------------------------------------------------------------
    def beat(self, notes: str, caption: str | None = None) -> None:
        """End of a beat: a slide boundary (with `notes`) or a still, per the pass.

        notes: the beat's numbers, for the presenter. caption: one line saying what the
        beat shows, for a still's caption, a slide or subtitles (`beat_captions`, and a
        subcaption shown from the previous beat's end to now).
        """
        if self.rehearsing:  # not a beat of the video: nothing recorded, no slide
            return
        if (hold := self.job.look.pacing.hold) > 0:  # time to read the beat, unscaled
            super().wait(hold)
        self.beat_notes.append(notes)
        self.beat_captions.append(caption or "")
        start, self._beat_start = self._beat_start, float(self.time)
        self.beat_times.append((start, self._beat_start))
        if self.job.captions and caption and self._beat_start > start:  # a subtitle for the beat
            self.add_subcaption(
                caption, duration=self._beat_start - start, offset=start - self.time
            )
        if self.job.stills_dir is not None:
            self.save_still(Path(self.job.stills_dir) / f"beat-{len(self.beat_notes):02d}.png")
        if self.job.slides:
            # manim-slides gives next_slide's notes to the slide that starts *after* the call;
            # the notes of each beat are written next to the slides instead (`render`).
            self.next_slide()

    def tell_after_poster(self, story: Callable[[], None]) -> None:
        """The scene's beats (`story`) after a poster: the last frame first, held POSTER
        seconds, then faded out, so a paused GIF shows the whole story and the loop comes back
        to its first frame without a cut. To reach that last state, the story is first run
        through to each animation's end (`play_to_end`: no frame, no beat recorded); the
        poster is a copy of what it leaves on screen; then the scene is set up anew and the
        story told.
        A still (its last frame) and a deck (a slide per beat) tell the story alone."""
        if self.final_only or self.job.slides:
            story()
            return
        self.rehearsing = True
        try:
            story()
        finally:
            self.rehearsing = False
        poster = Group(*(m.copy().clear_updaters() for m in self.mobjects))
        self.clear()
        self.setup()
        self.add(poster)
        self.wait(POSTER)
        self.play(FadeOut(poster), run_time=0.3)
        story()

    def save_still(self, path: Path) -> None:
        """The current state of the scene as a PNG (drawn now, even while skipping)."""
        from PIL import Image

        renderer: Any = self.renderer
        # drawn whole: not over the last play's static image, which holds the mobjects that
        # did not move (drawn twice, their anti-aliased edges would come out heavier)
        static, renderer.static_image = getattr(renderer, "static_image", None), None
        renderer.update_frame(self, ignore_skipping=True)
        renderer.static_image = static
        frame = renderer.get_frame()  # [h, w, 4] uint8 RGBA
        image = Image.fromarray(frame, "RGBA")
        if self.pal.background is not None:
            image = image.convert("RGB")
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path)
        for save in self.job.still_savers:
            save(self, path)
