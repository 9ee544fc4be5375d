"""The positional_equivariance figure: original vs permuted-back weights, without and with PE."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q28_positional_equivariance import draw


def test_draws_the_four_matrices_and_the_pe(demo_result):
    r = demo_result("positional_equivariance")
    fig = draw(r, "en")
    drawn = images(fig)
    for h in range(4):
        np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
    np.testing.assert_array_equal(drawn[4], r.extras["pe"].numpy())
    # without positions, permuting and mapping back changes nothing that is drawn
    np.testing.assert_allclose(drawn[1], drawn[0], rtol=1e-5, atol=1e-6)
    assert "no positions · original order" in titles(fig)
    assert "无位置编码 · 原顺序" in titles(draw(r, "zh"))
