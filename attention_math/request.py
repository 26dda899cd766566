"""One entry point from user options to the plan a scene needs.

The CLI, spec files and notebooks call `make_plan`; it picks the builder the scene needs:
the post's simple attention (`build.build_plan`), a real head of the model
(`model_plan.build_model_plan`), or the sense split (`model_plan.build_sense_plan`).
Layers and heads are counted from 1 here, as on screen; the builders count from 0.
"""

from __future__ import annotations

from pathlib import Path

from attention_math.errors import InputError
from attention_math.plan import Plan

MODES = ("simple", "model")
# Scenes that only make sense with the real model, and what they need.
MODEL_SCENES = frozenset({"LayerDriftScene"})
SENSE_SCENES = frozenset({"SenseSplitScene"})
LECTURE_SCENES = frozenset(
    {"AnalogyScene", "AttentionMathScene", "ProjectionScene", "AttentionMatrixScene"}
)


def parse_head(text: str | int | None) -> int | str | None:
    """A --head value: a number from 1, or "mean"."""
    if text is None or isinstance(text, int):
        return text
    t = str(text).strip().lower()
    if t == "mean":
        return "mean"
    try:
        return int(t)
    except ValueError:
        raise InputError(f"--head {text!r} is not a head number or 'mean'") from None


def make_plan(
    sentence: str | None,
    target: str,
    *,
    scene: str = "DriftScene",
    mode: str = "simple",
    compare: list[str] | tuple[str, ...] = (),
    target_index: int | None = None,
    embeddings_file: str | Path | None = None,
    scale: str | float = "auto",
    order: str = "weight",
    keep_stopwords: bool = False,
    layer: int | None = None,
    head: int | str | None = None,
    drop_specials: bool = False,
    model_dir: str | Path | None = None,
    senses_file: str | Path | None = None,
    analogy: str | None = None,
) -> Plan:
    """The plan for `scene` from the user's options (layer and head counted from 1)."""
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}; use simple or model")
    if scene in LECTURE_SCENES:  # the plan below plus the numbers the scene needs
        from attention_math.lecture import build_lecture_plan

        return build_lecture_plan(
            sentence,
            target,
            scene=scene,
            mode=mode,
            analogy=analogy,
            compare=compare,
            target_index=target_index,
            embeddings_file=embeddings_file,
            scale=scale,
            order=order,
            keep_stopwords=keep_stopwords,
            layer=layer,
            head=parse_head(head),
            drop_specials=drop_specials,
            model_dir=model_dir,
        )
    if scene in SENSE_SCENES:
        from attention_math.model_plan import build_sense_plan, default_senses, load_senses

        file_target, senses = load_senses(senses_file or default_senses(target))
        if file_target.casefold() != target.casefold():
            raise InputError(
                f"the senses file is about {file_target!r}, not {target!r}; "
                f"give --target {file_target} or another --senses file"
            )
        return build_sense_plan(target, senses, model_dir=model_dir)
    if sentence is None or not sentence.strip():
        raise InputError("the sentence is empty; give a sentence in quotes")
    if mode == "model" or scene in MODEL_SCENES:
        from attention_math.model_plan import build_model_plan

        h = parse_head(head)
        if layer is not None and layer < 1:
            raise InputError("--layer counts from 1")
        if isinstance(h, int) and h < 1:
            raise InputError("--head counts from 1")
        return build_model_plan(
            sentence,
            target,
            compare=compare,
            target_index=target_index,
            layer=None if layer is None else layer - 1,
            head=h - 1 if isinstance(h, int) else h,
            drop_specials=drop_specials,
            order=order,
            model_dir=model_dir,
        )
    if layer is not None or head is not None or drop_specials:
        raise InputError("--layer, --head and --drop-specials need --mode model")
    from attention_math.build import build_plan

    return build_plan(
        sentence,
        target,
        compare=compare,
        target_index=target_index,
        embeddings_file=embeddings_file,
        scale=scale,
        order=order,
        keep_stopwords=keep_stopwords,
    )
