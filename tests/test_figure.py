"""DriftScene, the figure every user sees first.

- The layout check (scenes.layout.check_items: every text against every text, point, mark,
  arrow and trail; the safe margin; text sizes) over the shipped corpus of inputs
  (assets/corpus/corpus.toml), without rendering: a few entries in the fast subset, the
  whole corpus as slow tests.
- The numbers on screen are the plan's, read back from the counters, bars and equations and
  compared with the plan's weights taken apart here independently.
- Timing, themes (contrast, transparency) and the check itself (it can fail).
- Control frames in the style of Manim's `frames_comparison`: the first frame, a step and the
  last frame of two small figures in both themes, against PNGs in tests/control_data/
  compared with a tolerance. A deliberate change of the look regenerates them:

      ATTENTION_DRIFT_UPDATE_CONTROL=1 .venv/bin/python -m pytest tests/test_figure.py -k control

  then look at the new PNGs (git diff shows them changed) and commit them with the change.
- The GIF's first frame is a complete poster (not blank) and the same as its last frame.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from attention_math import build_plan
from attention_math.plan import Plan, Sentence

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "assets" / "corpus" / "corpus.toml"
CONTROL = Path(__file__).resolve().parent / "control_data"
UPDATE_CONTROL = os.environ.get("ATTENTION_DRIFT_UPDATE_CONTROL") == "1"

ENTRIES: list[dict[str, Any]] = tomllib.loads(CORPUS.read_text("utf-8"))["inputs"]
BY_NAME = {e["name"]: e for e in ENTRIES}
# In the fast subset: the post's figure and the hardest of the rest (MiniLM-free where it can).
FAST = ["figure", "plane-2d", "devanagari", "target-twice"]


def words(text: str) -> list[str]:
    from attention_math.tokens import tokenize

    return [t.text for t in tokenize(text) if t.is_word]


_PLANS: dict[str, Plan] = {}
_SCENES: dict[tuple[str, str], Any] = {}


def corpus_plan(entry: dict[str, Any], request: pytest.FixtureRequest) -> Plan:
    """The plan of a corpus entry (entries that need the model files skip without them)."""
    if entry.get("mode") == "model" or "embeddings" not in entry:
        request.getfixturevalue("minilm_dir")
    if entry["name"] not in _PLANS:
        _PLANS[entry["name"]] = _build(entry)
    return _PLANS[entry["name"]]


def _build(entry: dict[str, Any]) -> Plan:
    if entry.get("mode") == "model":
        from attention_math.model_plan import build_model_plan

        layer, head = entry.get("layer"), entry.get("head")
        return build_model_plan(
            entry["sentence"],
            entry["target"],
            compare=entry.get("compare", []),
            target_index=entry.get("target_index"),
            layer=None if layer is None else layer - 1,
            head=None if head is None else head - 1,
            drop_specials=entry.get("drop_specials", False),
            order=entry.get("order", "weight"),
        )
    emb = entry.get("embeddings")
    return build_plan(
        entry["sentence"],
        entry["target"],
        compare=entry.get("compare", []),
        target_index=entry.get("target_index"),
        embeddings_file=None if emb is None else CORPUS.parent / emb,
        scale=entry.get("scale", "auto"),
        order=entry.get("order", "weight"),
        keep_stopwords=entry.get("keep_stopwords", False),
        language=entry.get("language", "auto"),
    )


def laid_out(plan: Plan, theme: str = "dark") -> Any:
    """A DriftScene with its layout built (what setup() does before it checks), not rendered;
    built once per plan and theme in this module."""
    key = (plan.to_json(), theme)
    if key not in _SCENES:
        _SCENES[key] = _lay_out(plan, theme)
    return _SCENES[key]


def _lay_out(plan: Plan, theme: str) -> Any:
    from scenes.drift import DriftScene, timeline
    from scenes.job import job_for

    scene = type("S", (DriftScene,), {"job": job_for(plan, theme)})()
    scene.load_plan()
    scene.timing = timeline(plan)
    scene.build_layout()
    return scene


# ---------------------------------------------------------------------------------------------
# the corpus


def test_the_corpus_is_varied() -> None:
    """At least 30 inputs: 3 to 40 words, stop-words kept, 1 to 4 compares, the target twice,
    capitals, long words, Devanagari and Spanish with user vectors, model mode, a 2-D TOML."""
    assert len(ENTRIES) >= 30
    assert len({e["name"] for e in ENTRIES}) == len(ENTRIES)
    counts = [len(words(e["sentence"])) for e in ENTRIES]
    assert min(counts) == 3 and max(counts) == 40
    assert {len(e.get("compare", [])) for e in ENTRIES} >= {0, 1, 2, 3, 4}
    assert any(e.get("keep_stopwords") for e in ENTRIES)
    assert any(e.get("target_index") is not None for e in ENTRIES)
    assert any(w.isupper() and len(w) > 1 for e in ENTRIES for w in words(e["sentence"]))
    assert any(len(w) >= 25 for e in ENTRIES for w in words(e["sentence"]))
    assert any(re.search("[\u0900-\u097f]", e["sentence"]) for e in ENTRIES)
    spanish = [e for e in ENTRIES if e.get("embeddings") == "spanish.toml"]
    assert spanish and any(e.get("compare") for e in spanish)
    assert any(e.get("mode") == "model" for e in ENTRIES)
    plane = tomllib.loads((CORPUS.parent / "plane.toml").read_text("utf-8"))
    assert {len(v) for v in plane.values()} == {2}
    for e in ENTRIES:  # every embeddings file is there
        if "embeddings" in e:
            assert (CORPUS.parent / e["embeddings"]).is_file(), e["name"]


def test_the_corpus_speaks_seven_languages() -> None:
    """Stop-words in the sentence's language: the corpus has sentences in each language with
    a shipped list, guessed from their words (or given)."""
    from attention_math.tokens import LANGUAGES, detect_language, tokenize

    found = set()
    for e in ENTRIES:
        for text in [e["sentence"], *e.get("compare", [])]:
            found.add(e.get("language") or detect_language(tokenize(text)))
    assert found >= set(LANGUAGES)
    assert any(len(e.get("compare", [])) >= 2 and e.get("mode") == "model" for e in ENTRIES)


def assert_lays_out(plan: Plan) -> None:
    from scenes.drift import NAME_W, timeline
    from scenes.layout import MAX_TEXT_SIZES, MIN_TEXT_PX, check_items, text_px

    scene = laid_out(plan)
    items = scene.layout_items()
    assert check_items(items) == []
    # Every mark is named: each point, dart, ring or group's diamond has its label (or its
    # number, named in the key's legend).
    assert all(pt["labelled"] for pt in scene.points)
    assert all(scene.word_labels[j].text == str(n) for j, n in scene.numbered.items())
    # each entry's words (after its mark, if any); Text.text drops spaces
    legend = ["".join(getattr(x, "text", "") for x in m.get_family()) for m in scene.key_parts]
    for j, n in scene.numbered.items():
        assert f"{n}:{scene.points[j]['text']}".replace(" ", "") in legend
    # The key names the marks this figure draws, and only those.
    keyed = "".join(legend)
    assert ("wordoffview" in keyed) == any(pt["outside"] for pt in scene.points)
    assert ("wordatorigin" in keyed) == any(pt.get("ring") for pt in scene.points)
    diamonds = any(pt.get("group") and not pt["outside"] for pt in scene.points)
    assert ("wordsjoined" in keyed) == diamonds  # a group off view is a dart
    assert ("valuevector" in keyed) == (plan.model is not None)
    if len(plan.sentences) == 1:  # no leader line crosses a line, a label or a point
        from scenes.figure.checks import leader_problems  # (of the last frame; every frame's:

        assert leader_problems(scene.figure_model()) == []  # test_figure_model's corpus check)
    sizes = {round(it.size, 1) for it in items if it.kind == "text"}
    assert len(sizes) <= MAX_TEXT_SIZES and min(text_px(x) for x in sizes) >= MIN_TEXT_PX
    # The drift fills at least half of the plot's shorter side (of a panel's, in small
    # multiples: each draws the same window of the plane at the same scale as the first).
    to = scene.geometry.to(0)
    pts = np.array(
        [to(plan.projection.origin)[:2]]
        + [to(st.point)[:2] for s in plan.sentences for st in s.steps]
    )
    x0, y0, x1, y1 = scene.geometry.panel(0)
    extent = (pts.max(axis=0) - pts.min(axis=0)).max()
    assert extent >= 0.5 * min(x1 - x0, y1 - y0)
    # Long input is summarised: at most 8 context rows (+ the target's) and "N more, Σ".
    for bars in scene.bars:
        assert len(bars.names) <= 9
        assert all(n.glyphs.width <= NAME_W + 1e-6 for n in bars.names)
    assert timeline(plan).total <= 30.0


@pytest.mark.parametrize("name", FAST)
def test_layout_fast_subset(name: str, request: pytest.FixtureRequest) -> None:
    assert_lays_out(corpus_plan(BY_NAME[name], request))


@pytest.mark.slow
@pytest.mark.parametrize("name", [e["name"] for e in ENTRIES if e["name"] not in FAST])
def test_layout_whole_corpus(name: str, request: pytest.FixtureRequest) -> None:
    assert_lays_out(corpus_plan(BY_NAME[name], request))


@pytest.mark.slow
def test_the_layout_does_not_depend_on_the_theme(request: pytest.FixtureRequest) -> None:
    """Colours change with the theme, places do not: the corpus check holds for both."""
    plan = corpus_plan(BY_NAME["plane-2d"], request)
    dark, light = (
        [(it.name, np.round(it.box, 6).tolist()) for it in laid_out(plan, t).layout_items()]
        for t in ("dark", "light")
    )
    assert dark == light


# ---------------------------------------------------------------------------------------------
# the numbers on screen are the plan's


def expected_rows(s: Sentence, k: int) -> list[float | None]:
    """The panel's rows at step k, from the plan alone: the target, then the words in the
    order they join (the words a step adds to `words`, several for "the rest"); a row's
    weight is the sum of its words' weights, None before they join."""
    weight_of = dict(zip(s.steps[k].words, s.steps[k].weights, strict=True))
    groups = [(s.target_index,)]
    groups += [st.words[len(prev.words) :] for prev, st in zip(s.steps, s.steps[1:], strict=False)]
    return [math.fsum(weight_of[i] for i in g) if g[0] in weight_of else None for g in groups]


def shown(text: str) -> str:
    return f"{text}".replace("-", "−")


@pytest.mark.parametrize(
    "name",
    ["plane-2d", "figure", pytest.param("stopwords-25", marks=pytest.mark.slow),
     pytest.param("model-compare", marks=pytest.mark.slow)],
)  # fmt: skip
def test_numbers_on_screen_are_the_plans(name: str, request: pytest.FixtureRequest) -> None:
    plan = corpus_plan(BY_NAME[name], request)
    scene = laid_out(plan)
    for si, s in enumerate(plan.sentences):
        bars = scene.bars[si]
        for k in range(len(s.steps)):
            bars.set_weights(scene.row_weights(si, k))
            expected = expected_rows(s, k)
            assert len(bars.values) == len(expected)
            for i, w in enumerate(expected):
                if w is None:
                    assert bars.values[i].get_fill_opacity() == 0  # not shown yet
                    continue
                assert bars.values[i].text == shown(f"{w:.2f}")
                assert bars.bars[i].width == pytest.approx(max(bars.bar_width * w, 0.02), abs=1e-6)
        # The grouped row says how many words it holds.
        last = s.steps[-1].words[len(s.steps[-2].words) :]
        if len(last) > 1:
            assert bars.names[-1].text == f"{len(last)} more, Σ"
        # The equation: one term per panel row, "bank′ = 0.56·bank + 0.26·river + … +
        # 0.12·(5 more)": the target's, the largest, the group last, counted as in the panel;
        # the group's term goes into "+ …" too when a term left out weighs more.
        final = dict(zip(s.final.words, s.final.weights, strict=True))
        rows = [st.added_group for st in s.steps[1:]]
        singles = sorted((r[0] for r in rows if len(r) == 1), key=lambda i: -final[i])
        groups = [r for r in rows if len(r) > 1]
        expected = [final[s.target_index]] + [final[i] for i in singles]
        text = " ".join(m.text for row in scene.equations[si] for m in row)
        numbers = [float(x.replace("−", "-")) for x in re.findall(r"−?\d\.\d\d", text)]
        counts = [int(c) for c in re.findall(r"\((\d+) more\)", text)]
        if counts:
            assert counts == [len(g) for g in groups]
            assert numbers.pop() == round(sum(final[i] for i in groups[0]), 2)
        if groups:  # shown, it outweighs every term left out; left out, every shown
            group = sum(final[i] for i in groups[0])
            if counts:
                assert max(expected[len(numbers) :], default=0.0) <= group
            else:
                assert min(numbers[1:]) >= round(group, 2)
        else:
            assert counts == []
        assert numbers == [round(w, 2) for w in expected[: len(numbers)]]
        assert ("+ …" in text) == (len(numbers) < len(expected))
        assert text.startswith(f"{s.target.text[:10]}")
    if scene.summary is not None:
        for si, eq in enumerate(scene.summary_equations):
            s = plan.sentences[si]
            text = " ".join(m.text for row in eq for m in row)
            first = re.findall(r"−?\d\.\d\d", text)[0]
            weights = dict(zip(s.final.words, s.final.weights, strict=True))
            assert first == f"{weights[s.target_index]:.2f}"
    ev = plan.projection.explained_variance_ratio
    assert f"PC1 {ev[0]:.0%}, PC2 {ev[1]:.0%}" in scene.caption.original_text


def test_the_target_twice_is_marked(request: pytest.FixtureRequest) -> None:
    plan = corpus_plan(BY_NAME["target-twice"], request)
    scene = laid_out(plan)
    names = [n.text for n in scene.bars[0].names]
    # the other "bank" is told apart by its place among the words (the 6th), everywhere
    assert names[0] == "bank (target)" and "bank₆" in names[1:]
    equation = " ".join(m.text for row in scene.equations[0] for m in row)
    assert "·bank₆" in equation and re.search(r"\d·bank(?!₆)", equation)
    assert "bank₆" in {pt["text"] for pt in scene.points}
    chips = scene.chips[0]
    assert chips[1].role == "target" and chips[5].role == "context"  # "The bank by the river bank."


def test_no_arrow_hides_another_and_end_labels_name_their_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Five sentences in one shared plot (what the figure falls back to when its small
    multiples fail the checks): the static vector is the widest arrow and each later
    sentence's arrow is thinner than the one before, drawn on top, so none can cover another
    completely; each end label carries its sentence's badge number."""
    from scenes.components import Badge
    from scenes.figure import build

    words = ["river", "sat", "cash", "deposited", "muddy", "loan"]
    sentences = [f"{a} {b} bank" for a, b in zip(words, words[1:], strict=False)]
    plan = build_plan(sentences[0], "bank", compare=sentences[1:5],
                      embeddings_file=CORPUS.parent / "plane.toml")  # fmt: skip
    monkeypatch.setattr(build, "SHAPES", build.SHAPES[-1:])  # one shared plot
    assert build.lay_out_figure(plan).plot.geometry.multiples is False
    scene = _lay_out(plan, "dark")
    widths = [a.shaft.get_stroke_width() for a in [*scene.static_arrows, *scene.arrows]]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == len(widths)
    tips = [a.tip_width for a in [*scene.static_arrows, *scene.arrows]]
    assert tips == sorted(tips, reverse=True)
    for si, end in enumerate(scene.end_labels):
        badges = [m for m in end.get_family() if isinstance(m, Badge)]
        assert [b.digit.original_text for b in badges] == [str(si + 1)]


# ---------------------------------------------------------------------------------------------
# time, themes, the check itself


def test_the_post_figure_lasts_about_20_seconds(toml_embeddings: Path) -> None:
    from scenes.drift import timeline

    plan = build_plan(
        "He sat on the river bank.", "bank", compare=["He deposited cash at the bank."],
        embeddings_file=toml_embeddings,
    )  # fmt: skip
    # each step as long as its move needs (issue 19): 15-22 s for these four short moves
    timing = timeline(plan)
    assert 15.0 <= timing.total <= 22.0
    assert max(m for ms in timing.moves for m in ms) >= 1.0  # the largest pull is seen moving


def test_no_figure_runs_over_30_seconds() -> None:
    """Five sentences of 8 steps each (the most a plan holds) still fit in 30 s."""
    from dataclasses import replace

    from scenes.drift import timeline

    plan = build_plan("river bank", "bank", embeddings_file=CORPUS.parent / "plane.toml")
    s = plan.sentences[0]
    long = replace(s, steps=s.steps + (s.steps[-1],) * 7)  # 9 steps: 8 animated
    big = replace(plan, sentences=(long,) * 5)
    assert timeline(big).total <= 30.0


def test_palettes_keep_contrast_and_honour_the_theme_when_transparent() -> None:
    from scenes.theme import DARK, LIGHT, PALETTES, contrast, palette

    for p in (DARK, LIGHT):
        assert p.background is not None
        for c in (*p.series, p.static, p.text):
            assert contrast(c, p.background) >= 3.0, (p.name, c)
        assert len(set(p.series)) >= 5  # a sentence and 4 compared, one accent each
        t = palette(p.name, transparent=True)
        assert t.background is None and t.backdrop is None and t.name == f"transparent-{p.name}"
        assert (t.series, t.text, t.static) == (p.series, p.text, p.static)
        assert palette(p.name) is p
    assert PALETTES["transparent"].text == DARK.text  # the old name: dark colours
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)


def test_text_sizes_are_readable_in_the_gif() -> None:
    """SIZES.small's capitals are 12 px tall at 800×450: measured on the font, not assumed."""
    from scenes.components import label
    from scenes.layout import CAP_HEIGHT, GIF_PX_PER_UNIT
    from scenes.theme import DARK, SIZES

    cap = label("H", DARK, size=SIZES.small).height
    assert cap == pytest.approx(SIZES.small * CAP_HEIGHT, rel=0.03)
    assert cap * GIF_PX_PER_UNIT >= 12.0


def test_the_layout_check_catches_what_a_reader_minds() -> None:
    from scenes.layout import Item, check_items, segment_item, text_item

    ok = text_item("a", (0, 0, 1, 0.3), 22)
    assert check_items([ok]) == []
    cases = {
        "overlaps": [ok, text_item("b", (0.5, 0.1, 1.5, 0.4), 22)],
        "overlaps 'dot'": [ok, Item("dot", "dot", (0.9, 0.2, 1.0, 0.3))],
        "overlaps 'origin'": [ok, Item("origin", "mark", (-0.1, -0.1, 0.05, 0.05))],
        "overlaps 'trail'": [ok, segment_item("trail", (-1, -1, 2, 1, 0.03))],
        "safe margin": [text_item("edge", (7.0, 0, 7.1, 0.3), 22)],
        "px tall": [text_item("tiny", (0, 0, 1, 0.3), 16)],
        "text sizes": [
            text_item(f"t{i}", (2 * i, 1, 2 * i + 1, 1.3), s)
            for i, s in enumerate((22, 26, 32, 40))
        ],
    }
    for what, items in cases.items():
        problems = " ".join(map(str, check_items(items)))
        assert what in problems, what
    # A line passing beside a text (not through it) is fine; so are texts of two phases
    # (never on screen together), but not a text of a phase and one shown throughout.
    assert check_items([ok, segment_item("line", (-1, 0.5, 2, 0.5, 0.03))]) == []
    assert check_items([ok, text_item("b", (0, 0, 1, 0.3), 22, phase="panel 2")]) != []
    assert check_items([text_item("a", (0, 0, 1, 0.3), 22, phase="panel 1"),
                        text_item("b", (0, 0, 1, 0.3), 22, phase="panel 2")]) == []  # fmt: skip


def test_captions_are_one_line_with_the_plans_numbers(toml_embeddings: Path) -> None:
    from scenes.drift import drift_caption

    plan = build_plan(
        "He sat on the river bank.", "bank", compare=["He deposited cash at the bank."],
        embeddings_file=toml_embeddings,
    )  # fmt: skip
    s = plan.sentences[0]
    captions = [drift_caption(plan, "poster"), drift_caption(plan, "summary")]
    captions += [drift_caption(plan, "step", 0, k) for k in range(1, len(s.steps))]
    assert all("\n" not in c and 0 < len(c) <= 100 for c in captions)
    w = dict(zip(s.steps[1].words, s.steps[1].weights, strict=True))[s.steps[1].added]
    assert f"{w:.2f}" in drift_caption(plan, "step", 0, 1)


# ---------------------------------------------------------------------------------------------
# pictures: control frames and the GIF (these render: slow)

CONTROL_SIZE = (384, 216)
CONTROL_CASES = {
    "single": ("He sat on the muddy river bank.", []),
    "compare": ("He sat on the muddy river bank.", ["He deposited cash at the bank for a loan."]),
}


def control_plan(case: str) -> Plan:
    sentence, compare = CONTROL_CASES[case]
    vectors = CORPUS.parent / "plane.toml"
    return build_plan(sentence, "bank", compare=compare, embeddings_file=vectors)


def render_stills(plan: Plan, theme: str, folder: Path) -> list[Path]:
    """A PNG at the end of every beat (BeatScene.stills_dir), drawn small."""
    from manim import tempconfig

    from scenes.drift import DriftScene
    from scenes.job import job_for

    cls = type("S", (DriftScene,), {"job": job_for(plan, theme, stills_dir=str(folder))})
    options = {
        "media_dir": str(folder / "media"),
        "pixel_width": CONTROL_SIZE[0],
        "pixel_height": CONTROL_SIZE[1],
        "frame_rate": 5,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "WARNING",
        "write_to_movie": False,
        "save_last_frame": True,
        "format": "png",
    }
    with tempconfig(options):
        cls().render()
    return sorted(folder.glob("beat-*.png"))


def pixels(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.int16)


@pytest.mark.render
@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("case", list(CONTROL_CASES))
def test_control_frames(case: str, theme: str, tmp_path: Path) -> None:
    """The first frame (the poster), the first step and the last frame, against the stored
    control PNGs: mean difference under 2 levels, under 0.5 % of pixels off by more than 64."""
    from PIL import Image

    stills = render_stills(control_plan(case), theme, tmp_path)
    moments = {"first": stills[0], "step": stills[2], "last": stills[-1]}
    for moment, path in moments.items():
        control = CONTROL / f"drift-{case}-{theme}-{moment}.png"
        if UPDATE_CONTROL:
            CONTROL.mkdir(exist_ok=True)
            Image.open(path).convert("RGB").quantize(64).save(control, optimize=True)
            continue
        assert control.is_file(), f"no control frame {control.name}: see this file's docstring"
        got, want = pixels(path), pixels(control)
        assert got.shape == want.shape
        diff = np.abs(got - want).max(axis=2)
        assert diff.mean() < 2.0 and (diff > 64).mean() < 0.005, (moment, diff.mean())
    if UPDATE_CONTROL:
        pytest.skip("control frames written")


@pytest.mark.render
def test_gif_first_frame_is_the_poster_and_the_loop_has_no_cut(tmp_path: Path) -> None:
    """The GIF's first frame is not blank: the title, the sentences, the static vector and
    the conclusion; and it is the last frame too, so the loop returns without a cut."""
    from PIL import Image

    from scenes.app.media.passes import GIF_FPS, GIF_SIZE, encode_gif, manim_pass
    from scenes.drift import timeline
    from scenes.job import job_for
    from scenes.theme import PALETTES

    plan = control_plan("compare")
    movie = manim_pass(job_for(plan), "DriftScene", tmp_path / "pass", GIF_SIZE, GIF_FPS, "rgba")
    gif = tmp_path / "figure.gif"
    encode_gif(movie, gif, PALETTES["dark"].background)
    with Image.open(gif) as im:
        assert im.size == GIF_SIZE
        n = im.n_frames
        first = np.asarray(im.convert("RGB"), dtype=np.int16)
        im.seek(n - 1)
        last = np.asarray(im.convert("RGB"), dtype=np.int16)
    assert n / GIF_FPS == pytest.approx(timeline(plan).total, abs=0.5)
    background = np.array([int(PALETTES["dark"].background[i : i + 2], 16) for i in (1, 3, 5)])
    ink = np.abs(first - background).max(axis=2) > 40
    assert ink.mean() > 0.03  # text and lines, not an empty background
    assert ink[:60].mean() > 0.05  # the title and the sentences at the top
    assert np.abs(first - last).max(axis=2).mean() < 1.0


def test_leader_lines_cross_no_other_label() -> None:
    """Labels crowded around their points go far and get leader lines: with leader_gap, no
    line crosses another label (without it, the same crowd has crossings: the test can fail)."""
    from scenes.layout import box_at, needs_leader, place_labels, segment_hits_box

    rng = np.random.default_rng(3)
    anchors = [(float(x), float(y)) for x, y in rng.normal(0.0, 0.3, size=(14, 2))]
    sizes = [(float(w), 0.3) for w in rng.uniform(0.6, 1.4, size=14)]
    crowd = [box_at(x, y, 0.3, 0.3) for x, y in anchors]  # the points themselves

    def crossings(gap: float | None) -> int:
        centres = place_labels(anchors, sizes, (-4.0, -3.0, 4.0, 3.0), crowd, leader_gap=gap)
        boxes = [box_at(*c, *s) for c, s in zip(centres, sizes, strict=True)]
        count = 0
        for i, (a, c, s) in enumerate(zip(anchors, centres, sizes, strict=True)):
            if needs_leader(a, c, s, 0.25):
                line = (a[0], a[1], c[0], c[1], 0.02)
                count += sum(segment_hits_box(line, b) for j, b in enumerate(boxes) if j != i)
        return count

    assert crossings(None) > 0
    assert crossings(0.25) == 0


def test_a_word_at_the_origin_and_words_outside_the_view_read_as_such(tmp_path: Path) -> None:
    """A word whose point is the origin would hide under the origin's cross and the arrows'
    tails: it is a ring round them, wider than the cross. A word outside the view is a dart
    at the edge whose tip points at the word, clearly longer than it is wide (an
    equilateral triangle pointing up-left reads as pointing down)."""
    from manim import Circle

    from scenes.components import EdgeMarker

    vectors = tmp_path / "v.toml"
    vectors.write_text(
        "bank = [2.0, 0.6, 0.1]\nriver = [1.5, 1.5, -0.2]\nnil = [0.0, 0.0, 0.0]\n"
        "far = [-60.0, -45.0, 3.0]\n", encoding="utf-8",
    )  # fmt: skip
    plan = build_plan("nil river far bank", "bank", embeddings_file=vectors)
    scene = laid_out(plan)
    by_text = {pt["text"]: pt for pt in scene.points}
    ring = by_text["nil"]["mob"]
    assert isinstance(ring, Circle) and not ring.get_fill_opacity()
    cross = scene.origin_mark
    assert ring.width > cross.width + 0.05
    assert np.allclose(ring.get_center()[:2], scene.origin[:2], atol=1e-6)
    dot = by_text["river"]["mob"]  # an ordinary point: a filled dot, smaller than the cross
    assert dot.get_fill_opacity() == 1 and dot.width < cross.width

    far = by_text["far"]
    assert far["outside"]
    dart = far["mob"]
    assert isinstance(dart, EdgeMarker)
    corners = dart.get_vertices()[:, :2]
    towards = far["true"][:2] - far["at"][:2]
    towards /= np.linalg.norm(towards)
    along = (corners - far["at"][:2]) @ towards
    across = (corners - far["at"][:2]) @ np.array([-towards[1], towards[0]])
    tip = int(np.argmax(along))
    assert along[tip] > 0 and np.all(np.delete(along, tip) < along[tip] - 0.1)
    assert (along.max() - along.min()) >= 1.6 * (across.max() - across.min())


def test_a_step_that_barely_moves_says_why(request: pytest.FixtureRequest) -> None:
    """ "Bank, bank, the river bank!": the other "bank"s have the target's own vector, so
    their steps do not move the output (it is a mix of equal vectors); the caption says so,
    and a step that moves says nothing more."""
    from scenes.drift import drift_caption

    plan = corpus_plan(BY_NAME["target-twice-heavy"], request)
    s = plan.sentences[0]
    for k in range(1, len(s.steps)):
        (i,) = s.steps[k].joined
        moved = np.linalg.norm(np.subtract(s.steps[k].point, s.steps[k - 1].point))
        caption = drift_caption(plan, "step", 0, k)
        if s.words[i].norm == "bank":
            assert moved < 1e-9 and "same vector as “Bank”" in caption
        else:
            assert moved > 0.05 and caption.endswith(f"{s.steps[k].weight_of((i,)):.2f}")
