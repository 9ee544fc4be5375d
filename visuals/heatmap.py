"""Whole figures of attention weights built from the kit: one head, or every head in a grid."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from engine.result import Result
from visuals import kit
from visuals.style import word


def head_matrix(result: Result, head: int = 0) -> np.ndarray:
    """Head ``head``'s weights as a float array ``(queries, keys)``: what the PNG and the hover chart draw."""
    if not 0 <= head < result.n_heads:
        raise ValueError(f"head {head} is out of range: the result has {result.n_heads} head(s)")
    return result.weights[head].detach().numpy()


def head_names(result: Result, lang: str = "en") -> list[str]:
    """A name per head: the engine's ``head_labels``, else "head n" in ``lang``."""
    if result.head_labels:
        return list(result.head_labels)
    return [word("head_n", lang, n=h + 1) for h in range(result.n_heads)]


def heatmap(result: Result, lang: str = "en", head: int = 0, title: str | None = None) -> Figure:
    """One head's (queries × keys) weights with token labels, values in small cells, a colour bar."""
    w = head_matrix(result, head)
    with kit.canvas(6.4, 5.6) as fig:
        ax = fig.add_subplot()
        im = kit.matrix(ax, w, result.query_labels, result.key_labels, room=0.8)
        ax.set(xlabel=word("key", lang), ylabel=word("query", lang))
        if title or result.n_heads > 1:
            ax.set_title(title or word("head_n", lang, n=head + 1))
        kit.colorbar(fig, im, ax, word("weight", lang))
    return fig


def heads(
    result: Result, lang: str = "en", cols: int | None = None, titles: list[str] | None = None
) -> Figure:
    """Every head of ``result`` as a (rows, cols) grid of (queries × keys) panels, one scale."""
    H = result.n_heads
    cols = cols or min(H, 4 if H != 3 else 3)
    rows = math.ceil(H / cols)
    names = titles or [word("head_n", lang, n=h + 1) for h in range(H)]
    grid_titles = kit.as_grid(names, cols)
    with kit.canvas(7.2, 1.0 + rows * 7.0 / max(cols, 1.6)) as fig:
        kit.head_grid(
            fig,
            kit.as_grid(result.weights.numpy(), cols),
            result.query_labels,
            result.key_labels,
            grid_titles,
            xlabel=word("key", lang),
            ylabel=word("query", lang),
            bar_label=word("weight", lang),
        )
    return fig
