"""Q33 figure: ALiBi attention of four heads, the slopes with their far mass, and T5's buckets."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from engine.i18n import bi, tr
from engine.result import Result
from visuals import kit
from visuals.style import CMAP, style

TEXT = {
    "title": bi(
        "ALiBi：只有偏置 −m·(i − j)、内容分数相同时的因果注意力",
        "ALiBi: causal attention from the bias −m·(i − j) alone (equal content scores)",
    ),
    "slopes": bi("每头斜率 m（对数轴）", "Slope m per head (log scale)"),
    "far": bi("位置 {t} 的查询落在距离 > {L} 的权重", "Weight a query at {t} puts > {L} back"),
    "head": bi("头", "head"),
    "bucket": bi("T5 桶号 vs 相对位置", "T5 bucket vs relative position"),
    "rel": bi("相对位置 j − i", "relative position j − i"),
    "matrix": bi("T5 桶矩阵（{n} 个词元）", "T5 buckets ({n} tokens)"),
    "maxd": bi("最大距离", "max distance"),
}


def _shown_heads(H: int) -> list[int]:
    """Up to four heads, evenly spread from steepest to flattest."""
    return sorted({round(i * (H - 1) / 3) for i in range(4)}) if H > 4 else list(range(H))


def draw(result: Result, lang: str) -> Figure:
    """Heat maps of up to 4 ALiBi heads; slopes and far mass; T5 bucket curve and matrix."""
    ex = result.extras
    heads = _shown_heads(result.n_heads)
    with style():
        fig = Figure(figsize=(8.0, 7.4), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 1.1])
        for ax, h in zip(top.subplots(1, 4), [*heads, None, None, None][:4], strict=True):
            if h is None:
                ax.set_axis_off()
                continue
            kit.matrix(ax, result.weights[h].numpy(), None, None, values=False)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{tr(TEXT['head'], lang)} {h + 1}: {result.head_labels[h]}", fontsize=10)
        top.suptitle(tr(TEXT["title"], lang), fontsize=11)
        ax_s, ax_b, ax_m = bottom.subplots(1, 3, width_ratios=[1.1, 1.3, 1])
        idx = np.arange(1, result.n_heads + 1)
        ax_s.bar(idx, ex["slopes"].numpy(), color="#1b9e77", label="m")
        ax_s.set_yscale("log", base=2)
        ax_s.set_ylim(float(ex["slopes"].min()) / 2, 1.0)
        ax_s.set_xlabel(tr(TEXT["head"], lang))
        ax_s.set_title(tr(TEXT["slopes"], lang), fontsize=10)
        ax_f = ax_s.twinx()
        ax_f.plot(idx, ex["far_mass"].numpy(), color="#d95f02", marker="o", ms=4)
        ax_f.set_ylim(0, 1)
        L = ex["train_len"]
        ax_f.set_ylabel(tr(TEXT["far"], lang, t=2 * L, L=L), color="#d95f02", fontsize=9)
        ax_b.step(ex["relative"].numpy(), ex["buckets"].numpy(), where="mid", color="#7570b3")
        for x in (-ex["max_distance"], ex["max_distance"]):
            ax_b.axvline(x, color="#999", lw=0.8, ls="--")
        ax_b.set_xlabel(tr(TEXT["rel"], lang))
        ax_b.set_title(tr(TEXT["bucket"], lang), fontsize=10)
        ax_m.imshow(ex["bucket_matrix"].numpy(), cmap=CMAP, interpolation="nearest")
        ax_m.set_xticks([])
        ax_m.set_yticks([])
        ax_m.set_title(tr(TEXT["matrix"], lang, n=len(result.query_labels)), fontsize=10)
    return fig
