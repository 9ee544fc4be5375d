"""The multi_head figure: every head in a (rows, cols) grid, titled in the page's language."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images
from visuals.figures.q04_multi_head import draw


def test_grid_draws_every_head_in_order(demo_result):
    r = demo_result("multi_head", heads="8", n_tokens=10)
    fig = draw(r, "zh")
    drawn = images(fig)
    assert len(drawn) == 8
    for h in range(8):
        np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
    assert [ax.get_title() for ax in fig.axes[:8]] == [f"头 {h}" for h in range(1, 9)]
    assert len(fig.axes) == 9  # 2 × 4 panels and one shared colour bar


def test_english_titles_and_outer_labels_only(demo_result):
    r = demo_result("multi_head", heads="4", n_tokens=6)
    fig = draw(r, "en")
    assert [ax.get_title() for ax in fig.axes[:4]] == ["head 1", "head 2", "head 3", "head 4"]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == list(r.query_labels)
    assert fig.axes[1].get_yticklabels() == []  # only the first column names the queries
    assert [t.get_text() for t in fig.axes[3].get_xticklabels()] == list(r.key_labels)
