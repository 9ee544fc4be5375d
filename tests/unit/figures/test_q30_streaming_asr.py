"""The streaming_asr figure: each variant's weights on a √ scale; look-ahead and drift bars."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q30_streaming_asr import draw


def test_draws_every_variant_and_its_latency(demo_result):
    r = demo_result("streaming_asr")
    fig = draw(r, "en")
    drawn = images(fig)
    for h in range(r.n_heads):
        np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
    assert titles(fig)[: r.n_heads] == list(r.head_labels)
    (bars,) = [ax for ax in fig.axes if ax.get_ylabel() == "latency (ms)"]
    look = [r.facts[f"{n.replace(' ', '_')}_lookahead_ms"] for n in r.head_labels]
    np.testing.assert_allclose(
        [p.get_height() for p in bars.patches], [getattr(v, "value", v) for v in look]
    )
    assert titles(draw(r, "zh"))[: r.n_heads] == ["全局", "因果", "因果窗口", "分块"]
