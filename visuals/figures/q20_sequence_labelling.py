"""Q20 figure of ``sequence_labelling``: each tagger head's word-to-word attention."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.result import Result
from visuals.heatmap import heads


def draw(result: Result, lang: str) -> Figure:
    """The h heads of the tagger (queries = "word → predicted tag", keys = words)."""
    return heads(result, lang)
