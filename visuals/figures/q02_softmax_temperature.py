"""Q2 figure of ``softmax_temperature``: naive vs stable softmax, and softmax over a τ ladder."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, ORANGE, VERMILION, word

TEXT: dict[str, Text] = {
    "naive": {"zh": "朴素 exp/Σexp（NaN = 溢出）", "en": "naive exp/Σexp (NaN = overflow)"},
    "stable": {"zh": "稳定（先减最大值）", "en": "stable (max subtracted)"},
    "score": {"zh": "分数 sᵢ", "en": "score sᵢ"},
    "bars": {
        "zh": "τ = {t:g}：最大指数 {top:g}，上限 {limit:g}",
        "en": "τ = {t:g}: largest exponent {top:g}, limit {limit:g}",
    },
    "tau": {"zh": "温度 τ", "en": "temperature τ"},
    "ladder": {
        "zh": "稳定 softmax(s/τ)：温度越低越尖锐",
        "en": "stable softmax(s/τ): lower τ, sharper",
    },
}


def _softmax_bars(ax: Axes, result: Result, lang: str) -> None:
    """Naive and stable softmax side by side; a NaN bar is drawn empty and labelled NaN."""
    e = result.extras
    naive, stable = np.asarray(e["naive"], float), np.asarray(e["stable"], float)
    pos = np.arange(len(stable))
    ax.bar(
        pos - 0.2,
        np.nan_to_num(naive, nan=0.0),
        0.4,
        color=ORANGE,
        label=lookup(TEXT, "naive", lang),
    )
    ax.bar(pos + 0.2, stable, 0.4, color=BLUE, label=lookup(TEXT, "stable", lang))
    for i in np.flatnonzero(np.isnan(naive)):
        ax.text(i - 0.2, 0.02, "NaN", rotation=90, ha="center", va="bottom", color=VERMILION)
    ax.set_xticks(pos, labels=list(result.key_labels), rotation=45 if len(pos) > 6 else 0)
    ax.set(ylim=(0, 1.15), xlabel=lookup(TEXT, "score", lang), ylabel=word("weight", lang))
    ax.legend(loc="upper left", fontsize="small")
    top, limit = kit.fact(result, "largest_exponent"), kit.fact(result, "overflow_limit")
    ax.set_title(lookup(TEXT, "bars", lang, t=e["temperature"], top=top, limit=limit))


def draw(result: Result, lang: str) -> Figure:
    """softmax(s/τ) computed naively (overflows to NaN) and stably, then for several τ."""
    with kit.canvas(7.2, 8.4) as fig:
        ax_b, ax_h = fig.subplots(2, 1, height_ratios=[1, 1.1])
        _softmax_bars(ax_b, result, lang)
        im = kit.matrix(
            ax_h, result.weights[0].numpy(), result.query_labels, result.key_labels,
            room=0.7, aspect="auto",
        )  # fmt: skip
        ax_h.set(xlabel=lookup(TEXT, "score", lang), ylabel=lookup(TEXT, "tau", lang))
        ax_h.set_title(lookup(TEXT, "ladder", lang))
        kit.colorbar(fig, im, ax_h, word("weight", lang))
    return fig
