"""The self_attention_steps figure: scores, scaled scores, weights and output, in that order."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images
from visuals.figures.q03_self_attention_steps import draw


def test_the_four_steps_are_drawn_in_order(demo_result):
    r = demo_result("self_attention_steps")
    fig = draw(r, "en")
    drawn = images(fig)
    e = r.extras
    for got, want in zip(drawn, (e["scores"], e["scaled"], r.weights[0], e["out"]), strict=True):
        np.testing.assert_array_equal(got, want.numpy())
    assert len(fig.axes) == 8  # four panels and their colour bars
    assert fig.axes[0].get_title() == "① scores QKᵀ"


def test_chinese_titles(demo_result):
    fig = draw(demo_result("self_attention_steps"), "zh")
    assert [ax.get_title()[:1] for ax in fig.axes if ax.get_title()] == ["①", "②", "③", "④"]
    assert fig.axes[2].get_title() == "③ softmax：每行和为 1"
