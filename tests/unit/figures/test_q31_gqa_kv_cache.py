"""Q31 figure: it drew the demo's weights and the KV cache table, in both languages."""

from __future__ import annotations

import numpy as np
import pytest

from engine.registry import run_demo
from visuals.figures import figure_for


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_draws_every_head_and_the_cache_bars(lang):
    r = run_demo("gqa_kv_cache", {"kv_heads": 2})
    fig = figure_for("gqa_kv_cache")(r, lang)
    axes = fig.get_axes()
    images = [ax.images[0].get_array() for ax in axes if ax.images]
    assert len(images) == 8
    for i, img in enumerate(images):
        np.testing.assert_allclose(img, r.weights[i].numpy())
    bars = axes[-1].patches
    gib = [r.extras["kv_table"][n]["gib"] for n in ("mha", "gqa", "mqa")]
    np.testing.assert_allclose([b.get_width() for b in bars], gib)
    titles = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]
    word = "查询头" if lang == "zh" else "query heads"
    assert any(word in t for t in titles)
    assert axes[0].get_title() == "Q1·KV1" and axes[4].get_title() == "Q5·KV2"
