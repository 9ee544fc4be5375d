"""Figure of demo ``linear_attention``: softmax vs linear weights, and their cost against n."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import lookup
from engine.result import Result
from visuals.heatmap import draw_weights
from visuals.style import style, word

TEXT = {
    "title": {"zh": "线性注意力：φ(q)·φ(k) 代替 exp(q·k/√d)", "en": "Linear attention: φ(q)·φ(k) instead of exp(q·k/√d)"},
    "softmax": {"zh": "因果 softmax 注意力", "en": "causal softmax attention"},
    "linear": {"zh": "因果线性注意力（φ = {phi}）", "en": "causal linear attention (φ = {phi})"},
    "cost": {"zh": "每个头的乘加次数（d = {d}）", "en": "multiply-adds per head (d = {d})"},
    "n": {"zh": "序列长度 n", "en": "sequence length n"},
    "soft_curve": {"zh": "softmax：2n²d", "en": "softmax: 2n²d"},
    "lin_curve": {"zh": "线性（循环）：2nd²", "en": "linear (recurrent): 2nd²"},
    "state": {"zh": "解码状态：{s} 个数，与 n 无关", "en": "decoding state: {s} numbers, for any n"},
}  # fmt: skip


def draw(result: Result, lang: str) -> Figure:
    """Two weight heatmaps (softmax, linear) over a log-log cost plot of both against n."""
    f, x = result.facts, result.extras
    phi = result.head_labels[1].split("=")[-1]
    n = result.weights.size(-1)
    labels = (
        list(result.query_labels)
        if n <= 20
        else [s if i % 4 == 0 else "" for i, s in enumerate(result.query_labels)]
    )
    with style():
        fig = Figure(figsize=(8.0, 7.6))
        grid = fig.add_gridspec(2, 2, height_ratios=[1.15, 1.0], hspace=0.45, wspace=0.3)
        for col, key in enumerate(("softmax", "linear")):
            ax = fig.add_subplot(grid[0, col])
            draw_weights(ax, result.weights[col].numpy(), labels, labels, annotate=False)
            ax.set_title(lookup(TEXT, key, lang, phi=phi), fontsize=10)
            ax.set_xlabel(word("key", lang), fontsize=9)
            ax.set_ylabel(word("query", lang), fontsize=9)
        ax = fig.add_subplot(grid[1, :])
        ax.loglog(
            x["lengths"],
            x["softmax_madds"],
            "o-",
            color="#cc4c02",
            label=lookup(TEXT, "soft_curve", lang),
        )
        ax.loglog(
            x["lengths"],
            x["linear_madds"],
            "s-",
            color="#2c7fb8",
            label=lookup(TEXT, "lin_curve", lang),
        )
        ax.set_xlabel(lookup(TEXT, "n", lang), fontsize=10)
        ax.set_title(lookup(TEXT, "cost", lang, d=f["d"]), fontsize=10)
        ax.legend(
            fontsize=9, title=lookup(TEXT, "state", lang, s=f["state_numbers"]), title_fontsize=9
        )
        ax.tick_params(labelsize=9)
        ax.grid(True, which="major", alpha=0.3)
        fig.suptitle(lookup(TEXT, "title", lang), fontsize=12)
    return fig
