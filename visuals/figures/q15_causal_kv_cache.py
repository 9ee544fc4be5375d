"""Q15 figure of ``causal_kv_cache``: causal weights of head 1, and dot products with/without a cache."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, ORANGE, VERMILION, word

TEXT: dict[str, Text] = {
    "recompute_cumulative": {"zh": "无缓存逐步重算 Σt²", "en": "no cache, recompute each step Σt²"},
    "full_matrix": {"zh": "整块矩阵 n²（再遮掉一半）", "en": "full matrix n² (half masked)"},
    "cache_cumulative": {"zh": "KV 缓存 n(n+1)/2", "en": "KV-cache n(n+1)/2"},
    "n": {"zh": "序列长度 n", "en": "sequence length n"},
    "dots": {"zh": "计算的点积 q·k 个数", "en": "dot products q·k computed"},
    "diffs": {
        "zh": "缓存与完整计算的最大差 {diff}；追加一个未来词元后，过去输出的变化 {past}",
        "en": "max |cache − full| = {diff}; change of past outputs after appending a token = {past}",
    },
    "causal": {
        "zh": "因果注意力（头 1）：上三角恰为 0",
        "en": "causal attention (head 1): upper triangle exactly 0",
    },
}
CURVES = ("recompute_cumulative", "full_matrix", "cache_cumulative")


def _cost_curves(ax: Axes, result: Result, lang: str) -> None:
    """Dot products q·k computed for n tokens: recompute Σt², full matrix n², KV-cache n(n+1)/2."""
    e = result.extras
    series = {lookup(TEXT, k, lang): e[k].numpy() for k in CURVES}
    kit.curves(
        ax, e["steps"].numpy(), series, styles=["^-", "s-", "o-"], colours=[VERMILION, ORANGE, BLUE]
    )
    ax.set(xlabel=lookup(TEXT, "n", lang), ylabel=lookup(TEXT, "dots", lang))
    diff = f"{kit.fact(result, 'max_diff_cache_vs_full'):.1e}"
    past = f"{kit.fact(result, 'max_change_of_past_when_appending'):.1e}"
    ax.set_title(lookup(TEXT, "diffs", lang, diff=diff, past=past), wrap=True)


def draw(result: Result, lang: str) -> Figure:
    """Head 1's (L, L) causal weights above the cost of decoding with and without a KV-cache."""
    toks = list(result.query_labels)
    with kit.canvas(7.2, 10.0) as fig:
        ax_w, ax_c = fig.subplots(2, 1, height_ratios=[1.2, 1])
        im = kit.matrix(ax_w, result.weights[0].numpy(), toks, toks, room=0.6)
        ax_w.set(xlabel=word("key", lang), ylabel=word("query", lang))
        ax_w.set_title(lookup(TEXT, "causal", lang))
        kit.colorbar(fig, im, ax_w, word("weight", lang))
        _cost_curves(ax_c, result, lang)
    return fig
