from __future__ import annotations

import numpy as np
import pytest

from engine.registry import run_demo
from visuals.figures import figure_for


@pytest.mark.parametrize(
    "lang,title,names",
    [
        ("zh", "实践中的掩码", ["因果", "填充", "前缀 LM", "打包"]),
        ("en", "Masks in practice", ["causal", "padding", "prefix-LM", "packed"]),
    ],
)
def test_figure_draws_every_mask_and_both_alignments(lang, title, names):
    r = run_demo("attention_masks", {"n_tokens": 10, "n_queries": 3})
    fig = figure_for("attention_masks")(r, lang)
    assert title in fig._suptitle.get_text()
    heat = [ax for ax in fig.axes if ax.images]
    assert len(heat) == 6 and len(fig.axes) == 7  # + one colour bar for every panel
    for i, ax in enumerate(heat[:4]):
        np.testing.assert_allclose(ax.images[0].get_array(), r.weights[i].numpy())
        assert names[i] in ax.get_title()
    np.testing.assert_allclose(heat[4].images[0].get_array(), r.extras["rect"]["top_left"].numpy())
    np.testing.assert_allclose(
        heat[5].images[0].get_array(), r.extras["rect"]["bottom_right"].numpy()
    )
    assert "causal_lower_right" in heat[5].get_title()
