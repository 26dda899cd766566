"""Hostile and odd input: markup and LaTeX in sentences reach neither parser, names made from
sentences are safe file names, non-Latin scripts and emoji render with real glyphs, and the
limits (words, repeated targets, stop-words only, one word) are refused with a clear message.

Every scene registered in scenes.SCENES is rendered (PNG still, low quality) with one
hostile sentence; what reaches Pango and LaTeX is recorded on the way.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result
from PIL import Image

from attention_math.plan import Plan
from scenes.app import cli
from tests.conftest import needs_tools

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
HINDI = "वह नदी के किनारे बैठा।"
HOSTILE = (
    r"He sat by the river bank \input{secret.txt} & <b>bold</b> "
    r'<span foreground="red">x</span> 50% #1 $x$ a_b ~ ^ \\ \end{document}'
)
SECRET = "SENTINEL-7f3a9c"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


# ---------------------------------------------------------------------------------------------
# every scene, one hostile sentence


@pytest.fixture(scope="module")
def hostile_renders(
    tmp_path_factory: pytest.TempPathFactory, minilm_dir: Path
) -> Iterator[dict[str, Any]]:
    """Render every registered scene with HOSTILE (a PNG still each) in a folder that holds
    secret.txt, recording every Text / MarkupText made and every .tex file written."""
    import manim
    from manim.utils import tex_file_writing

    import scenes
    import scenes.texts
    from attention_math.request import PlanRequest
    from scenes.app import render

    work = tmp_path_factory.mktemp("hostile")
    (work / "secret.txt").write_text(SECRET, encoding="utf-8")
    senses = work / "senses.toml"
    senses.write_text(
        'target = "bank"\n[senses]\n'
        f'river = [{HOSTILE!r}, "The boat drifted toward the muddy bank."]\n'
        'money = ["He deposited cash at the <b>bank</b> & left.", '
        '"The bank raised its rates \\\\input{secret.txt}."]\n',
        encoding="utf-8",
    )
    texts: list[tuple[str, str, int]] = []  # (class, text, number of glyph mobjects)
    tex_sources: list[str] = []
    results: dict[str, Path] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        # Every text built here, not copied from one kept by an earlier render (scenes.texts)
        mp.setenv("XDG_CACHE_HOME", str(work / "cache"))
        mp.setattr(scenes.texts, "_BUILT", {})
        real_tex = tex_file_writing.generate_tex_file

        def spy_tex(expression: str, environment: Any = None, tex_template: Any = None) -> Any:
            path = real_tex(expression, environment, tex_template)
            tex_sources.append(Path(path).read_text(encoding="utf-8"))
            return path

        mp.setattr(tex_file_writing, "generate_tex_file", spy_tex)
        for cls in (manim.Text, manim.MarkupText):
            real_init = cls.__init__

            def init(self: Any, text: str, *a: Any, _real: Any = real_init,
                     _name: str = cls.__name__, **k: Any) -> None:  # fmt: skip
                _real(self, text, *a, **k)
                texts.append((_name, text, len(self.submobjects)))

            mp.setattr(cls, "__init__", init)
        for scene in scenes.SCENES:
            request = PlanRequest(HOSTILE, "bank", senses=senses)
            png, *model = render(request, scene=scene, formats=["png"], quality="low",
                                 out_dir=work / "out", force=True)  # fmt: skip
            # DriftScene's figure model next to it; a lecture scene has none
            drift = [png.with_suffix(".figure.json")] if scene == "DriftScene" else []
            assert model == drift, model
            results[scene] = png
    yield {"texts": texts, "tex": tex_sources, "results": results, "work": work}


def test_every_scene_renders_the_hostile_sentence(hostile_renders: dict[str, Any]) -> None:
    import scenes

    results = hostile_renders["results"]
    assert set(results) == set(scenes.SCENES)
    for scene, png in results.items():
        px = pixels(png)
        assert px.shape == (480, 854, 3), scene
        assert px.std() > 10, f"{scene}: blank"
        assert re.fullmatch(r"[a-z0-9-]{1,120}\.png", png.name), png.name  # MAX_STEM


def test_latex_never_sees_the_sentence(hostile_renders: dict[str, Any]) -> None:
    r"""No word of the sentence reaches LaTeX unescaped: no `\input{` in any document body,
    and the secret file's name and content appear nowhere in what LaTeX compiles."""
    for source in hostile_renders["tex"]:
        body = source.split(r"\begin{document}", 1)[-1]
        assert r"\input{" not in body, body
        assert "secret" not in source and SECRET not in source, body
        assert body.count(r"\end{document}") == 1
    # What LaTeX wrote (logs, SVGs) never holds the secret either.
    for path in (hostile_renders["work"]).rglob("*"):
        if path.is_file() and path.name != "secret.txt" and path.suffix != ".png":
            assert SECRET.encode() not in path.read_bytes(), path


def _plain(text: str) -> str:
    """The same characters with every markup-significant one replaced by a harmless one."""
    return text.translate(str.maketrans({"<": "(", ">": ")", "&": "+", '"': "'", ";": ","}))


def test_pango_markup_in_a_sentence_shows_literally(hostile_renders: dict[str, Any]) -> None:
    """`Text` does not parse markup: a text with `<b>`, `&`, `<span ...>` has as many glyphs
    as the same text with those characters swapped for plain ones; and no `MarkupText` is
    ever given the sentence's markup."""
    import manim

    checked = 0
    for name, text, glyphs in hostile_renders["texts"]:
        if name == "MarkupText":
            assert "<b>bold</b>" not in text and "<span foreground" not in text, text
            continue
        if any(c in text for c in "<>&") and len(text) < 200:
            reference = len(manim.Text(_plain(text)).submobjects)
            assert glyphs == reference, (text, glyphs, reference)
            checked += 1
    assert checked >= 3  # the chips "<", ">", "&" at least


# ---------------------------------------------------------------------------------------------
# names from sentences


@pytest.mark.parametrize(
    "text",
    [
        "../../etc/passwd",
        "/absolute/path",
        "..",
        "a\x00b\x1b[31mred\x07",
        "\u202eexe.txt",  # right-to-left override
        "x" * 500,
        "🏦🌊",
        HINDI,
        "CON",
        "  --  ",
        "Ünïcödé wörds",
    ],
)
def test_names_from_sentences_are_safe_file_names(text: str) -> None:
    from scenes.app.files.names import safe_stem

    stem = safe_stem(text)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", stem), stem
    assert len(stem) <= 60
    assert stem not in (".", "..")
    assert safe_stem(stem) == stem  # stable


def test_scripts_without_ascii_get_distinct_names() -> None:
    from scenes.app.files.names import safe_stem

    assert safe_stem(HINDI) != safe_stem("वह नदी")
    assert safe_stem(HINDI).startswith("render-")


def test_cli_refuses_a_name_that_is_a_path(tmp_path: Path) -> None:
    for name in ("../x", "a/b", ".."):
        result = run("render", "He sat on the river bank.", "-t", "bank", "--out", tmp_path,
                     "--name", name)  # fmt: skip
        assert result.exit_code == 1
        assert "is not a plain file name" in result.stderr
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# limits and odd sentences (before anything renders)


@pytest.mark.parametrize("command", ["plan", "render"])
def test_a_60_word_sentence_is_refused_with_the_limit(command: str, tmp_path: Path) -> None:
    vectors = tmp_path / "v.toml"
    vectors.write_text("bank = [1, 0]\nriver = [0, 1]\n", encoding="utf-8")
    sentence = " ".join(["river"] * 59 + ["bank"])
    extra = ["--out", tmp_path / "o"] if command == "render" else []
    result = run(command, sentence, "-t", "bank", "--embeddings", vectors, *extra)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: the sentence has 60 words; at most 40 fit on screen readably (split it, or "
        "shorten it)"
    )
    assert not (tmp_path / "o").exists()


def test_a_40_word_sentence_lays_out(tmp_path: Path) -> None:
    """At the limit the chips still fit: the layout check every render runs passes."""
    from attention_math import build_plan
    from scenes.drift import DriftScene
    from scenes.job import job_for

    words = ["river", "bank", "sat", "cash", "deposited"]
    vectors = tmp_path / "v.toml"
    vectors.write_text("".join(f"{w} = [{i + 1}, {i % 2}]\n" for i, w in enumerate(words)),
                       encoding="utf-8")  # fmt: skip
    sentence = " ".join(["bank"] + [words[i % 5] for i in range(1, 40)])
    plan = build_plan(sentence, "bank", embeddings_file=vectors, target_index=0)
    scene = type("S", (DriftScene,), {"job": job_for(plan)})()
    scene.setup()  # raises LayoutError when labels overlap or leave the frame


@pytest.mark.parametrize(
    ("sentence", "target", "extra", "message"),
    [
        ("The bank by the river bank.", "bank", [],
         "'bank' occurs 2 times (tokens 1, 5); choose one with --target-index"),
        ("The bank of the and at on.", "bank", [], "has no context words to attend to"),
        ("bank", "bank", [], "has no context words to attend to"),
        ("🏦 🌊 💰", "bank", [], "has no words"),
        ("bank", "bank", ["--keep-stopwords"], "has no context words"),
    ],
)  # fmt: skip
def test_odd_sentences_are_refused_clearly(
    sentence: str, target: str, extra: list[str], message: str, tmp_path: Path
) -> None:
    vectors = tmp_path / "v.toml"
    vectors.write_text("bank = [1, 0]\nriver = [0, 1]\n", encoding="utf-8")
    result = run("render", sentence, "-t", target, "--embeddings", vectors, "--out",
                 tmp_path / "o", *extra)  # fmt: skip
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert not (tmp_path / "o").exists()


def test_stop_words_only_suggests_keep_stopwords(tmp_path: Path) -> None:
    vectors = tmp_path / "v.toml"
    vectors.write_text("the = [1, 0]\non = [0, 1]\nat = [1, 1]\n", encoding="utf-8")
    result = run("plan", "On the at.", "-t", "the", "--embeddings", vectors)
    assert result.exit_code == 1
    assert "try --keep-stopwords" in result.stderr
    ok = run("plan", "On the at.", "-t", "the", "--embeddings", vectors, "--keep-stopwords")
    assert ok.exit_code == 0, ok.output


# ---------------------------------------------------------------------------------------------
# scripts and emoji: real glyphs, not boxes


def glyph_counts(text: str) -> int:
    import manim

    return len(manim.Text(text).submobjects)


def test_a_missing_glyph_would_show_as_a_hex_box() -> None:
    """The check below can fail: Pango draws a character no font has as a box with its hex
    code (several mobjects for one character)."""
    assert glyph_counts("\U000e0100x") > 2 or glyph_counts("\u0378") > 1


@pytest.mark.parametrize(
    ("script", "sample", "fc_lang"),
    [
        ("Devanagari", "किनारे नदी बैठा", "hi"),
        ("Arabic", "بنك النهر", "ar"),
        ("Cyrillic", "банк реки", "ru"),
        ("Greek", "όχθη ποταμού", "el"),
    ],
)
def test_scripts_have_a_font_with_their_glyphs(script: str, sample: str, fc_lang: str) -> None:
    needs_tools("fc-list")
    fonts = subprocess.run(["fc-list", f":lang={fc_lang}", "family"], capture_output=True,
                           text=True).stdout  # fmt: skip
    assert fonts.strip(), f"no font for {script}: install fonts-noto-core (./render.sh does)"
    from scenes.components import label
    from scenes.theme import DARK

    for word in sample.split():
        glyphs = len(label(word, DARK).submobjects)
        assert 0 < glyphs <= len(word), (script, word, glyphs)  # no boxes, nothing lost


def test_emoji_have_glyphs() -> None:
    from scenes.components import label
    from scenes.theme import DARK

    for emoji in ("🏦", "🌊", "💰"):
        assert len(label(emoji, DARK).submobjects) == 1, emoji


def test_devanagari_sentence_renders_with_a_user_embedding_file(tmp_path: Path) -> None:
    """assets/examples/hindi.toml: a Devanagari sentence, a still with real glyphs."""
    result = run("render", HINDI, "-t", "किनारे", "--embeddings",
                 REPO / "assets" / "examples" / "hindi.toml", "--format", "png", "--quality",
                 "low", "--out", tmp_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    png, figure, plan_json = (Path(p) for p in result.stdout.split())
    assert png.name.startswith("render-") and png.suffix == ".png"
    assert figure == png.with_suffix(".figure.json")
    plan = Plan.load(plan_json)
    assert [w.text for w in plan.sentences[0].words] == ["वह", "नदी", "के", "किनारे", "बैठा", "।"]
    # Hindi's stop-words (assets/stopwords/hi.txt, detected from the script) stay out
    hindi = set((REPO / "assets" / "stopwords" / "hi.txt").read_text(encoding="utf-8").split())
    assert {"वह", "के"} <= hindi and not {"नदी", "किनारे", "बैठा"} & hindi
    assert [w.included for w in plan.sentences[0].words[:5]] == [False, True, False, True, True]
    assert plan.sentences[0].language == "hi"
    px = pixels(png)
    assert px.std() > 10
    # The chips row (top of the frame) has ink in it: the words were drawn.
    assert (px[:60].max(axis=2) > 128).sum() > 500


@pytest.fixture
def chips_of() -> Callable[[str, str, Path], list[Any]]:
    def build(sentence: str, target: str, vectors: Path) -> list[Any]:
        from attention_math import build_plan
        from scenes.drift import DriftScene
        from scenes.job import job_for

        plan = build_plan(sentence, target, embeddings_file=vectors)
        scene = type("S", (DriftScene,), {"job": job_for(plan)})()
        scene.setup()
        return [c for row in scene.chips for c in row.values()]

    return build


def test_devanagari_and_emoji_chips_have_glyphs(
    chips_of: Callable[[str, str, Path], list[Any]],
) -> None:
    chips = chips_of(HINDI + " 🌊", "किनारे", REPO / "assets" / "examples" / "hindi.toml")
    for chip in chips:
        assert 0 < len(chip.word.glyphs) <= len(chip.word.text), chip.word.text
