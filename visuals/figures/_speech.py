"""Pieces the speech figures share (Q14, Q18, Q25): the spectrogram and a phone alignment."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from engine.i18n import Text, lookup
from visuals import kit

TEXT: dict[str, Text] = {
    "spectrogram": {
        "zh": "合成语音的对数梅尔频谱（白线：真实音素边界）",
        "en": "log-mel spectrogram (white: true phone boundaries)",
    },
    "mel_band": {"zh": "梅尔频带", "en": "mel band"},
}


def spectrogram(ax: Axes, logmel: np.ndarray, spans, phones: Sequence[str], lang: str) -> None:
    """Log-mel spectrogram (bands × frames) with the true phone boundaries and names."""
    ax.imshow(logmel.T, origin="lower", aspect="auto", cmap="magma", interpolation="nearest")
    for (a, b), p in zip(spans, phones, strict=True):
        ax.axvline(a - 0.5, color="white", lw=0.6, alpha=0.7)
        ax.text((a + b - 1) / 2, logmel.shape[1] - 2, p, color="white", ha="center", va="top")
    ax.set_ylabel(lookup(TEXT, "mel_band", lang))
    ax.set_title(lookup(TEXT, "spectrogram", lang))


def alignment(ax: Axes, w: np.ndarray, phones: Sequence[str], spans, title: str, ylabel: str):
    """(phones × frames) alignment with phone names, each phone's true frames outlined in red."""
    im = kit.matrix(ax, w, phones, None, vmax=1.0, aspect="auto", values=False)
    ax.xaxis.set_major_locator(MaxNLocator(8, integer=True))
    for n, (a, b) in enumerate(spans):
        ax.add_patch(Rectangle((a - 0.5, n - 0.5), b - a, 1, fill=False, ec="red", lw=0.9))
    ax.set_title(title, wrap=True)
    ax.set_ylabel(ylabel)
    return im
