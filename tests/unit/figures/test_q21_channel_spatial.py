"""The channel_spatial figure: image, spatial map over it, gate and share of every channel."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images
from visuals.figures.q21_channel_spatial import draw


def test_draws_the_map_and_every_channel_by_name(demo_result):
    r = demo_result("channel_spatial")
    fig = draw(r, "en")
    assert any(
        a.shape == np.shape(r.extras["map"]) and np.allclose(a, r.extras["map"])
        for a in images(fig)
    )
    (bars,) = [ax for ax in fig.axes if ax.get_title().startswith("channel attention")]
    widths = [p.get_width() for p in bars.patches]
    n = len(r.key_labels)
    np.testing.assert_allclose(widths[:n], np.asarray(r.extras["gates"], float), rtol=1e-6)
    np.testing.assert_allclose(widths[n:], r.weights[0, 0].numpy(), rtol=1e-6)
    assert [t.get_text() for t in bars.get_yticklabels()] == list(r.key_labels)


def test_channel_names_in_chinese_follow_the_engine_keys(demo_result):
    r = demo_result("channel_spatial")
    (bars,) = [ax for ax in draw(r, "zh").axes if ax.get_title().startswith("通道注意力")]
    names = [t.get_text() for t in bars.get_yticklabels()]
    assert names[list(r.key_labels).index("red")] == "红"
    assert names[list(r.key_labels).index("blobs")] == "斑点"
