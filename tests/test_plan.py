"""The plan: round trip, projection, independent PCA, the figure's must-show, static vectors.

Every expected number here is computed independently of `attention_math` (plain Python,
numpy's SVD, safetensors + tokenizers + vocab.txt), from the inputs the plan records.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from attention_math import build_plan
from attention_math.errors import InputError
from attention_math.plan import Plan, Sentence

RIVER = "He sat on the river bank."
CASH = "He deposited cash at the bank."


def ref_attention(
    q: list[float], rows: list[list[float]], scale: float
) -> tuple[list[float], list[float]]:
    """(weights, output) of q = k = v attention, by hand: softmax with math.exp, then Σ w v."""
    exps = [math.exp(scale * sum(a * b for a, b in zip(q, k, strict=True))) for k in rows]
    weights = [e / sum(exps) for e in exps]
    output = [sum(w * r[j] for w, r in zip(weights, rows, strict=True)) for j in range(len(q))]
    return weights, output


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def included(s: Sentence) -> list[int]:
    return [w.index for w in s.words if w.included]


@pytest.fixture
def toml_plan(toml_embeddings: Path) -> Plan:
    return build_plan(RIVER, "bank", compare=[CASH], embeddings_file=toml_embeddings)


@pytest.fixture(scope="session")
def figure_plan(minilm_dir: Path) -> Plan:
    """The post's figure, with the default (MiniLM) embeddings."""
    return build_plan(RIVER, "bank", compare=[CASH])


@pytest.fixture(scope="session")
def minilm_static(minilm_dir: Path) -> Callable[[str], tuple[list[str], np.ndarray]]:
    """word -> (word pieces, mean of their rows), read without attention_math."""
    from safetensors import safe_open
    from tokenizers import Tokenizer

    with safe_open(str(minilm_dir / "model.safetensors"), framework="numpy") as f:
        table = f.get_tensor("embeddings.word_embeddings.weight")  # [V, C]
    vocab = {p: i for i, p in enumerate((minilm_dir / "vocab.txt").read_text("utf-8").split("\n"))}
    tokenizer = Tokenizer.from_file(str(minilm_dir / "tokenizer.json"))
    tokenizer.no_padding()  # tokenizer.json pads to 128 with [PAD]

    def static(word: str) -> tuple[list[str], np.ndarray]:
        pieces = tokenizer.encode(word, add_special_tokens=False).tokens
        rows = table[[vocab[p] for p in pieces]].astype(np.float64)  # [P, C]
        return pieces, rows.mean(axis=0)  # [P, C] -> [C]

    return static


def greedy_wordpiece(word: str, vocab: set[str]) -> list[str]:
    """BERT's WordPiece for a lower-case ASCII word: longest vocabulary match first."""
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
            end -= 1
        assert end > start, f"{word!r} has no WordPiece split"
        pieces.append(piece)
        start = end
    return pieces


# ---------------------------------------------------------------------------------------------
# round trip


def test_json_round_trip(toml_plan: Plan, tmp_path: Path) -> None:
    assert Plan.from_json(toml_plan.to_json()) == toml_plan
    toml_plan.save(tmp_path / "p.json")
    assert Plan.load(tmp_path / "p.json") == toml_plan
    assert Plan.load(tmp_path / "p.json").to_json() == toml_plan.to_json()


def test_a_plan_with_the_old_empty_extra_field_still_loads(toml_plan: Plan) -> None:
    d = json.loads(toml_plan.to_json())
    assert Plan.from_dict({**d, "extra": {}}) == toml_plan
    with pytest.raises(ValueError, match="has no field 'extra'"):
        Plan.from_dict({**d, "extra": {"note": 1}})


def test_json_round_trip_minilm(figure_plan: Plan) -> None:
    again = Plan.from_json(figure_plan.to_json())
    assert again == figure_plan
    assert again.sentences[1].final.output == figure_plan.sentences[1].final.output


def test_plan_json_is_plain_json_with_provenance(toml_plan: Plan, toml_embeddings: Path) -> None:
    import hashlib

    d = json.loads(toml_plan.to_json())
    assert d["schema_version"] == 1
    assert d["embedding"]["kind"] == "toml"
    assert d["embedding"]["file"] == toml_embeddings.name  # a name, not this machine's path
    assert d["embedding"]["sha256"] == hashlib.sha256(toml_embeddings.read_bytes()).hexdigest()
    assert d["attention"]["scale_rule"] == "auto"
    assert [s["text"] for s in d["sentences"]] == [RIVER, CASH]


def test_other_schema_versions_are_refused(toml_plan: Plan) -> None:
    d = json.loads(toml_plan.to_json())
    d["schema_version"] = 99
    with pytest.raises(ValueError, match="schema version 99"):
        Plan.from_dict(d)


def test_building_is_deterministic(toml_embeddings: Path) -> None:
    a = build_plan(RIVER, "bank", compare=[CASH], embeddings_file=toml_embeddings)
    b = build_plan(RIVER, "bank", compare=[CASH], embeddings_file=toml_embeddings)
    assert a.to_json() == b.to_json()


# ---------------------------------------------------------------------------------------------
# words and steps, recomputed by hand from the vectors the plan records


def test_stop_words_and_punctuation_are_left_out(toml_plan: Plan) -> None:
    s = toml_plan.sentences[0]
    reasons = [(w.text, w.reason, w.included) for w in s.words]
    assert reasons == [
        ("He", "stop-word", False),
        ("sat", "context", True),
        ("on", "stop-word", False),
        ("the", "stop-word", False),
        ("river", "context", True),
        ("bank", "target", True),
        (".", "punctuation", False),
    ]
    assert all(w.vector is None and w.point is None for w in s.words if not w.included)


def test_keep_stopwords_lets_them_attend(write_file: Callable[..., Path]) -> None:
    path = write_file("v.toml", "he = [0, 1]\non = [1, 1]\nthe = [1, 0]\nbank = [2, 1]\n")
    plan = build_plan("He on the bank.", "bank", embeddings_file=path, keep_stopwords=True)
    s = plan.sentences[0]
    assert included(s) == [0, 1, 2, 3]
    assert plan.attention.keep_stopwords
    with pytest.raises(InputError, match="try keep_stopwords"):
        build_plan("He on the bank.", "bank", embeddings_file=path)


def test_stop_words_are_those_of_each_sentences_language(
    write_file: Callable[..., Path],
) -> None:
    path = write_file(
        "v.toml",
        'banco = [2, 1]\nparque = [1, 2]\n"senté" = [1, 0]\nriver = [1, 1]\nthe = [0, 2]\n',
    )
    plan = build_plan(
        "Me senté en el banco del parque.", "banco", compare=["the banco river"],
        embeddings_file=path,
    )  # fmt: skip
    spanish, english = plan.sentences
    assert [w.text for w in spanish.words if w.reason == "stop-word"] == ["Me", "en", "el", "del"]
    assert [w.text for w in english.words if w.reason == "stop-word"] == ["the"]
    assert (spanish.language, english.language) == ("es", "en")
    assert "spanish/stop.txt" in spanish.stopword_list and plan.attention.language == "auto"
    assert Plan.from_json(plan.to_json()) == plan
    forced = build_plan("the banco river", "banco", embeddings_file=path, language="es")
    assert forced.sentences[0].language == "es" and forced.attention.language == "es"
    assert forced.sentences[0].words[0].reason == "context"  # "the" is not Spanish


@pytest.mark.parametrize("which", ["toml", "minilm"])
def test_steps_match_a_hand_computation(which: str, request: pytest.FixtureRequest) -> None:
    plan: Plan = request.getfixturevalue("toml_plan" if which == "toml" else "figure_plan")
    for s in plan.sentences:
        q = list(s.target.vector or ())
        assert s.scale == pytest.approx(1 / sum(v * v for v in q), rel=1e-12)  # auto = 1/‖q‖²
        assert s.steps[0].words == (s.target_index,)
        assert s.steps[0].output == pytest.approx(q, rel=1e-12)  # step 0: the static vector
        assert sorted(s.final.words) == included(s)  # last step: every included word
        for step in s.steps:
            rows = [list(s.words[i].vector or ()) for i in step.words]
            weights, output = ref_attention(q, rows, s.scale)
            assert step.weights == pytest.approx(weights, rel=1e-9)
            assert step.output == pytest.approx(output, rel=1e-9, abs=1e-12)
            assert math.fsum(step.weights) == pytest.approx(1.0, abs=1e-12)
            assert step.scaled_scores == pytest.approx([s.scale * x for x in step.scores])


def test_order_weight_adds_by_final_weight(toml_plan: Plan) -> None:
    for s in toml_plan.sentences:
        final = dict(zip(s.final.words, s.final.weights, strict=True))
        added = [step.added for step in s.steps[1:]]
        assert added == sorted(added, key=lambda i: -final[i])  # type: ignore[index]


def test_order_sentence_adds_in_sentence_order(toml_embeddings: Path) -> None:
    plan = build_plan(RIVER, "bank", embeddings_file=toml_embeddings, order="sentence")
    assert [step.added for step in plan.sentences[0].steps] == [None, 1, 4]


def test_many_long_sentences_share_the_figure_s_steps(write_file: Callable[..., Path]) -> None:
    """Five sentences of 9 context words: 3 steps each (15 in all, at most 16: two words
    one at a time, the other 7 together), every last step still the full attention; four
    get 4 steps, two sentences their 8 each; five short ones keep every word."""
    words = [f"w{i}" for i in range(45)]
    vectors = "".join(f"{w} = [{math.cos(i)}, {math.sin(i)}, {i / 10}]\n" for i, w in
                      enumerate(words))  # fmt: skip
    path = write_file("v.toml", vectors + "bank = [1.0, 0.5, 0.2]\n")
    sentences = [" ".join(["bank", *words[9 * k : 9 * k + 9]]) for k in range(5)]

    def plan(texts: list[str]) -> Plan:
        return build_plan(texts[0], "bank", compare=texts[1:], embeddings_file=path)

    five = plan(sentences)
    for s in five.sentences:
        assert len(s.steps) == 1 + 3
        assert [len(st.joined) for st in s.steps] == [0, 1, 1, 7]
        x = np.array([np.array(s.words[i].vector) for i in s.final.words])
        w = np.array(s.final.weights)
        assert np.allclose(np.array(s.final.output), w @ x, atol=1e-12)
    assert [len(s.steps) for s in plan(sentences[:4]).sentences] == [5] * 4
    assert [len(s.steps) for s in plan(sentences[:2]).sentences] == [9] * 2
    short = [" ".join(["bank", *words[3 * k : 3 * k + 3]]) for k in range(5)]  # 15 steps
    assert [len(s.steps) for s in plan(short).sentences] == [4] * 5


def test_a_long_sentence_joins_its_rest_in_one_step(write_file: Callable[..., Path]) -> None:
    """12 context words: 7 join one at a time (largest final weight first), the other 5 in
    one last step, recorded in `added_group`; the last step is still the full attention."""
    from attention_math.attention import MAX_STEPS

    words = [f"w{i}" for i in range(12)]
    vectors = "".join(f"{w} = [{math.cos(i)}, {math.sin(i)}, {i / 10}]\n" for i, w in
                      enumerate(words))  # fmt: skip
    path = write_file("v.toml", vectors + "bank = [1.0, 0.5, 0.2]\n")
    plan = build_plan(" ".join(["bank", *words]), "bank", embeddings_file=path)
    s = plan.sentences[0]
    assert MAX_STEPS == 8 and len(s.steps) == MAX_STEPS + 1
    final = dict(zip(s.final.words, s.final.weights, strict=True))
    by_weight = sorted(range(1, 13), key=lambda i: (-final[i], i))
    one_by_one = [(i,) for i in by_weight[:7]]
    assert [st.joined for st in s.steps] == [(), *one_by_one, tuple(by_weight[7:])]
    assert [st.added for st in s.steps] == [None, *by_weight[:8]]
    assert sorted(s.final.words) == included(s)
    q = list(s.target.vector or ())
    weights, output = ref_attention(q, [list(s.words[i].vector or ()) for i in s.final.words],
                                    s.scale)  # fmt: skip
    assert s.final.weights == pytest.approx(weights, rel=1e-9)
    assert s.final.output == pytest.approx(output, rel=1e-9)
    assert Plan.from_json(plan.to_json()) == plan


def test_a_plan_without_added_group_still_loads(toml_plan: Plan) -> None:
    """Plans written before `added_group` existed: `joined` falls back to (added,)."""
    d = json.loads(toml_plan.to_json())
    for s in d["sentences"]:
        for st in s["steps"]:
            del st["added_group"]
    old = Plan.from_dict(d)
    for s_old, s_new in zip(old.sentences, toml_plan.sentences, strict=True):
        assert [st.joined for st in s_old.steps] == [st.joined for st in s_new.steps]
        assert [st.added_group for st in s_new.steps[1:]] == [(st.added,) for st in s_new.steps[1:]]


# ---------------------------------------------------------------------------------------------
# projection


def _reference_vectors(plan: Plan) -> np.ndarray:
    """What the basis is documented to be fitted on: included words + every step's output."""
    rows: list[tuple[float, ...]] = []
    for s in plan.sentences:
        rows += [s.words[i].vector for i in included(s)]  # type: ignore[misc]
        rows += [step.output for step in s.steps]
    return np.array(rows)  # [R, C]


@pytest.mark.parametrize("which", ["toml", "minilm"])
def test_projection_matches_numpy_svd_pca(which: str, request: pytest.FixtureRequest) -> None:
    plan: Plan = request.getfixturevalue("toml_plan" if which == "toml" else "figure_plan")
    x = _reference_vectors(plan)  # [R, C]
    assert plan.projection.n_reference == len(x)
    mean = x.mean(axis=0)  # [C]
    _, sv, vt = np.linalg.svd(x - mean, full_matrices=False)
    variance = sv**2
    comps = np.array(plan.projection.components)  # [2, C]
    assert np.allclose(plan.projection.mean, mean, atol=1e-12)
    for k in range(2):
        sign = np.sign(comps[k] @ vt[k])
        assert np.allclose(comps[k], sign * vt[k], atol=1e-8), f"component {k}"
    assert np.allclose(plan.projection.explained_variance_ratio, variance[:2] / variance.sum())


@pytest.mark.parametrize("which", ["toml", "minilm", "random", "two", "wide"])
def test_projection_is_scikit_learns_pca(which: str, request: pytest.FixtureRequest) -> None:
    """The basis is scikit-learn's PCA(n_components=2, svd_solver="full"), signs included
    (fitted here with scikit-learn itself, the reference the numpy code must equal)."""
    from sklearn.decomposition import PCA

    from attention_math.pca import fit_basis

    rng = np.random.default_rng(7)
    if which in ("toml", "minilm"):
        plan = request.getfixturevalue("toml_plan" if which == "toml" else "figure_plan")
        x = _reference_vectors(plan)
    else:
        shape = {"random": (12, 5), "two": (2, 384), "wide": (9, 384)}[which]
        x = rng.normal(size=shape) * rng.uniform(0.1, 3.0, size=shape[1])
    basis = fit_basis(x)
    pca = PCA(n_components=2, svd_solver="full").fit(x)
    assert np.allclose(basis.mean, pca.mean_, atol=1e-12)
    assert np.allclose(basis.components, pca.components_, atol=1e-9)  # signs too
    assert np.allclose(basis.explained_variance_ratio, np.nan_to_num(pca.explained_variance_ratio_))
    assert np.allclose(basis.project(x), pca.transform(x), atol=1e-9)


def test_points_are_the_affine_projection(figure_plan: Plan) -> None:
    mean = np.array(figure_plan.projection.mean)  # [C]
    comps = np.array(figure_plan.projection.components)  # [2, C]
    assert np.allclose(figure_plan.projection.origin, -mean @ comps.T)
    for s in figure_plan.sentences:
        for w in s.words:
            if w.vector is not None:
                assert w.point is not None
                assert np.allclose(w.point, (np.array(w.vector) - mean) @ comps.T)
        for step in s.steps:
            assert np.allclose(step.point, (np.array(step.output) - mean) @ comps.T)


@pytest.mark.parametrize("which", ["toml", "minilm"])
def test_projection_is_linear(which: str, request: pytest.FixtureRequest) -> None:
    """Each step's 2-D point is the weighted sum of its words' 2-D points (weights sum to 1)."""
    plan: Plan = request.getfixturevalue("toml_plan" if which == "toml" else "figure_plan")
    for s in plan.sentences:
        for step in s.steps:
            points = np.array([s.words[i].point for i in step.words])  # [k, 2]
            assert np.allclose(step.point, np.array(step.weights) @ points, atol=1e-9)


def test_sentences_share_one_basis(toml_plan: Plan) -> None:
    """The target word has the same vector, so the same point, in both sentences."""
    a, b = (s.target for s in toml_plan.sentences)
    assert a.vector == b.vector
    assert a.point == b.point


# ---------------------------------------------------------------------------------------------
# the post's figure with MiniLM


def test_static_vectors_are_the_mean_of_minilm_word_pieces(
    figure_plan: Plan, minilm_static: Callable[[str], tuple[list[str], np.ndarray]]
) -> None:
    assert figure_plan.embedding.kind == "minilm"
    assert figure_plan.embedding.dim == 384
    for s in figure_plan.sentences:
        for w in s.words:
            if not w.included:
                continue
            pieces, vector = minilm_static(w.text)
            assert list(w.pieces) == pieces
            assert w.vector is not None
            assert np.allclose(w.vector, vector, rtol=0, atol=1e-7), w.text


def test_a_split_word_gets_the_mean_of_its_pieces(
    minilm_dir: Path, minilm_static: Callable[[str], tuple[list[str], np.ndarray]]
) -> None:
    vocab = set((minilm_dir / "vocab.txt").read_text("utf-8").split("\n"))
    assert greedy_wordpiece("embeddings", vocab) == ["em", "##bed", "##ding", "##s"]
    plan = build_plan("embeddings of a bank", "bank")
    word = plan.sentences[0].words[0]
    pieces, vector = minilm_static("embeddings")
    assert list(word.pieces) == pieces == ["em", "##bed", "##ding", "##s"]
    assert word.vector is not None
    assert np.allclose(word.vector, vector, rtol=0, atol=1e-7)


def test_minilm_pieces_match_a_hand_wordpiece(figure_plan: Plan, minilm_dir: Path) -> None:
    vocab = set((minilm_dir / "vocab.txt").read_text("utf-8").split("\n"))
    for s in figure_plan.sentences:
        for w in s.words:
            if w.included:
                assert list(w.pieces) == greedy_wordpiece(w.norm, vocab)


def test_figure_river_sentence_drifts_to_river_cash_sentence_to_cash(
    figure_plan: Plan, minilm_static: Callable[[str], tuple[list[str], np.ndarray]]
) -> None:
    river_vec, cash_vec = minilm_static("river")[1], minilm_static("cash")[1]
    river_s, cash_s = figure_plan.sentences
    assert (river_s.text, cash_s.text) == (RIVER, CASH)
    river_out, cash_out = np.array(river_s.final.output), np.array(cash_s.final.output)
    assert cosine(river_out, river_vec) > cosine(river_out, cash_vec)
    assert cosine(cash_out, cash_vec) > cosine(cash_out, river_vec)


def test_figure_endpoints_are_apart_in_2d(figure_plan: Plan) -> None:
    points = np.array(
        [w.point for s in figure_plan.sentences for w in s.words if w.point is not None]
        + [step.point for s in figure_plan.sentences for step in s.steps]
    )  # [M, 2]
    extent = float((points.max(axis=0) - points.min(axis=0)).max())
    a, b = (np.array(s.final.point) for s in figure_plan.sentences)
    # 10 % of the picture's width is well over a chip's width on a 16:9 frame.
    assert float(np.linalg.norm(a - b)) > 0.1 * extent
    # and each endpoint has left the shared starting point (the static "bank")
    start = np.array(figure_plan.sentences[0].steps[0].point)
    for end in (a, b):
        assert float(np.linalg.norm(end - start)) > 0.1 * extent


# ---------------------------------------------------------------------------------------------
# attention_math never imports manim


def test_attention_math_and_the_cli_do_not_import_manim(toml_embeddings: Path) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        import attention_math
        from attention_math import build_plan
        import scenes.app.cli
        plan = build_plan({RIVER!r}, "bank", compare=[{CASH!r}],
                          embeddings_file={str(toml_embeddings)!r})
        plan.to_json()
        try:
            import attention_math.model  # the MiniLM path's imports
        except ImportError:
            pass
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("manim", "manimpango",
                                                                  "cairo", "torch")
                     or (m.startswith("scenes.") and not m.startswith("scenes.app")))
        print(",".join(bad))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == ""
