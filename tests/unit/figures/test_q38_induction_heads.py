from __future__ import annotations

import numpy as np
import pytest

from engine.registry import run_demo
from visuals.figures import figure_for


@pytest.mark.parametrize(
    "lang,title,l2", [("zh", "归纳头", "第 2 层"), ("en", "Induction heads", "layer 2")]
)
def test_figure_draws_both_heads_and_the_loss(lang, title, l2):
    r = run_demo("induction_heads", {"period": 10})
    fig = figure_for("induction_heads")(r, lang)
    assert title in fig._suptitle.get_text()
    heat = [ax for ax in fig.axes if ax.images]
    assert len(heat) == 2 and l2 in heat[1].get_title() and len(fig.axes) == 4
    assert f"{r.facts['induction_score_l2']:.2f}" in heat[1].get_title()
    for i, ax in enumerate(heat):
        np.testing.assert_allclose(ax.images[0].get_array(), r.weights[i].numpy())
    loss_ax = next(ax for ax in fig.axes if ax.lines and not ax.images)
    np.testing.assert_allclose(loss_ax.lines[0].get_ydata(), r.extras["losses"].numpy())
    assert loss_ax.lines[2].get_xdata()[0] == pytest.approx(9.5)  # the repeat starts at P = 10


def test_ablated_title_names_the_layer():
    r = run_demo("induction_heads", {"ablate": "layer1"})
    fig = figure_for("induction_heads")(r, "en")
    assert any("layer 1 head removed" in ax.get_title() for ax in fig.axes)
