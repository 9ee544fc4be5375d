"""Q32 figure: RoPE attention per scaling method, the score-vs-offset curve, and θ'/θ per pair."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from engine.i18n import bi, tr
from engine.result import Result
from visuals import kit
from visuals.style import style

NAMES = {
    "none": bi("原始 RoPE", "plain RoPE"),
    "pi": bi("位置插值 PI", "position interpolation"),
    "ntk": bi("NTK-aware", "NTK-aware"),
    "yarn": bi("YaRN（含温度）", "YaRN (with temperature)"),
}
ZOOM = 24  # offsets in the close-up panel
COLOURS = {"none": "#666666", "pi": "#1b9e77", "ntk": "#d95f02", "yarn": "#7570b3"}
TEXT = {
    "title": bi(
        "训练长度 L = {L}，扩展到 s·L = {sL}（s = {s:g}）",
        "Trained on L = {L}, stretched to s·L = {sL} (s = {s:g})",
    ),
    "heat": bi(
        "每个位置内容相同的因果注意力（行、列 = 位置）：每条对角线上数值相同，只取决于 m − n",
        "Causal attention, same content at every position (rows, columns = positions): "
        "constant along each diagonal, it depends on m − n only",
    ),
    "curve": bi("分数 vs 位置差 Δ（每 {k} 个取平均）", "Score vs offset Δ (mean of every {k})"),
    "zoom": bi("近处：Δ ≤ {n}", "Close up: Δ ≤ {n}"),
    "offset": bi("位置差 Δ", "offset Δ"),
    "score": bi("归一化分数", "normalised score"),
    "trained": bi("训练范围", "trained range"),
    "ratio": bi("每对维度的 θ'/θ", "θ'/θ per pair"),
    "pair": bi("维度对 i（快 → 慢）", "pair i (fast → slow)"),
}


def draw(result: Result, lang: str) -> Figure:
    """Row of 4 heat maps (one per method) above the offset curves and the frequency ratios."""
    ex = result.extras
    L, s = ex["train_len"], ex["scale"]
    methods = list(ex["curves"])
    with style():
        fig = Figure(figsize=(8.0, 7.2), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 1.15])
        for ax, m, w in zip(top.subplots(1, 4), methods, result.weights.numpy(), strict=True):
            kit.matrix(ax, w, None, None, values=False)
            n = w.shape[0]
            ticks = [0, n - 1]
            ax.set_xticks(
                ticks, labels=[result.key_labels[i] for i in ticks], fontsize=9, rotation=0
            )
            ax.set_yticks(ticks, labels=[result.query_labels[i] for i in ticks], fontsize=9)
            ax.set_title(tr(NAMES[m], lang), fontsize=10, color=COLOURS[m])
        top.suptitle(tr(TEXT["title"], lang, L=L, sL=int(s * L), s=s), fontsize=11)
        top.supxlabel(tr(TEXT["heat"], lang), fontsize=9.5, wrap=True)
        ax_c, ax_z, ax_r = bottom.subplots(1, 3, width_ratios=[1.6, 1, 1])
        offsets = ex["offsets"].numpy()
        k = max(1, len(offsets) // 64)  # moving average over k offsets: the trend, not the ripple
        ax_c.axvspan(0, L, color="#e8e8e8", label=tr(TEXT["trained"], lang))
        for m in methods:
            c = ex["curves"][m].numpy()
            ax_c.plot(
                _smooth(offsets, k),
                _smooth(c, k),
                color=COLOURS[m],
                lw=1.5,
                label=tr(NAMES[m], lang),
            )
            ax_z.plot(
                offsets[: ZOOM + 1], c[: ZOOM + 1], color=COLOURS[m], lw=1.5, marker=".", ms=4
            )
        ax_c.set_xlim(0, offsets[-1])
        ax_c.set_xlabel(tr(TEXT["offset"], lang))
        ax_c.set_ylabel(tr(TEXT["score"], lang))
        ax_c.set_title(tr(TEXT["curve"], lang, k=k), fontsize=10)
        ax_c.legend(fontsize=9, loc="upper right")
        ax_z.set_xlabel(tr(TEXT["offset"], lang))
        ax_z.set_title(tr(TEXT["zoom"], lang, n=ZOOM), fontsize=10)
        base = ex["theta"]["none"]
        for m in methods:
            ax_r.plot((ex["theta"][m] / base).numpy(), color=COLOURS[m], lw=1.6)
        ax_r.set_ylim(0, 1.08)
        ax_r.set_xlabel(tr(TEXT["pair"], lang))
        ax_r.set_title(tr(TEXT["ratio"], lang), fontsize=10)
    return fig


def _smooth(y: np.ndarray, k: int) -> np.ndarray:
    """Means of consecutive runs of k values."""
    n = len(y) // k * k
    return y[:n].reshape(-1, k).mean(axis=1)
