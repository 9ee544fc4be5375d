from __future__ import annotations

import numpy as np
import pytest

from engine.registry import run_demo
from visuals.figures import figure_for


@pytest.mark.parametrize(
    "lang,title", [("zh", "多头潜在注意力"), ("en", "Multi-head latent attention")]
)
def test_figure_draws_head_one_and_the_cache_bars(lang, title):
    r = run_demo("latent_attention")
    fig = figure_for("latent_attention")(r, lang)
    assert title in fig._suptitle.get_text()
    heat = next(ax for ax in fig.axes if ax.images)
    np.testing.assert_allclose(heat.images[0].get_array(), r.weights[0].numpy())
    bars = next(ax for ax in fig.axes if ax.patches)
    heights = [p.get_height() for p in bars.patches]
    expect = [v * 2 / 1024 for v in r.extras["cache_per_token"].values()]
    np.testing.assert_allclose(heights, expect)
    assert heights == pytest.approx([3840, 240, 30, 67.5])  # DeepSeek-V2 shapes, KiB per token
    assert [t.get_text() for t in bars.get_xticklabels()] == ["MHA", "GQA", "MQA", "MLA"]
    assert len(fig.axes) == 3  # the head, the bars, the head's colour bar
    preset = {"zh": "DeepSeek-V2 的形状", "en": "DeepSeek-V2 shapes"}[lang]
    assert preset in bars.get_title()
