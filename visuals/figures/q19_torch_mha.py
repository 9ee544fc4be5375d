"""Q19 figure of ``torch_mha``: per-head weights of nn.MultiheadAttention above the engine's own."""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import word

TEXT: dict[str, Text] = {
    "title": {
        "zh": "最大差：输出 {out}，权重 {w}；句子 2 的 [PAD] 权重为 0",
        "en": "max difference: outputs {out}, weights {w}; [PAD] of sentence 2 gets weight 0",
    },
}
SOURCES = ("nn.MultiheadAttention", "engine.attention")


def draw(result: Result, lang: str) -> Figure:
    """(2·rows, cols) grid: the h heads from nn.MultiheadAttention, then from the engine."""
    H = result.n_heads
    cols = min(H, 4)
    block = math.ceil(H / cols)
    mats, titles = [], []
    for source, weights in zip(
        SOURCES, (result.weights, result.extras["engine_weights"]), strict=True
    ):
        mats += kit.as_grid(weights.numpy(), cols)
        titles += kit.as_grid(
            [f"{source}\n{word('head_n', lang, n=h + 1)}" for h in range(H)], cols
        )
    toks = result.query_labels
    with kit.canvas(7.6, 1.2 + 2 * block * 7.0 / cols) as fig:
        kit.head_grid(fig, mats, toks, toks, titles, vmax=1.0, bar_label=word("weight", lang))
        out = f"{kit.fact(result, 'max_diff_output'):.1e}"
        w = f"{kit.fact(result, 'max_diff_weights'):.1e}"
        fig.suptitle(lookup(TEXT, "title", lang, out=out, w=w), wrap=True)
    return fig
