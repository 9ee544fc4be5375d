from __future__ import annotations

import numpy as np
import pytest

from engine.registry import run_demo
from visuals.figures import figure_for


@pytest.mark.parametrize("lang,title", [("zh", "交叉注意力"), ("en", "Cross-attention")])
def test_figure_draws_the_scene_each_word_map_and_the_latents(lang, title):
    zh_words = {"red": "红色", "green": "绿色", "blue": "蓝色"}
    zh_words |= {"circle": "圆形", "square": "方形", "cross": "十字"}
    r = run_demo("cross_attention_maps", {"seed": 2})
    fig = figure_for("cross_attention_maps")(r, lang)
    assert title in fig._suptitle.get_text()
    axes = [ax for ax in fig.axes if ax.images]
    np.testing.assert_allclose(axes[0].images[0].get_array(), r.extras["image"].numpy())
    for ax, t in zip(axes[1:5], (1, 2, 5, 6), strict=True):
        np.testing.assert_allclose(ax.images[0].get_array(), r.extras["maps"][t].numpy())
        assert r.query_labels[t] in ax.get_title()
        if lang == "zh":  # the prompt's tokens stay English; the zh title adds their meaning
            assert zh_words[r.query_labels[t]] in ax.get_title()
    assert len(axes) == 6 and len(fig.axes) == 8  # + a colour bar for the maps, one for latents
    np.testing.assert_allclose(axes[5].images[0].get_array(), r.extras["latent_weights"].numpy())
