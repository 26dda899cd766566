"""Sentences into words: punctuation, case, scripts, emoji, finding the target."""

from __future__ import annotations

import pytest

from attention_math.errors import InputError
from attention_math.tokens import find_target, stopwords, tokenize


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
    with pytest.raises(InputError, match=r"occurs 2 times \(tokens 1, 4\).*--target-index"):
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
