"""The efficient_attention figure: four variants' weights; time, memory and rank-error curves."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q09_efficient_attention import draw


def test_draws_each_variant_and_the_rank_curve(demo_result):
    r = demo_result("efficient_attention")
    fig = draw(r, "en")
    drawn = images(fig)
    assert len(drawn) == r.n_heads == 4
    for h in range(4):
        np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
    curve = r.extras["rank_curve"]
    ys = [ln.get_ydata() for ax in fig.axes for ln in ax.get_lines()]
    assert any(np.allclose(y, curve["svd_floor"]) for y in ys if len(y) == len(curve["ranks"]))
    assert "full" in titles(fig)


def test_chinese_variant_names(demo_result):
    assert "完整注意力" in titles(draw(demo_result("efficient_attention"), "zh"))
