"""The tts_failure_modes figure: each mechanism's alignment, its argmax path and counts."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q25_tts_failure_modes import draw


def test_draws_each_mechanism_and_its_argmax_path(demo_result):
    r = demo_result("tts_failure_modes")
    fig = draw(r, "en")
    drawn = images(fig)
    assert len(fig.axes) == r.n_heads == 3
    for h in range(3):
        w = r.weights[h].numpy().T
        np.testing.assert_array_equal(drawn[h], w)
        assert any(np.array_equal(ln.get_ydata(), w.argmax(0)) for ln in fig.axes[h].get_lines())
    assert titles(fig)[-1].startswith("scenario: repeating")


def test_failure_named_by_its_id_in_chinese(demo_result):
    assert titles(draw(demo_result("tts_failure_modes", failure="stuck"), "zh"))[-1].startswith(
        "失败场景：卡住"
    )
