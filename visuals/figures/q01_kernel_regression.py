"""Q1 figure of ``kernel_regression``: Nadaraya–Watson weights beside the fitted curve."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, GREY, VERMILION, word

TEXT: dict[str, Text] = {
    "key": {"zh": "键：训练点 xᵢ", "en": "key: training point xᵢ"},
    "query": {"zh": "查询 x", "en": "query x"},
    "weights": {"zh": "注意力权重 α(x, xᵢ)", "en": "attention weights α(x, xᵢ)"},
    "points": {"zh": "训练点 (xᵢ, yᵢ)", "en": "training points (xᵢ, yᵢ)"},
    "truth": {"zh": "真实函数 f(x)", "en": "true f(x)"},
    "fit": {"zh": "注意力加权平均 f̂(x)", "en": "attention average f̂(x)"},
    "fit_title": {
        "zh": "核宽度 h = {h:g}，均方误差 = {mse:.3f}",
        "en": "width h = {h:g}, MSE vs truth = {mse:.3f}",
    },
}


def _value_ticks(ax: Axes, rows: list[float], cols: list[float], n: int = 5) -> None:
    """About ``n`` ticks per axis at cell centres, labelled with the x value of that row/column."""
    for values, setter in ((cols, ax.set_xticks), (rows, ax.set_yticks)):
        idx = sorted({round(i) for i in np.linspace(0, len(values) - 1, n)})
        setter(idx, labels=[f"{values[i]:.1f}" for i in idx])


def _fit(ax: Axes, result: Result, lang: str) -> None:
    """Training points, the true function and the attention-weighted average f̂(x)."""
    e = result.extras
    ax.scatter(e["x_key"], e["y_value"], s=14, color=GREY, label=lookup(TEXT, "points", lang))
    ax.plot(e["x_query"], e["y_true"], "--", color=BLUE, label=lookup(TEXT, "truth", lang))
    ax.plot(e["x_query"], e["y_hat"], color=VERMILION, lw=2, label=lookup(TEXT, "fit", lang))
    ax.set(xlabel="x", ylabel="y")
    ax.legend(loc="best", fontsize="small")
    h, mse = kit.fact(result, "bandwidth"), kit.fact(result, "mse_vs_truth")
    ax.set_title(lookup(TEXT, "fit_title", lang, h=h, mse=mse))


def draw(result: Result, lang: str) -> Figure:
    """f̂(x) = Σᵢ α(x, xᵢ) yᵢ: the (queries × keys) weights α and the curve they produce."""
    e = result.extras
    with kit.canvas(7.4, 7.6) as fig:
        ax_w, ax_f = fig.subplots(2, 1, height_ratios=[1.1, 1])
        im = kit.matrix(ax_w, result.weights[0].numpy(), None, None, aspect="auto")
        _value_ticks(ax_w, e["x_query"].tolist(), e["x_key"].tolist())
        ax_w.set(xlabel=lookup(TEXT, "key", lang), ylabel=lookup(TEXT, "query", lang))
        ax_w.set_title(lookup(TEXT, "weights", lang))
        kit.colorbar(fig, im, ax_w, word("weight", lang))
        _fit(ax_f, result, lang)
    return fig
