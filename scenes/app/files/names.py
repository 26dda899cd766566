"""File names: a render's stem, what makes two renders the same one, and the files that are
a stem's own.

`default_stem` is the target and the sentence, readable suffixes for the options that are
short to say (``-compare``, ``-model-l6h11``, ``-light``, ``-high``, ``-slides``) and a hash
of everything else that changes the picture (`render_identity`), so two different renders
never share a name. `own_file` is the rule the commits keep: the files a render writes for
STEM, and so the only ones the store moves, replaces or removes, whatever a record lists.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attention_math.lecture_data import LectureData

if TYPE_CHECKING:
    from attention_math.plan import Plan
    from scenes.app.options import RenderOptions


# The files a render writes for STEM, after "STEM.": the formats (options.FORMATS), the
# poster, the stills, the captions, the plan, the slides' exports. The store moves, replaces
# and removes only names of this form, whatever a record says (a record is data in a folder
# others may write to). STEM itself is [A-Za-z0-9-] (`safe_stem`): no dot, so no ambiguity.
OWN_SUFFIX = re.compile(
    r"\.(?:gif|mp4|png|webm|mov|html|svg|pdf|poster\.png|beat-\d+\.(?:png|webp|svg|pdf)"
    r"|srt|vtt|chapters\.vtt|descriptions\.vtt|figure\.json|slides\.(?:pdf|pptx)|script\.md"
    r"|plan\.json)"
)
MAX_STEM = 120  # a stem, with its suffixes; names on most file systems may have 255 bytes


def safe_stem(text: str, limit: int = 60) -> str:
    """A file-name stem from free text: ASCII letters, digits, '-' only, bounded length.
    Text with no ASCII letters or digits (Devanagari, emoji) gets render-HASH, so that two
    such sentences do not share a name."""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    t = re.sub(r"[^A-Za-z0-9]+", "-", t).strip("-").lower()
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return (t[:limit].rstrip("-")) or f"render-{digest}"


STEM_WORDS = 60  # the readable words of a default name; the suffixes and the hash come after
HASH_CHARS = 8  # 32 bits: two different renders in a folder of thousands share it ~1 in 10^3
QUALITY_SUFFIX = {"low": "-low", "medium": "", "high": "-high", "4k": "-4k"}


def render_identity(plan: Plan, options: RenderOptions | None = None) -> dict[str, Any]:
    """What makes a render the render it is: every input of the plan (as the plan records
    them: texts, the vectors' and the model's file hashes, scale, order, heads...) and every
    option that changes the media but the formats. Two renders with equal identities draw the
    same pictures; the default name hashes this, and a record keeps it to tell a name reused
    for another render (`check_name`). Computed numbers are left out, so a new version of the
    tool keeps the names."""
    from scenes.app.options import RenderOptions

    o = options or RenderOptions()
    lecture = plan.lecture or LectureData()
    model, senses, matrix = plan.model, plan.senses, lecture.matrix
    return {
        "scene": o.scene,
        "target": plan.target,
        "sentences": [s.text for s in plan.sentences],
        "target_index": [s.target_index for s in plan.sentences],
        "embeddings": [plan.embedding.kind, plan.embedding.sha256],
        "scale": plan.attention.scale_rule,
        "order": plan.attention.order,
        "keep_stopwords": plan.attention.keep_stopwords,
        "mode": plan.mode,
        "model": model
        and [
            model.sha256,
            model.layer_index,
            model.head_index,
            model.drop_specials,
            model.head_choice,
        ],
        "senses": senses and [[p.sense, p.text, p.target_index] for p in senses.points],
        "analogy": lecture.analogy and lecture.analogy.expression,
        "head": lecture.head and [lecture.head.layer, lecture.head.head, lecture.head.head_choice],
        "matrix": matrix and [matrix.mode, matrix.layer, matrix.head],
        "palette": o.palette,
        "quality": o.quality,
        "slides": o.slides,
        # only when asked: the names of renders that guess the language stay as they were
        **({"language": plan.attention.language} if plan.attention.language != "auto" else {}),
    }


def identity_hash(identity: dict[str, Any]) -> str:
    text = json.dumps(identity, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _head_tag(layer: int | None, head: int | str | None) -> str:
    """`l6h11` from a 0-based layer and head (`hmean`: the mean over heads, head None)."""
    if layer is None:
        return ""
    return f"l{layer + 1}h{head + 1 if isinstance(head, int) else 'mean'}"


def readable_suffix(plan: Plan, options: RenderOptions | None = None) -> str:
    """The short, readable part of a default name after the words: ``-compare``,
    ``-model-l6h11`` (the head drawn), ``-l2h7`` (a lecture scene's head), ``-light`` /
    ``-transparent``, ``-low`` / ``-high`` / ``-4k`` (medium: nothing), ``-slides``."""
    from scenes.app.options import RenderOptions

    o = options or RenderOptions()
    parts = []
    if len(plan.sentences) > 1:
        parts.append("compare")
    if plan.model is not None and plan.mode == "model":
        parts.append("model-" + _head_tag(plan.model.layer_index, plan.model.head_index))
    lecture = plan.lecture
    if plan.mode != "model" and lecture is not None:
        head = lecture.head or lecture.matrix
        if head is not None and head.layer is not None:
            parts.append(_head_tag(head.layer, head.head))
    if o.palette != "dark":
        parts.append(o.palette)
    if QUALITY_SUFFIX[o.quality]:
        parts.append(QUALITY_SUFFIX[o.quality][1:])
    if o.slides:
        parts.append("slides")
    return "".join(f"-{p}" for p in parts if p)


def default_stem(plan: Plan, options: RenderOptions | None = None) -> str:
    """`[scene-]target-sentence[-compare][-model-l6h11][-light][-high][-slides]-HASH`.

    The words say what it is; the suffixes name the options that change the picture and are
    short to say; HASH (8 hex digits of `render_identity`) covers everything, so two renders
    that differ in anything but their formats (another embeddings file, scale, order,
    compared sentence, stop-words, checkpoint, punctuation...) never share a name. At most
    STEM_WORDS characters of words; safe_stem leaves the result unchanged."""
    from scenes.app.options import RenderOptions

    o = options or RenderOptions()
    prefix = "" if o.scene == "DriftScene" else re.sub(r"Scene$", "", o.scene).lower() + " "
    first = plan.sentences[0].text if plan.sentences else ""
    words = safe_stem(f"{prefix}{plan.target} {first}", limit=STEM_WORDS)
    digest = identity_hash(render_identity(plan, o))[:HASH_CHARS]
    return f"{words}{readable_suffix(plan, o)}-{digest}"


def stem_of(plan: Plan, options: RenderOptions) -> str:
    """The file stem of a render: the name asked for, or the default name of the plan and
    options (`default_stem`)."""
    return safe_stem(options.name, limit=MAX_STEM) if options.name else default_stem(plan, options)


def absolute(path: str | Path) -> Path:
    """`path` made absolute against the working folder, once, where a path comes in (the
    command line, `scenes.app.render`, a spec's default folder): everything downstream works
    with absolute paths, as some need them (manim-slides reads a relative path in its
    presentation file as relative to that file). Symlinks are kept: the folder stays the one
    the user named."""
    return Path(os.path.abspath(path))


def own_file(stem: str, name: str) -> bool:
    """Whether `name` is a file a render writes for `stem` (STEM.png, STEM.plan.json ...)."""
    return name.startswith(stem) and OWN_SUFFIX.fullmatch(name, len(stem)) is not None


def _show_path(path: Path) -> str:
    from attention_math.tokens import escape

    return escape(str(path))
