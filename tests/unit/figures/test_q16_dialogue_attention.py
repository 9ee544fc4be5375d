"""The dialogue_attention figure: one bar per turn, as long as the reply's weight on it."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import titles
from visuals.figures.q16_dialogue_attention import draw


def test_one_bar_per_turn_with_its_weight(demo_result):
    r = demo_result("dialogue_attention")
    fig = draw(r, "en")
    (ax,) = fig.axes
    np.testing.assert_allclose([p.get_width() for p in ax.patches], r.weights[0, 0].numpy())
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == list(r.key_labels)
    assert titles(fig)[0].startswith("candidate reply (B)")
    assert titles(draw(r, "zh"))[0].startswith("候选回复 (B)")
