"""The code hash: which source draws a scene, hashed into its renders' cache key.

A module draws when it is in a drawing room: `scenes` (the scenes, their components, the
figure model, the theme) without the application `scenes.app`, and the application's media
passes, `scenes.app.media` (the Manim run, the encoders, the page, the slides, the stills).
The registry (`scenes`: which scenes there are) and the application's other rooms (the
command line, the batch, the files, the caches) draw nothing: their changes that matter
reach the plan or the options, which are in the key. `attention_math` is in the key through
the plan it computed (its JSON), not through its source.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parents[3]  # the folder holding the packages
APPLICATION = "scenes.app"  # the application: draws nothing but its media passes
MEDIA = "scenes.app.media"
PIPELINE = "scenes.app.pipeline"  # renders every scene: every walk starts here and at the scene
# a module's data files that go into what it makes: hashed with its source (the web page
# inlines its script and style)
ASSETS = {"scenes.app.media.webpage": "scenes/app/media/web"}


def draws(module: str) -> bool:
    """Whether `module`'s source counts as drawing (see the module's docstring); the
    pipeline does too, as it chooses the passes."""
    if not module.startswith("scenes."):
        return False  # the registry, and other packages (their part is in the plan)
    in_app = module == APPLICATION or module.startswith(APPLICATION + ".")
    return not in_app or module in (MEDIA, PIPELINE) or module.startswith(MEDIA + ".")


@functools.cache
def _file_facts(path: Path, mtime_ns: int, size: int) -> tuple[str, frozenset[str]]:
    """(sha256, names of the `scenes` modules it imports) of one source file."""
    source = path.read_bytes()
    names: set[str] = set()
    with contextlib.suppress(SyntaxError, ValueError):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{a.name}" for a in node.names)
    found = {n for n in names if n.split(".")[0] == "scenes"}
    return hashlib.sha256(source).hexdigest(), frozenset(found)


def _source_file(module: str) -> Path | None:
    base = SOURCE_DIR / Path(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _assets(module: str) -> str:
    """sha256 of the module's data files (ASSETS), or "" when it has none."""
    folder = ASSETS.get(module)
    if folder is None:
        return ""
    h = hashlib.sha256()
    for path in sorted((SOURCE_DIR / folder).glob("*")):
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def code_version(scene: str) -> str:
    """sha256 of the source that draws `scene`: its module and the `scenes` modules it
    imports, transitively, with the render pipeline (which renders every scene). Editing one
    scene does not invalidate the renders of the others."""
    from scenes import SCENES

    # a user's scene (not registered) is drawn by the framework: scenes.picture and below
    todo = [SCENES[scene].module if scene in SCENES else "scenes.picture", PIPELINE]
    seen: dict[str, str] = {}
    while todo:
        name = todo.pop()
        path = _source_file(name)
        if name in seen or not draws(name) or path is None:
            continue
        st = path.stat()
        digest, imports = _file_facts(path, st.st_mtime_ns, st.st_size)
        seen[name] = digest + _assets(name)
        todo.extend(imports)
    h = hashlib.sha256()
    for name in sorted(seen):
        h.update(f"{name}:{seen[name]}\n".encode())
    return h.hexdigest()
