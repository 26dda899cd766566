"""Where the shipped data is: stop-words, sense sentences, example spec files.

The checkout keeps them in the top-level `assets/` folder; the wheel ships the same folder as
package data inside `attention_math/assets/`. `importlib.resources` finds the packaged one;
a checkout (the tests, an editable install) has none and uses `assets/` next to the package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def assets_dir() -> Path:
    """The folder with stopwords/, senses/ and examples/."""
    packaged = resources.files("attention_math") / "assets"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "assets"


ASSETS = assets_dir()
