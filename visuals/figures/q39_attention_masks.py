"""Figure of demo ``attention_masks``: four masks on one sequence, and causal alignment for L < S."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import lookup
from engine.result import Result
from visuals.heatmap import draw_weights
from visuals.style import style, word

TEXT = {
    "title": {"zh": "实践中的掩码（每个都与 SDPA、FlexAttention 核对过）", "en": "Masks in practice (each checked against SDPA and FlexAttention)"},
    "causal": {"zh": "因果", "en": "causal"},
    "padding": {"zh": "填充（最后 {pad} 个键）", "en": "padding (last {pad} keys)"},
    "prefix_lm": {"zh": "前缀 LM（前缀 {prefix}）", "en": "prefix-LM (prefix {prefix})"},
    "documents": {"zh": "打包的 {n_docs} 篇文档", "en": "{n_docs} packed documents"},
    "top_left": {"zh": "L = {L} < S = {S}：左上对齐（is_causal）", "en": "L = {L} < S = {S}: top-left (is_causal)"},
    "bottom_right": {"zh": "右下对齐（causal_lower_right）", "en": "bottom-right (causal_lower_right)"},
}  # fmt: skip


def draw(result: Result, lang: str) -> Figure:
    """A row of the four n × n masked weight matrices above the two L × S causal alignments."""
    f, x = result.facts, result.extras
    n = result.weights.size(-1)
    small = [s if i % (1 if n <= 6 else 3) == 0 else "" for i, s in enumerate(result.key_labels)]
    labels = [s if n <= 12 or i % 2 == 0 else "" for i, s in enumerate(result.key_labels)]
    with style():
        fig = Figure(figsize=(8.6, 5.4))
        grid = fig.add_gridspec(2, 4, height_ratios=[1.0, 0.75], hspace=0.25, wspace=0.35)
        for col, name in enumerate(result.head_labels):
            ax = fig.add_subplot(grid[0, col])
            draw_weights(ax, result.weights[col].numpy(), small, small, annotate=False)
            ax.set_title(lookup(TEXT, name, lang, **f), fontsize=10)
            ax.tick_params(labelsize=9, labelrotation=0)
            if col == 0:
                ax.set_ylabel(word("query", lang), fontsize=9)
        q_labels = list(x["rect_query_labels"])
        for col, name in enumerate(("top_left", "bottom_right")):
            ax = fig.add_subplot(grid[1, 2 * col : 2 * col + 2])
            draw_weights(ax, x["rect"][name].numpy(), q_labels, labels, annotate=False)
            ax.set_title(lookup(TEXT, name, lang, L=f["L"], S=n), fontsize=10)
            ax.set_xlabel(word("key", lang), fontsize=9)
            ax.tick_params(labelsize=9)
        fig.suptitle(lookup(TEXT, "title", lang), fontsize=12)
    return fig
