"""The hierarchical_attention figure: sentence weights, and words coloured by their weight."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, texts, titles
from visuals.figures.q26_hierarchical_attention import draw


def test_draws_sentence_and_word_weights(demo_result):
    r = demo_result("hierarchical_attention")
    fig = draw(r, "en")
    beta, words = images(fig)
    np.testing.assert_allclose(beta[:, 0], np.asarray(r.extras["sentence_weights"], float))
    alpha = r.weights[0].numpy()
    for i, sentence in enumerate(r.extras["sentences"]):
        np.testing.assert_array_equal(words[i, : len(sentence)], alpha[i, : len(sentence)])
        assert f"{sentence[0]}\n{alpha[i, 0]:.2f}" in texts(fig)
    assert titles(fig)[-1].startswith("prediction: positive")
    assert titles(draw(r, "zh"))[-1].startswith("预测：正面")
