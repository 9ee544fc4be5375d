"""The speech_alignment figure: the spectrogram, then each head's (phones × frames) alignment."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q14_speech_alignment import draw


def test_draws_spectrogram_and_both_alignments(demo_result):
    r = demo_result("speech_alignment")
    fig = draw(r, "en")
    drawn = images(fig)
    np.testing.assert_array_equal(drawn[0], r.extras["logmel"].T)
    for h in range(r.n_heads):
        np.testing.assert_array_equal(drawn[h + 1], r.weights[h].numpy())
    assert len(fig.axes) == 1 + r.n_heads
    assert any(t.startswith("windowed (Chorowski 2015) — mass in true span") for t in titles(fig))


def test_chinese_head_names(demo_result):
    assert any(
        t.startswith("窗口注意力（Chorowski 2015）")
        for t in titles(draw(demo_result("speech_alignment"), "zh"))
    )
