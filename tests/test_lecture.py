"""Lecture numbers (analogy, weighted sum, head comparison, matrix) against independent
computations, and the lecture scenes' on-screen numbers and layout, without rendering."""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from attention_math import build_plan
from attention_math.errors import InputError
from attention_math.plan import Plan
from attention_math.request import PlanRequest
from tests.conftest import attention_formula, minilm_vectors

RIVER = "He sat on the river bank."
HOSTILE = "The \\ { } $ % & # _ ^ ~ river bank is here"
LONG = (
    "After the long storm the old fisherman slowly walked along the muddy river bank to "
    "check whether his small wooden boat survived"
)


# ---------------------------------------------------------------------------------------------
# the analogy, checked by a brute-force search written here


def brute_force_neighbours(minilm_dir: Path, words: list[tuple[int, str]], k: int):
    """Cosine of a ± b ± c with every whole word of vocab.txt, by a plain loop over rows."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    table = load_file(str(minilm_dir / "model.safetensors"))
    key = next(k for k in table if k.endswith("word_embeddings.weight"))
    emb = table[key].astype(np.float64)
    tok = Tokenizer.from_file(str(minilm_dir / "tokenizer.json"))
    tok.no_padding()  # the file pads to a fixed length
    vocab = (minilm_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()

    def vector(word: str) -> np.ndarray:
        ids = tok.encode(word, add_special_tokens=False).ids
        return emb[ids].mean(axis=0)

    result = sum(sign * vector(w) for sign, w in words)
    inputs = {w for _, w in words}
    scored = []
    for i, piece in enumerate(vocab):
        if piece.startswith("##") or not piece.isalpha() or piece in inputs:
            continue
        if len(piece) == 1 and not piece.isascii():
            continue
        row = emb[i]
        cos = float(row @ result) / (math.sqrt(float(row @ row)) * math.sqrt(result @ result))
        scored.append((cos, piece))
    scored.sort(key=lambda t: -t[0])
    return scored, scored[:k]


def test_analogy_nearest_matches_brute_force(minilm_dir):
    from attention_math.analogy import build_analogy_plan

    plan = build_analogy_plan("queen - woman + man = king")
    a = plan.lecture.analogy
    _, top = brute_force_neighbours(minilm_dir, [(1, "queen"), (-1, "woman"), (1, "man")], 5)
    assert [n.word for n in a.neighbours] == [w for _, w in top]
    assert np.allclose([n.cosine for n in a.neighbours], [c for c, _ in top], atol=1e-9)
    assert a.neighbours[0].word == "king" and a.expected_rank == 1
    assert all(n.word not in ("queen", "woman", "man") for n in a.neighbours)  # inputs excluded
    assert a.path[-1] == pytest.approx(a.result_point, abs=1e-9)  # tip to tail ends at result
    assert Plan.from_json(plan.to_json()) == plan


def test_analogy_is_honest_when_expected_word_is_not_first(minilm_dir):
    from attention_math.analogy import build_analogy_plan

    a = build_analogy_plan("paris - france + italy = rome").lecture.analogy
    scored, top = brute_force_neighbours(
        minilm_dir, [(1, "paris"), (-1, "france"), (1, "italy")], 5
    )
    rank = [w for _, w in scored].index("rome") + 1
    assert a.expected_rank == rank > 1
    assert a.neighbours[0].word == top[0][1] != "rome"


def test_analogy_with_a_user_embeddings_file(toml_embeddings):
    from attention_math.analogy import build_analogy_plan

    a = build_analogy_plan("bank - cash + river", embeddings_file=toml_embeddings)
    a = a.lecture.analogy
    x = {
        "bank": [2.0, 0.6, 0.1],
        "river": [1.5, 1.5, -0.2],
        "sat": [0.2, 1.0, 0.3],
        "deposited": [1.0, -1.2, 0.4],
        "cash": [2.5, -1.0, 0.0],
    }
    r = np.array(x["bank"]) - np.array(x["cash"]) + np.array(x["river"])
    cos = {
        w: float(np.dot(v, r) / np.linalg.norm(v) / np.linalg.norm(r))
        for w, v in x.items()
        if w not in ("bank", "cash", "river")
    }
    assert [n.word for n in a.neighbours] == sorted(cos, key=lambda w: -cos[w])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("queen", "at least two words"),
        ("queen + + man", "two signs in a row"),
        ("queen man", "put + or -"),
        ("queen - woman +", "ends with a sign"),
        ("queen - 3 + man", "is not a word"),
        ("queen - queen", "uses a word twice"),
        ("a - b = c = d", "more than one '='"),
        ("a - b = c d", "give one word"),
    ],
)
def test_analogy_bad_input(text, message):
    from attention_math.analogy import parse_analogy

    with pytest.raises(InputError, match=re.escape(message)):
        parse_analogy(text)


# ---------------------------------------------------------------------------------------------
# weighted sum, matrix, head comparison


@pytest.fixture(scope="module")
def river():
    return build_plan(RIVER, "bank")


def test_weighted_sum_tips_end_at_the_output(river):
    from attention_math.lecture import weighted_sum

    ws = weighted_sum(river)
    final = river.sentences[0].final
    assert ws.words == final.words
    assert ws.tips[-1] == pytest.approx(final.point, abs=1e-9)
    # each arrow is weight × (the word's point − origin): the projection's linear part
    o = np.array(river.projection.origin)
    for i, w, v in zip(final.words, final.weights, ws.vectors, strict=True):
        p = np.array(river.sentences[0].words[i].point)
        assert np.allclose(v, w * (p - o), atol=1e-9)


def test_simple_matrix_rows_by_a_hand_loop(river):
    from attention_math.lecture import simple_matrix

    m = simple_matrix(river)
    s = river.sentences[0]
    xs = [s.words[i].vector for i in m.rows]
    for r, x in enumerate(xs):
        scale = 1.0 / sum(v * v for v in x)  # "auto"
        scores = [scale * sum(a * b for a, b in zip(x, y, strict=True)) for y in xs]
        top = max(scores)
        exp = [math.exp(z - top) for z in scores]
        assert m.weights[r] == pytest.approx([e / sum(exp) for e in exp], abs=1e-12)
    # the target's row is the plan's full attention
    final = dict(zip(s.final.words, s.final.weights, strict=True))
    assert m.weights[m.target_row] == pytest.approx([final[i] for i in m.columns], abs=1e-12)


def test_model_matrix_rows_sum_to_one_and_match_model_mode(minilm_dir):
    from attention_math.lecture import model_matrix
    from attention_math.model_plan import build_model_plan

    m = model_matrix(build_plan(RIVER, "bank"), layer=1, head=6)
    assert np.allclose(np.sum(m.weights, axis=1), 1.0, atol=1e-5)
    mp = build_model_plan(RIVER, "bank", layer=1, head=6)  # the lead's merging, independently
    final = mp.sentences[0].final
    by_token = dict(zip(final.words, final.weights, strict=True))
    special = next(w.index for w in mp.sentences[0].words if w.reason == "special")
    row = m.weights[m.target_row]
    for col, token in enumerate(m.columns):
        assert row[col] == pytest.approx(by_token[special if token == -1 else token], abs=1e-5)


def test_head_comparison(minilm_dir, river):
    from attention_math.lecture import head_comparison

    h = head_comparison(river, layer=1, head=6)
    assert sum(h.learned_weights) == pytest.approx(1.0, abs=1e-5)
    simple = [w for w in h.simple_weights if w is not None]
    assert sorted(simple) == pytest.approx(sorted(river.sentences[0].final.weights))
    v = np.array(h.values)
    assert np.allclose(np.array(h.learned_weights) @ v, h.output_learned, atol=1e-9)
    used = [r for r, w in enumerate(h.simple_weights) if w is not None]
    assert np.allclose(np.array(simple) @ v[used], h.output_simple, atol=1e-9)
    with pytest.raises(InputError, match=r"^layer must be 1 to 6"):
        head_comparison(river, layer=6, head=0)


def test_lecture_plan_round_trips(minilm_dir):
    from attention_math.request import PlanRequest, make_plan, missing_parts

    for part in ("weighted_sum", "head_comparison", "matrix"):
        plan = make_plan(PlanRequest(RIVER, "bank", needs={part}))
        assert plan.lecture is not None and missing_parts(plan, [part]) == []
        assert Plan.from_json(plan.to_json()) == plan


def test_lecture_numbers_do_not_import_manim():
    code = (
        "import sys, attention_math.lecture, attention_math.analogy, attention_math.request; "
        "assert 'manim' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------------
# the scenes' numbers and layout (setup only, no rendering)


def scene_for(name, plan, theme="dark", tmp_path=None):
    """The scene `name` set up for a plan with the parts it draws (`plan` a PlanRequest, or a
    finished plan)."""
    from manim import tempconfig

    from attention_math.request import PlanRequest, make_plan
    from scenes import scene_needs
    from scenes.app.media.passes import scene_class

    if isinstance(plan, PlanRequest):
        plan = make_plan(dataclasses.replace(plan, needs=frozenset(scene_needs(name))))
    cls = type(name, (scene_class(name),), {"plan": plan, "theme": theme})
    with tempconfig({"media_dir": str(tmp_path), "disable_caching": True}):
        scene = cls()
        scene.setup()  # builds every mobject and runs the layout check
    return plan, scene


def test_math_scene_shows_the_plans_numbers(river, minilm_dir, tmp_path):
    from scenes.components import fmt

    plan, scene = scene_for("AttentionMathScene", PlanRequest(RIVER, "bank"), tmp_path=tmp_path)
    final = plan.sentences[0].final
    assert [m.text for m in scene.scores] == [fmt(x) for x in final.scores]
    assert scene.weight_targets == list(final.weights)  # the weights count up to these
    want = attention_formula("bank", minilm_vectors(minilm_dir, ["bank", "river", "sat"]))
    assert [t.text for t in scene.equation] == [want]  # "bank′ = 0.56·bank + 0.26·river + …"


def test_projection_scene_shows_the_plans_numbers(minilm_dir, river, tmp_path):
    from scenes.components import fmt

    plan, scene = scene_for("ProjectionScene", PlanRequest(RIVER, "bank"), tmp_path=tmp_path)
    h = plan.lecture.head
    want = []
    for r in scene.shown():
        if h.simple_weights[r] is not None:
            want.append(fmt(h.simple_weights[r]))
    for r in scene.shown():
        want.append(fmt(h.learned_weights[r]))
    assert sorted(fmt(w) for _, w in scene.numbers) == sorted(want)


def test_analogy_and_matrix_scenes_show_the_plans_numbers(minilm_dir, river, tmp_path):
    from attention_math.analogy import build_analogy_plan
    from scenes.components import fmt

    plan, scene = scene_for("AnalogyScene", build_analogy_plan(), tmp_path=tmp_path)
    rows = [(n.text, fmt(scene.finals[id(v)])) for n, v in scene.rows]
    assert rows == [
        (f"{r}. {n.word}", fmt(n.cosine))
        for r, n in enumerate(plan.lecture.analogy.neighbours, start=1)
    ]
    plan, scene = scene_for("AttentionMatrixScene", PlanRequest(RIVER, "bank"), tmp_path=tmp_path)
    m = plan.lecture.matrix
    assert [c.text for c in scene.numbers] == [fmt(w) for r in m.weights for w in r]


LAYOUT = [
    (RIVER, "bank", False),
    (HOSTILE, "bank", False),
    (LONG, "bank", True),
    ("In spring the flowers bloom.", "spring", False),
]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["AttentionMathScene", "ProjectionScene", "AttentionMatrixScene"])
def test_lecture_scene_layouts(minilm_dir, name, tmp_path):
    for sentence, target, keep in LAYOUT:
        request = PlanRequest(sentence, target, keep_stopwords=keep)
        for theme in ("dark", "light"):
            plan, scene = scene_for(name, request, theme, tmp_path)  # LayoutError on overlap
            chips = [c.word.text for c in scene.chips.chips] if hasattr(scene, "chips") else []
            if chips and "…" not in chips:  # unless elided, every token is shown, in order
                assert chips == [w.text for w in plan.sentences[0].words]


# ---------------------------------------------------------------------------------------------
# slides helpers and the command line


def test_html_notes_escape_html_and_markdown():
    from scenes.app.media.slides import html_notes

    out = html_notes("<b>bank</b> & _x_ *y* # 1.00")
    assert "<b>" not in out and "&lt;b&gt;" in out and "&amp;" in out
    assert r"\_x\_" in out and r"\*y\*" in out and r"\#" in out


def test_reveal_assets_are_inlined():
    from scenes.app.media.slides import REVEAL_PREFIX, inline_reveal

    page = (
        f'<link rel="stylesheet" href="{REVEAL_PREFIX}/dist/reveal.css">'
        f'<link rel="stylesheet" href="{REVEAL_PREFIX}/dist/theme/dracula.css">'
        f'<script src="{REVEAL_PREFIX}/dist/reveal.js"></script>'
        f'<script src="{REVEAL_PREFIX}/dist/plugin/notes.js"></script>'
    )
    out = inline_reveal(page)
    assert REVEAL_PREFIX not in out and "<style>" in out and "Reveal" in out
    with pytest.raises(RuntimeError):
        inline_reveal(f'<img src="{REVEAL_PREFIX}/dist/logo.png">')


def run(*args):
    from scenes.app import cli

    return CliRunner().invoke(cli.main, [str(a) for a in args])


def test_cli_scenes_lists_the_lecture_scenes():
    result = run("scenes")
    assert result.exit_code == 0
    for name in ("AnalogyScene", "AttentionMathScene", "ProjectionScene", "AttentionMatrixScene"):
        assert name in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["render", RIVER, "-t", "bank", "--analogy", "a - b + c"], 2, "--scene AnalogyScene"),
        (["render", RIVER, "-t", "bank", "--transparent", "--format", "mp4"], 2, "alpha"),
        (["render", "--scene", "AnalogyScene", "--analogy", "queen man"], 1, "put + or -"),
        (["render", "--scene", "AnalogyScene", "--analogy", "a - b = c d"], 1, "give one word"),
        (
            [
                "render",
                RIVER,
                "-t",
                "bank",
                "--scene",
                "ProjectionScene",
                "--layer",
                "9",
                "--head",
                "1",
            ],
            1,
            "--layer must be 1 to 6",
        ),
        (
            ["render", RIVER, "-t", "bank", "--scene", "ProjectionScene", "--mode", "model"],
            1,
            "leave out --mode model",
        ),
        (["render", "--scene", "AttentionMathScene"], 2, "--target"),
    ],
)
def test_cli_lecture_errors(minilm_dir, tmp_path, args, code, message):
    result = (
        run(*args, "--out", tmp_path, "--format", "png")
        if "--format" not in args
        else run(*args, "--out", tmp_path)
    )
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
