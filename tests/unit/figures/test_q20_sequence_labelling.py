"""The sequence_labelling figure: each tagger head, queries labelled with the predicted tag."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images
from visuals.figures.q20_sequence_labelling import draw


def test_draws_each_head_with_word_and_tag_labels(demo_result):
    r = demo_result("sequence_labelling")
    for lang, head in (("en", "head"), ("zh", "头")):
        fig = draw(r, lang)
        drawn = images(fig)
        assert len(drawn) == r.n_heads
        for h in range(r.n_heads):
            np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
        assert fig.axes[0].get_title() == f"{head} 1"
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == list(r.query_labels) and all("→" in x for x in labels)
