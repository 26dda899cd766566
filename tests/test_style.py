"""The layers hold: attention_math never imports manim, click, rich or scenes.

ruff, mypy and the import contracts (lint-imports) run from `./render.sh test` before pytest,
not in here; this checks at run time what lint-imports checks in the source.
"""

from __future__ import annotations

import subprocess
import sys


def test_attention_math_never_imports_the_drawing_or_the_app() -> None:
    code = (
        "import sys, pkgutil, importlib, attention_math\n"
        "for m in pkgutil.iter_modules(attention_math.__path__):\n"
        "    importlib.import_module(f'attention_math.{m.name}')\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('manim', 'manimpango', 'cairo', 'click', 'rich',\n"
        "                                    'scenes'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_no_scene_imports_another_and_the_contract_names_every_scene() -> None:
    """Issue 22: the import-linter independence contract lists exactly the registry's scene
    modules (a new scene is covered when it is registered), and no scene module's source
    imports another scene module directly (lint-imports also checks the indirect ones)."""
    import ast
    import importlib.util
    import pathlib
    import tomllib

    from scenes import SCENES

    modules = {entry.module for entry in SCENES.values()}
    config = tomllib.loads(pathlib.Path("pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    independent = [c for c in contracts if c["type"] == "independence"]
    assert [set(c["modules"]) for c in independent] == [modules]
    for module in modules:
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None, module
        tree = ast.parse(pathlib.Path(spec.origin).read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported |= {
            f"{n.module}.{a.name}"
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module
            for a in n.names
        }
        assert not (imported & modules) - {module}, (module, sorted(imported & modules))
