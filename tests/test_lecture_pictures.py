"""The lecture scenes' pictures agree with their numbers (issue 10), and every one of them
passes DriftScene's strict layout check over the shipped corpus (assets/corpus/).

No frames are rendered: a scene's `setup` builds every mobject and runs the layout check;
the beats' captions are collected by running `construct` with `play` and `wait` doing
nothing. The references are computed here from the plan's raw numbers (hidden states,
static vectors), never read back from the picture's own numbers.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from attention_math.plan import Plan
from attention_math.request import PlanRequest, make_plan
from tests.conftest import attention_formula, minilm_vectors

CORPUS = Path(__file__).resolve().parent.parent / "assets" / "corpus"
SENSES = Path(__file__).resolve().parent.parent / "assets" / "senses"
RIVER = "He sat on the river bank."
MONEY = "He deposited cash at the bank."
LECTURE_SCENES = (
    "LayerDriftScene",
    "AnalogyScene",
    "AttentionMathScene",
    "ProjectionScene",
    "AttentionMatrixScene",
    "SenseSplitScene",
)
SCENE_FILES = ("layers", "analogy", "attention_math_scene", "projection", "matrix", "senses")
ANALOGIES = (
    "queen - woman + man = king",
    "paris - france + italy = rome",
    "-woman + man + queen",
    "walked - walk + swim = swam",
)


def corpus() -> dict[str, PlanRequest]:
    """The shipped corpus as plan requests (without the parts a scene needs)."""
    data = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))
    out = {}
    for entry in data["inputs"]:
        kw = {k: v for k, v in entry.items() if k != "name"}
        if "compare" in kw:
            kw["compare"] = tuple(kw["compare"])
        if "embeddings" in kw:
            kw["embeddings"] = (CORPUS / kw["embeddings"]).resolve()
        out[entry["name"]] = PlanRequest(**kw)
    return out


CORPUS_REQUESTS = corpus()
SIMPLE = [n for n, r in CORPUS_REQUESTS.items() if r.mode != "model"]
# what the issue asks to look at: one long input, one with user vectors, one in model mode
PICKED = ("forty-words", "spanish-compare", "model-compare")


def plan_for(name: str, request: PlanRequest) -> Plan:
    from scenes import scene_needs

    return make_plan(dataclasses.replace(request, needs=frozenset(scene_needs(name))))


def model_request(request: PlanRequest) -> PlanRequest:
    """The same sentences through the real model (LayerDriftScene draws a model plan)."""
    return PlanRequest(
        request.sentence,
        request.target,
        compare=request.compare,
        target_index=request.target_index,
        mode="model",
        layer=request.layer,
        head=request.head,
    )


def scene_for(name: str, plan: Plan, theme: str = "dark", tmp_path: Path | None = None):
    """Scene `name` for `plan`, set up (every mobject built, the layout check run)."""
    from manim import tempconfig

    from scenes.app.media.passes import scene_class
    from scenes.job import job_for

    cls = type(name, (scene_class(name),), {"job": job_for(plan, theme)})
    with tempconfig({"media_dir": str(tmp_path or "/tmp"), "disable_caching": True}):
        scene = cls()
        scene.setup()
    return scene


def captions(scene) -> list[str]:
    """Every beat's caption, from `construct` with the animations left out."""
    scene.play = lambda *a, **k: None
    scene.wait = lambda *a, **k: None
    scene.construct()
    return scene.beat_captions


# ---------------------------------------------------------------------------------------------
# LayerDriftScene: the split is on screen, to scale


@pytest.fixture(scope="module")
def figure_layers(minilm_dir):
    request = PlanRequest(RIVER, "bank", compare=(MONEY,), mode="model")
    return plan_for("LayerDriftScene", request)


def unit_cosine(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(a @ b / math.sqrt(float(a @ a) * float(b @ b)))


@pytest.mark.parametrize("name", ["figure", "model-compare", "bat", "light"])
def test_layer_drift_ends_are_as_far_apart_as_their_cosine(minilm_dir, name, tmp_path):
    plan = plan_for("LayerDriftScene", model_request(CORPUS_REQUESTS[name]))
    scene = scene_for("LayerDriftScene", plan, tmp_path=tmp_path)
    hidden = [s.model.target_hidden for s in plan.sentences]
    a, b = plan.lecture.layers.exact
    cos = unit_cosine(hidden[a][-1], hidden[b][-1])  # from the hidden states, here
    on_screen = float(np.linalg.norm(scene.paths[a][-1] - scene.paths[b][-1]))
    assert on_screen >= scene.map.scale * math.sqrt(2 - 2 * cos) - 1e-6
    if len(plan.sentences) <= 3:  # the plane through three points keeps every distance
        for i in range(len(hidden)):
            for j in range(i + 1, len(hidden)):
                c = unit_cosine(hidden[i][-1], hidden[j][-1])
                d = float(np.linalg.norm(scene.paths[i][-1] - scene.paths[j][-1]))
                assert d == pytest.approx(scene.map.scale * math.sqrt(2 - 2 * c), abs=1e-6)


def test_layer_drift_chart_spans_the_data_in_a_neutral_colour(figure_layers, tmp_path):
    scene = scene_for("LayerDriftScene", figure_layers, "light", tmp_path)
    hidden = [s.model.target_hidden for s in figure_layers.sentences]
    cosines = [unit_cosine(x, y) for x, y in zip(*hidden, strict=True)]
    lo, hi = figure_layers.lecture.layers.axis
    assert lo <= min(cosines) and max(cosines) <= hi + 1e-9
    assert lo >= min(cosines) - 0.1  # the axis starts near the data, not at 0
    # 1.00 and 0.81 are far apart on the chart: most of its height
    y = [scene.chart_y(c) for c in cosines]
    assert (max(y) - min(y)) >= 0.6 * (scene.ax_top - scene.ax_bottom)
    # the line compares the two sentences: drawn in the text colour, not a sentence's
    line = scene.chart_lines[0][0]
    assert line.get_color().to_hex().upper() == scene.pal.text.upper()
    # the readout is a counter that starts on layer 0's cosine
    assert scene.readouts[0].text == f"{cosines[0]:.2f}"


def test_layer_drift_starts_together_and_the_layers_go_up(figure_layers, tmp_path):
    scene = scene_for("LayerDriftScene", figure_layers, tmp_path=tmp_path)
    p1, p2 = scene.paths
    assert np.linalg.norm(p1[0] - p2[0]) < 0.25 * np.linalg.norm(p1[-1] - p2[-1])
    assert p1[-1][1] > p1[0][1] and p2[-1][1] > p2[0][1]


def test_chart_axis_spans_the_values():
    from attention_math.lecture import chart_axis

    (lo, hi), ticks = chart_axis([1.0, 0.896, 0.807])
    assert (lo, hi) == (0.8, 1.0) and ticks == (0.8, 0.85, 0.9, 0.95, 1.0)
    (lo, hi), ticks = chart_axis([1.0, 0.46])
    assert lo <= 0.46 and hi == 1.0 and len(ticks) <= 6
    (lo, hi), ticks = chart_axis([-0.3, 0.2])
    assert lo <= -0.3 and hi >= 0.2 and ticks[0] == lo and ticks[-1] == hi


# ---------------------------------------------------------------------------------------------
# AnalogyScene: the nearest drawn point is the first word of the list


@pytest.mark.parametrize("text", ANALOGIES)
def test_analogy_nearest_drawn_point_is_the_top_ranked_word(minilm_dir, text, tmp_path):
    from attention_math.analogy import build_analogy_plan

    plan = build_analogy_plan(text)
    a = plan.lecture.analogy
    scene = scene_for("AnalogyScene", plan, tmp_path=tmp_path)
    result = scene.result_dot.get_center()
    dots = [d.get_center() for d in scene.ranked_dots[: len(a.neighbours)]]
    distances = [float(np.linalg.norm(d - result)) for d in dots]
    assert int(np.argmin(distances)) == 0
    assert distances == sorted(distances)  # the list's order is the picture's order
    # every ranked word at its true angle to the result (its cosine, from the vectors here)
    o = scene.map(a.basis.origin)
    r = np.asarray(a.result)
    for n, d in zip(a.neighbours, dots, strict=True):
        u, v = d - o, result - o
        drawn = math.acos(np.clip(u @ v / np.linalg.norm(u) / np.linalg.norm(v), -1, 1))
        assert n.cosine == pytest.approx(unit_cosine(r, _vector(plan, n.word)), abs=1e-9)
        assert drawn == pytest.approx(math.acos(n.cosine), abs=1e-6)
    # the terms laid tip to tail end on the result
    assert scene.path_arrows[-1].end[:2] == pytest.approx(result[:2], abs=1e-9)


def _vector(plan: Plan, word: str) -> np.ndarray:
    from attention_math import embeddings

    emb = embeddings.load(None)
    return np.asarray(emb.lookup(word).vector, dtype=np.float64)


def test_analogy_states_what_the_plane_keeps(minilm_dir, tmp_path):
    from attention_math.analogy import build_analogy_plan

    plan = build_analogy_plan("queen - woman + man = king")
    a = plan.lecture.analogy
    axes = np.array(a.basis.components)  # [2, C]
    for t, kept in zip(a.terms, a.kept, strict=True):
        v = np.asarray(t.vector)
        assert kept == pytest.approx(np.linalg.norm(axes @ v) / np.linalg.norm(v), abs=1e-9)
    scene = scene_for("AnalogyScene", plan, tmp_path=tmp_path)
    lo, hi = min(a.kept), max(a.kept)
    assert f"{lo:.0%}–{hi:.0%}" in scene.caption_lines[0].text
    assert "“king”" in scene.caption_lines[0].text


def test_analogy_labels_are_unambiguous(minilm_dir, tmp_path):
    """Words drawn at one spot share one label; every ranked word is named exactly once."""
    from attention_math.analogy import build_analogy_plan

    plan = build_analogy_plan("paris - france + italy = rome")
    scene = scene_for("AnalogyScene", plan, tmp_path=tmp_path)
    named = " · ".join(line.text for block in scene.ranked_labels for line in block)
    for r, n in enumerate(plan.lecture.analogy.neighbours, start=1):
        assert named.count(f"{r} {n.word}") == 1


def test_old_analogy_plans_load_and_are_refused_with_a_message(minilm_dir, tmp_path):
    from attention_math.analogy import build_analogy_plan
    from attention_math.errors import InputError

    data = json.loads(build_analogy_plan().to_json())
    for key in ("view", "kept", "expected_point"):
        del data["lecture"]["analogy"][key]
    old = Plan.from_dict(data)  # plans made before still load
    with pytest.raises(InputError, match="make the plan again"):
        scene_for("AnalogyScene", old, tmp_path=tmp_path)


# ---------------------------------------------------------------------------------------------
# AttentionMatrixScene: the subtitle says what the plan did


@pytest.mark.parametrize("keep", [False, True])
def test_matrix_subtitle_matches_the_stop_word_setting(keep, tmp_path):
    plan = plan_for("AttentionMatrixScene", PlanRequest(RIVER, "bank", keep_stopwords=keep))
    scene = scene_for("AttentionMatrixScene", plan, tmp_path=tmp_path)
    subtitle = " / ".join(s.text for s in scene.subs)
    if keep:
        assert "stop-words kept" in subtitle and "left out: He" not in subtitle
    else:
        assert "stop-words left out" in subtitle and "kept" not in subtitle
    left_out = [w.text for w in plan.sentences[0].words if not w.included]
    for word in left_out:  # every token left out is named, with why
        assert re.search(rf"(^|[ :,]){re.escape(word)}([ ,]|$)", subtitle), (word, subtitle)
    assert [t.text for t in scene.row_labels] == [
        w.text for w in plan.sentences[0].words if w.included
    ]


def test_matrix_of_a_long_sentence_is_summarised(tmp_path):
    request = CORPUS_REQUESTS["forty-words"]
    plan = plan_for("AttentionMatrixScene", request)
    m = plan.lecture.matrix
    scene = scene_for("AttentionMatrixScene", plan, tmp_path=tmp_path)
    assert len(scene.row_labels) == len(m.shown) <= 10 < len(m.rows)
    # each shown row: its shown weights plus "N more" sum to 1 (the hidden columns summed)
    for k, row in enumerate(scene.cell_rows()):
        assert math.fsum(row) == pytest.approx(1.0, abs=1e-9)
        hidden = [j for j in range(len(m.rows)) if j not in m.shown]
        assert row[len(m.shown)] == pytest.approx(
            math.fsum(m.weights[m.shown[k]][j] for j in hidden), abs=1e-12
        )


def test_model_matrix_says_every_token_takes_part(minilm_dir, tmp_path):
    plan = plan_for("AttentionMatrixScene", CORPUS_REQUESTS["model"])
    scene = scene_for("AttentionMatrixScene", plan, tmp_path=tmp_path)
    assert "every token takes part" in scene.subs[0].text
    assert "stop-words" not in " ".join(s.text for s in scene.subs)


# ---------------------------------------------------------------------------------------------
# AttentionMathScene: one typeface, aligned decimals, a sum you can read


@pytest.mark.slow
def test_math_scene_columns_align_on_the_decimal_point(tmp_path):
    plan = plan_for("AttentionMathScene", CORPUS_REQUESTS["twelve-content-words"])
    scene = scene_for("AttentionMathScene", plan, tmp_path=tmp_path)
    for column in (scene.scores, scene.scaled, scene.values):
        points = [c.anchor.get_location()[0] + c.offsets[c.text.index(".") - len(c.text)]
                  for c in column]  # fmt: skip
        assert max(points) - min(points) < 1e-6


@pytest.mark.slow
def test_math_scene_tip_to_tail_sum_is_large_and_labelled(tmp_path):
    for name in ("figure", "twelve-content-words", "forty-words"):
        plan = plan_for("AttentionMathScene", CORPUS_REQUESTS[name])
        scene = scene_for("AttentionMathScene", plan, tmp_path=tmp_path)
        ws = plan.lecture.weighted_sum
        assert 1 <= len(scene.sum_arrows) <= 6 and len(scene.term_labels) == len(ws.chain)
        ends = np.array([a.end[:2] for a in scene.sum_arrows] + [scene.sum_arrows[0].start[:2]])
        span = (ends.max(axis=0) - ends.min(axis=0)).max()
        x0, y0, x1, y1 = scene.area()
        assert span >= 0.5 * min(x1 - x0, y1 - y0)  # not a 60 px hook
        # the chain ends at the output: Σ w·v over every word (the plan's final point)
        assert ws.chain[-1].tip == pytest.approx(plan.sentences[0].final.point, abs=1e-9)
        assert math.fsum(g.weight for g in ws.chain) == pytest.approx(1.0, abs=1e-9)
        # the output's ring is around the last arrowhead, not on top of it
        ring = scene.out_ring
        assert ring.get_center()[:2] == pytest.approx(scene.sum_arrows[-1].end[:2], abs=1e-9)
        assert ring.get_fill_opacity() == 0


def test_math_scene_numbers_are_the_plans(minilm_dir, tmp_path):
    from scenes.components import fmt

    plan = plan_for("AttentionMathScene", PlanRequest(RIVER, "bank"))
    scene = scene_for("AttentionMathScene", plan, tmp_path=tmp_path)
    final = plan.sentences[0].final
    assert [c.text for c in scene.scores] == [fmt(x) for x in final.scores]
    assert scene.weight_targets == list(final.weights)
    want = attention_formula("bank", minilm_vectors(minilm_dir, ["bank", "river", "sat"]))
    assert [t.text for t in scene.equation] == [want]  # "bank′ = 0.56·bank + 0.26·river + …"


# ---------------------------------------------------------------------------------------------
# every scene: layout over the corpus, captions, colours, one typeface, counting numbers


def lecture_plans() -> list[tuple[str, str, PlanRequest | str]]:
    """(scene, label, input) for the layout sweep: the corpus wherever a scene applies."""
    out: list[tuple[str, str, PlanRequest | str]] = []
    for name, request in CORPUS_REQUESTS.items():
        out.append(("AttentionMatrixScene", name, request))
        out.append(("LayerDriftScene", name, model_request(request)))
        if request.mode != "model":
            out.append(("AttentionMathScene", name, request))
            out.append(("ProjectionScene", name, request))
    out += [("AnalogyScene", text, text) for text in ANALOGIES]
    out += [("AnalogyScene", "user vectors", "bank - cash + river")]
    out += [("SenseSplitScene", p.stem, p.stem) for p in sorted(SENSES.glob("*.toml"))]
    return out


def build(scene: str, source: PlanRequest | str, toml_embeddings: Path | None = None) -> Plan:
    from attention_math.analogy import build_analogy_plan

    if scene == "AnalogyScene":
        assert isinstance(source, str)
        user = toml_embeddings if source == "bank - cash + river" else None
        return build_analogy_plan(source, embeddings_file=user)
    if scene == "SenseSplitScene":
        return make_plan(PlanRequest(target=str(source), needs=frozenset({"senses"})))
    assert isinstance(source, PlanRequest)
    return plan_for(scene, source)


FAST = {"figure"}  # the fast subset (`-m "not slow"`) keeps one input per scene
UNSWEPT = ("AnalogyScene",)  # not a corpus input: every case is fast


@pytest.mark.parametrize(
    ("scene", "label", "source"),
    [
        pytest.param(
            *row,
            marks=() if row[1] in FAST or row[0] in UNSWEPT else pytest.mark.slow,
        )
        for row in lecture_plans()
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_layout_over_the_corpus(minilm_dir, toml_embeddings, scene, label, source, tmp_path):
    """The strict check (texts vs texts, points, arrows, margin, 12 px, three sizes) passes:
    scene_for raises LayoutError otherwise. The fast subset: the picked inputs."""
    plan = build(scene, source, toml_embeddings)
    s = scene_for(scene, plan, tmp_path=tmp_path)
    sizes = {round(e.size, 1) for e in s.registry if e.kind == "text"}
    assert len(sizes) <= 3


@pytest.mark.slow
@pytest.mark.parametrize("name", LECTURE_SCENES)
def test_light_theme_text_contrast_and_captions(minilm_dir, name, tmp_path):
    """Every text at least 4.5:1 on the light (and dark) background; every beat a caption."""
    from scenes.theme import contrast

    source: PlanRequest | str = {
        "LayerDriftScene": model_request(CORPUS_REQUESTS["figure"]),
        "AnalogyScene": "paris - france + italy = rome",
        "SenseSplitScene": "bank",
    }.get(name, CORPUS_REQUESTS["figure"])
    plan = build(name, source)
    for theme in ("light", "dark"):
        scene = scene_for(name, plan, theme, tmp_path)
        low = [
            (text, ink)
            for text, inks in scene.text_inks()
            for ink in inks
            if contrast(ink, scene.pal.background) < 4.5
        ]
        assert not low, low
    lines = captions(scene)
    assert lines and all(c and "\n" not in c for c in lines), lines
    assert len(lines) == len(scene.beat_notes)


def test_scenes_use_one_typeface_and_numbers_count():
    """No LaTeX (so no LaTeX digits next to the theme font's), no glyph morphing of numbers:
    numbers change with CountTo."""
    root = Path(__file__).resolve().parent.parent / "scenes"
    for name in SCENE_FILES:
        source = (root / f"{name}.py").read_text(encoding="utf-8")
        code = "\n".join(line.split("#")[0] for line in source.splitlines())
        for banned in (
            "MathTex",
            "Tex(",
            "Transform(",
            "TransformFromCopy",
            "FadeTransform",
            "DecimalNumber",
        ):
            assert banned not in code, (name, banned)


def test_layer_view_round_trips_and_old_plans_load(figure_layers):
    assert Plan.from_json(figure_layers.to_json()) == figure_layers
    data = json.loads(figure_layers.to_json())
    del data["lecture"]
    assert Plan.from_dict(data).lecture is None


POSTER_SOURCES: dict[str, PlanRequest | str] = {
    "AttentionMathScene": PlanRequest(RIVER, "bank"),
    "AttentionMatrixScene": PlanRequest(RIVER, "bank"),
    "ProjectionScene": PlanRequest(RIVER, "bank"),
    "LayerDriftScene": model_request(PlanRequest(RIVER, "bank", compare=(MONEY,))),
    "AnalogyScene": "queen - woman + man = king",
    "SenseSplitScene": "bank",
    "ContributionScene": PlanRequest(RIVER, "bank", mode="model"),
    "HeadsScene": PlanRequest(RIVER, "bank", compare=(MONEY,), mode="model"),
}
STORY_SIZE = (320, 180)  # the scenes told after a rehearsal: the loop, not the pixels, is tested


@pytest.mark.render
@pytest.mark.parametrize("scene", list(POSTER_SOURCES))
def test_the_gif_opens_on_its_last_frame(
    scene: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The first frame is a poster, the same as the last, so the GIF loops without a cut
    (AttentionMatrixScene: the whole matrix and the target's row; ProjectionScene: both
    weight columns, the values and both outputs; the others, BeatScene.tell_after_poster:
    their story's last frame); the matrix's last frame holds."""
    from PIL import Image

    from scenes.app.media.passes import GIF_FPS, GIF_SIZE, encode_gif, manim_pass
    from scenes.job import job_for
    from scenes.matrix import HOLD
    from scenes.theme import PALETTES

    source = POSTER_SOURCES[scene]
    if scene not in ("AttentionMathScene", "AttentionMatrixScene"):  # the model's files
        request.getfixturevalue("minilm_dir")
    plan = build(scene, source) if scene in ("AnalogyScene", "SenseSplitScene") else None
    plan = plan or plan_for(scene, source)  # type: ignore[arg-type]
    size, fps = (GIF_SIZE, GIF_FPS) if scene in ("AttentionMatrixScene",) else (STORY_SIZE, 5)
    movie = manim_pass(job_for(plan), scene, tmp_path / "pass", size, fps, "rgba")
    gif = tmp_path / "scene.gif"
    encode_gif(movie, gif, PALETTES["dark"].background, fps=fps)
    with Image.open(gif) as im:
        n = im.n_frames
        first = np.asarray(im.convert("RGB"), dtype=np.int16)
        im.seek(n - 1)
        last = np.asarray(im.convert("RGB"), dtype=np.int16)
        im.seek(min(n - 1, int(0.9 * fps)))  # the poster still holds after 0.9 s
        held = np.asarray(im.convert("RGB"), dtype=np.int16)
    background = np.array([int(PALETTES["dark"].background[i : i + 2], 16) for i in (1, 3, 5)])
    assert (np.abs(first - background).max(axis=2) > 40).mean() > 0.03  # not an empty frame
    assert np.abs(first - last).max(axis=2).mean() < 1.0
    assert np.abs(first - held).max(axis=2).mean() < 1.0
    if scene == "AttentionMatrixScene":
        assert n / fps >= HOLD + 3.0


BAT = PlanRequest("She swung the bat at the ball.", "bat", compare=("A bat flew out of the cave.",))
# each scene's leader groups, and an input where it draws leaders
LEADERS: dict[str, tuple[tuple[str, ...], PlanRequest | str]] = {
    "LayerDriftScene": (("leaders",), model_request(BAT)),
    "SenseSplitScene": (("leaders",), "bat"),
    "AnalogyScene": (("leaders",), "-woman + man + queen"),
    "ProjectionScene": (("leaders",), PlanRequest(RIVER, "bank")),
    "AttentionMathScene": (("value_leaders", "sum_leaders"), PlanRequest(RIVER, "bank")),
}


@pytest.mark.parametrize("name", list(LEADERS))
def test_a_leader_shows_only_with_its_label(minilm_dir, name, tmp_path):
    """After every animation of the story, every leader line on screen has its label on
    screen (scenes.picture.leaders_of): no line that ends at nothing."""
    from manim import tempconfig

    attributes, source = LEADERS[name]
    lecture = name in ("AnalogyScene", "SenseSplitScene")
    plan = build(name, source) if lecture else plan_for(name, source)  # type: ignore[arg-type]
    with tempconfig({"media_dir": str(tmp_path), "disable_caching": True}):
        scene = scene_for(name, plan, tmp_path=tmp_path)
        renderer = scene.renderer
        renderer._original_skipping_status = renderer.skip_animations = True  # end states only
        groups = [getattr(scene, a) for a in attributes]
        pairs = [(line, g.labels[i]) for g in groups for line, i in zip(g, g.owners, strict=True)]
        assert pairs  # the input draws leaders
        play, seen = scene.play, []

        def checked_play(*args, **kwargs):
            play(*args, **kwargs)
            shown = set(map(id, scene.get_mobject_family_members()))
            seen.extend(id(line) in shown for line, _ in pairs)
            orphans = [
                line for line, label in pairs if id(line) in shown and id(label) not in shown
            ]
            assert not orphans, f"{len(orphans)} leader(s) on screen without their label"

        scene.play = checked_play
        getattr(scene, "story", scene.construct)()
    assert any(seen)  # and the leaders did show
