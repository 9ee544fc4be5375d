"""The kernel_regression figure: the weights, the fit f̂(x) and the training points it averages."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q01_kernel_regression import draw


def test_draws_weights_fit_and_points(demo_result):
    r = demo_result("kernel_regression")
    fig = draw(r, "en")
    (drawn,) = images(fig)
    np.testing.assert_array_equal(drawn, r.weights[0].numpy())
    lines = [ln for ax in fig.axes for ln in ax.get_lines()]
    assert any(np.allclose(ln.get_ydata(), r.extras["y_hat"].numpy()) for ln in lines)
    offsets = [c.get_offsets() for ax in fig.axes for c in ax.collections]
    (points,) = [o for o in offsets if len(o) == r.facts["n_train"]]
    np.testing.assert_allclose(points[:, 1], r.extras["y_value"].numpy())
    assert len(fig.axes) == 3  # weights, colour bar, fit


def test_titles_in_each_language(demo_result):
    r = demo_result("kernel_regression")
    assert "attention weights α(x, xᵢ)" in titles(draw(r, "en"))
    assert "注意力权重 α(x, xᵢ)" in titles(draw(r, "zh"))
