"""Hostile input at the math layer (issue 12): errors name the sentence they are about, numbers
stay finite or are refused naming the word, one embeddings file serves many plans, the model
and its embedding table share one softmax and one tokenizer setting, and every word of an
analogy is a whole word of the vocabulary.

All of it without rendering; the CLI turns each InputError into one line and exit status 1.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from attention_math import attention, embeddings
from attention_math import model as M
from attention_math.analogy import build_analogy_plan
from attention_math.build import build_plan
from attention_math.errors import InputError
from tests.conftest import CASH, RIVER, TOML_VECTORS

VECTORS = TOML_VECTORS + "sofa = [0.1, 0.1, 1.0]\n"


@pytest.fixture
def vectors(write_file: Callable[..., Path]) -> Path:
    return write_file("v.toml", VECTORS)


def error(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        call()
    line = str(err.value)
    assert "\n" not in line and all(ch.isprintable() for ch in line), ascii(line)
    return line


# ---------------------------------------------------------------------------------------------
# which sentence


@pytest.mark.parametrize(
    ("compare", "message"),
    [
        ([CASH, "He sat on the sofa."],
         '"bank" is not a word of compare sentence 2 (“He sat on the sofa.”); no word of '
         "compare sentence 2 is close"),
        (["The bank by the bank."],
         "'bank' occurs 2 times (tokens 1, 4) in compare sentence 1 (“The bank by the bank.”); "
         "a compared sentence needs it once"),
        ([CASH, "cash \x1b[2J bank"],
         "compare sentence 2 (“cash \\x1b[2J bank”) has the control character ESC (U+001B) at "
         "character 6 (“cash \\x1b[2J bank”); remove it"),
        (["  "], "compare sentence 1 is empty; give a sentence in quotes"),
        (["?!"], "compare sentence 1 (“?!”) has no words"),
    ],
)  # fmt: skip
def test_an_error_in_a_compared_sentence_names_it(
    vectors: Path, compare: list[str], message: str
) -> None:
    got = error(lambda: build_plan(RIVER, "bank", compare=compare, embeddings_file=vectors))
    assert got == message


def test_the_main_sentence_is_named_as_such_when_there_are_others(vectors: Path) -> None:
    got = error(
        lambda: build_plan("riv\udce9r bank", "bank", compare=[CASH], embeddings_file=vectors)
    )
    assert got == (
        "the main sentence has a byte that is not UTF-8 (0xE9) at character 4 "
        "(“riv\\xe9r bank”); give the text as UTF-8"
    )
    alone = error(lambda: build_plan(RIVER, "money", embeddings_file=vectors))
    assert alone == '"money" is not a word of the sentence; no word of the sentence is close'


def test_a_10000_character_word_is_refused_at_once(vectors: Path) -> None:
    got = error(lambda: build_plan(f"He sat on the {'x' * 10_000} bank.", "bank",
                                   embeddings_file=vectors))  # fmt: skip
    assert got.startswith("the sentence has a word of 10000 characters (“xxxx")
    assert len(got) < 160


def test_model_mode_names_the_sentence_too(minilm_dir: Path) -> None:
    from attention_math.model_plan import build_model_plan

    got = error(lambda: build_model_plan(RIVER, "bank", compare=["He sat on the sofa."]))
    assert got.startswith('"bank" is not a word of compare sentence 1 (“He sat on the sofa.”)')


def test_a_sense_sentence_is_named_by_sense_and_number(minilm_dir: Path) -> None:
    from attention_math.model_plan import build_sense_plan

    senses = {"river": [RIVER, "The boat drifted to the bank."], "money": [CASH, "A loan."]}
    got = error(lambda: build_sense_plan("bank", senses))
    assert got.startswith("\"bank\" is not a word of sentence 2 of sense 'money' (“A loan.”)"), got


# ---------------------------------------------------------------------------------------------
# numbers stay finite


def test_huge_vectors_are_refused_where_they_are_written(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    path.write_text("bank = [1e300, 2.0]\nriver = [1.5, 1.5]\nsat = [0.2, 1.0]\n")
    got = error(lambda: build_plan(RIVER, "bank", embeddings_file=path, scale=1.0))
    assert got == "huge.toml:bank: '1e+300' is too large (at most 1e+100 in size); scale the " \
        "vectors down"  # fmt: skip


def test_scores_too_large_for_the_scale_name_the_word(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("bank 1e90 2\nriver 1 1.5\nsat 0.2 1\n")
    got = error(lambda: build_plan(RIVER, "bank", embeddings_file=path, scale=1e300))
    assert got == (
        'in the sentence, the score of "sat" against "bank" times the scale (1e+300) is too '
        "large to compute with; use a smaller scale or smaller vectors"
    )


@pytest.mark.parametrize("scale", [1.0, "auto", "1/sqrt(d)"])
def test_the_largest_allowed_vectors_give_a_finite_plan(tmp_path: Path, scale: object) -> None:
    path = tmp_path / "edge.toml"
    path.write_text(
        "bank = [1e100, 1e100, 3]\nriver = [-1e100, 1e100, 1]\nsat = [1e100, -1e100, 2]\n"
    )
    plan = build_plan(RIVER, "bank", embeddings_file=path, scale=scale)  # type: ignore[arg-type]
    json.loads(plan.to_json())  # allow_nan=False inside: it would raise on NaN or inf
    final = plan.sentences[0].final
    assert math.isclose(sum(final.weights), 1.0)
    assert all(math.isfinite(v) for v in plan.projection.explained_variance_ratio)
    # scale 1: bank·bank = 2e200 dwarfs the others: all weight on bank, computed exactly
    if scale == 1.0:
        assert final.weights[0] == 1.0


def test_one_softmax_for_the_model_and_the_drift() -> None:
    assert M.softmax is attention.softmax
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]], dtype=np.float32)
    for axis in (0, 1, -1):
        got = attention.softmax(x, axis=axis)
        assert got.dtype == np.float32
        moved = np.moveaxis(x.astype(np.float64), axis, -1)
        for index in np.ndindex(moved.shape[:-1]):
            row = moved[index]
            e = [math.exp(v - max(row)) for v in row]
            want = [v / sum(e) for v in e]
            np.testing.assert_allclose(np.moveaxis(got, axis, -1)[index], want, rtol=1e-6)


def test_the_embedding_table_and_the_model_tokenize_alike(minilm_dir: Path) -> None:
    table_tokenizer = embeddings.load_minilm(minilm_dir)._minilm[1]  # type: ignore[index]
    model_tokenizer = M.load_model(minilm_dir).tokenizer
    for tok in (table_tokenizer, model_tokenizer):
        assert tok.padding is None  # type: ignore[attr-defined]
        assert tok.truncation["max_length"] == 512  # type: ignore[attr-defined]
    for word in ("bank", "drifting", "Café", "unaffable"):
        a = table_tokenizer.encode(word, add_special_tokens=False)  # type: ignore[attr-defined]
        b = model_tokenizer.encode(word, add_special_tokens=False)
        assert a.tokens == b.tokens


# ---------------------------------------------------------------------------------------------
# one embeddings file, many plans


def test_one_load_serves_many_plans(tmp_path: Path) -> None:
    path = tmp_path / "glove.txt"
    rng = np.random.default_rng(1)
    words = ["he", "sat", "on", "the", "river", "bank", "deposited", "cash", "at", "sofa"]
    lines = [f"{w} " + " ".join(f"{x:.3f}" for x in rng.standard_normal(4)) for w in words]
    lines += [f"w{i} 1 2 3 4" for i in range(500)]
    path.write_text("\n".join(lines) + "\n")
    entries = [(RIVER, [CASH]), ("He sat on the sofa by the bank.", [])]
    union = embeddings.sentence_words([s for main, rest in entries for s in (main, *rest)])
    shared = embeddings.load(path, words=union)
    assert sorted(shared.words()) == sorted(words)  # not the 510 of the file ("by" has none)
    for main, rest in entries:
        plan = build_plan(main, "bank", compare=rest, embeddings_file=shared)
        alone = build_plan(main, "bank", compare=rest, embeddings_file=path)
        assert plan == alone
        assert plan.embedding.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(LookupError):  # a sentence it was not loaded for: the caller's bug
        build_plan("The river w7 bank.", "bank", embeddings_file=shared)


# ---------------------------------------------------------------------------------------------
# analogies of whole words


def test_a_misspelt_analogy_word_gets_the_closest_whole_words(minilm_dir: Path) -> None:
    got = error(lambda: build_analogy_plan("queen - wmoan + man"))
    assert got.startswith('analogy: "wmoan" is not a whole word of MiniLM\'s vocabulary (it '
                          "would be made of the word pieces ")  # fmt: skip
    assert got.endswith('; closest: "woman", "moan"')
    expected = error(lambda: build_analogy_plan("queen - woman + man = kign"))
    assert expected.startswith('analogy: "kign" is not a whole word')
    assert '"king"' in expected
    none = error(lambda: build_analogy_plan("queen - xqzvw + man"))
    assert none.endswith("; no whole word of the vocabulary is close: check the spelling")


def test_analogy_words_in_a_user_table(vectors: Path) -> None:
    got = error(lambda: build_analogy_plan("bank - rivre + cash", embeddings_file=vectors))
    assert got == 'analogy: "rivre" is not a whole word of v.toml; closest: "river"'
    ok = build_analogy_plan("bank - river + cash = sat", embeddings_file=vectors)
    assert ok.lecture is not None and ok.lecture.analogy is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("queen - wo\x1bman + man", "analogy has the control character ESC (U+001B) at "
         "character 11"),
        ("queen - " + "x" * 5000, "analogy has 5008 characters; an analogy of at most 6 "
         "words has fewer than"),
    ],
)  # fmt: skip
def test_hostile_analogy_text_is_refused_short(vectors: Path, text: str, message: str) -> None:
    got = error(lambda: build_analogy_plan(text, embeddings_file=vectors))
    assert got.startswith(message), got
    assert len(got) < 200


def test_a_target_inside_a_word_written_without_spaces_says_so(vectors: Path) -> None:
    """Chinese or Japanese without spaces is one token: the message says the target is part
    of it and what to do, rather than "no word is close"."""
    got = error(lambda: build_plan("我在河边的银行", "银行", embeddings_file=vectors))
    assert got == (
        '"银行" is not a word of the sentence; it is part of "我在河边的银行": words are split '
        "at spaces and punctuation, so write the words with spaces between them"
    )


def test_no_context_says_what_the_others_are(vectors: Path) -> None:
    """Only symbols besides the target: no suggestion of --keep-stopwords, which would not
    help; stop-words among them: the suggestion."""
    symbols = error(lambda: build_plan("🙂 bank 🙂", "bank", embeddings_file=vectors))
    assert symbols == (
        "\"bank\" has no context words to attend to in the sentence '🙂 bank 🙂' (the others "
        "are punctuation or symbols)"
    )
    stop = error(lambda: build_plan("on the bank!", "bank", embeddings_file=vectors))
    assert stop.endswith("(the others are stop-words or punctuation: try keep_stopwords)")
