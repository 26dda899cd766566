"""AttentionMatrixScene's reading of the plan's weight matrix: which rows and columns are
drawn (a long sentence: the target and the words it attends to most, the other columns
summed as "N more"), what was left out, and each beat's presenter notes and caption."""

from __future__ import annotations

from attention_math.lecture_data import WeightMatrix
from attention_math.plan import Sentence
from scenes.components import fmt


def shown_rows(m: WeightMatrix) -> list[int]:
    """Positions of the rows shown (every row in plans made before `shown`)."""
    return list(m.shown) if m.shown else list(range(len(m.rows)))


def shown_columns(m: WeightMatrix) -> list[int]:
    """Column positions shown: the shown rows' words, then [CLS]+[SEP] (model mode)."""
    cols = shown_rows(m)
    return cols + [j for j, c in enumerate(m.columns) if c == -1]


def column_names(m: WeightMatrix) -> list[str]:
    """The drawn columns' names: the shown words, "N more", [CLS]+[SEP]."""
    names = [m.column_labels[j] for j in shown_columns(m)]
    if m.rest:
        names.insert(len(shown_rows(m)), f"{len(m.rows) - len(shown_rows(m))} more")
    return names


def cell_rows(m: WeightMatrix) -> list[list[float]]:
    """The weights drawn, row by row: shown columns, the rest, [CLS]+[SEP]."""
    out = []
    for k, r in enumerate(shown_rows(m)):
        row = [m.weights[r][j] for j in shown_rows(m)]
        if m.rest:
            row.append(m.rest[k])
        row += [m.weights[r][j] for j, c in enumerate(m.columns) if c == -1]
        out.append(row)
    return out


def left_out_text(m: WeightMatrix) -> str:
    """ "left out: He, on, the (stop-words); . (punctuation)", the first few of each."""
    by_reason: dict[str, list[str]] = {}
    for text, reason in m.left_out:
        by_reason.setdefault(reason, []).append(text)
    parts = []
    for reason, words in by_reason.items():
        shown = ", ".join(words[:4]) + (", …" if len(words) > 4 else "")
        parts.append(f"{shown} ({reason}{'s' if len(words) > 1 else ''})")
    return "left out: " + "; ".join(parts) if parts else ""


def words_matrix(m: WeightMatrix, peak: float) -> tuple[str, str]:
    """The notes and caption of the matrix's beat (`peak`: its largest weight drawn)."""
    return (
        f"{m.description}; {len(m.rows)} rows × {len(m.columns)} columns, each row sums "
        f"to 1; largest weight {fmt(peak)}",
        f"Each row: one word's attention over the sentence (largest {fmt(peak)})",
    )


def words_target_row(m: WeightMatrix, s: Sentence) -> tuple[str, str]:
    """The notes and caption of the target row's beat."""
    row = m.weights[m.target_row]
    top = max(range(len(row)), key=lambda j: row[j])
    return (
        f"row of “{s.target.text}”: "
        + ", ".join(f"{c} {fmt(w)}" for c, w in zip(m.column_labels, row, strict=True)),
        f"“{s.target.text}”'s row: most weight on “{m.column_labels[top]}” ({fmt(row[top])})",
    )
