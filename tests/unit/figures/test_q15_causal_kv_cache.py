"""The causal_kv_cache figure: head 1's causal weights and the counts of dot products."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q15_causal_kv_cache import draw


def test_draws_head_1_and_the_score_counts(demo_result):
    r = demo_result("causal_kv_cache", n_tokens=10)
    fig = draw(r, "en")
    (drawn,) = images(fig)
    np.testing.assert_array_equal(drawn, r.weights[0].numpy())
    ys = [ln.get_ydata() for ax in fig.axes for ln in ax.get_lines()]
    assert any(np.array_equal(y, r.extras["cache_cumulative"].numpy()) for y in ys)
    assert any(y[-1] == 100 for y in ys)  # the full matrix: n² = 100


def test_chinese_sentence_and_titles(demo_result):
    r = demo_result("causal_kv_cache", sentence="zh", n_tokens=6)
    fig = draw(r, "zh")
    assert "因果注意力（头 1）：上三角恰为 0" in titles(fig)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == list(r.key_labels)
