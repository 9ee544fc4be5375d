"""The attention_pooling_classifier figure: the words' weights and the class probabilities."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images
from visuals.figures.q08_attention_pooling_classifier import draw


def test_draws_word_weights_and_probabilities(demo_result):
    r = demo_result("attention_pooling_classifier")
    fig = draw(r, "en")
    (drawn,) = images(fig)
    np.testing.assert_array_equal(drawn, r.weights[0].numpy())
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == list(r.key_labels)
    widths = [p.get_width() for p in fig.axes[1].patches]
    np.testing.assert_allclose(widths, np.asarray(r.extras["probs"], float))


def test_class_names_in_each_language(demo_result):
    r = demo_result("attention_pooling_classifier")
    zh = {t.get_text() for t in draw(r, "zh").axes[1].get_yticklabels()}
    en = {t.get_text() for t in draw(r, "en").axes[1].get_yticklabels()}
    assert zh == {"正面", "负面"} and en == {"positive", "negative"}
