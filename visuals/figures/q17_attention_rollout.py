"""Q17 figure of ``attention_rollout``: raw attention per layer and rollout; [CLS] rows; ablation."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import GREEN, word

TEXT: dict[str, Text] = {
    "cls_row": {"zh": "[CLS] 对各词的注意力", "en": "[CLS] attention to each word"},
    "raw_last": {"zh": "最后一层原始注意力", "en": "raw, last layer"},
    "rollout": {"zh": "注意力展开", "en": "rollout"},
    "erasure": {"zh": "删去该词后对数几率下降", "en": "drop in log-odds when the word is erased"},
    "ablation": {"zh": "去掉该头后对数几率下降", "en": "drop in log-odds when the head is removed"},
    "layer_n": {"zh": "层 {n}", "en": "layer {n}"},
    "raw_layer": {"zh": "第 {n} 层原始注意力", "en": "layer {n} raw"},
    "rollout_all": {"zh": "注意力展开（第 1–{n} 层）", "en": "rollout (layers 1–{n})"},
}


def _head_effects(ax: Axes, heads: np.ndarray, lang: str) -> None:
    """(n_layers, h) ablation effects as a diverging heatmap with the values written in."""
    cols = [word("head_n", lang, n=j + 1) for j in range(heads.shape[1])]
    rows = [lookup(TEXT, "layer_n", lang, n=i + 1) for i in range(heads.shape[0])]
    kit.matrix(ax, heads, rows, cols, room=0.5, signed=True, values=True, rotation=0, aspect="auto")
    ax.set_title(lookup(TEXT, "ablation", lang))


def draw(result: Result, lang: str) -> Figure:
    """Each layer's raw weights and the rollout; [CLS]'s row vs word erasure; head ablation."""
    ex, words = result.extras, list(result.key_labels[1:])
    n_layers = result.n_heads - 1
    titles = [lookup(TEXT, "raw_layer", lang, n=i + 1) for i in range(n_layers)]
    titles.append(lookup(TEXT, "rollout_all", lang, n=n_layers))
    with kit.canvas(7.6, 12.6) as fig:
        top, mid, bottom = fig.subfigures(3, 1, height_ratios=[1.6, 0.9, 0.55])
        kit.head_grid(
            top, kit.as_grid(result.weights.numpy(), 2), result.query_labels, result.key_labels,
            kit.as_grid(titles, 2), bar_label=word("weight", lang),
        )  # fmt: skip
        ax_cls, ax_erase = mid.subplots(1, 2)
        series = {
            lookup(TEXT, "raw_last", lang): ex["cls_raw"].numpy(),
            lookup(TEXT, "rollout", lang): ex["cls_rollout"].numpy(),
        }
        kit.grouped_bars(ax_cls, words, series)
        ax_cls.set_title(lookup(TEXT, "cls_row", lang))
        kit.bars(ax_erase, words, ex["erasure"].numpy(), horizontal=False, colour=GREEN)
        ax_erase.axhline(0, color="black", linewidth=0.6)
        ax_erase.set_title(lookup(TEXT, "erasure", lang), wrap=True)
        _head_effects(bottom.subplots(), ex["head_effects"].numpy(), lang)
    return fig
