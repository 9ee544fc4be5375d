"""The seed_module_vs_fixed figure: both modules' weights and both entropy curves."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images
from visuals.figures.q07_seed_module_vs_fixed import draw


def test_draws_both_modules_and_both_entropy_curves(demo_result):
    r = demo_result("seed_module_vs_fixed")
    fig = draw(r, "zh")
    drawn = images(fig)
    for i in range(2):
        np.testing.assert_array_equal(drawn[i], r.weights[i].numpy())
    lines = [ln.get_ydata() for ax in fig.axes for ln in ax.get_lines()]
    for key in ("entropy_seed", "entropy_fixed"):
        assert any(
            len(y) == len(r.extras["d_values"]) and np.allclose(y, r.extras[key].numpy())
            for y in lines
        )
    assert fig.axes[0].get_title().startswith("原文：softmax(QKᵀ)")
    assert draw(r, "en").axes[0].get_title().startswith("text: softmax(QKᵀ), unscaled")
