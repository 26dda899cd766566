"""Static vectors from user files: GloVe / word2vec text and TOML; every malformed case named."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from attention_math.embeddings import load_embeddings_file
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
        ("", "bad.txt: no vectors found"),
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
