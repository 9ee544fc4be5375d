"""Figures of the speech demos (Q14, Q18, Q25, Q30) drawing the weights they returned
(the engine tests are in tests/unit/demos/)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.registry import run_demo
from visuals import render, to_png

NAMES = ("speech_alignment", "tts_alignment", "tts_failure_modes", "streaming_asr")


def images(fig) -> list[np.ndarray]:
    """Every image array drawn in the figure."""
    return [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_render_draws_the_weights(name: str, lang: str) -> None:
    r = run_demo(name)
    fig = render(r, lang)
    drawn = images(fig)
    for h in range(r.n_heads):
        w = r.weights[h].numpy()
        assert any(a.shape == w.shape and np.allclose(a, w) for a in drawn) or any(
            a.shape == w.T.shape and np.allclose(a, w.T) for a in drawn
        ), f"head {h} not drawn"
    assert to_png(fig)[:4] == b"\x89PNG"
