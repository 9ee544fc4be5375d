"""The attention_rollout figure: raw layers and rollout, [CLS] bars, erasure, head ablation."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q17_attention_rollout import draw


def test_draws_layers_rollout_and_ablation(demo_result):
    r = demo_result("attention_rollout")
    fig = draw(r, "en")
    drawn = images(fig)
    for h in range(r.n_heads):
        np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
    np.testing.assert_array_equal(drawn[r.n_heads], r.extras["head_effects"].numpy())
    (erase,) = [
        ax for ax in fig.axes if ax.get_title().startswith("drop in log-odds when the word")
    ]
    np.testing.assert_allclose([p.get_height() for p in erase.patches], r.extras["erasure"].numpy())
    assert "rollout (layers 1–3)" in titles(fig)


def test_chinese_titles(demo_result):
    t = titles(draw(demo_result("attention_rollout"), "zh"))
    assert "第 1 层原始注意力" in t and "注意力展开（第 1–3 层）" in t
