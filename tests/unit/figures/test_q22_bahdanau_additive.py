"""The bahdanau_additive figure: the additive and the Luong alignments, each with its output."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q22_bahdanau_additive import draw


def test_draws_both_alignments_titled_with_their_outputs(demo_result):
    r = demo_result("bahdanau_additive")
    fig = draw(r, "en")
    drawn = images(fig)
    for h in range(2):
        np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
    t = titles(fig)
    out = r.facts[f"output_{r.extras['scores'][0]}"]
    assert (
        t[0] == f"Bahdanau additive: vᵀ tanh(W_s s + W_h h)\noutput: {getattr(out, 'value', out)}"
    )
    assert titles(draw(r, "zh"))[0].startswith("Bahdanau 加性")
