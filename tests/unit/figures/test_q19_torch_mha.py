"""The torch_mha figure: nn.MultiheadAttention's heads above the engine's own, head by head."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q19_torch_mha import draw


def test_draws_both_implementations_head_by_head(demo_result):
    r = demo_result("torch_mha")
    fig = draw(r, "en")
    drawn = images(fig)
    H = r.n_heads
    assert len(drawn) == 2 * H
    for h in range(H):
        np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
        np.testing.assert_array_equal(drawn[H + h], r.extras["engine_weights"][h].numpy())
    assert "engine.attention\nhead 1" in titles(fig)
    assert "engine.attention\n头 1" in titles(draw(r, "zh"))
