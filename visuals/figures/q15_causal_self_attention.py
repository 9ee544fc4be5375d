"""Q15 figure of ``causal_self_attention``: each head's weights, the future masked to exactly 0."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.result import Result
from visuals.heatmap import heads, heatmap


def draw(result: Result, lang: str) -> Figure:
    """One heatmap for a single head, else a grid of the h heads (upper triangles all 0)."""
    return heatmap(result, lang) if result.n_heads == 1 else heads(result, lang)
