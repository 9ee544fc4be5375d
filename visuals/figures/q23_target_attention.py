"""Q23 figure of ``target_attention``: every candidate's weights over the history; one's raw scores."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, VERMILION, word

TEXT: dict[str, Text] = {
    "history": {"zh": "用户历史行为（键）", "en": "user's history (keys)"},
    "candidate": {"zh": "候选商品（查询） [类别]", "en": "candidate item (query) [category]"},
    "softmaxed": {
        "zh": "softmax 归一化的激活权重（每行和为 1）",
        "en": "softmax-normalised activations (rows sum to 1)",
    },
    "raw": {
        "zh": "softmax 之前的原始激活 a_i（只看差值：softmax 不受整体平移影响）",
        "en": "raw activation a_i before softmax (only differences matter: softmax ignores a shift)",
    },
    "cand_title": {
        "zh": "候选：{c}，P(点击) = {p:.2f}",
        "en": "candidate: {c}, P(click) = {p:.2f}",
    },
}


def _raw_bars(ax: Axes, result: Result, lang: str) -> None:
    """The chosen candidate's raw activation for each history item; negative ones in vermilion."""
    ex = result.extras
    c, raw = ex["candidate"], np.asarray(ex["raw"][ex["candidate"]], dtype=float)
    kit.bars(ax, result.key_labels, raw, colour=[VERMILION if v < 0 else BLUE for v in raw])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(lookup(TEXT, "raw", lang), wrap=True)
    ax.set_title(lookup(TEXT, "cand_title", lang, c=result.query_labels[c], p=ex["p_click"][c]))


def draw(result: Result, lang: str) -> Figure:
    """(candidates × history) softmax weights, chosen row framed; its raw activations as bars."""
    c, w = result.extras["candidate"], result.weights[0].numpy()
    with kit.canvas(7.4, 12.0) as fig:
        ax_w, ax_r = fig.subplots(2, 1, height_ratios=[1.9, 1])
        im = kit.matrix(
            ax_w, w, result.query_labels, result.key_labels, room=0.5, rotation=35, rows_room=1.0
        )
        ax_w.add_patch(Rectangle((-0.5, c - 0.5), w.shape[1], 1, fill=False, ec="red", lw=2))
        ax_w.set(xlabel=lookup(TEXT, "history", lang), ylabel=lookup(TEXT, "candidate", lang))
        ax_w.set_title(lookup(TEXT, "softmaxed", lang))
        kit.colorbar(fig, im, ax_w, word("weight", lang))
        _raw_bars(ax_r, result, lang)
    return fig
