"""Spec files: strict validation with messages naming `renders[i].field` (counted from 0),
every bad entry reported before anything renders, and a spec is data, never executed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from attention_math.errors import InputError
from scenes.app.spec import (
    MAX_SPEC_BYTES,
    SpecError,
    build_plans,
    load_spec,
    parse_spec,
)
from tests.conftest import CASH, RIVER, TOML_VECTORS, write_spec


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    (tmp_path / "vectors.toml").write_text(TOML_VECTORS, encoding="utf-8")
    return tmp_path


def problems(path: Path) -> list[str]:
    """The problems load_spec + build_plans report for `path` (asserts there are some)."""
    with pytest.raises(SpecError) as info:
        spec = load_spec(path)
        build_plans(spec)
    assert isinstance(info.value, InputError)  # the CLI shows it as a user error
    return list(info.value.problems)


# ---------------------------------------------------------------------------------------------
# a good spec


def test_a_full_spec_reads_with_defaults_and_relative_paths(spec_dir: Path) -> None:
    path = write_spec(spec_dir, f"""\
        out = "media/course"

        [defaults]
        quality = "low"
        formats = ["png", "mp4", "png"]
        embeddings = "vectors.toml"
        order = "sentence"

        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        compare = ["{CASH}"]
        name = "bank-river"

        [[renders]]
        sentence = "{CASH}"
        target = "BANK"
        theme = "light"
        quality = "high"
        scale = 0.5
        keep_stopwords = false
        target_index = 5
    """)  # fmt: skip
    spec = load_spec(path)
    assert spec.out == spec_dir / "media" / "course"
    first, second = spec.entries
    assert (first.index, second.index) == (0, 1)
    assert first.request.compare == (CASH,)
    assert first.options.formats == ("png", "mp4")  # repeated format once
    assert (first.options.quality, first.options.theme) == ("low", "dark")
    assert first.request.order == "sentence"
    assert first.request.embeddings == spec_dir / "vectors.toml"  # relative to the spec folder
    assert (second.options.quality, second.options.theme) == ("high", "light")
    assert (second.request.scale, second.request.target_index) == (0.5, 5)
    assert (first.options.name, second.options.name) == ("bank-river", None)
    plan_a, plan_b = build_plans(spec)
    assert [s.text for s in plan_a.sentences] == [RIVER, CASH]
    assert plan_a.attention.order == "sentence"
    assert plan_b.sentences[0].scale == 0.5


def test_example_course_spec_is_valid() -> None:
    """assets/examples/course.toml, the README's example, reads and plans."""
    repo = Path(__file__).resolve().parents[1]
    spec = load_spec(repo / "assets" / "examples" / "course.toml")
    assert len(spec.entries) >= 4
    assert len(build_plans(spec)) == len(spec.entries)


def test_spec_choices_come_from_the_scenes(spec_dir: Path) -> None:
    import scenes

    path = write_spec(spec_dir, f"""\
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        scene = "NoSuchScene"
    """)  # fmt: skip
    (problem,) = problems(path)
    assert problem == f'renders[0].scene: "NoSuchScene" is not one of {", ".join(scenes.SCENES)}'


def test_a_spec_can_say_every_command_line_option() -> None:
    """The spec's keys and the command line's options come from the same two dataclasses."""
    from scenes.app import cli
    from scenes.app.options import flag
    from scenes.app.spec import ENTRY_KEYS

    flags = {o for p in cli.main.commands["render"].params for o in p.opts}
    assert {flag(k) for k in ENTRY_KEYS if k != "sentence"} <= flags
    for key in ("analogy", "slides", "stills", "transparent", "senses", "model_dir"):
        assert key in ENTRY_KEYS


# ---------------------------------------------------------------------------------------------
# shape and types: every problem names the entry and the field


def test_the_issue_example_message(spec_dir: Path) -> None:
    path = write_spec(spec_dir, f"""\
        [defaults]
        embeddings = "vectors.toml"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        [[renders]]
        sentence = "{CASH}"
        target = "bank"
        [[renders]]
        sentence = "{RIVER}"
        target = "river"
        [[renders]]
        sentence = "{RIVER}"
        target = "bnak"
    """)  # fmt: skip
    assert problems(path) == [
        'renders[3].target: "bnak" is not a word of the sentence; closest: "bank"'
    ]


def test_unknown_keys_are_errors_with_the_closest_key(spec_dir: Path) -> None:
    path = write_spec(spec_dir, f"""\
        ouput = "media"
        [defaults]
        qualty = "low"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        fromats = ["gif"]
        colour = "red"
    """)  # fmt: skip
    assert problems(path) == [
        'ouput: unknown key; closest: "out" (a spec has out, defaults, renders)',
        'defaults.qualty: unknown key; closest: "quality"',
        'renders[0].fromats: unknown key; closest: "formats"',
        "renders[0].colour: unknown key",
    ]


def test_render_instead_of_renders(spec_dir: Path) -> None:
    path = write_spec(spec_dir, f'[[render]]\nsentence = "{RIVER}"\ntarget = "bank"\n')
    assert problems(path) == [
        'render: unknown key; closest: "renders" (a spec has out, defaults, renders)',
        "no renders: add a [[renders]] table with at least sentence and target",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("target_index = true", "renders[0].target_index: must be a whole number"),
        ("target_index = -1", "renders[0].target_index: must be at least 0, got -1"),
        ("target_index = 1.5", "renders[0].target_index: must be a whole number"),
        (
            'formats = "mp4"',
            'renders[0].formats: must be a list of formats, like ["gif", "mp4"], got "mp4"',
        ),
        ("formats = []", "renders[0].formats: must be a list of formats"),
        ('formats = ["mp3"]', 'renders[0].formats: "mp3" is not one of gif, mp4, png'),
        ('quality = "8k"', 'renders[0].quality: "8k" is not one of low, medium, high, 4k'),
        ('quality = "hgih"', '; closest: "high"'),
        ('theme = "neon"', 'renders[0].theme: "neon" is not one of dark, light'),
        ("theme = 1", "renders[0].theme: must be a theme name in quotes, got 1"),
        ('order = "random"', 'renders[0].order: "random" is not one of weight, sentence'),
        ('keep_stopwords = "yes"', 'renders[0].keep_stopwords: must be true or false, got "yes"'),
        ('compare = "He sat."', "renders[0].compare: must be a list of sentences"),
        ("compare = [1, 2]", "renders[0].compare: must be a list of sentences"),
        ("scale = 0", "renders[0].scale: must be a positive number, got 0"),
        ("scale = -2.5", "renders[0].scale: must be a positive number"),
        ("scale = nan", "renders[0].scale: must be a positive number"),
        (
            'scale = "big"',
            "renders[0].scale: scale 'big' is not understood; use auto, "
            "1/sqrt(d), 1 or a positive number",
        ),
        ("scale = [1]", "renders[0].scale: must be a positive number or"),
        ("layer = 0", "renders[0].layer: must be at least 1, got 0"),
        ('head = "max"', 'renders[0].head: must be a head number, from 1, or "mean", got "max"'),
        ("mode = 3", "renders[0].mode: must be a mode name in quotes, got 3"),
        ('name = "../etc/passwd"', 'renders[0].name: "../etc/passwd" is not a plain file name'),
        ('name = "a/b"', 'renders[0].name: "a/b" is not a plain file name'),
        ('name = ".."', 'renders[0].name: ".." is not a plain file name'),
        ('name = "   "', "renders[0].name: is empty"),
        ('name = "bank\\u0000x"', 'renders[0].name: "bank\x00x" has control characters'),
        ('name = "bank\\u001b[31m"', "has control characters"),
        (f'name = "{"x" * 101}"', "renders[0].name: is 101 characters; at most 100"),
        ("sentence = 42", "renders[0].sentence: must be a sentence in quotes, got 42"),
        ('target = ["bank"]', "renders[0].target: must be the word to follow, in quotes"),
        ("embeddings = 7", "renders[0].embeddings: must be a file name in quotes"),
    ],
)
def test_bad_values_name_the_field(spec_dir: Path, line: str, message: str) -> None:
    key = line.split(" = ")[0]
    body = {"sentence": f'"{RIVER}"', "target": '"bank"'}
    body[key] = line.split(" = ", 1)[1]
    text = "[[renders]]\n" + "".join(f"{k} = {v}\n" for k, v in body.items())
    path = write_spec(spec_dir, text)
    found = problems(path)
    assert len(found) == 1, found
    assert message in found[0], found


def test_every_bad_entry_is_reported_at_once(spec_dir: Path) -> None:
    path = write_spec(spec_dir, f"""\
        [defaults]
        embeddings = "vectors.toml"
        [[renders]]
        sentence = "{RIVER}"
        [[renders]]
        target = "bank"
        quality = "huge"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        theme = "neon"
    """)  # fmt: skip
    assert problems(path) == [
        "renders[0].target: missing (target = the word to follow, in quotes)",
        "renders[1].sentence: missing (sentence = a sentence in quotes)",
        'renders[1].quality: "huge" is not one of low, medium, high, 4k',
        'renders[3].theme: "neon" is not one of dark, light',
    ]


def test_every_entry_whose_plan_fails_is_reported(spec_dir: Path) -> None:
    """Plans are built for all entries before anything renders; each failure names its
    field: the sentence, the target, a compared sentence, the embeddings file. (A file that
    is not there at all is found before any plan: test_hostile_store.)"""
    (spec_dir / "one-number.toml").write_text("bank = [1.0]\n", encoding="utf-8")
    path = write_spec(spec_dir, f"""\
        [defaults]
        embeddings = "vectors.toml"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        compare = ["{CASH}", "He sat by the meadow bank."]
        [[renders]]
        sentence = "He sat by the meadow bank."
        target = "bank"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        embeddings = "one-number.toml"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        compare = ["He sat."]
    """)  # fmt: skip
    found = problems(path)
    assert found == [
        'renders[0].compare[1]: "meadow" is not in the embeddings file vectors.toml; add a '
        "vector for it or leave it out of the sentence",
        'renders[1].sentence: "meadow" is not in the embeddings file vectors.toml; add a '
        "vector for it or leave it out of the sentence",
        "renders[2].embeddings: one-number.toml: vectors need at least 2 numbers to be drawn "
        "in 2-D",
        'renders[4].compare[0]: "bank" is not a word of compare sentence 1 (“He sat.”); no word '
        "of compare sentence 1 is close",
    ]


def test_a_bad_default_is_reported_once_where_it_is(spec_dir: Path) -> None:
    path = write_spec(spec_dir, f"""\
        [defaults]
        quality = "ultra"
        sentence = "shared"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        [[renders]]
        sentence = "{CASH}"
        target = "bank"
    """)  # fmt: skip
    assert problems(path) == [
        "defaults.sentence: belongs in each [[renders]] table, not in [defaults]",
        'defaults.quality: "ultra" is not one of low, medium, high, 4k',
    ]


def test_target_twice_needs_target_index(spec_dir: Path) -> None:
    (spec_dir / "v.toml").write_text("bank = [1, 0]\nriver = [0, 1]\n", encoding="utf-8")
    path = write_spec(
        spec_dir,
        """\
        [[renders]]
        sentence = "The bank by the river bank."
        target = "bank"
        embeddings = "v.toml"
        [[renders]]
        sentence = "The bank by the river bank."
        target = "bank"
        embeddings = "v.toml"
        target_index = 2
    """,
    )
    assert problems(path) == [
        "renders[0].target: 'bank' occurs 2 times (tokens 1, 5); choose one with target_index",
        "renders[1].target_index: token 2 is 'by', not 'bank'; it occurs at token 1, 5",
    ]
    path = write_spec(
        spec_dir,
        """\
        [[renders]]
        sentence = "The bank by the river bank."
        target = "bank"
        embeddings = "v.toml"
        target_index = 5
    """,
    )
    (plan,) = build_plans(load_spec(path))
    assert plan.sentences[0].target_index == 5


def test_a_60_word_sentence_is_refused_with_the_limit(spec_dir: Path) -> None:
    long = " ".join(["river"] * 30 + ["bank"] + ["sat"] * 29)
    path = write_spec(spec_dir, f"""\
        [[renders]]
        sentence = "{long}"
        target = "bank"
        embeddings = "vectors.toml"
    """)  # fmt: skip
    assert problems(path) == [
        "renders[0].sentence: the sentence has 60 words; at most 40 fit on screen readably "
        "(split it, or shorten it)"
    ]


@pytest.mark.parametrize(
    ("sentence", "target", "message"),
    [
        ("The of and at the.", "the", "renders[0].target: 'the' occurs 2 times"),
        (
            "Bank.",
            "bank",
            'renders[0].sentence: "Bank" has no context words to attend to in the sentence '
            "'Bank.' (the others are punctuation or symbols)",
        ),
        ("On the bank.", "bank", 'renders[0].sentence: "bank" has no context words'),
        ("", "bank", "renders[0].sentence: the sentence is empty"),
        ("?! …", "bank", "renders[0].sentence: the sentence '?! …' has no words"),
        ("🏦 🌊 💰", "bank", "renders[0].sentence: the sentence '🏦 🌊 💰' has no words"),
    ],
)
def test_odd_sentences(spec_dir: Path, sentence: str, target: str, message: str) -> None:
    path = write_spec(spec_dir, f"""\
        [[renders]]
        sentence = "{sentence}"
        target = "{target}"
        embeddings = "vectors.toml"
    """)  # fmt: skip
    (problem,) = problems(path)
    assert problem.startswith(message), problem


def test_emoji_in_a_sentence_are_symbols(spec_dir: Path) -> None:
    path = write_spec(
        spec_dir,
        """\
        [[renders]]
        sentence = "He sat 🏦 on the river bank 🌊🇮🇳."
        target = "bank"
        embeddings = "vectors.toml"
    """,
    )
    (plan,) = build_plans(load_spec(path))
    emoji = [w for w in plan.sentences[0].words if not w.is_word and w.text != "."]
    assert [w.text for w in emoji] == ["🏦", "🌊", "🇮🇳"]
    assert not any(w.included for w in emoji)


def test_sentence_length_is_bounded(spec_dir: Path) -> None:
    path = write_spec(spec_dir, f'[[renders]]\nsentence = "bank {"x" * 2000}"\ntarget = "bank"\n')
    assert problems(path) == ["renders[0].sentence: has 2,005 characters; at most 1000 are shown"]


# ---------------------------------------------------------------------------------------------
# the file itself


def test_a_spec_with_zero_renders(spec_dir: Path) -> None:
    assert problems(write_spec(spec_dir, "renders = []\n")) == [
        "renders is empty: a spec needs at least one render"
    ]
    assert problems(write_spec(spec_dir, "# nothing yet\n")) == [
        "no renders: add a [[renders]] table with at least sentence and target"
    ]
    assert problems(write_spec(spec_dir, 'renders = ["He sat."]\n')) == [
        "renders: must be tables, written [[renders]] (one per render)"
    ]


def test_a_non_utf8_spec_names_the_line(spec_dir: Path) -> None:
    path = spec_dir / "latin1.toml"
    path.write_bytes(b'[[renders]]\ntarget = "bank"\nsentence = "caf\xe9 by the bank"\n')
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(info.value) == (
        "latin1.toml: line 3: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    )


def test_a_utf8_bom_is_fine(spec_dir: Path) -> None:
    path = spec_dir / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + f'[[renders]]\nsentence = "{RIVER}"\ntarget = "bank"\n'
                     .encode())  # fmt: skip
    assert load_spec(path).entries[0].request.sentence == RIVER


def test_invalid_toml_names_the_line(spec_dir: Path) -> None:
    path = write_spec(spec_dir, '[[renders]]\nsentence = "He sat.\ntarget = "bank"\n')
    (problem,) = problems(path)
    assert problem.startswith("not valid TOML: ")
    assert "line 2" in problem


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "nope.toml", "does not exist"),
        (lambda d: d, "is a folder, not a spec file"),
        (lambda d: Path("/dev/zero"), "is not a regular file"),
    ],
)
def test_a_spec_path_that_is_not_a_file(
    spec_dir: Path, make: Callable[[Path], Path], message: str
) -> None:
    with pytest.raises(SpecError, match=message):
        load_spec(make(spec_dir))


def test_a_huge_spec_is_refused_before_reading(spec_dir: Path) -> None:
    path = spec_dir / "huge.toml"
    with open(path, "wb") as f:
        f.truncate(MAX_SPEC_BYTES + 1)  # sparse: no 4 MB written
    with pytest.raises(SpecError, match="a spec is at most"):
        load_spec(path)


@pytest.mark.parametrize("out", ["/tmp/elsewhere", "../outside", "media/../../x", "C:\\\\x", ""])
def test_out_stays_inside_the_spec_folder(spec_dir: Path, out: str) -> None:
    path = write_spec(spec_dir, f'out = "{out}"\n[[renders]]\nsentence = "{RIVER}"\n'
                                f'target = "bank"\n')  # fmt: skip
    (problem,) = problems(path)
    assert problem.startswith("out: ")


# ---------------------------------------------------------------------------------------------
# data only


def test_a_spec_is_data_nothing_in_it_runs(spec_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shell, Python and template syntax in values stay text: nothing is executed, imported,
    expanded or substituted."""
    monkeypatch.chdir(spec_dir)
    monkeypatch.setenv("SECRET_VALUE", "leaked")
    pwned = spec_dir / "pwned"
    tricks = [
        f"$(touch {pwned}) bank river",
        f"`touch {pwned}` bank river",
        "__import__('os').system('touch pwned') bank river",
        "${SECRET_VALUE} {{7*7}} %(x)s bank river",
    ]
    text = "".join(
        f"[[renders]]\nsentence = {s!r}\ntarget = 'bank'\nname = 'n{i}'\n"
        f"embeddings = '~/$SECRET_VALUE.toml'\n"
        for i, s in enumerate(tricks)
    )
    literal = spec_dir / "~" / "$SECRET_VALUE.toml"  # the name as written, nothing expanded
    literal.parent.mkdir()
    literal.write_text(TOML_VECTORS, encoding="utf-8")
    spec = parse_spec(text.encode(), base=spec_dir, source="tricks.toml")
    assert [e.request.sentence for e in spec.entries] == tricks
    assert all(e.request.embeddings == spec_dir / "~" / "$SECRET_VALUE.toml" for e in spec.entries)
    with pytest.raises(SpecError):
        build_plans(spec)  # the file holds none of the sentences' other words
    assert not pwned.exists()
    assert not (spec_dir / "pwned").exists()


def test_spec_module_never_imports_manim() -> None:
    code = textwrap.dedent("""
        import sys
        from scenes.app import spec
        from pathlib import Path
        s = spec.parse_spec(b'[[renders]]\\nsentence = "a bank river"\\ntarget = "bank"\\n',
                            base=Path("."))
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("manim", "cairo")
                     or (m.startswith("scenes.") and not m.startswith("scenes.app"))))
    """)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------
# options of other modes and scenes reach the request


def test_model_options_reach_the_request(spec_dir: Path) -> None:
    path = write_spec(spec_dir, f"""\
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        mode = "model"
        layer = 3
        head = 2
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        mode = "model"
        head = "mean"
        layer = 2
        drop_specials = true
    """)  # fmt: skip
    first, second = (e.request for e in load_spec(path).entries)
    assert (first.mode, first.layer, first.head) == ("model", 3, 2)
    assert (second.head, second.layer, second.drop_specials) == ("mean", 2, True)


def test_an_analogy_and_the_media_options_in_a_spec(spec_dir: Path) -> None:
    """A spec says what the command line says: an analogy (no sentence, no target), slides,
    stills, a transparent render."""
    path = write_spec(spec_dir, """\
        [[renders]]
        scene = "AnalogyScene"
        analogy = "king - man + woman = queen"
        embeddings = "vectors.toml"
        slides = true
        stills = true
        [[renders]]
        sentence = "He sat on the river bank."
        target = "bank"
        transparent = true
        formats = ["webm"]
    """)  # fmt: skip
    analogy, clear = load_spec(path).entries
    assert analogy.request.analogy == "king - man + woman = queen"
    assert analogy.request.needs == {"analogy"}
    assert analogy.request.embeddings == spec_dir / "vectors.toml"
    assert (analogy.options.slides, analogy.options.stills) == (True, True)
    assert clear.options.transparent and clear.options.palette == "transparent-dark"
    path = write_spec(spec_dir, f"""\
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        analogy = "a - b + c"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        transparent = true
        formats = ["mp4"]
    """)  # fmt: skip
    assert problems(path) == [
        "renders[0].analogy: analogy goes with a scene that draws an analogy",
        "renders[1].transparent: transparent needs a format with alpha, mov or webm (mp4 has "
        "no transparency)",
    ]


def test_bad_entries_and_bad_plans_are_reported_together(spec_dir: Path) -> None:
    path = write_spec(spec_dir, f"""\
        [defaults]
        embeddings = "vectors.toml"
        [[renders]]
        sentence = "{RIVER}"
        target = "bnak"
        [[renders]]
        sentence = "{RIVER}"
        target = "bank"
        quality = "8k"
        [[renders]]
        sentence = "{CASH}"
        target = "cash"
    """)  # fmt: skip
    spec = load_spec(path, collect=True)
    assert [e.index for e in spec.entries] == [0, 2]
    with pytest.raises(SpecError) as info:
        build_plans(spec)
    assert info.value.problems == (
        'renders[0].target: "bnak" is not a word of the sentence; closest: "bank"',
        'renders[1].quality: "8k" is not one of low, medium, high, 4k',
    )
    with pytest.raises(SpecError):  # without collect, the shape problem stops it at once
        load_spec(path)
