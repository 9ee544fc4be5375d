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
