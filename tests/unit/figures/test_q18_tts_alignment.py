"""The tts_alignment figure: spectrogram, both mechanisms' alignments, the guided penalty W."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q18_tts_alignment import draw


def test_draws_alignments_transposed_and_the_penalty(demo_result):
    r = demo_result("tts_alignment")
    fig = draw(r, "en")
    drawn = images(fig)
    for h in range(r.n_heads):
        np.testing.assert_array_equal(drawn[h + 1], r.weights[h].numpy().T)  # phones × frames
    np.testing.assert_array_equal(drawn[-1], r.extras["guided_W"].T)
    assert any(t.startswith("location-sensitive (Chorowski 2015) — L_att") for t in titles(fig))


def test_chinese_head_names(demo_result):
    assert any(
        t.startswith("基于内容（加性）") for t in titles(draw(demo_result("tts_alignment"), "zh"))
    )
