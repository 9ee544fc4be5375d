"""Figures of Q20 sequence_labelling, Q23 target_attention and Q27 graph_attention."""

from __future__ import annotations

import numpy as np
import pytest

from engine.registry import run_demo
from visuals import render, to_png

NAMES = ("sequence_labelling", "target_attention", "graph_attention")


def images(fig) -> list[np.ndarray]:
    """Every image array drawn in the figure."""
    return [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_render_draws_the_weights(name: str, lang: str) -> None:
    r = run_demo(name)
    fig = render(r, lang)
    drawn = images(fig)
    assert any(
        a.shape == r.weights[0].shape and np.allclose(a, r.weights[0].numpy()) for a in drawn
    )
    assert to_png(fig)[:4] == b"\x89PNG"


def test_graph_edges_drawn_as_wide_as_attention() -> None:
    r = run_demo("graph_attention", {"focus": "Marie Curie"})
    fig = render(r, "en")
    arrows = [c for c in fig.axes[0].texts if getattr(c, "arrow_patch", None) is not None]
    i = r.extras["focus"]
    n_neighbours = int((r.weights[0, i] > 0).sum()) - 1  # not itself
    assert len(arrows) == n_neighbours
    widths = sorted(a.arrow_patch.get_linewidth() for a in arrows)
    alphas = sorted(float(v) for j, v in enumerate(r.weights[0, i]) if v > 0 and j != i)
    assert np.corrcoef(widths, alphas)[0, 1] > 0.999  # width is an increasing linear function of α
