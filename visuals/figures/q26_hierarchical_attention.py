"""Q26 figure of ``hierarchical_attention``: each sentence's words coloured by weight, its own weight."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import CMAP, text_colour

TEXT: dict[str, Text] = {
    "sentence_weight": {"zh": "句子权重", "en": "sentence weight"},
    "word_weights": {"zh": "句内词权重", "en": "word weights within each sentence"},
    "prediction": {
        "zh": "预测：正面 {pos:.3f} / 负面 {neg:.3f}",
        "en": "prediction: positive {pos:.3f} / negative {neg:.3f}",
    },
}


def _word_grid(ax: Axes, alpha: np.ndarray, sentences: list[list[str]], lang: str) -> None:
    """Words in their cells, coloured by their weight; padding cells left blank."""
    shown = np.full_like(alpha, np.nan)
    for i, words in enumerate(sentences):
        shown[i, : len(words)] = alpha[i, : len(words)]
    vmax = max(float(alpha.max()), 1e-9)
    ax.imshow(shown, cmap=CMAP, vmin=0, vmax=vmax, aspect="auto")
    for i, words in enumerate(sentences):
        for j, w in enumerate(words):
            colour = text_colour(alpha[i, j], vmax)
            ax.text(
                j,
                i,
                f"{w}\n{alpha[i, j]:.2f}",
                ha="center",
                va="center",
                fontsize="small",
                color=colour,
            )
    kit.no_ticks(ax)
    ax.set_title(lookup(TEXT, "word_weights", lang))


def draw(result: Result, lang: str) -> Figure:
    """β per sentence beside the (sentences × words) α grid, words written in their cells."""
    alpha = result.weights[0].numpy()  # (S, W)
    beta = np.asarray(result.extras["sentence_weights"], dtype=float)[:, None]  # (S, 1)
    probs = np.asarray(result.extras["probs"], dtype=float)
    S, W = alpha.shape
    with kit.canvas(max(7.2, 0.85 * W + 1.6), 0.8 * S + 1.8) as fig:
        ax_s, ax_w = fig.subplots(1, 2, width_ratios=[1, W])
        rows = [str(i + 1) for i in range(S)]
        kit.matrix(ax_s, beta, rows, [lookup(TEXT, "sentence_weight", lang)], vmax=1.0, cmap="Oranges",
                   values=True, rotation=0, aspect="auto")  # fmt: skip
        _word_grid(ax_w, alpha, result.extras["sentences"], lang)
        fig.suptitle(lookup(TEXT, "prediction", lang, pos=probs[1], neg=probs[0]))
    return fig
