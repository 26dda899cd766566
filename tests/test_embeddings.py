"""Static vectors from user files: GloVe / word2vec text and TOML; every malformed case named."""

from __future__ import annotations

import hashlib
import re
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from attention_math.embeddings import (
    MAX_ABS_VALUE,
    load,
    load_embeddings_file,
    sentence_words,
)
from attention_math.errors import EmbeddingFileError, MissingWordError

WriteFile = Callable[..., Path]


def test_glove_text(write_file: WriteFile) -> None:
    path = write_file("tiny.txt", "bank 0.1 0.2 0.3\nriver -1 2.5 1e-2\n")
    emb = load_embeddings_file(path)
    assert (emb.kind, emb.name, emb.dim) == ("text", "tiny.txt", 3)
    assert emb.lookup("bank").vector.tolist() == [0.1, 0.2, 0.3]
    assert emb.lookup("river").vector.tolist() == [-1.0, 2.5, 0.01]
    assert emb.lookup("bank").pieces == ("bank",)
    assert emb.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_lookup_falls_back_to_lower_case(write_file: WriteFile) -> None:
    emb = load_embeddings_file(write_file("tiny.txt", "bank 1 2\n"))
    assert emb.lookup("Bank").vector.tolist() == [1.0, 2.0]
    assert emb.has("BANK")
    assert not emb.has("river")


def test_word2vec_header_is_skipped(write_file: WriteFile) -> None:
    emb = load_embeddings_file(write_file("w2v.txt", "2 3\nbank 1 2 3\nriver 4 5 6\n"))
    assert emb.dim == 3
    assert emb.lookup("river").vector.tolist() == [4.0, 5.0, 6.0]
    assert not emb.has("2")


def test_text_keeps_the_first_of_duplicate_words_and_skips_blank_lines(
    write_file: WriteFile,
) -> None:
    emb = load_embeddings_file(write_file("d.txt", "bank 1 2\n\n   \nbank 3 4\n"))
    assert emb.lookup("bank").vector.tolist() == [1.0, 2.0]


def test_utf8_bom_is_accepted(write_file: WriteFile) -> None:
    emb = load_embeddings_file(write_file("bom.txt", "\ufeffbank 1 2\n".encode()))
    assert emb.lookup("bank").vector.tolist() == [1.0, 2.0]


def test_toml(toml_embeddings: Path) -> None:
    emb = load_embeddings_file(toml_embeddings)
    assert (emb.kind, emb.dim) == ("toml", 3)
    assert emb.lookup("bank").vector.tolist() == [2.0, 0.6, 0.1]
    assert emb.lookup("bank").vector.dtype == np.float64


def test_toml_integers_are_numbers_too(write_file: WriteFile) -> None:
    emb = load_embeddings_file(write_file("i.toml", "bank = [2, 1]\nriver = [0.5, -1]\n"))
    assert emb.lookup("bank").vector.tolist() == [2.0, 1.0]


def test_missing_word_is_named(toml_embeddings: Path) -> None:
    emb = load_embeddings_file(toml_embeddings)
    with pytest.raises(MissingWordError, match='"meadow" is not in the embeddings file vectors'):
        emb.lookup("meadow")


# ---------------------------------------------------------------------------------------------
# malformed files: each message names the file and the line (text) or key (TOML)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("bank 1 2\nriver 1 x\n", "bad.txt:2: 'x' is not a number"),
        ("bank 1 2\nriver 1 2 3\n", "bad.txt:2: 'river' has 3 numbers, earlier lines 2"),
        ("bank 1 2\n\nriver\n", "bad.txt:3: 'river' has no numbers after it"),
        ("bank 1 2\nriver 1 nan\n", "bad.txt:2: vector has a non-finite value"),
        ("bank 1 inf\n", "bad.txt:1: vector has a non-finite value"),
        ("", "bad.txt' is empty"),
        ("\n  \n", "bad.txt: no vectors found"),
        ("bank 1\nriver 2\n", "bad.txt: vectors need at least 2 numbers"),
    ],
)
def test_malformed_text(write_file: WriteFile, content: str, message: str) -> None:
    with pytest.raises(EmbeddingFileError, match=re.escape(message)):
        load_embeddings_file(write_file("bad.txt", content))


def test_text_that_is_not_utf8_names_the_line(write_file: WriteFile) -> None:
    path = write_file("latin1.txt", "bank 1 2\ncaf\xe9 3 4\n".encode("latin-1"))
    with pytest.raises(EmbeddingFileError, match=r"latin1\.txt:2: not UTF-8 text"):
        load_embeddings_file(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('bank = "near the river"\n', "bad.toml: 'bank' must be a list of numbers"),
        ("bank = []\n", "bad.toml: 'bank' must be a list of numbers"),
        ("bank = [1, true]\n", "bad.toml: 'bank' must be a list of numbers"),
        ('bank = [1, "2"]\n', "bad.toml: 'bank' must be a list of numbers"),
        ("[bank]\nx = 1\n", "bad.toml: 'bank' must be a list of numbers"),
        ("bank = [1, 2]\nriver = [1, 2, 3]\n", "bad.toml: 'river' has 3 numbers, the others 2"),
        ("bank = [1, nan]\n", "bad.toml:bank: vector has a non-finite value"),
        ("bank = [1, 2\n", "bad.toml: not valid TOML"),
        ("# nothing here\n", "bad.toml: no vectors found"),
        ("bank = [1]\n", "bad.toml: vectors need at least 2 numbers"),
    ],
)
def test_malformed_toml(write_file: WriteFile, content: str, message: str) -> None:
    with pytest.raises(EmbeddingFileError, match=re.escape(message)):
        load_embeddings_file(write_file("bad.toml", content))


def test_invalid_toml_names_the_line(write_file: WriteFile) -> None:
    with pytest.raises(EmbeddingFileError, match=r"line 2"):
        load_embeddings_file(write_file("bad.toml", "bank = [1, 2]\nriver = = 3\ncash = [0, 1]\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingFileError, match="does not exist"):
        load_embeddings_file(tmp_path / "nope.toml")


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingFileError, match="is a folder, not a file"):
        load_embeddings_file(tmp_path)


# ---------------------------------------------------------------------------------------------
# numbers that stay finite: every value too large to compute with is named by line / key


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("big.toml", f"bank = [1, {'9' * 400}]\n", "big.toml:bank: an integer of about 401 digits"
         " is too large (at most 1e+100 in size); scale the vectors down"),
        ("big.toml", "bank = [1, 1e300]\n", "big.toml:bank: '1e+300' is too large"),
        ("big.toml", "bank = [1, -inf]\n", "big.toml:bank: vector has a non-finite value ('-inf')"),
        ("big.txt", f"bank 1 2\nriver 1 {'9' * 400}\n", "big.txt:2: '99999999999999999999999…'"
         " is too large"),
        ("big.txt", "bank 1 2\nriver 1 -1e101\n", "big.txt:2: '-1e101' is too large"),
        ("big.txt", "bank 1 2\nriver 1 NaN\n", "big.txt:2: vector has a non-finite value ('NaN')"),
    ],
)  # fmt: skip
def test_values_too_large_to_compute_with_are_refused(
    write_file: WriteFile, name: str, content: str, message: str
) -> None:
    with pytest.raises(EmbeddingFileError) as err:
        load_embeddings_file(write_file(name, content))
    assert str(err.value).startswith(message), str(err.value)
    assert len(str(err.value)) < 160


def test_the_largest_allowed_value_loads(write_file: WriteFile) -> None:
    emb = load_embeddings_file(write_file("edge.toml", "bank = [1e100, -1e100]\n"))
    assert emb.lookup("bank").vector.tolist() == [MAX_ABS_VALUE, -MAX_ABS_VALUE]


def test_a_word_in_a_message_is_escaped_and_short(write_file: WriteFile) -> None:
    path = write_file("bad.txt", "bank 1 2\n\x1b[31m" + "x" * 500 + "\n")
    with pytest.raises(EmbeddingFileError) as err:
        load_embeddings_file(path)
    line = str(err.value)
    assert line.startswith("bad.txt:2: '\\x1b[31mxxxxxxxxxxxxxxx")
    assert "has no numbers after it" in line and len(line) < 100


# ---------------------------------------------------------------------------------------------
# memory bounded by the words used


def test_only_the_words_asked_for_are_kept(write_file: WriteFile) -> None:
    path = write_file("g.txt", "3 2\nBank 1 2\nriver 3 4\nsat 5 6\n")
    emb = load_embeddings_file(path, words={"bank", "River"})
    assert emb.words() == ["river"]  # "Bank" is kept only when "Bank" is asked for
    assert emb.lookup("River").vector.tolist() == [3.0, 4.0]
    assert emb.dim == 2
    assert emb.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()  # the whole file
    with pytest.raises(MissingWordError, match=r'"bank" is not in the embeddings file g\.txt'):
        emb.lookup("bank")  # asked for, and not in the file (only "Bank" is)
    with pytest.raises(LookupError, match=r"'sat' was not among the words g\.txt was loaded for"):
        emb.lookup("sat")  # in the file, but not loaded: a bug in the caller, not the user's
    assert load_embeddings_file(path, words={"Bank"}).words() == ["Bank"]


def test_a_subset_still_checks_the_first_vector_and_every_line_kept(write_file: WriteFile) -> None:
    with pytest.raises(EmbeddingFileError, match=r"g\.txt:1: 'x' is not a number"):
        load_embeddings_file(write_file("g.txt", "sat 1 x\nbank 1 2\n"), words={"bank"})
    with pytest.raises(EmbeddingFileError, match=r"g\.txt:3: 'bank' has 3 numbers, earlier"):
        load_embeddings_file(write_file("g.txt", "sat 1 2\nriver 1 2\nbank 1 2 3\n"), {"bank"})
    with pytest.raises(EmbeddingFileError, match=r"g\.txt:3: not UTF-8 text"):
        load_embeddings_file(write_file("g.txt", b"sat 1 2\nbank 1 2\ncaf\xe9 1 2\n"), {"bank"})


def test_sentence_words_are_what_a_plan_looks_up() -> None:
    got = sentence_words(["He sat on the river bank.", "The bank, \x1b bad", "Cash 💰!"])
    assert got == {"He", "sat", "on", "the", "river", "bank", "Cash"}


def test_an_embeddings_object_is_used_as_it_is(toml_embeddings: Path) -> None:
    emb = load_embeddings_file(toml_embeddings)
    assert load(emb) is emb


def test_memory_follows_the_words_not_the_file(tmp_path: Path) -> None:
    """A 6 MB text file, 3 words asked for: Python allocates well under a megabyte at its peak
    (reading the whole file, as before, allocated more than the file's size)."""
    rng = np.random.default_rng(0)
    path = tmp_path / "big.txt"
    with open(path, "w", encoding="utf-8") as f:
        for i in range(20_000):
            f.write(f"w{i} " + " ".join(f"{x:.4f}" for x in rng.standard_normal(40)) + "\n")
    assert path.stat().st_size > 5_000_000
    tracemalloc.start()
    try:
        emb = load_embeddings_file(path, words={"w7", "w19999", "w123"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sorted(emb.words()) == ["w123", "w19999", "w7"]
    assert peak < 1_000_000, peak
    whole = load_embeddings_file(path)  # every word, for the analogy's vocabulary
    np.testing.assert_array_equal(whole.lookup("w123").vector, emb.lookup("w123").vector)
