"""Q34 figure: full vs rolling-window vs window+sinks attention, their output error, and the receptive field."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from engine.i18n import bi, tr
from engine.result import Result
from visuals import kit
from visuals.style import style, word

TEXT = {
    "full": bi("完整因果注意力（参照）", "Full causal (reference)"),
    "window": bi("滚动缓存，{W} 个槽", "Rolling cache, {W} slots"),
    "window+sinks": bi("{s} 个汇点 + {r} 个最近词元", "{s} sink(s) + {r} recent"),
    "title": bi(
        "同一个头：首词元额外 +{score:g} 分（训练好的 LLM 的“汇点”），越近越高",
        "One head: +{score:g} on the first token (a trained LLM's sink), recent tokens preferred",
    ),
    "error": bi("第 {a}–{b} 个查询的输出误差", "Output error, queries {a}–{b}"),
    "rel": bi("相对误差 ‖Δ‖/‖full‖", "relative error ‖Δ‖/‖full‖"),
    "no_sink": bi("只有窗口", "window only"),
    "with_sink": bi("窗口 + 汇点", "window + sinks"),
    "reach": bi("最后一个词元的感受野", "Receptive field of the last token"),
    "layers": bi("层数 k", "layers k"),
    "tokens": bi("词元数", "tokens"),
    "formula": bi("k·(W − 1) + 1，W = {W}", "k·(W − 1) + 1, W = {W}"),
}


def draw(result: Result, lang: str) -> Figure:
    """Three heat maps above a bar chart of output errors and a receptive-field curve."""
    ex, f = result.extras, result.facts
    W, s, L = ex["window"], ex["n_sinks"], len(result.query_labels)
    with style():
        fig = Figure(figsize=(8.0, 7.0), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[1.15, 1.0])
        for ax, name, w in zip(
            top.subplots(1, 3), result.head_labels, result.weights.numpy(), strict=True
        ):
            kit.matrix(ax, w, None, None, values=False)
            ticks = list(range(0, L, 4))
            ax.set_xticks(ticks, labels=[str(t) for t in ticks], fontsize=9, rotation=0)
            ax.set_yticks(ticks, labels=[str(t) for t in ticks], fontsize=9)
            ax.set_title(tr(TEXT[name], lang, W=W, s=s, r=W - s), fontsize=10)
        top.suptitle(tr(TEXT["title"], lang, score=ex["sink_score"]), fontsize=10.5)
        top.supxlabel(f"{word('query', lang)} ↓   {word('key', lang)} →", fontsize=10)
        ax_e, ax_r = bottom.subplots(1, 2)
        errors = [f["error_window_only"], f["error_with_sinks"]]
        bars = ax_e.bar(
            [tr(TEXT["no_sink"], lang), tr(TEXT["with_sink"], lang)],
            errors,
            color=["#d95f02", "#1b9e77"],
        )
        ax_e.bar_label(bars, labels=[f"{e:.3f}" for e in errors], fontsize=10)
        ax_e.set_ylim(0, max(errors) * 1.25 or 1)
        ax_e.set_ylabel(tr(TEXT["rel"], lang))
        ax_e.set_title(tr(TEXT["error"], lang, a=ex["late"], b=L - 1), fontsize=10)
        reach = ex["receptive"]
        k = np.arange(1, len(reach) + 1)
        ax_r.plot(k, reach, marker="o", color="#7570b3", label=tr(TEXT["reach"], lang))
        ax_r.plot(k, k * (W - 1) + 1, ls="--", color="#999", label=tr(TEXT["formula"], lang, W=W))
        ax_r.set_xticks(k)
        ax_r.axhline(L, color="#bbb", lw=0.8)
        ax_r.set_xlabel(tr(TEXT["layers"], lang))
        ax_r.set_ylabel(tr(TEXT["tokens"], lang))
        ax_r.set_title(tr(TEXT["reach"], lang), fontsize=10)
        ax_r.legend(fontsize=9, loc="lower right")
    return fig
