"""Q11 figure of ``global_vs_local``: global vs local-p alignments, centres, windows, score counts."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.figures._alignment import alignment_pair
from visuals.style import BLUE, ORANGE, word

TEXT: dict[str, Text] = {
    "centre": {"zh": "预测中心 p_t", "en": "predicted centre p_t"},
    "window": {"zh": "窗口边界", "en": "window edge"},
    "scores_counted": {"zh": "本词计算的得分数", "en": "scores computed for this word"},
    "output": {
        "zh": "输出：全局 → {g}，局部 → {l}",
        "en": "output: global → {g}, local → {l}",
    },
}
HEADS: dict[str, Text] = {  # keyed by the engine's head label, up to its ":"
    "global": {"zh": "全局：对全部 S 个位置 softmax", "en": "global: softmax over all S"},
    "local-p": {"zh": "局部-p：只看窗口 p_t ± {D}", "en": "local-p: window p_t ± {D}"},
}
COUNTS: dict[str, Text] = {
    "global": {"zh": "全局", "en": "global"},
    "local": {"zh": "局部", "en": "local"},
}


def draw(result: Result, lang: str) -> Figure:
    """α_global and α_local (window p_t ± D drawn on it), and the scores each computes."""
    ex = result.extras
    centres, D, counts = np.asarray(ex["centres"], dtype=float), ex["D"], ex["counts"]
    titles = [lookup(HEADS, h.split(":")[0], lang, D=D) for h in result.head_labels]
    with kit.canvas(7.4, 7.2) as fig:
        top, bottom = fig.subfigures(2, 1, height_ratios=[2.2, 0.8])
        ax_g, ax_l = top.subplots(1, 2)
        im = alignment_pair([ax_g, ax_l], result, titles, lang)
        kit.colorbar(top, im, [ax_g, ax_l], word("weight", lang))
        rows, S = np.arange(len(centres)), result.weights.size(-1)
        ax_l.plot(
            centres,
            rows,
            "-o",
            color=ORANGE,
            markersize=4,
            lw=1,
            label=lookup(TEXT, "centre", lang),
        )
        for edge in (centres - D, centres + D):
            ax_l.plot(edge, rows, "--", color=ORANGE, lw=1)
        ax_l.plot([], [], "--", color=ORANGE, label=lookup(TEXT, "window", lang))
        ax_l.set_xlim(-0.5, S - 0.5)
        top.legend(*ax_l.get_legend_handles_labels(), loc="lower center", ncol=2)
        ax_c = bottom.subplots()
        names = [lookup(COUNTS, k, lang) for k in ("global", "local")]
        kit.bars(
            ax_c, names, [counts["global"], counts["local"]], colour=[BLUE, ORANGE], fmt="{:g}"
        )
        ax_c.set_title(lookup(TEXT, "scores_counted", lang))
        g, loc = kit.fact(result, "output_global", ""), kit.fact(result, "output_local", "")
        fig.suptitle(lookup(TEXT, "output", lang, g=g, l=loc))
    return fig
