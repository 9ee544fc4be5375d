"""Figures from engine results: each demo's figure is ``visuals/figures/qNN_<demo>.py``.

:func:`render` draws a result with the figure module of the demo that produced it
(``Result.demo``, set by :func:`engine.registry.run_demo`); the small kit the figures are
built from is :mod:`visuals.kit`, the shared look :mod:`visuals.style`.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.result import Result
from visuals.style import to_png

__all__ = ["render", "render_png", "to_png"]


def render(result: Result, lang: str = "en") -> Figure:
    """The figure of ``result``, drawn by its demo's module ``visuals/figures/qNN_<demo>.py``."""
    from visuals.figures import figure_for, figures

    if not result.demo:
        raise ValueError(
            "this result names no demo (Result.demo is empty): run it with "
            "engine.registry.run_demo, which records the demo's name, or draw it with a "
            "visuals function directly"
        )
    draw = figure_for(result.demo)
    if draw is None:
        raise KeyError(
            f"no figure draws demo {result.demo!r}: add visuals/figures/qNN_{result.demo}.py "
            f"with draw(result, lang); demos with figures: {', '.join(sorted(figures()))}"
        )
    return draw(result, lang)


def render_png(result: Result, lang: str = "en") -> bytes:
    """``render`` then PNG bytes."""
    return to_png(render(result, lang))
