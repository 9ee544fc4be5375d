"""Two (target × source) alignments side by side on one 0–1 scale (Q11, Q22)."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit

TEXT: dict[str, Text] = {
    "source": {"zh": "源序列（编码器状态）", "en": "source (encoder states)"},
    "target": {"zh": "目标（解码步）", "en": "target (decoder step)"},
}


def alignment_pair(axes: Sequence[Axes], result: Result, titles: Sequence[str], lang: str):
    """Heads 1 and 2 of ``result`` as (target × source) heatmaps; returns the last image."""
    im = None
    for ax, w, title in zip(axes, result.weights, titles, strict=True):
        im = kit.matrix(ax, w.numpy(), result.query_labels, result.key_labels, room=0.4, vmax=1.0)
        ax.set_title(title)
        ax.set_xlabel(lookup(TEXT, "source", lang))
    axes[0].set_ylabel(lookup(TEXT, "target", lang))
    return im
