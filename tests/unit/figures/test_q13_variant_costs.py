"""The variant_costs figure: each variant's weights and its bars of FLOPs, parameters, entropy."""

from __future__ import annotations

import numpy as np

from engine.i18n import lookup
from tests.unit.figures.drawn import images, titles
from visuals.figures._variants import VARIANT_NAMES
from visuals.figures.q13_variant_costs import draw


def test_draws_every_variant_and_its_costs(demo_result):
    r = demo_result("variant_costs")
    fig = draw(r, "en")
    drawn = images(fig)
    assert len(drawn) == r.n_heads
    for h in range(r.n_heads):
        np.testing.assert_array_equal(drawn[h], r.weights[h].numpy())
    rows = r.extras["rows"]
    (flops,) = [ax for ax in fig.axes if ax.get_title().startswith("FLOPs")]
    np.testing.assert_allclose([p.get_width() for p in flops.patches], [x["flops"] for x in rows])
    names = [lookup(VARIANT_NAMES, x["variant"], "en") for x in rows]
    assert [t.get_text() for t in flops.get_yticklabels()] == names


def test_chinese_names(demo_result):
    t = titles(draw(demo_result("variant_costs"), "zh"))
    assert "MHA 多头" in t and "参数量" in t
