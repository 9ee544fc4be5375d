"""Q33 figure: it drew the ALiBi heads, slopes, far mass and T5 buckets of the result, in both languages."""

from __future__ import annotations

import numpy as np
import pytest

from engine.registry import run_demo
from visuals.figures import figure_for


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_draws_heads_slopes_and_buckets(lang):
    r = run_demo("alibi_t5_bias", {"n_heads": 8, "n_tokens": 12})
    fig = figure_for("alibi_t5_bias")(r, lang)
    axes = [a for a in fig.get_axes() if a.get_label() != "<colorbar>"]
    assert len(fig.get_axes()) - len(axes) == 2  # colour bars
    shown = [0, 2, 5, 7]  # four heads, steepest to flattest
    for ax, h in zip(axes[:4], shown, strict=True):
        np.testing.assert_allclose(ax.images[0].get_array(), r.weights[h].numpy())
    bars = [p.get_height() for p in axes[4].patches]
    np.testing.assert_allclose(bars, r.extras["slopes"].numpy())
    matrix = [ax for ax in axes if ax.images][-1]
    np.testing.assert_array_equal(matrix.images[0].get_array(), r.extras["bucket_matrix"].numpy())
    assert axes[0].get_title().startswith("头 1" if lang == "zh" else "head 1")
    assert ("内容分数" in fig.subfigs[0].get_suptitle()) == (lang == "zh")
