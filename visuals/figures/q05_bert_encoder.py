"""Q5 figure of ``bert_encoder``: one layer's heads, the A|B boundary and [PAD] columns marked."""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import GREY, word

TEXT: dict[str, Text] = {
    "title": {
        "zh": "第 {layer} 层（共 {n} 层）：双向注意力；白线 = 句子 A|B 分界，灰色 = [PAD]（权重为 0）",
        "en": "layer {layer} of {n}: bidirectional; white line = A|B boundary, grey = [PAD] (weight 0)",
    },
}


def draw(result: Result, lang: str) -> Figure:
    """The h (L, L) heads of the chosen layer as a grid; segment boundary and padding marked."""
    H, L, _ = result.weights.shape
    e, toks = result.extras, list(result.query_labels)
    cols = min(H, 2 if H <= 4 else 4)  # up to 4 heads in 2 columns: every token labelled
    rows = math.ceil(H / cols)
    titles = kit.as_grid([word("head_n", lang, n=h + 1) for h in range(H)], cols)
    with kit.canvas(7.4, 1.0 + rows * 6.6 / cols) as fig:
        axes = kit.head_grid(
            fig, kit.as_grid(result.weights.numpy(), cols), toks, toks,
            titles,
            bar_label=word("weight", lang),
        )  # fmt: skip
        for ax in axes.ravel()[:H]:
            ax.axvline(e["n_a"] - 0.5, color="white", lw=1.2)
            ax.axhline(e["n_a"] - 0.5, color="white", lw=1.2)
            if e["n_real"] < L:
                ax.axvspan(e["n_real"] - 0.5, L - 0.5, color=GREY, alpha=0.85)
        n = kit.fact(result, "layers")
        fig.suptitle(lookup(TEXT, "title", lang, layer=e["layer"], n=n), wrap=True)
    return fig
