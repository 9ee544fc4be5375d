"""Q32 figure of ``rope_scaling``: RoPE attention per scaling method, score vs offset, θ'/θ per pair."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, GREEN, GREY, VERMILION, word

NAMES: dict[str, Text] = {
    "none": {"zh": "原始 RoPE", "en": "plain RoPE"},
    "pi": {"zh": "位置插值 PI", "en": "position interpolation"},
    "ntk": {"zh": "NTK-aware", "en": "NTK-aware"},
    "yarn": {"zh": "YaRN（含温度）", "en": "YaRN (with temperature)"},
}
COLOURS = {"none": GREY, "pi": GREEN, "ntk": VERMILION, "yarn": BLUE}
ZOOM = 24  # offsets in the close-up panel
TEXT: dict[str, Text] = {
    "title": {
        "zh": "训练长度 L = {L}，扩展到 s·L = {sL}（s = {s:g}）",
        "en": "Trained on L = {L}, stretched to s·L = {sL} (s = {s:g})",
    },
    "heat": {
        "zh": "每个位置内容相同的因果注意力（行、列 = 位置）：沿对角线不变，只取决于 m − n",
        "en": "Causal attention, same content at every position (rows, columns = positions): "
        "constant along diagonals, it depends on m − n only",
    },
    "curve": {"zh": "分数 vs 位置差 Δ（每 {k} 个取平均）", "en": "Score vs offset Δ (mean of {k})"},
    "zoom": {"zh": "近处：Δ ≤ {n}", "en": "Close up: Δ ≤ {n}"},
    "offset": {"zh": "位置差 Δ", "en": "offset Δ"},
    "score": {"zh": "归一化分数", "en": "normalised score"},
    "trained": {"zh": "训练范围", "en": "trained range"},
    "ratio": {"zh": "每对维度的 θ'/θ", "en": "θ'/θ per pair"},
    "pair": {"zh": "维度对 i（快 → 慢）", "en": "pair i (fast → slow)"},
}


def _heat_maps(sub: Figure, result: Result, lang: str) -> None:
    """One (n, n) causal weight matrix per method, first and last positions on the axes."""
    w = result.weights.numpy()  # (4, n, n)
    axes = sub.subplots(1, 4)
    n, top, im = w.shape[-1], float(w.max()) or 1.0, None
    for ax, m, wm in zip(axes, result.extras["curves"], w, strict=True):
        im = kit.matrix(ax, wm, None, None, room=0.22, vmax=top, values=False)
        ends = [0, n - 1]
        ax.set_xticks(ends, labels=[result.key_labels[i] for i in ends])
        ax.set_yticks(ends, labels=[result.query_labels[i] for i in ends])
        ax.set_title(lookup(NAMES, m, lang), color=COLOURS[m])
    kit.colorbar(sub, im, axes, word("weight", lang))
    ex = result.extras
    L, s = ex["train_len"], ex["scale"]
    sub.suptitle(lookup(TEXT, "title", lang, L=L, sL=int(s * L), s=s))
    sub.supxlabel(lookup(TEXT, "heat", lang), fontsize="small", wrap=True)


def _offset_curves(ax_c: Axes, ax_z: Axes, result: Result, lang: str) -> None:
    """Normalised score against offset Δ up to s·L (smoothed), and its first ZOOM offsets."""
    ex = result.extras
    offsets = ex["offsets"].numpy()
    k = max(1, len(offsets) // 64)  # moving average over k offsets: the trend, not the ripple
    ax_c.axvspan(0, ex["train_len"], color="#e8e8e8", label=lookup(TEXT, "trained", lang))
    for m, curve in ex["curves"].items():
        c = curve.numpy()
        ax_c.plot(
            _smooth(offsets, k), _smooth(c, k), color=COLOURS[m], label=lookup(NAMES, m, lang)
        )
        ax_z.plot(offsets[: ZOOM + 1], c[: ZOOM + 1], ".-", color=COLOURS[m], markersize=4)
    ax_c.set_xlim(0, offsets[-1])
    ax_c.set(xlabel=lookup(TEXT, "offset", lang), ylabel=lookup(TEXT, "score", lang))
    ax_c.set_title(lookup(TEXT, "curve", lang, k=k))
    ax_c.legend(loc="upper right", fontsize="small")
    ax_z.set_xlabel(lookup(TEXT, "offset", lang))
    ax_z.set_title(lookup(TEXT, "zoom", lang, n=ZOOM))


def draw(result: Result, lang: str) -> Figure:
    """Row of 4 heat maps (one per method) above the offset curves and the frequency ratios."""
    ex = result.extras
    with kit.canvas(8.0, 7.0) as fig:
        top, bottom = fig.subfigures(2, 1, height_ratios=[0.85, 1.15])
        _heat_maps(top, result, lang)
        ax_c, ax_z, ax_r = bottom.subplots(1, 3, width_ratios=[1.6, 1, 1])
        _offset_curves(ax_c, ax_z, result, lang)
        base = ex["theta"]["none"]
        for m in ex["curves"]:
            ax_r.plot((ex["theta"][m] / base).numpy(), color=COLOURS[m])
        ax_r.set_ylim(0, 1.08)
        ax_r.set_xlabel(lookup(TEXT, "pair", lang))
        ax_r.set_title(lookup(TEXT, "ratio", lang))
    return fig


def _smooth(y: np.ndarray, k: int) -> np.ndarray:
    """Means of consecutive runs of k values."""
    n = len(y) // k * k
    return y[:n].reshape(-1, k).mean(axis=1)
