"""Figures of the vision demos: Q10 vit_patch_attention, Q21 channel_spatial, Q29 space_time_attention."""

from __future__ import annotations

import numpy as np
import pytest

from engine.demos import q29_space_time_attention as q29
from engine.registry import run_demo
from visuals import render, to_png


def images(fig) -> list[np.ndarray]:
    """Every image array drawn in the figure."""
    return [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]


def drawn(fig, expected: np.ndarray) -> bool:
    return any(
        a.shape == expected.shape and np.allclose(a, expected, atol=1e-6) for a in images(fig)
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_render_vit(lang: str) -> None:
    r = run_demo("vit_patch_attention")
    rows, cols = r.extras["grid"]
    fig = render(r, lang)
    for h in range(2):
        assert drawn(fig, r.weights[h, r.extras["query"]].numpy().reshape(rows, cols))
    assert to_png(fig)[:4] == b"\x89PNG"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_render_channel_spatial(lang: str) -> None:
    r = run_demo("channel_spatial")
    fig = render(r, lang)
    assert drawn(fig, r.extras["map"])
    bars = [p.get_width() for ax in fig.axes for p in ax.patches if hasattr(p, "get_width")]
    assert all(
        any(abs(b - v) < 1e-6 for b in bars) for v in r.weights[0, 0].tolist()
    )  # normalised gates drawn
    assert to_png(fig)[:4] == b"\x89PNG"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_render_space_time(lang: str) -> None:
    r = run_demo("space_time_attention")
    fig = render(r, lang)
    T = r.extras["video"].shape[0]
    row = r.weights[2, r.extras["query"]].numpy().reshape(T, q29.GRID, q29.GRID)
    assert all(drawn(fig, row[t]) for t in range(T))
    assert to_png(fig)[:4] == b"\x89PNG"
