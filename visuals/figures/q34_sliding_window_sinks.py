"""Q34 figure of ``sliding_window_sinks``: full vs rolling-window vs window + sinks attention,
their output error, and the receptive field of stacked window layers."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import GREEN, GREY, PINK, VERMILION, word

TEXT: dict[str, Text] = {
    "full": {"zh": "完整因果注意力（参照）", "en": "Full causal (reference)"},
    "window": {"zh": "滚动缓存，{W} 个槽", "en": "Rolling cache, {W} slots"},
    "window+sinks": {"zh": "{s} 个汇点 + {r} 个最近词元", "en": "{s} sink(s) + {r} recent"},
    "title": {
        "zh": "同一个头：首词元额外 +{score:g} 分（训练好的 LLM 的“汇点”），越近越高",
        "en": "One head: +{score:g} on the first token (a trained LLM's sink), recent tokens preferred",
    },
    "axes": {
        "zh": "行 = 查询位置，列 = 键位置",
        "en": "rows = query positions, columns = key positions",
    },
    "error": {"zh": "第 {a}–{b} 个查询的输出误差", "en": "Output error, queries {a}–{b}"},
    "rel": {"zh": "相对误差 ‖Δ‖/‖full‖", "en": "relative error ‖Δ‖/‖full‖"},
    "no_sink": {"zh": "只有窗口", "en": "window only"},
    "with_sink": {"zh": "窗口 + 汇点", "en": "window + sinks"},
    "reach": {"zh": "最后一个词元的感受野", "en": "Receptive field of the last token"},
    "counted": {"zh": "由掩码的 k 次幂数出", "en": "counted from the mask's k-th power"},
    "layers": {"zh": "层数 k", "en": "layers k"},
    "tokens": {"zh": "词元数", "en": "tokens"},
    "formula": {"zh": "k·(W − 1) + 1，W = {W}", "en": "k·(W − 1) + 1, W = {W}"},
}


def _patterns(sub: Figure, result: Result, lang: str) -> None:
    """The three (L, L) weight matrices on one colour scale, every 4th position labelled."""
    ex = result.extras
    W, s, L = ex["window"], ex["n_sinks"], len(result.query_labels)
    axes = sub.subplots(1, 3)
    top, im = float(result.weights.max()) or 1.0, None
    ticks = list(range(0, L, 4))
    for ax, name, w in zip(axes, result.head_labels, result.weights.numpy(), strict=True):
        im = kit.matrix(ax, w, None, None, room=0.3, vmax=top, values=False)
        ax.set_xticks(ticks, labels=[str(t) for t in ticks])
        ax.set_yticks(ticks, labels=[str(t) for t in ticks])
        ax.set_title(lookup(TEXT, name, lang, W=W, s=s, r=W - s))
    kit.colorbar(sub, im, axes, word("weight", lang))
    sub.suptitle(lookup(TEXT, "title", lang, score=ex["sink_score"]))
    sub.supxlabel(lookup(TEXT, "axes", lang), fontsize="small")


def _reach(ax: Axes, result: Result, lang: str) -> None:
    """Tokens that reach the last token after k layers, against the formula k·(W − 1) + 1."""
    ex = result.extras
    W, L, reach = ex["window"], len(result.query_labels), ex["receptive"]
    k = np.arange(1, len(reach) + 1)
    ax.plot(k, reach, "o-", color=PINK, label=lookup(TEXT, "counted", lang))
    ax.plot(k, k * (W - 1) + 1, "--", color=GREY, label=lookup(TEXT, "formula", lang, W=W))
    ax.axhline(L, color=GREY, linewidth=0.8)
    ax.set_xticks(k)
    ax.set(xlabel=lookup(TEXT, "layers", lang), ylabel=lookup(TEXT, "tokens", lang))
    ax.set_title(lookup(TEXT, "reach", lang))
    ax.legend(loc="lower right")


def draw(result: Result, lang: str) -> Figure:
    """Three heat maps above a bar chart of output errors and a receptive-field curve."""
    L = len(result.query_labels)
    with kit.canvas(8.0, 7.0) as fig:
        top, bottom = fig.subfigures(2, 1, height_ratios=[1.15, 1.0])
        _patterns(top, result, lang)
        ax_e, ax_r = bottom.subplots(1, 2)
        errors = [kit.fact(result, "error_window_only"), kit.fact(result, "error_with_sinks")]
        names = [lookup(TEXT, "no_sink", lang), lookup(TEXT, "with_sink", lang)]
        kit.bars(ax_e, names, errors, horizontal=False, colour=[VERMILION, GREEN], fmt="{:.3f}")
        for t in ax_e.get_xticklabels():
            t.set_horizontalalignment("center")
        ax_e.set_ylabel(lookup(TEXT, "rel", lang))
        ax_e.set_title(lookup(TEXT, "error", lang, a=result.extras["late"], b=L - 1))
        _reach(ax_r, result, lang)
    return fig
