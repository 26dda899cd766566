"""Sentences into words: punctuation, case, scripts, emoji, finding the target."""

from __future__ import annotations

import pytest

from attention_math.errors import InputError
from attention_math.tokens import (
    LANGUAGES,
    MAX_WORD_CHARS,
    closest,
    detect_language,
    edit_distance,
    escape,
    find_target,
    sentence_label,
    stopword_source,
    stopwords,
    tokenize,
)


def texts(sentence: str) -> list[str]:
    return [t.text for t in tokenize(sentence)]


def test_punctuation_is_split_off() -> None:
    assert texts("He sat on the river bank.") == ["He", "sat", "on", "the", "river", "bank", "."]
    assert texts("Well, (bank)!?") == ["Well", ",", "(", "bank", ")", "!", "?"]


def test_words_and_punctuation_are_marked() -> None:
    toks = tokenize("bank, river")
    assert [t.is_word for t in toks] == [True, False, True]


def test_inner_apostrophes_and_hyphens_stay_in_the_word() -> None:
    assert texts("don't well-known rock'n'roll") == ["don't", "well-known", "rock'n'roll"]
    assert texts("'bank' - river-") == ["'", "bank", "'", "-", "river", "-"]


def test_norm_is_case_folded_text_is_kept() -> None:
    (tok,) = tokenize("BANK")
    assert tok.text == "BANK"
    assert tok.norm == "bank"


def test_target_is_found_case_insensitively() -> None:
    toks = tokenize("He sat on the river Bank.")
    assert find_target(toks, "bank") == 5
    assert find_target(toks, "BANK") == 5


def test_missing_target_suggests_the_closest_word() -> None:
    toks = tokenize("He sat on the river bank.")
    with pytest.raises(InputError, match='"bnak" is not a word of the sentence; closest: "bank"'):
        find_target(toks, "bnak")


def test_missing_target_without_a_close_word_has_no_suggestion() -> None:
    with pytest.raises(InputError) as err:
        find_target(tokenize("He sat on the river bank."), "xyzzy")
    assert "closest" not in str(err.value)


def test_empty_target_is_refused() -> None:
    with pytest.raises(InputError, match="target word is empty"):
        find_target(tokenize("a bank"), "  ")


def test_a_target_occurring_twice_needs_an_index() -> None:
    toks = tokenize("The bank by the bank.")
    with pytest.raises(InputError, match=r"occurs 2 times \(tokens 1, 4\).*\btarget_index\b"):
        find_target(toks, "bank")
    assert find_target(toks, "bank", 4) == 4
    assert find_target(toks, "bank", 1) == 1


def test_a_wrong_target_index_says_where_the_word_is() -> None:
    toks = tokenize("The bank by the bank.")
    with pytest.raises(InputError, match="token 2 is 'by', not 'bank'; it occurs at token 1, 4"):
        find_target(toks, "bank", 2)
    with pytest.raises(InputError, match="outside the sentence"):
        find_target(toks, "bank", 9)
    with pytest.raises(InputError, match="outside the sentence"):
        find_target(toks, "bank", -1)


def test_devanagari_word_is_kept_whole() -> None:
    # Vowel signs and the virama are combining marks: they belong to the word.
    assert texts("नमस्ते दुनिया।") == ["नमस्ते", "दुनिया", "।"]
    toks = tokenize("नदी का किनारा")
    assert all(t.is_word for t in toks)
    assert find_target(toks, "किनारा") == 2


def test_other_scripts_and_accents() -> None:
    assert texts("café naïve Straße") == ["café", "naïve", "Straße"]
    # NFC: a decomposed é is the same word as the composed one
    assert tokenize("cafe\u0301")[0].norm == tokenize("café")[0].norm


def test_emoji_is_a_token_of_its_own() -> None:
    toks = tokenize("I love 🍕pizza!")
    assert [t.text for t in toks] == ["I", "love", "🍕", "pizza", "!"]
    assert not toks[2].is_word


@pytest.mark.parametrize(
    "emoji",
    [
        "👍🏽",  # skin-tone modifier
        "👩\u200d💻",  # zero-width-joiner sequence
        "❤️",  # variation selector
        "🇮🇳",  # flag: two regional indicators
    ],
)
def test_emoji_sequences_stay_one_token(emoji: str) -> None:
    assert texts(f"a {emoji} b") == ["a", emoji, "b"]


def test_whitespace_and_control_characters_are_dropped() -> None:
    assert texts("  bank\t\n river\u200b ") == ["bank", "river"]


def test_shipped_stopwords() -> None:
    words = stopwords()
    assert {"the", "on", "at", "he"} <= words
    assert not {"bank", "river", "cash"} & words


def test_underscore_joins_words_but_alone_is_a_symbol():
    toks = tokenize("snake_case and _ here")
    assert [(t.text, t.is_word) for t in toks] == [
        ("snake_case", True),
        ("and", True),
        ("_", False),
        ("here", True),
    ]


# ---------------------------------------------------------------------------------------------
# hostile text: refused with one line naming the sentence and the position


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # invalid UTF-8 in argv arrives as surrogateescape's U+DC80..U+DCFF
        ("riv\udce9r", "has a byte that is not UTF-8 (0xE9) at character 4 (“riv\\xe9r”)"),
        ("a\x00b bank", "has the control character NUL (U+0000) at character 2"),
        ("He \x1b[31m bank", "has the control character ESC (U+001B) at character 4"),
        ("bank\x7f", "has the control character DEL (U+007F) at character 5"),
        ("bank \x85river", "has the control character (U+0085) at character 6"),
        ("a \ud800 bank", "has a lone surrogate (U+D800) at character 3"),
        ("river \u202ebank", "has a direction control (U+202E) at character 7"),
        ("river \u2066bank", "has a direction control (U+2066) at character 7"),
    ],
)  # fmt: skip
def test_text_that_is_not_text_is_refused(text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        tokenize(text, "compare sentence 2 (“x”)")
    line = str(err.value)
    assert line.startswith("compare sentence 2 (“x”) " + message), line
    assert "\n" not in line
    # never a raw control character or surrogate in the message
    assert all(ch.isprintable() for ch in line), ascii(line)


def test_the_position_is_inside_the_excerpt_of_a_long_sentence() -> None:
    text = "river " * 30 + "\x1b" + " bank" * 30
    with pytest.raises(InputError) as err:
        tokenize(text)
    line = str(err.value)
    assert "at character 181" in line
    assert "\\x1b" in line
    assert len(line) < 200


def test_ordinary_whitespace_and_invisible_joiners_are_still_text() -> None:
    # tab, newline, carriage return separate words; ZWJ keeps an emoji together; LRM is a mark
    assert texts("bank\triver\r\nsat") == ["bank", "river", "sat"]
    assert texts("a 👩\u200d💻 b") == ["a", "👩\u200d💻", "b"]
    assert texts("bank\u200e river") == ["bank", "river"]


def test_a_word_longer_than_the_limit_is_refused_with_a_short_excerpt() -> None:
    assert texts("x" * MAX_WORD_CHARS + " bank") == ["x" * MAX_WORD_CHARS, "bank"]
    word = "x" * 10_000
    with pytest.raises(InputError) as err:
        tokenize(f"He sat on the {word} bank.")
    line = str(err.value)
    assert line.startswith("the sentence has a word of 10000 characters (“xxxxxxx")
    assert f"at most {MAX_WORD_CHARS}" in line
    assert len(line) < 160  # an excerpt, never the word


@pytest.mark.parametrize("target", [".", "!?", "…", "🏦", "-"])
def test_punctuation_is_not_a_target(target: str) -> None:
    toks = tokenize("He sat on the river bank. ! ? … 🏦 -")
    with pytest.raises(InputError, match="is punctuation, not a word; give a word of the sentence"):
        find_target(toks, target)


def test_a_target_of_two_words_or_control_characters_is_refused() -> None:
    toks = tokenize("He sat on the river bank.")
    with pytest.raises(InputError, match="is more than one word"):
        find_target(toks, "river bank")
    with pytest.raises(InputError, match=r"the target has a byte that is not UTF-8 \(0xE9\)"):
        find_target(toks, "riv\udce9r")
    with pytest.raises(InputError, match="the target has the control character NUL"):
        find_target(toks, "bank\x00")
    with pytest.raises(InputError, match="the target has a word of 60 characters"):
        find_target(toks, "b" * 60)


@pytest.mark.parametrize(
    ("typo", "hint"),
    [
        ("bnak", '; closest: "bank"'),  # two letters swapped
        ("rivr", '; closest: "river"'),  # one left out
        ("banks", '; closest: "bank"'),  # one added
        ("money", "; no word of the sentence is close"),  # shares "on" with "on": not a typo
        ("cash", "; no word of the sentence is close"),
        ("xyzzy", "; no word of the sentence is close"),
    ],
)
def test_the_hint_for_a_misspelt_target_is_a_real_near_match(typo: str, hint: str) -> None:
    with pytest.raises(InputError) as err:
        find_target(tokenize("He sat on the river bank."), typo)
    assert str(err.value) == f'"{typo}" is not a word of the sentence{hint}'


def test_edit_distance_against_a_hand_count() -> None:
    assert edit_distance("bank", "bank") == 0
    assert edit_distance("bnak", "bank") == 1  # one swap
    assert edit_distance("money", "on") == 3  # delete m, e, y
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert edit_distance("abcdef", "uvwxyz", limit=2) == 3  # stopped early: above the limit
    assert closest("wmoan", ["woman", "moan", "man", "queen"], n=3) == ["woman", "moan"]


def test_errors_name_which_sentence() -> None:
    toks = tokenize("He sat.")
    what = sentence_label(2, "He sat.", 3)
    assert what == "compare sentence 2 (“He sat.”)"
    with pytest.raises(InputError) as err:
        find_target(toks, "bank", what=what)
    assert str(err.value) == (
        '"bank" is not a word of compare sentence 2 (“He sat.”); no word of compare sentence 2 '
        "is close"
    )
    assert sentence_label(0, "x", 1) == "the sentence"
    assert sentence_label(0, "x", 2) == "the main sentence"
    long = sentence_label(1, "word " * 50, 2)
    assert long.endswith("…”)") and len(long) < 70


def test_escape_shows_every_invisible_character() -> None:
    assert escape("a\x1b[0m\x00\u202e\udce9b") == "a\\x1b[0m\\x00\\u202e\\xe9b"
    assert escape("café 🏦 किनारा") == "café 🏦 किनारा"


# --------------------------------------------------------------------------------------------
# stop-words in the sentence's language


def test_spanish_function_words_are_stop_words_and_content_words_are_not() -> None:
    spanish = stopwords("es")
    assert {"del", "el", "en", "de"} <= spanish
    assert not {"parque", "banco", "dinero"} & spanish


@pytest.mark.parametrize(
    ("code", "function_word", "content_word"),
    [("en", "the", "river"), ("fr", "du", "rivière"), ("de", "dem", "ufer"),
     ("pt", "do", "rio"), ("it", "della", "fiume"), ("hi", "के", "नदी")],
)  # fmt: skip
def test_every_language_has_a_list(code: str, function_word: str, content_word: str) -> None:
    assert function_word in stopwords(code)
    assert content_word not in stopwords(code)
    source = stopword_source(code)
    assert ("snowball" in source) != ("stopwords-iso" in source)  # one maintained list
    assert "licence: " in source


@pytest.mark.parametrize(
    ("sentence", "code"),
    [("He sat on the river bank.", "en"), ("Me senté en el banco del parque.", "es"),
     ("Il était assis sur la rive du fleuve.", "fr"), ("Er saß auf der Bank am Ufer.", "de"),
     ("Eu sentei no banco do parque.", "pt"), ("Mi sono seduto sulla riva del fiume.", "it"),
     ("वह नदी के किनारे बैठा।", "hi"), ("Bank river money.", "en"),
     # as many Spanish (a, son, la) as French (il, à, la) stop-words, but "à" is not Spanish
     ("Il a déposé son argent à la banque.", "fr"), ("Il banco del mercato è chiuso.", "it"),
     ("I went to the café by the bank.", "en"), ("Él se sentó en el banco.", "es")],
)  # fmt: skip
def test_the_language_is_guessed_from_the_words(sentence: str, code: str) -> None:
    assert detect_language(tokenize(sentence)) == code


def test_the_request_offers_exactly_the_shipped_languages() -> None:
    from attention_math.request import LANGUAGES as OFFERED

    assert OFFERED == ("auto", *LANGUAGES)
