"""The bert_encoder figure: one layer's heads, the A|B boundary drawn, [PAD] greyed."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q05_bert_encoder import draw


def test_draws_every_head_with_the_segment_boundary(demo_result):
    r = demo_result("bert_encoder")
    fig = draw(r, "en")
    drawn = images(fig)
    assert len(drawn) == r.n_heads
    for h in range(r.n_heads):
        np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
    boundary = r.extras["n_a"] - 0.5
    assert any(np.allclose(ln.get_xdata(), boundary) for ln in fig.axes[0].get_lines())
    assert fig.axes[0].patches or fig.axes[0].collections  # the [PAD] span


def test_titles_in_each_language(demo_result):
    r = demo_result("bert_encoder")
    assert any(t.startswith("layer 1 of") for t in titles(draw(r, "en")))
    zh = titles(draw(r, "zh"))
    assert "头 1" in zh and any(t.startswith("第 1 层") for t in zh)
