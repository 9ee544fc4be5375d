"""Q8 figure of ``attention_pooling_classifier``: the pooling weights of each word, then p(class)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, VERMILION

TEXT: dict[str, Text] = {
    "which_words": {
        "zh": "分类器看重哪些词 — α = softmax(K u / √d)",
        "en": "Which words the classifier weighs — α = softmax(K u / √d)",
    },
    "probability": {"zh": "概率", "en": "probability"},
    "pos": {"zh": "正面", "en": "positive"},
    "neg": {"zh": "负面", "en": "negative"},
}


def draw(result: Result, lang: str) -> Figure:
    """α over the n words as a one-row heatmap (values written), and the class probabilities."""
    w = result.weights[0].numpy()  # (1, n)
    probs = np.asarray(result.extras["probs"], dtype=float)
    with kit.canvas(7.2, 4.2) as fig:
        top, bottom = fig.subplots(2, 1, height_ratios=[1.2, 1])
        kit.matrix(
            top, w, None, result.key_labels, aspect="auto", rotation=30, values=w.shape[1] <= 12
        )
        top.set_title(lookup(TEXT, "which_words", lang))
        names = [lookup(TEXT, c, lang) for c in result.extras["classes"]]
        kit.bars(bottom, names, probs, colour=[VERMILION, BLUE], fmt="{:.3f}")
        bottom.set_xlim(0, 1.15)
        bottom.set_xlabel(lookup(TEXT, "probability", lang))
    return fig
