"""The plan's lecture section: the extra numbers the lecture scenes draw.

Plain frozen dataclasses, no numpy, so that `attention_math.plan` can import them without a
cycle. Each part is computed only when a scene needs it (`attention_math.lecture.with_lecture`,
`attention_math.analogy.build_analogy_plan`) and is None otherwise.

Layers and heads are 0-based here, as in `attention_math.model`; the screen adds 1.
"""

from __future__ import annotations

from dataclasses import dataclass

Vec = tuple[float, ...]
Point = tuple[float, float]


@dataclass(frozen=True)
class Projection:
    """A 2-D PCA basis: point = (x − mean) · componentsᵀ; origin = the point of the zero vector
    (where arrows start). reference: what it was fitted on, in words; n_reference: how many.

    Defined here (not in attention_math.plan, which re-exports it) so that plan.py can import
    this module without a cycle.
    """

    method: str
    reference: str
    n_reference: int
    mean: Vec
    components: tuple[Vec, Vec]
    explained_variance_ratio: Point
    origin: Point


@dataclass(frozen=True)
class AnalogyTerm:
    """One word of an analogy: sign +1 or −1, its static vector [C] and 2-D point."""

    sign: int
    word: str
    pieces: tuple[str, ...]
    vector: Vec
    point: Point


@dataclass(frozen=True)
class Neighbour:
    """A vocabulary word near the analogy's result: cosine in the full space, and where the
    picture draws it: at its true angle to the result (arccos of the cosine), at the result's
    length, so that a higher cosine is always a nearer point (`Analogy.view`)."""

    word: str
    cosine: float
    point: Point


@dataclass(frozen=True)
class Analogy:
    """queen − woman + man, computed and searched honestly.

    result: Σ sign · vector [C]. path: the tip-to-tail points, origin first, one per term
      (the last is result_point). neighbours: the top words by cosine with `result` over
      `vocabulary` (the input words excluded), best first. expected: the word the analogy is
      meant to give (or None); expected_rank: its 1-based rank among all candidates (None when
      it is not a candidate); expected_cosine: its cosine with the result.

    The picture (`basis`): the plane through the origin spanned by the result and its top
    neighbour, so the sum of the terms' projections ends exactly at the result, and the
    angle between the result and the top neighbour is true. The terms' points are their
    projections; `kept` is the share of each term's length the plane keeps (the distortion,
    stated on screen). Neighbours (and the expected word, `expected_point`, when it is not
    among them) are drawn at their true angle to the result and at the result's length:
    the nearest drawn point is the highest cosine. view: that, in one line for the screen
    ("" in plans made before: a PCA picture, which no scene draws any more).
    """

    expression: str
    terms: tuple[AnalogyTerm, ...]
    result: Vec
    result_point: Point
    path: tuple[Point, ...]
    neighbours: tuple[Neighbour, ...]
    expected: str | None
    expected_rank: int | None
    expected_cosine: float | None
    vocabulary: str
    n_candidates: int
    basis: Projection
    view: str = ""
    kept: Vec = ()
    expected_point: Point | None = None


@dataclass(frozen=True)
class Group:
    """Some terms of a weighted sum taken together: token indices, Σ w, Σ w·v in 2-D (the
    linear part of the plan's projection), and `tip`: where the arrow of the group ends when
    the groups are laid tip to tail from the origin's point."""

    words: tuple[int, ...]
    weight: float
    vector: Point
    tip: Point


@dataclass(frozen=True)
class WeightedSum:
    """The weighted sum of values of the main sentence's full attention, drawn tip to tail.

    words: token indices in the final step's order (its weights follow that order).
    vectors: each w_i · v_i as a 2-D vector (the linear part of the plan's projection).
    tips: origin + the running sum after each term; the last equals the final step's point.
    chain: the arrows the picture lays tip to tail: the largest terms one by one, then the
      rest as one group (at most `lecture.CHAIN_ARROWS`); the last tip is the output's point.
    rest: the final step's words after the first `lecture.TABLE_ROWS` (the table's "N more"
      line), or None when every word has a row.
    """

    words: tuple[int, ...]
    vectors: tuple[Point, ...]
    tips: tuple[Point, ...]
    chain: tuple[Group, ...] = ()
    rest: Group | None = None


@dataclass(frozen=True)
class HeadComparison:
    """Simple attention (q = k = v = x) next to a real head's learned W_Q, W_K, W_V.

    rows: the sentence's token indices, then -1 for [CLS] and [SEP] together.
    labels: what each row shows. simple_weights: the plan's final weights (None for a row that
      simple attention leaves out). learned_weights: the head's weights of the target over the
      rows (pieces merged into words, rows sum to 1).
    values: each row's value vector v = x W_Vᵀ + b [D] (for a word of several pieces the
      learned-weighted mean of its pieces', so that Σ w v is the head's real output).
    output_learned: Σ learned_w · v, the head's output for the target [D].
    output_simple: Σ simple_w · v over the rows simple attention uses: the same values mixed
      with the simple weights, so that only the weights differ between the two outputs.
    points: 2-D points of the values, the outputs and the target's own value, in `basis`.
    shown: the rows the table shows (all, or the `lecture.HEAD_ROWS` with the largest weight
      of either kind, in sentence order); rest_simple / rest_learned: the weights of the
      others, summed (0 when every row is shown). Plans made before: () (every row).
    """

    layer: int
    head: int
    head_choice: str
    model: str
    d_head: int
    rows: tuple[int, ...]
    labels: tuple[str, ...]
    simple_weights: tuple[float | None, ...]
    learned_weights: Vec
    values: tuple[Vec, ...]
    output_learned: Vec
    output_simple: Vec
    value_points: tuple[Point, ...]
    output_learned_point: Point
    output_simple_point: Point
    target_row: int
    basis: Projection
    shown: tuple[int, ...] = ()
    rest_simple: float = 0.0
    rest_learned: float = 0.0


@dataclass(frozen=True)
class WeightMatrix:
    """The word × word attention weights of the main sentence (rows sum to 1).

    mode: "simple" (softmax(scale_i · x_i · x_j) over the included words, each row with the
      scale rule applied to its own query, so the target's row is the plan's final weights) or
      "model" (a real head, pieces merged into words; the last column is [CLS] + [SEP]).
    rows / columns: token indices (-1: [CLS] + [SEP]); row_labels / column_labels: their text.
    row_scales: the scale of each row (simple mode; empty in model mode).
    description: what the matrix is, in one line for the screen, from the plan's settings.
    left_out: the sentence's tokens that take no part, with the reason ("stop-word",
      "punctuation", "no vector"), in sentence order.
    shown: positions (into rows) of the rows the picture shows, and of their columns; the
      others' columns are summed into `rest` per shown row (`lecture.MATRIX_WORDS`: the
      target and the words it attends to most). Plans made before: () (everything shown).
    """

    mode: str
    rows: tuple[int, ...]
    columns: tuple[int, ...]
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    weights: tuple[Vec, ...]
    target_row: int
    row_scales: Vec
    layer: int | None
    head: int | None
    description: str
    left_out: tuple[tuple[str, str], ...] = ()
    shown: tuple[int, ...] = ()
    rest: Vec = ()


@dataclass(frozen=True)
class LayerView:
    """The target's hidden state through the layers, drawn so that the picture agrees with the
    cosines (LayerDriftScene).

    points: [n sentences][L+1] each layer's direction u = h / ‖h‖ in `basis` (a unit vector,
      so the distance of two points is √(2 − 2·cos) when the plane keeps it).
    exact: the pair of sentences (0-based) whose last-layer points are exactly as far apart as
      in the full space (the plane's first axis is their difference), or None (one sentence).
    lines: the chart's lines, (sentence a, sentence b, cosine per layer [L+1]); b = a: the
      cosine of each layer's state with layer 0's (one sentence).
    axis: the chart's cosine axis (low, high) and `ticks`: it spans the data, not 0 to 1.
    view: what the plane is, in one line for the screen.
    """

    points: tuple[tuple[Point, ...], ...]
    exact: tuple[int, int] | None
    lines: tuple[tuple[int, int, Vec], ...]
    axis: Point
    ticks: Vec
    view: str
    basis: Projection


@dataclass(frozen=True)
class LedgerLayer:
    """One layer of the contribution ledger (`attention_math.model_ledger`), for the target.

    R members: the sentence's tokens, then [CLS] + [SEP]. weights [H][R]: each head's
    attention from the target (rows sum to 1); norms [H][R]: ‖α · v W_O,hᵀ‖, what that
    weight moves. word_weights [R]: the mean over heads; word_norms [R]: ‖Σ_h α · v W_O,hᵀ‖.
    The layer's step (the attention sublayer's output for the target, before the residual
    and LayerNorm) has length output_norm; split along its own direction u it is
    Σ_r along[r] + bias_along (b_O · u). sum_gap: max |Σ_h Σ_r contributions + b_O − output|,
    the ledger's own check (float rounding only). value_bias_norm / value_bias_along: the
    value bias's share, b_V W_Oᵀ: inside the words' contributions, but the same vector
    whatever the weights (each head's weights sum to 1); 0 in plans made before.
    """

    weights: tuple[Vec, ...]
    norms: tuple[Vec, ...]
    word_weights: Vec
    word_norms: Vec
    along: Vec
    bias_along: float
    bias_norm: float
    output_norm: float
    sum_gap: float
    value_bias_along: float = 0.0
    value_bias_norm: float = 0.0


@dataclass(frozen=True)
class Ledger:
    """What each word moves, through each head of each layer (HeadsScene,
    ContributionScene): labels / rows the R members (token index, -1 for [CLS] + [SEP]),
    target_row the target's; layers [L], 0-based."""

    model: str
    labels: tuple[str, ...]
    rows: tuple[int, ...]
    target_row: int
    layers: tuple[LedgerLayer, ...]
    formula: str


@dataclass(frozen=True)
class LectureData:
    """The lecture scenes' numbers; only the parts a render needs are filled in."""

    analogy: Analogy | None = None
    weighted_sum: WeightedSum | None = None
    head: HeadComparison | None = None
    matrix: WeightMatrix | None = None
    layers: LayerView | None = None
    ledger: Ledger | None = None
