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
