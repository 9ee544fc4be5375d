"""Q13 figure of ``variant_costs``: each variant's weights over its FLOPs, parameters, memory, entropy."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.figures._variants import VARIANT_NAMES
from visuals.style import BLUE, GREY, ORANGE, word

TEXT: dict[str, Text] = {
    "flops": {
        "zh": "FLOPs（由形状算出的矩阵乘法）",
        "en": "FLOPs (matrix products, from the shapes)",
    },
    "params": {"zh": "参数量", "en": "parameters"},
    "memory_kib": {"zh": "内存（KiB）", "en": "memory (KiB)"},
    "score_kib": {"zh": "得分矩阵", "en": "score matrix"},
    "kv_kib": {"zh": "保留的键/值", "en": "keys/values kept"},
    "entropy": {"zh": "注意力熵（nats）", "en": "attention entropy (nats)"},
    "uniform": {"zh": "均匀分布 log L", "en": "uniform log L"},
}


def _memory(ax: Axes, rows: list[dict], names: list[str], lang: str) -> None:
    """Score-matrix and kept-KV memory per variant, as paired horizontal bars (log scale)."""
    series = {
        lookup(TEXT, "score_kib", lang): [r["score_kib"] for r in rows],
        lookup(TEXT, "kv_kib", lang): [r["kv_kib"] for r in rows],
    }
    kit.grouped_bars(ax, names, series, horizontal=True, colours=[BLUE, ORANGE])
    ax.set_xscale("log")
    ax.set_title(lookup(TEXT, "memory_kib", lang))


def draw(result: Result, lang: str) -> Figure:
    """Head-averaged (n, n) weights of the 7 variants, then bar charts of their costs."""
    rows = result.extras["rows"]
    names = [lookup(VARIANT_NAMES, r["variant"], lang) for r in rows]
    with kit.canvas(7.6, 12.0) as fig:
        top, bottom = fig.subfigures(2, 1, height_ratios=[0.75, 1.25])
        grid = kit.as_grid(result.weights.numpy(), 4)
        kit.head_grid(
            top, grid, result.query_labels, result.key_labels,
            kit.as_grid(names, 4), bar_label=word("weight", lang),
        )  # fmt: skip
        (ax_f, ax_p), (ax_m, ax_e) = bottom.subplots(2, 2)
        kit.bars(ax_f, names, [r["flops"] for r in rows], fmt="{:.3g}")
        ax_f.set_title(lookup(TEXT, "flops", lang))
        kit.bars(ax_p, names, [r["params"] for r in rows], fmt="{:.3g}")
        ax_p.set_title(lookup(TEXT, "params", lang))
        _memory(ax_m, rows, names, lang)
        kit.bars(ax_e, names, [r["entropy"] for r in rows], fmt="{:.3g}")
        ax_e.axvline(
            kit.fact(result, "uniform_entropy"),
            color=GREY,
            ls="--",
            label=lookup(TEXT, "uniform", lang),
        )
        ax_e.set_title(lookup(TEXT, "entropy", lang))
        ax_e.legend(loc="lower right", fontsize="small")
        for ax in (ax_p, ax_e):
            ax.tick_params(labelleft=False)
    return fig
