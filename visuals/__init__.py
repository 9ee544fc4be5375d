"""Figures from engine results. Each module may define ``VISUALS = {view_name: function}``;
:func:`render` draws a result with the function its ``view`` names."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable

from matplotlib.figure import Figure

from engine.result import Result
from visuals.style import to_png

__all__ = ["render", "render_png", "visuals", "to_png"]


@functools.cache
def visuals() -> dict[str, Callable[..., Figure]]:
    """Every view name and the function that draws it."""
    found: dict[str, Callable[..., Figure]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, fn in getattr(module, "VISUALS", {}).items():
            if name in found:
                raise RuntimeError(f"two visuals are named {name!r}")
            found[name] = fn
    return found


def render(result: Result, lang: str = "en") -> Figure:
    """The figure for ``result``: its demo's figure module, else the visual its ``view`` names."""
    from visuals.figures import figure_for

    draw = figure_for(result.demo) if result.demo else None
    if draw is not None:
        return draw(result, lang)
    table = visuals()
    if result.view not in table:
        raise KeyError(f"no visual draws view {result.view!r}; known: {', '.join(sorted(table))}")
    return table[result.view](result, lang=lang)


def render_png(result: Result, lang: str = "en") -> bytes:
    """``render`` then PNG bytes."""
    return to_png(render(result, lang))
