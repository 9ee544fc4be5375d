"""The vit_patch_attention figure: the image, then each head's row of the query over the image."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q10_vit_patch_attention import draw


def test_overlays_the_query_row_of_each_head(demo_result):
    r = demo_result("vit_patch_attention")
    fig = draw(r, "en")
    rows, cols = r.extras["grid"]
    q = r.extras["query"]
    drawn = images(fig)
    for h in range(r.n_heads):
        want = r.weights[h, q].numpy().reshape(rows, cols)
        assert any(a.shape == want.shape and np.array_equal(a, want) for a in drawn)
    assert any(t.startswith("appearance only (λ = 0)") for t in titles(fig))


def test_head_names_follow_the_engine_labels_in_chinese(demo_result):
    r = demo_result("vit_patch_attention", position_weight=2.5)
    t = titles(draw(r, "zh"))
    assert any(x.startswith("仅外观（λ = 0）") for x in t)
    assert any(x.startswith("外观 + 位置（λ = 2.5）") for x in t)
