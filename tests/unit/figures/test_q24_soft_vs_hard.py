"""The soft_vs_hard figure: five weight matrices, query 1's bars, the learning curves."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q24_soft_vs_hard import draw


def test_draws_every_kind_and_the_race(demo_result):
    r = demo_result("soft_vs_hard")
    fig = draw(r, "en")
    drawn = images(fig)
    assert len(drawn) == r.n_heads == 5
    for h in range(5):
        np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
    ys = [ln.get_ydata() for ax in fig.axes for ln in ax.get_lines()]
    for curve in r.extras["curves"].values():
        assert any(np.allclose(y, curve) for y in ys if len(y) == len(curve))
    assert "hard: frequency of 2000 samples" in titles(fig)
    assert "硬注意力：2000 次采样的频率" in titles(draw(r, "zh"))
