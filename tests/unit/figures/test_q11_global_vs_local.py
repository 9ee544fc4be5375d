"""The global_vs_local figure: both alignments, the window, the count of scores computed."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q11_global_vs_local import draw


def test_draws_both_alignments_centres_and_counts(demo_result):
    r = demo_result("global_vs_local", D=1)
    fig = draw(r, "en")
    drawn = images(fig)
    for h in range(2):
        np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
    centres = np.asarray(r.extras["centres"], float)
    assert any(np.allclose(ln.get_xdata(), centres) for ln in fig.axes[1].get_lines())
    heights = sorted(p.get_width() for ax in fig.axes for p in ax.patches if p.get_width() > 1)
    assert heights == sorted(r.extras["counts"].values())
    assert "local-p: window p_t ± 1" in titles(fig)


def test_chinese_titles_keyed_by_the_engine_labels(demo_result):
    t = titles(draw(demo_result("global_vs_local", D=3), "zh"))
    assert "局部-p：只看窗口 p_t ± 3" in t and "全局：对全部 S 个位置 softmax" in t
