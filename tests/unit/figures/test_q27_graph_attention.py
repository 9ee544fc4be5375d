"""The graph_attention figure: arrows from the focus entity as wide as α, the neighbour matrix."""

from __future__ import annotations

import numpy as np
from matplotlib.text import Annotation

from tests.unit.figures.drawn import images, titles
from visuals.figures.q27_graph_attention import draw


def test_draws_the_matrix_and_one_arrow_per_neighbour(demo_result):
    r = demo_result("graph_attention")
    fig = draw(r, "en")
    (drawn,) = images(fig)
    np.testing.assert_array_equal(drawn, r.weights[0].numpy())
    focus = r.extras["focus"]
    row = r.weights[0, focus].numpy()
    arrows = [c for c in fig.axes[0].texts if isinstance(c, Annotation)]
    assert len(arrows) == int((row > 0).sum()) - int(row[focus] > 0)
    assert max(a.arrow_patch.get_linewidth() for a in arrows) == 10.0  # the largest α: 1 + 9
    assert titles(fig)[0].startswith(f"attention α_ij of “{r.query_labels[focus]}”")
    assert titles(draw(r, "zh"))[0].startswith(f"“{r.query_labels[focus]}”对邻居的注意力")


def test_edge_width_is_an_increasing_linear_function_of_the_weight(demo_result):
    r = demo_result("graph_attention", focus="Marie Curie")
    fig = draw(r, "en")
    arrows = [c for c in fig.axes[0].texts if getattr(c, "arrow_patch", None) is not None]
    i = r.extras["focus"]
    assert len(arrows) == int((r.weights[0, i] > 0).sum()) - 1  # every neighbour, not itself
    widths = sorted(a.arrow_patch.get_linewidth() for a in arrows)
    alphas = sorted(float(v) for j, v in enumerate(r.weights[0, i]) if v > 0 and j != i)
    assert np.corrcoef(widths, alphas)[0, 1] > 0.999
