"""Q4 figure of ``multi_head``: every head's (queries × keys) weights in one grid."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.result import Result
from visuals.heatmap import heads


def draw(result: Result, lang: str) -> Figure:
    """h panels of (L, L) weights, (rows, cols) as d2l lays them out, on one colour scale."""
    return heads(result, lang)
