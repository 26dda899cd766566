"""The fonts texts are drawn in, and the caches that keep texts across runs (issue 18).

- The theme's font is installed and is the one fontconfig (what Pango asks) picks, checked
  with `fc-match`; a missing font or `fc-match` fails under ATTENTION_DRIFT_REQUIRE_REFERENCE.
- A text kept while another font was installed is never reused: processes given different
  fonts (FONTCONFIG_FILE naming one font folder each) share one cache, and the second draws
  its own font, as it does with an empty cache.
- Every cache folder is this user's alone, even under umask 000 (folders 0700, files
  0600); a cached SVG or text someone else may have written is ignored and built anew.
- A kept text that is not the text asked for is a miss (Counter's glyph atlas included).
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from scenes import texts
from scenes.theme import FONT
from tests.conftest import missing_reference

REPO = Path(__file__).resolve().parent.parent


def fc_match(pattern: str) -> tuple[str, str]:
    """(family, file) of fontconfig's match for `pattern`, by the `fc-match` command."""
    if shutil.which("fc-match") is None:
        missing_reference("fc-match is not installed (Debian: apt-get install fontconfig)")
    out = subprocess.run(
        ["fc-match", "-f", "%{family}\n%{file}", pattern],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    family, file = out.split("\n", 1)
    return family, file.strip()


def test_the_themes_font_is_installed_and_is_the_one_pango_picks() -> None:
    import manimpango

    family, file = fc_match(FONT)
    if FONT not in family.split(","):
        missing_reference(f"{FONT} is not installed: fontconfig picks {family} ({file})")
    assert FONT in manimpango.list_fonts()  # Pango's own list of families
    picked = texts.font_file(FONT, "NORMAL")
    assert picked is not None and picked[0] == file
    bold_family, bold_file = fc_match(f"{FONT}:bold")
    assert FONT in bold_family.split(",")
    bold = texts.font_file(FONT, "BOLD")
    assert bold is not None and bold[0] == bold_file != file


# ---------------------------------------------------------------------------------------------
# a cache filled under another font


BUILD = """
import json, sys, tempfile
from pathlib import Path
from manim import tempconfig
from scenes import texts
from scenes.app.cache.texts import share_svgs
from scenes.theme import FONT

out = {}
for way in ("kept", "svg"):  # through the built texts' store, then Pango's SVGs alone
    work = Path(tempfile.mkdtemp())
    with tempconfig({"media_dir": str(work), "text_dir": str(work / "texts")}):
        share_svgs(work)
        if way == "svg":
            texts.STORE, texts._BUILT = None, {}
        out[way] = texts.text("Hamburgefonstiv bank", font=FONT, size=24, color="#ffffff").width
print(json.dumps(out))
"""


def other_font_folder(theirs: Path) -> Path:
    """A folder of fonts other than `theirs` (the theme font's): DejaVu Sans's, Pango's
    usual fallback, or any other that fontconfig lists."""
    _, dejavu = fc_match("DejaVu Sans")
    listed = subprocess.run(
        ["fc-list", "-f", "%{file}\n", ":lang=en"], capture_output=True, text=True
    ).stdout.split()
    for file in (dejavu, *sorted(listed)):
        if Path(file).parent != theirs and Path(file).suffix.lower() in (".ttf", ".otf"):
            return Path(file).parent
    missing_reference(f"no font outside {theirs} to compare with (apt-get install fonts-dejavu)")
    raise AssertionError  # not reached


def fonts_conf(folder: Path, font_dir: Path) -> Path:
    """A fontconfig configuration that knows the fonts of `font_dir` only."""
    conf = folder / f"fonts-{font_dir.name}.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><dir>{font_dir}</dir><cachedir>{folder / 'fc'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return conf


def build_in(conf: Path, cache: Path) -> dict:
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", BUILD], capture_output=True, text=True, env=env, cwd=REPO
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_a_text_kept_under_another_font_is_not_reused(tmp_path: Path) -> None:
    """One process with the theme's font alone fills the cache; one with only another font
    (what Pango falls back to when the theme's is missing) then draws that font's glyphs
    through the same cache, as it does with an empty one (before, it drew the kept ones)."""
    _, noto = fc_match(FONT)
    other = other_font_folder(Path(noto).parent)
    shared = tmp_path / "shared"
    first = build_in(fonts_conf(tmp_path, Path(noto).parent), shared)
    conf = fonts_conf(tmp_path, other)
    second = build_in(conf, shared)
    alone = build_in(conf, tmp_path / "empty")
    assert abs(first["kept"] - alone["kept"]) > 0.05  # the two fonts differ in width
    assert second["kept"] == pytest.approx(alone["kept"], abs=1e-9)
    assert second["svg"] == pytest.approx(alone["svg"], abs=1e-9)


# ---------------------------------------------------------------------------------------------
# every cache folder this user's alone


UNDER_UMASK_000 = """
import os, tempfile
from pathlib import Path
os.umask(0)
from manim import tempconfig
from scenes import texts
from scenes.app.cache.texts import share_svgs
from scenes.theme import FONT
work = Path(tempfile.mkdtemp())
with tempconfig({"media_dir": str(work), "text_dir": str(work / "texts")}):
    share_svgs(work)
    texts.text("bank", font=FONT, size=24, color="#ffffff")
"""


def test_every_cache_folder_is_private_under_umask_000(tmp_path: Path) -> None:
    """A render under umask 000 makes every cache folder 0700 and every cached file 0600
    (before, the SVG folders were 0777 and the SVGs 0666)."""
    cache = tmp_path / "xdg"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", UNDER_UMASK_000], capture_output=True, text=True, env=env,
        cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    folders = [cache, *(p for p in cache.rglob("*") if p.is_dir())]
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert len(folders) >= 4 and {p.name for p in folders} >= {"attention-drift", "texts-built"}
    assert any(p.suffix == ".svg" for p in files) and any(p.suffix == ".text" for p in files)
    for p in folders:
        assert stat.S_IMODE(p.stat().st_mode) == 0o700, p
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_a_cached_svg_others_may_have_written_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    """An SVG in the cache that another user may have written (mode 0666), or that another
    user owns, is not copied in: Pango writes the text's own."""
    from scenes.app.cache import texts as cached

    folder = tmp_path / "svgs"
    folder.mkdir(mode=0o700)
    made: list[str] = []

    def pango(path: str) -> None:
        made.append(path)
        Path(path).write_text("<svg>mine</svg>", encoding="utf-8")

    wrapped = cached._shared_text_svg(pango, 0)
    cache = cached.PrivateFiles(folder, "f-")
    planted = folder / "f-t.svg"
    planted.write_text("<svg>planted</svg>", encoding="utf-8")
    planted.chmod(0o666)
    old = cached._shared["texts"]
    cached._shared["texts"] = cache
    try:
        out = tmp_path / "work"
        out.mkdir()
        wrapped(str(out / "t.svg"))
        assert (out / "t.svg").read_text(encoding="utf-8") == "<svg>mine</svg>" and made
        assert stat.S_IMODE(planted.stat().st_mode) == 0o600  # replaced by this user's own
        made.clear()
        (out / "t.svg").unlink()
        wrapped(str(out / "t.svg"))  # now a hit: this user's own file
        assert not made and (out / "t.svg").read_text(encoding="utf-8") == "<svg>mine</svg>"
    finally:
        cached._shared["texts"] = old


def test_a_cached_file_of_another_user_or_a_link_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenes.app.cache.texts import PrivateFiles

    folder = tmp_path / "c"
    folder.mkdir(mode=0o700)
    cache = PrivateFiles(folder, suffix=".text")
    cache.put("k", b"bytes")
    (folder / "l.text").symlink_to(folder / "k.text")
    assert cache.get("k") == b"bytes" and cache.get("l") is None
    monkeypatch.setattr(os, "getuid", lambda: os.stat(folder).st_uid + 1)
    assert cache.get("k") is None


def test_a_cache_folder_someone_else_owns_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenes.app.cache.texts import private_folder

    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(os, "getuid", lambda: os.stat(folder).st_uid + 1)
    assert private_folder(folder) is None
    link = tmp_path / "link"
    link.symlink_to(folder)
    monkeypatch.undo()
    assert private_folder(link) is None


# ---------------------------------------------------------------------------------------------
# a kept text that is not the one asked for


class MemoryStore:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.files.get(key)

    def put(self, key: str, data: bytes) -> None:
        self.files[key] = data


def test_a_kept_text_of_another_string_is_a_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    store = MemoryStore()
    monkeypatch.setattr(texts, "STORE", store)
    monkeypatch.setattr(texts, "_BUILT", {})
    cash = texts.text("cash", font=FONT, size=24, color="#ffffff")
    key = texts.store_key(("bank", 24.0, "#ffffff", "NORMAL", FONT))
    assert key is not None
    store.files[key] = pickle.dumps(cash)  # allow-listed classes, another text
    made = texts.text("bank", font=FONT, size=24, color="#ffffff")
    assert made.original_text == "bank" and len(made) == 4
    assert texts.load(store.files[key]).original_text == "bank"  # rebuilt and kept anew


def test_a_kept_glyph_atlas_with_glyphs_missing_is_built_anew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counter's glyphs come from one text of the digits: a kept one that is the right text
    but lacks glyphs is a miss (before, zip() failed in components._atlas)."""
    from scenes import components

    store = MemoryStore()
    monkeypatch.setattr(texts, "STORE", store)
    monkeypatch.setattr(texts, "_BUILT", {})
    monkeypatch.setattr(components, "_ATLAS", {})
    glyphs = components._GLYPHS
    full = texts.text(glyphs, font=FONT, size=30, color=components.SHAPE_ONLY)
    full.remove(full.submobjects[-1])
    key = texts.store_key((glyphs, 30.0, components.SHAPE_ONLY, "NORMAL", FONT))
    assert key is not None
    store.files[key] = pickle.dumps(full)
    monkeypatch.setattr(texts, "_BUILT", {})
    atlas = components._atlas(30, "NORMAL")
    assert sorted(atlas) == sorted(glyphs)
    assert len(texts.load(store.files[key])) == len(glyphs)  # the kept one replaced
