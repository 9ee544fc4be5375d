from __future__ import annotations

import numpy as np
import pytest

from engine.registry import run_demo
from visuals.figures import figure_for


@pytest.fixture(scope="module")
def result():
    return run_demo("linear_attention", {"n_tokens": 10, "phi": "favor"})


@pytest.mark.parametrize("lang,title", [("zh", "线性注意力"), ("en", "Linear attention")])
def test_figure_draws_both_weight_matrices_and_the_cost_curves(result, lang, title):
    fig = figure_for("linear_attention")(result, lang)
    assert title in fig._suptitle.get_text()
    heat = [ax for ax in fig.axes if ax.images]
    assert len(heat) == 2 and len(fig.axes) == 4  # two maps, their colour bar, the cost plot
    for i, ax in enumerate(heat):
        np.testing.assert_allclose(ax.images[0].get_array(), result.weights[i].numpy())
    curve = next(ax for ax in fig.axes if ax.lines)
    ys = [list(line.get_ydata()) for line in curve.lines]
    assert ys == [result.extras["softmax_madds"], result.extras["linear_madds"]]
    assert str(result.facts["state_numbers"]) in curve.get_legend().get_title().get_text()
    assert "favor" in heat[1].get_title()
