"""Q32 figure: it drew each method's weights, curves and frequency ratios, in both languages."""

from __future__ import annotations

import numpy as np
import pytest

from engine.registry import run_demo
from visuals.figures import figure_for


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_draws_weights_curves_and_ratios(lang):
    r = run_demo("rope_scaling", {"scale": 8.0, "train_len": 256})
    fig = figure_for("rope_scaling")(r, lang)
    axes = fig.get_axes()
    images = [ax.images[0].get_array() for ax in axes if ax.images]
    assert len(images) == 4
    for i, img in enumerate(images):
        np.testing.assert_allclose(img, r.weights[i].numpy())
    close_up = axes[-2].get_lines()
    np.testing.assert_allclose(
        close_up[1].get_ydata(), r.extras["curves"]["pi"].numpy()[: len(close_up[1].get_ydata())]
    )
    ratio = axes[-1].get_lines()[1].get_ydata()  # PI: θ'/θ = 1/s for every pair
    np.testing.assert_allclose(ratio, 1 / 8.0, rtol=1e-6)
    title = fig.subfigs[0].get_suptitle()
    assert ("训练长度" in title) == (lang == "zh") and "2048" in title
    assert axes[0].get_title() == ("原始 RoPE" if lang == "zh" else "plain RoPE")
