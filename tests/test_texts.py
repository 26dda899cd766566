"""Texts built once (scenes.texts) and kept across runs (scenes.app.cache.texts.PrivateFiles):
every copy is a new, independent Text equal to one Manim builds itself; a store's bytes are
read only if they are a text, and only from this user's own files."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
from manim import Text

from scenes import texts
from scenes.app.cache.texts import TEXT_SUFFIX, PrivateFiles
from scenes.theme import FONT


class MemoryStore:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.files.get(key)

    def put(self, key: str, data: bytes) -> None:
        self.files[key] = data


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> MemoryStore:
    memory = MemoryStore()
    monkeypatch.setattr(texts, "STORE", memory)
    monkeypatch.setattr(texts, "_BUILT", {})
    return memory


def outlines(t: Text) -> list[np.ndarray]:
    return [g.points for g in t.submobjects]


def test_a_kept_text_is_the_text_manim_builds(store: MemoryStore) -> None:
    made = texts.text("river bank 0.51", font=FONT, size=26, color="#88c0d0", weight="BOLD")
    manim = Text("river bank 0.51", font=FONT, font_size=26, color="#88c0d0", weight="BOLD")
    assert made.text == manim.text and len(made) == len(manim) == 13
    for a, b in zip(outlines(made), outlines(manim), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-9)
    assert made.font_size == pytest.approx(26)
    assert made[0].get_fill_color().to_hex().lower() == "#88c0d0"
    assert len(store.files) == 1  # built once, and stored


def test_every_use_is_a_new_independent_copy(store: MemoryStore) -> None:
    a = texts.text("bank", font=FONT, size=24, color="#ffffff")
    b = texts.text("bank", font=FONT, size=24, color="#ffffff")
    assert a is not b and a[0] is not b[0]
    before = b[0].points.copy()
    a.shift([1.0, 2.0, 0.0]).set_color("#ff0000")
    np.testing.assert_array_equal(b[0].points, before)
    assert b[0].get_fill_color().to_hex().lower() == "#ffffff"
    assert a.chars[0] is a[0]  # the text's own structure survives the copy


def test_a_stored_text_is_used_by_the_next_process(store: MemoryStore, monkeypatch) -> None:
    first = texts.text("deposited", font=FONT, size=22, color="#ffffff")
    monkeypatch.setattr(texts, "_BUILT", {})  # a new process: only the store remains

    def no_pango(*args: object, **kwargs: object) -> None:
        raise AssertionError("built again, although stored")

    monkeypatch.setattr(texts, "_build", no_pango)
    again = texts.text("deposited", font=FONT, size=22, color="#ffffff")
    for a, b in zip(outlines(first), outlines(again), strict=True):
        np.testing.assert_array_equal(a, b)


class Planted:
    """Unpickling this would run os.system; a text store must never do that."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch planted",))


def test_foreign_bytes_in_the_store_are_a_miss_and_never_run(
    store: MemoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    key = texts.store_key(("cash", 24.0, "#ffffff", "NORMAL", FONT))
    for foreign in (pickle.dumps(Planted()), pickle.dumps({"not": "a text"}), b"\x80garbage"):
        store.files[key] = foreign
        monkeypatch.setattr(texts, "_BUILT", {})
        made = texts.text("cash", font=FONT, size=24, color="#ffffff")
        assert made.text == "cash"
        assert store.files[key] != foreign  # rebuilt and stored anew
    assert not (tmp_path / "planted").exists()


def test_the_text_cache_reads_only_this_users_own_files(tmp_path: Path) -> None:
    folder = tmp_path / "texts-built"
    folder.mkdir(mode=0o700)
    cache = PrivateFiles(folder, suffix=TEXT_SUFFIX)
    cache.put("k", b"bytes")
    assert cache.get("k") == b"bytes"
    assert cache.get("missing") is None
    path = folder / f"k{TEXT_SUFFIX}"
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o620)  # someone else may write it: not trusted
    assert cache.get("k") is None
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_an_unwritable_cache_only_means_no_sharing(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    cache = PrivateFiles(folder, suffix=TEXT_SUFFIX)  # the folder was removed: put fails
    cache.put("k", b"bytes")  # quietly, get misses
    assert cache.get("k") is None


def test_a_cache_folder_others_may_write_is_emptied_and_made_private(tmp_path: Path) -> None:
    from scenes.app.cache.texts import private_folder

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    (shared / f"planted{TEXT_SUFFIX}").write_bytes(b"x")
    assert private_folder(shared) == shared
    assert shared.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in shared.iterdir()] == [".pruned"]  # what was planted is gone
    assert private_folder(tmp_path / "mine") == tmp_path / "mine"
    assert (tmp_path / "mine").stat().st_mode & 0o077 == 0


def test_a_text_the_store_could_not_read_back_is_not_stored(
    store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new Manim that pickles a class the list does not name: texts still work (in this
    process), they are only not kept across runs."""
    monkeypatch.setattr(texts, "ALLOWED", set())
    a = texts.text("bank", font=FONT, size=24, color="#ffffff")
    b = texts.text("bank", font=FONT, size=24, color="#ffffff")
    assert a.text == b.text == "bank" and a is not b
    assert store.files == {}


def test_built_texts_leave_the_cache_after_months_unused(tmp_path: Path) -> None:
    import time

    from scenes.app.cache.texts import CACHE_DAYS, _prune

    now = time.time()
    old, recent = tmp_path / f"old{TEXT_SUFFIX}", tmp_path / f"recent{TEXT_SUFFIX}"
    for path, age_days in ((old, CACHE_DAYS + 1), (recent, CACHE_DAYS - 1)):
        path.write_bytes(b"x")
        os.utime(path, (now - age_days * 86400,) * 2)
    _prune(tmp_path, now)
    assert not old.exists() and recent.exists()


class OldStyleEnums(pickle.Pickler):
    """Pickles an enum member as Python 3.11.2 (Debian 12's) does: getattr(cls, name)."""

    def reducer_override(self, obj: object) -> object:
        from enum import Enum

        if isinstance(obj, Enum):
            return (getattr, (type(obj), obj.name))
        return NotImplemented


def test_a_text_pickled_with_getattr_enums_is_read_back(tmp_path: Path) -> None:
    """A store written by Debian 12's Python (enum members as getattr) is used, not refused."""
    made = texts.text("cash", font=FONT, size=24, color="#ffffff")
    buffer = io.BytesIO()
    OldStyleEnums(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(made)
    assert b"getattr" in buffer.getvalue()  # the old form, as the test means
    back = texts.load(buffer.getvalue(), ("cash", 24.0, "#ffffff", "NORMAL", FONT))
    assert back is not None and back.text == "cash"
    assert back.cap_style == made.cap_style


class Reaching:
    """getattr(PosixPath, "unlink") in a pickle (PosixPath is allowed, a text's SVG name):
    the store's getattr gives enum members only."""

    def __reduce__(self) -> tuple[object, tuple[object, str]]:
        return (getattr, (Path(".").__class__, "unlink"))


def test_getattr_in_a_pickle_reaches_nothing_but_the_enums() -> None:
    assert texts.load(pickle.dumps(Reaching())) is None
    assert texts.load(pickle.dumps(Planted())) is None


def test_a_text_built_by_another_version_of_this_code_is_not_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's names hold scenes/texts.py's own source: a cache filled by an older (or a
    development) version of how texts are built is a miss after an upgrade."""
    key = ("bank", 26.0, "#FFFFFF", "NORMAL", FONT)
    texts._made_by.cache_clear()
    before = texts.store_key(key)
    edited = tmp_path / "texts.py"
    edited.write_bytes(Path(texts.__file__).read_bytes() + b"\n# a change in how texts are built\n")
    monkeypatch.setattr(texts, "__file__", str(edited))
    texts._made_by.cache_clear()
    try:
        after = texts.store_key(key)
    finally:
        monkeypatch.undo()
        texts._made_by.cache_clear()
    assert before is not None and after is not None and before != after
    assert texts.store_key(key) == before


def test_a_text_laid_out_on_a_tiny_page_does_not_poison_the_caches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pango drops the glyphs outside its page, and Manim's SVG names do not hold the page's
    size: a text first made during a 16×9 pass came back empty in every later render (both
    the SVG cache and the built texts). Both are kept per page size now."""
    from manim import tempconfig

    from scenes.app.cache.texts import share_svgs

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(texts, "_BUILT", {})
    monkeypatch.setattr(texts, "STORE", None)
    args = dict(font=FONT, size=32.0, color="#FFFFFF")
    title = "Attention pulls “bank” towards its context"
    with tempconfig({"pixel_width": 16, "pixel_height": 9, "text_dir": str(tmp_path / "a")}):
        share_svgs(tmp_path / "a")
        tiny = texts.text(title, **args)
    with tempconfig({"pixel_width": 854, "pixel_height": 480, "text_dir": str(tmp_path / "b")}):
        share_svgs(tmp_path / "b")
        normal = texts.text(title, **args)
    assert len(tiny.submobjects) < len(normal.submobjects)  # the tiny page did lose glyphs
    assert normal.width > 5.0 and len(normal.submobjects) == len(title.replace(" ", ""))
