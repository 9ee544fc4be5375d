"""Q28 figure of ``positional_equivariance``: weights before/after a permutation, with and without PE."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import word

TEXT: dict[str, Text] = {
    "original": {"zh": "原顺序", "en": "original order"},
    "permuted": {"zh": "打乱后再按原词对齐", "en": "permuted, mapped back"},
    "no_pe": {"zh": "无位置编码", "en": "no positions"},
    "pe": {"zh": "加正弦位置编码", "en": "+ sinusoidal PE"},
    "change": {"zh": "最大变化 {c}", "en": "max change {c}"},
    "dim": {"zh": "维度 i", "en": "dimension i"},
    "pos": {"zh": "位置 pos", "en": "position pos"},
    "order": {"zh": "打乱后的句子：{order}", "en": "permuted sentence: {order}"},
}
CHANGES = ("no_pe_max_weight_change", "with_pe_max_weight_change")


def _pe_panel(ax: Axes, pe: np.ndarray, lang: str):
    """The sinusoidal positional-encoding matrix, positions down, dimensions across."""
    im = kit.matrix(
        ax,
        pe,
        [str(i) for i in range(pe.shape[0])],
        None,
        signed=True,
        vmax=1.0,
        aspect="auto",
        values=False,
    )
    ax.set(xlabel=lookup(TEXT, "dim", lang), ylabel=lookup(TEXT, "pos", lang))
    ax.set_title("PE(pos, 2i) = sin(pos/10000^(2i/d)), PE(pos, 2i+1) = cos(…)", wrap=True)
    return im


def draw(result: Result, lang: str) -> Figure:
    """(2, 2) grid: rows = without/with PE, columns = original / permuted-and-mapped-back; PE below."""
    toks = list(result.query_labels)
    rows, cols = ("no_pe", "pe"), ("original", "permuted")
    titles = [[f"{lookup(TEXT, r, lang)} · {lookup(TEXT, c, lang)}" for c in cols] for r in rows]
    with kit.canvas(7.4, 11.0) as fig:
        top, bottom = fig.subfigures(2, 1, height_ratios=[2.2, 1])
        axes = kit.head_grid(
            top,
            kit.as_grid(result.weights.numpy(), 2),
            toks,
            toks,
            titles,
            vmax=1.0,
            bar_label=word("weight", lang),
        )
        for r in range(2):
            change = f"{kit.fact(result, CHANGES[r]):.1e}"
            axes[r, 1].set_xlabel(lookup(TEXT, "change", lang, c=change))
        ax_pe = bottom.subplots()
        kit.colorbar(bottom, _pe_panel(ax_pe, result.extras["pe"].numpy(), lang), ax_pe)
        order = " ".join(result.extras["permuted_tokens"])
        fig.suptitle(lookup(TEXT, "order", lang, order=order))
    return fig
