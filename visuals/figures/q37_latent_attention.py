"""Figure of demo ``latent_attention``: one MLA head's weights and the KV cache per token."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import lookup
from engine.result import Result
from visuals.heatmap import draw_weights
from visuals.style import style, word

TEXT = {
    "title": {"zh": "多头潜在注意力：缓存潜在向量 c，而不是 K 和 V", "en": "Multi-head latent attention: cache the latent c, not K and V"},
    "head": {"zh": "头 {h}（由潜在向量吸收计算）", "en": "head {h} (computed on the latent)"},
    "cache": {"zh": "每个词元的 KV 缓存（{preset}，bf16，全部层）", "en": "KV cache per token ({preset}, bf16, all layers)"},
    "kib": {"zh": "KiB（对数刻度）", "en": "KiB (log scale)"},
    "mha": {"zh": "MHA", "en": "MHA"},
    "gqa": {"zh": "GQA", "en": "GQA"},
    "mqa": {"zh": "MQA", "en": "MQA"},
    "mla": {"zh": "MLA", "en": "MLA"},
}  # fmt: skip
COLOURS = {"mha": "#cc4c02", "gqa": "#fe9929", "mqa": "#7fcdbb", "mla": "#2c7fb8"}


def draw(result: Result, lang: str) -> Figure:
    """Head 1's causal weights beside log-scale bars of cached KiB per token for MHA/GQA/MQA/MLA."""
    x = result.extras
    per = x["cache_per_token"]
    kib = {k: v * x["bytes_per_number"] / 1024 for k, v in per.items()}
    with style():
        fig = Figure(figsize=(8.4, 4.4))
        grid = fig.add_gridspec(1, 2, width_ratios=[1.0, 1.1], wspace=0.35)
        ax = fig.add_subplot(grid[0, 0])
        labels = list(result.query_labels)
        draw_weights(ax, result.weights[0].numpy(), labels, labels, annotate=False)
        ax.set_title(lookup(TEXT, "head", lang, h=1), fontsize=10)
        ax.set_xlabel(word("key", lang), fontsize=9)
        ax.set_ylabel(word("query", lang), fontsize=9)
        ax = fig.add_subplot(grid[0, 1])
        names = list(kib)
        bars = ax.bar(
            [lookup(TEXT, k, lang) for k in names],
            [kib[k] for k in names],
            color=[COLOURS[k] for k in names],
        )
        ax.set_yscale("log")
        ax.bar_label(
            bars,
            labels=[f"{kib[k]:,.0f}" if kib[k] >= 100 else f"{kib[k]:g}" for k in names],
            fontsize=9,
            padding=2,
        )
        ax.set_ylim(min(kib.values()) / 3, max(kib.values()) * 4)
        ax.set_ylabel(lookup(TEXT, "kib", lang), fontsize=9)
        ax.set_title(lookup(TEXT, "cache", lang, preset=x["preset"]), fontsize=10)
        ax.tick_params(labelsize=9)
        fig.suptitle(lookup(TEXT, "title", lang), fontsize=12)
    return fig
