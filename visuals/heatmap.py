"""Heatmaps of attention weights: one head, or a grid of heads."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.result import Result
from visuals.style import CMAP, style, text_colour, word

ANNOTATE_MAX = 12  # write values into cells up to 12 × 12


def _label_size(n: int) -> float:
    """Tick-label font size that keeps n labels apart at ~0.3 inch per cell."""
    return 10.0 if n <= 12 else 9.0 if n <= 20 else 8.0


def draw_weights(
    ax: Axes, w: np.ndarray, q_labels: list[str], k_labels: list[str], annotate: bool = True
):
    """Draw one (L, S) weight matrix on ``ax``; return the image for a colour bar."""
    L, S = w.shape
    im = ax.imshow(
        w,
        cmap=CMAP,
        vmin=0.0,
        vmax=max(float(w.max()), 1e-9),
        aspect="equal",
        interpolation="nearest",
    )
    ax.set_xticks(range(S), labels=k_labels, rotation=90, fontsize=_label_size(S))
    ax.set_yticks(range(L), labels=q_labels, fontsize=_label_size(L))
    ax.tick_params(length=0)
    if annotate and L <= ANNOTATE_MAX and S <= ANNOTATE_MAX:
        vmax = float(w.max()) or 1.0
        size = 8 if max(L, S) <= 8 else 6.5
        for i in range(L):
            for j in range(S):
                ax.text(
                    j,
                    i,
                    f"{w[i, j]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=size,
                    color=text_colour(w[i, j], vmax),
                )
    return im


def heatmap(result: Result, lang: str = "en", head: int = 0, title: str | None = None) -> Figure:
    """One head's (queries × keys) weights with token labels, values in cells and a colour bar."""
    w = result.weights[head].numpy()
    L, S = w.shape
    side = min(max(3.2, 0.3 * max(L, S) + 1.8), 11.0)
    with style():
        fig = Figure(figsize=(side + 1.2, side))
        ax = fig.add_subplot()
        im = draw_weights(ax, w, list(result.query_labels), list(result.key_labels))
        ax.set_xlabel(word("key", lang))
        ax.set_ylabel(word("query", lang))
        if title or result.head_labels:
            ax.set_title(title or result.head_labels[head])
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label=word("weight", lang))
        fig.tight_layout()
    return fig


def head_grid(result: Result, lang: str = "en", cols: int | None = None) -> Figure:
    """All heads side by side, (rows, cols) of (queries × keys) panels sharing one colour scale."""
    H, L, S = result.weights.shape
    cols = cols or min(H, 4)
    rows = math.ceil(H / cols)
    cell = 2.6 if max(L, S) <= 12 else 3.4 if max(L, S) <= 20 else 4.2
    vmax = float(result.weights.max())
    labels = result.head_labels or tuple(f"{word('head', lang)} {i + 1}" for i in range(H))
    with style():
        fig = Figure(figsize=(cols * cell + 1.0, rows * cell + 0.6))
        axes = fig.subplots(rows, cols, squeeze=False)
        for idx, ax in enumerate(axes.flat):
            if idx >= H:
                ax.set_axis_off()
                continue
            w = result.weights[idx].numpy()
            im = ax.imshow(w, cmap=CMAP, vmin=0.0, vmax=vmax or 1.0, interpolation="nearest")
            ax.set_title(labels[idx], fontsize=10)
            _grid_ticks(
                ax,
                result,
                first_col=idx % cols == 0,
                last_row=idx // cols == rows - 1 or idx + cols >= H,
            )
        fig.colorbar(
            im, ax=axes.ravel().tolist(), fraction=0.025, pad=0.02, label=word("weight", lang)
        )
    return fig


def _grid_ticks(ax: Axes, result: Result, first_col: bool, last_row: bool) -> None:
    """Token labels on the outer panels only; thinned to at most 16 per axis."""
    L, S = len(result.query_labels), len(result.key_labels)
    step_q, step_k = max(1, math.ceil(L / 16)), max(1, math.ceil(S / 16))
    size = 7 if max(L, S) > 12 else 8
    if last_row:
        ax.set_xticks(
            range(0, S, step_k), labels=result.key_labels[::step_k], rotation=90, fontsize=size
        )
    else:
        ax.set_xticks([])
    if first_col:
        ax.set_yticks(range(0, L, step_q), labels=result.query_labels[::step_q], fontsize=size)
    else:
        ax.set_yticks([])
    ax.tick_params(length=0)


VISUALS = {"heatmap": heatmap, "grid": head_grid}
