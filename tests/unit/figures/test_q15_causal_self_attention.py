"""The causal_self_attention figure: one heatmap for one head, a grid for several."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images
from visuals.figures.q15_causal_self_attention import draw


def test_one_head_is_one_heatmap(demo_result):
    r = demo_result("causal_self_attention", heads="1")
    fig = draw(r, "en")
    (drawn,) = images(fig)
    np.testing.assert_array_equal(drawn, r.weights[0].numpy())
    assert np.triu(drawn, 1).max() == 0.0  # the future is exactly 0 in what is drawn


def test_several_heads_are_a_grid(demo_result):
    r = demo_result("causal_self_attention", heads="4")
    fig = draw(r, "zh")
    drawn = images(fig)
    assert len(drawn) == 4 and len(fig.axes) == 5
    for h in range(4):
        np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
    assert fig.axes[0].get_title() == "头 1"
