"""The interactive heatmap: the same weights as the PNG, drawn in the learner's browser.

A Vega-Lite chart (through Altair) of one head's ``(queries, keys)`` weights: hovering a cell
shows its query, key and exact weight, and highlights the hovered query's row. The server
sends the numbers, not pixels.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import altair as alt

# Altair looks pandas up in ``sys.modules`` without importing it. Imported here, it is complete
# before any chart is made; otherwise a page importing pandas on one thread (Streamlit imports
# it lazily) while the warm-up makes a chart on another gave Altair the half-made module:
# "partially initialized module 'pandas' has no attribute 'Timestamp'".
import pandas  # noqa: F401

from engine.i18n import bi, tr
from engine.result import Result
from visuals.heatmap import head_matrix

WORDS = {
    "query": bi("查询（发出注意）", "query (attending)"),
    "key": bi("键（被注意）", "key (attended to)"),
    "weight": bi("注意力权重", "attention weight"),
}
CELL_PX = 30  # a cell's side; the chart grows with the matrix up to MAX_PX
MAX_PX = 640
MAX_CELLS = 64 * 64  # larger matrices stay a PNG only: the chart would send too many records


def cells(result: Result, head: int = 0) -> list[dict[str, object]]:
    """One record per (query i, key j): indices, labels and the weight ``w[head, i, j]``."""
    w = head_matrix(result, head).tolist()  # (L, S) as nested lists, the PNG's own numbers
    return [
        {"q": i, "k": j, "query": f"{i} · {ql}", "key": f"{j} · {kl}", "weight": w[i][j]}
        for i, ql in enumerate(result.query_labels)
        for j, kl in enumerate(result.key_labels)
    ]


def fits(result: Result) -> bool:
    """Whether one head's matrix is small enough (≤ MAX_CELLS cells) to be sent as chart data."""
    return len(result.query_labels) * len(result.key_labels) <= MAX_CELLS


def _labels(labels: tuple[str, ...]) -> str:
    """A Vega expression mapping an axis index to its token label."""
    return f"{json.dumps(list(labels), ensure_ascii=False)}[datum.value]"


def hover_heatmap(result: Result, lang: str = "en", head: int = 0) -> alt.Chart:
    """Vega-Lite heatmap of head ``head``: tooltip (query, key, weight), hovered row highlighted."""
    return _chart(
        result.query_labels, result.key_labels, lang, alt.Data(values=cells(result, head))
    )


def hover_spec(result: Result, lang: str = "en", head: int = 0) -> dict[str, Any]:
    """:func:`hover_heatmap` as a Vega-Lite dict, the chart validated without its L·S records.

    Altair validates every inline record (≈ 0.5 s for 64 × 64) and even the bare chart costs
    ≈ 20 ms, so the validated chart is kept per (shape, language) and only what changes with the
    input — the records and the two axes' label lists, plain data made here — is added per call.
    A new text in the model lab therefore costs no validation either.
    """
    L, S = len(result.query_labels), len(result.key_labels)
    spec = json.loads(_skeleton(L, S, lang))
    enc = spec["encoding"]
    enc["x"]["axis"]["labelExpr"] = _labels(tuple(result.key_labels))
    enc["y"]["axis"]["labelExpr"] = _labels(tuple(result.query_labels))
    spec["data"] = {"values": cells(result, head)}
    return spec


@functools.lru_cache(maxsize=256)
def _skeleton(L: int, S: int, lang: str) -> str:
    """The validated chart of an (L, S) matrix without data or axis labels, as JSON (a fresh copy
    per call: callers may edit it)."""
    spec = _chart(("",) * L, ("",) * S, lang, alt.Data(name="cells")).to_dict()
    spec.pop("datasets", None)
    return json.dumps(spec, ensure_ascii=False)


def _chart(
    query_labels: tuple[str, ...], key_labels: tuple[str, ...], lang: str, data: alt.Data
) -> alt.Chart:
    """The chart of :func:`hover_heatmap` over ``data`` (records of :func:`cells`)."""
    L, S = len(query_labels), len(key_labels)
    row = alt.selection_point(
        name="row", fields=["q"], on="pointerover", clear="pointerout", empty=True
    )
    size = lambda n: min(MAX_PX, CELL_PX * n)  # noqa: E731
    return (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "k:O",
                title=tr(WORDS["key"], lang),
                axis=alt.Axis(labelExpr=_labels(key_labels), labelAngle=-90),
            ),
            y=alt.Y(
                "q:O",
                title=tr(WORDS["query"], lang),
                axis=alt.Axis(labelExpr=_labels(query_labels)),
            ),
            color=alt.Color(
                "weight:Q",
                title=tr(WORDS["weight"], lang),
                scale=alt.Scale(scheme="viridis", domainMin=0),
            ),
            opacity=alt.condition(row, alt.value(1.0), alt.value(0.35)),
            tooltip=[
                alt.Tooltip("query:N", title=tr(WORDS["query"], lang)),
                alt.Tooltip("key:N", title=tr(WORDS["key"], lang)),
                alt.Tooltip("weight:Q", title=tr(WORDS["weight"], lang), format=".4f"),
            ],
        )
        .add_params(row)
        .properties(width=size(S), height=size(L), autosize=alt.AutoSizeParams(type="pad"))
    )
