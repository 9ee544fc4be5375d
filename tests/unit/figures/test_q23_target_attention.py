"""The target_attention figure: every candidate's weights, the chosen row framed, its raw scores."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q23_target_attention import draw


def test_draws_weights_and_the_chosen_candidates_raw_activations(demo_result):
    r = demo_result("target_attention")
    fig = draw(r, "en")
    (drawn,) = images(fig)
    np.testing.assert_array_equal(drawn, r.weights[0].numpy())
    c = r.extras["candidate"]
    (raw,) = [ax for ax in fig.axes if ax.get_title().startswith("candidate:")]
    np.testing.assert_allclose(
        [p.get_width() for p in raw.patches], np.asarray(r.extras["raw"][c], float), rtol=1e-6
    )
    assert titles(draw(r, "zh"))[0].startswith("softmax 归一化")
