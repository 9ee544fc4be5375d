"""Q34 figure: it drew the three attention patterns, the two errors and the receptive field, in both languages."""

from __future__ import annotations

import numpy as np
import pytest

from engine.registry import run_demo
from visuals.figures import figure_for


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_draws_patterns_errors_and_reach(lang):
    r = run_demo("sliding_window_sinks", {"window": 5, "layers": 3})
    fig = figure_for("sliding_window_sinks")(r, lang)
    axes = [a for a in fig.get_axes() if a.get_label() != "<colorbar>"]
    assert len(fig.get_axes()) - len(axes) == 1  # colour bars
    for ax, w in zip(axes[:3], r.weights, strict=True):
        np.testing.assert_allclose(ax.images[0].get_array(), w.numpy())
    heights = [p.get_height() for p in axes[3].patches]
    np.testing.assert_allclose(heights, [r.facts["error_window_only"], r.facts["error_with_sinks"]])
    np.testing.assert_array_equal(axes[4].get_lines()[0].get_ydata(), r.extras["receptive"])
    assert axes[1].get_title() == ("滚动缓存，5 个槽" if lang == "zh" else "Rolling cache, 5 slots")
