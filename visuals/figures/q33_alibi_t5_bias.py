"""Q33 figure of ``alibi_t5_bias``: ALiBi attention of four heads, the slopes with their far mass,
and T5's buckets of relative positions."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import GREEN, GREY, PINK, VERMILION, word

TEXT: dict[str, Text] = {
    "title": {
        "zh": "ALiBi：内容分数全相同，只有偏置 −m·(i − j) 时的因果注意力",
        "en": "ALiBi: causal attention from the bias −m·(i − j) alone (equal content scores)",
    },
    "head_title": {"zh": "头 {n}：{label}", "en": "head {n}: {label}"},
    "slopes": {"zh": "每头斜率 m（对数轴，柱）", "en": "Slope m per head (log, bars)"},
    "far": {
        "zh": "查询在 {t} 时落在 {L} 之前的权重（点）",
        "en": "weight > {L} back, query at {t} (dots)",
    },
    "head": {"zh": "头", "en": "head"},
    "bucket": {"zh": "T5 桶号 vs 相对位置", "en": "T5 bucket vs relative position"},
    "rel": {"zh": "相对位置 j − i", "en": "relative position j − i"},
    "matrix": {"zh": "T5 桶矩阵（{n} 个词元）", "en": "T5 buckets ({n} tokens)"},
    "bucket_no": {"zh": "桶号", "en": "bucket"},
}


def _shown_heads(H: int) -> list[int]:
    """Up to four heads, evenly spread from steepest to flattest."""
    return sorted({round(i * (H - 1) / 3) for i in range(4)}) if H > 4 else list(range(H))


def _heads(sub: Figure, result: Result, lang: str) -> None:
    """Up to 4 heads' (n, n) weights on one colour scale, titled with their slopes."""
    heads = _shown_heads(result.n_heads)
    axes = sub.subplots(1, 4)
    top, im = float(result.weights.max()) or 1.0, None
    for ax, h in zip(axes, [*heads, None, None, None][:4], strict=True):
        if h is None:
            ax.set_axis_off()
            continue
        w = result.weights[h].numpy()
        im = kit.matrix(ax, w, None, None, room=0.22, vmax=top, values=False)
        title = lookup(TEXT, "head_title", lang, n=h + 1, label=result.head_labels[h])
        ax.set_title(title)
    kit.colorbar(sub, im, axes, word("weight", lang))
    sub.suptitle(lookup(TEXT, "title", lang))


def _slopes(ax: Axes, result: Result, lang: str) -> None:
    """Slope of every head as bars (log₂ axis), and its weight more than L back as dots."""
    ex = result.extras
    idx = np.arange(1, result.n_heads + 1)
    ax.bar(idx, ex["slopes"].numpy(), color=GREEN)
    ax.set_yscale("log", base=2)
    ax.set_ylim(float(ex["slopes"].min()) / 2, 1.0)
    ax.set_xlabel(lookup(TEXT, "head", lang))
    ax.set_title(lookup(TEXT, "slopes", lang))
    far = ax.twinx()
    far.plot(idx, ex["far_mass"].numpy(), "o-", color=VERMILION, markersize=4)
    far.set_ylim(0, 1)
    L = ex["train_len"]
    far.set_ylabel(lookup(TEXT, "far", lang, t=2 * L, L=L), color=VERMILION)


def draw(result: Result, lang: str) -> Figure:
    """Heat maps of up to 4 ALiBi heads; slopes and far mass; T5 bucket curve and matrix."""
    ex = result.extras
    with kit.canvas(8.0, 7.2) as fig:
        top, bottom = fig.subfigures(2, 1, height_ratios=[0.85, 1.1])
        _heads(top, result, lang)
        ax_s, ax_b, ax_m = bottom.subplots(1, 3, width_ratios=[1.1, 1.2, 1])
        _slopes(ax_s, result, lang)
        ax_b.step(ex["relative"].numpy(), ex["buckets"].numpy(), where="mid", color=PINK)
        for x in (-ex["max_distance"], ex["max_distance"]):
            ax_b.axvline(x, color=GREY, linewidth=0.8, linestyle="--")
        ax_b.set_xlabel(lookup(TEXT, "rel", lang))
        ax_b.set_title(lookup(TEXT, "bucket", lang))
        b = ex["bucket_matrix"].numpy()
        im = kit.matrix(ax_m, b, None, None, room=0.25, values=False)
        kit.colorbar(bottom, im, ax_m, lookup(TEXT, "bucket_no", lang))
        ax_m.set_title(lookup(TEXT, "matrix", lang, n=len(result.query_labels)))
    return fig
