"""A user's own scene class, from a Python file named on the command line.

`render --scene-file my_scene.py --scene MyScene` (or `--scene my_scene.py:MyScene`) draws
a class built on the framework (scenes.beats.BeatScene, or scenes.picture's LectureScene)
that reads the plan and declares its own NEEDS. The file runs as code, so only the command
line may name one: a spec file is data and cannot (`scenes.app.spec`). Its bytes go into the
render's cache key (`RenderOptions.media_key`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from attention_math.errors import InputError
from attention_math.tokens import escape

if TYPE_CHECKING:
    from scenes.beats import BeatScene


def user_scene_class(ref: str) -> type[BeatScene]:
    """The scene class of `ref`, "FILE.py:Class"; an InputError (one line saying what to
    do) for a missing file, a file that fails to load, a missing class or one that is not a
    scene."""
    from scenes.beats import BeatScene

    path, _, name = ref.rpartition(":")
    file = Path(path)
    shown = escape(str(file))
    if file.suffix != ".py":
        raise InputError(f"{{scene_file}} {shown} is not a Python file; name your scene's .py file")
    if not file.is_file():
        raise InputError(f"{{scene_file}} {shown}: no such file; check the path")
    module = _load(file.resolve())
    cls = getattr(module, name, None)
    scenes = sorted(
        k for k, v in vars(module).items()
        if isinstance(v, type) and issubclass(v, BeatScene) and v.__module__ == module.__name__
    )  # fmt: skip
    if cls is None:
        found = f"its scene classes: {', '.join(scenes)}" if scenes else "it defines no scene class"
        raise InputError(f"{shown} has no class {escape(name)} ({found}); name one with {{scene}}")
    if not (isinstance(cls, type) and issubclass(cls, BeatScene)):
        raise InputError(
            f"{escape(name)} in {shown} is not a scene: build it on BeatScene or LectureScene "
            f"(from scenes.picture import LectureScene)"
        )
    return cls


def _load(file: Path) -> ModuleType:
    """The module of `file`, run once per content (a changed file is loaded again)."""
    data = file.read_bytes()
    name = f"attention_drift_user_scene_{hashlib.sha256(data).hexdigest()[:16]}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # Manim and pickling find the class by its module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) else ""
        raise InputError(
            f"{escape(str(file))} cannot be loaded{where}: {type(exc).__name__}: "
            f"{escape(str(exc))}; fix the file"
        ) from None
    return module
