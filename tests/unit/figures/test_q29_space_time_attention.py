"""The space_time_attention figure: each frame with the query's divided and joint attention."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q29_space_time_attention import draw


def test_overlays_each_frame_share_of_both_kinds(demo_result):
    r = demo_result("space_time_attention")
    fig = draw(r, "en")
    T, G, q = r.extras["video"].shape[0], r.extras["grid"], r.extras["query"]
    maps = [a for a in images(fig) if a.shape == (G, G)]
    assert len(maps) == 2 * T  # one overlay per frame per kind
    for k, label in enumerate(("divided: space · time", "joint space–time")):
        row = r.weights[r.head_labels.index(label), q].numpy().reshape(T, G, G)
        for t in range(T):
            np.testing.assert_array_equal(maps[k * T + t], row[t])
    assert "frame 0" in titles(fig) and "第 0 帧" in titles(draw(r, "zh"))
