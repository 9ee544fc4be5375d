"""Q5 figure of ``pretrained_heads``: the chosen real head of the pretrained model.

The model lab page shows further views of the same result (every head, the average, the
rollout, lines, the pattern table): :mod:`visuals.model`.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.result import Result
from visuals.model import head_view


def draw(result: Result, lang: str) -> Figure:
    """The chosen head's (L, L) attention probabilities, titled with its pattern and type."""
    return head_view(result, lang)
