"""The greedy_decoding figure: cross-attention per step and the candidates table."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images, titles
from visuals.figures.q12_greedy_decoding import draw


def cells(fig) -> list[str]:
    (table,) = [t for ax in fig.axes for t in ax.tables]
    return [c.get_text().get_text() for c in table.get_celld().values()]


def test_draws_steps_and_the_greedy_choices(demo_result):
    r = demo_result("greedy_decoding")
    fig = draw(r, "en")
    (drawn,) = images(fig)
    np.testing.assert_array_equal(drawn, r.weights[0].numpy())
    shown = cells(fig)
    for step, tokens in enumerate(r.extras["top_tokens"]):
        assert any(c.startswith(f"{tokens[0]}  ") for c in shown), f"step {step + 1}"
    assert "choice 1" in shown


def test_chinese_labels(demo_result):
    fig = draw(demo_result("greedy_decoding"), "zh")
    assert "第 1 候选" in cells(fig)
    assert any(t.startswith("每步的交叉注意力") for t in titles(fig))
