"""The softmax_temperature figure: NaN bars where the naive softmax overflows, the τ ladder."""

from __future__ import annotations

import numpy as np
from matplotlib.text import Text

from tests.unit.figures.drawn import images, titles
from visuals.figures.q02_softmax_temperature import draw


def test_marks_every_overflowed_bar_nan_and_draws_the_ladder(demo_result):
    r = demo_result("softmax_temperature", offset=1000.0)
    fig = draw(r, "en")
    assert sum(t.get_text() == "NaN" for t in fig.findobj(Text)) == 5
    (drawn,) = images(fig)
    np.testing.assert_array_equal(drawn, r.weights[0].numpy())
    heights = [p.get_height() for p in fig.axes[0].patches]
    np.testing.assert_allclose(heights[5:], np.asarray(r.extras["stable"], float))


def test_no_nan_without_overflow_and_zh_titles(demo_result):
    fig = draw(demo_result("softmax_temperature", offset=0.0), "zh")
    assert not any(t.get_text() == "NaN" for t in fig.findobj(Text))
    assert "稳定 softmax(s/τ)：温度越低越尖锐" in titles(fig)
