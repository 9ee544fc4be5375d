"""The encoder_decoder figure: heads down, the three kinds of attention across."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images
from visuals.figures.q06_encoder_decoder import draw


def test_rows_are_heads_columns_are_kinds(demo_result):
    r = demo_result("encoder_decoder")
    fig = draw(r, "en")
    H = r.n_heads
    drawn = images(fig)
    assert len(drawn) == 3 * H
    kinds = (r.extras["encoder_self"], r.extras["decoder_self"], r.weights)
    for col, w in enumerate(kinds):
        for h in range(H):
            np.testing.assert_array_equal(drawn[3 * h + col], w[h].numpy())  # rows = heads
    assert np.triu(drawn[1], 1).max() == 0.0  # the decoder's self-attention is masked
    assert fig.axes[2].get_title() == "cross-attention\nhead 1"
    assert len(fig.axes) == 3 * H


def test_chinese_titles(demo_result):
    fig = draw(demo_result("encoder_decoder"), "zh")
    assert fig.axes[0].get_title() == "编码器自注意力\n头 1"
