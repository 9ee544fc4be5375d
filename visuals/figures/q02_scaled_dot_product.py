"""Q2 figure of ``scaled_dot_product``: the (queries × keys) weights of one head."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.result import Result
from visuals.heatmap import heatmap


def draw(result: Result, lang: str) -> Figure:
    """softmax(QKᵀ/√d_k) as one labelled (L, L) heatmap with a colour bar."""
    return heatmap(result, lang)
