"""The scaled_dot_product figure: one head's weights, labelled axes, values only in small cells."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tests.unit.figures.drawn import images
from visuals.figures.q02_scaled_dot_product import draw
from visuals.style import style


def no_overlap(labels) -> bool:
    boxes = sorted(
        (t.get_window_extent() for t in labels if t.get_text()), key=lambda b: b.x0 + b.y0
    )
    return all(not a.overlaps(b) for a, b in zip(boxes, boxes[1:], strict=False))


def test_draws_the_weights_with_a_colour_bar_and_values(demo_result):
    r = demo_result("scaled_dot_product", n_tokens=6)
    fig = draw(r, "en")
    (drawn,) = images(fig)
    np.testing.assert_array_equal(drawn, r.weights[0].numpy())
    assert len(fig.axes) == 2  # the heatmap and its colour bar
    cells = [t.get_text() for t in fig.axes[0].texts]
    assert len(cells) == 36 and cells[0] == f"{r.weights[0, 0, 0].item():.2f}"
    assert fig.axes[0].get_images()[0].get_cmap().name == "viridis"
    assert fig.axes[0].get_xlabel() == "key (attended to)"


def test_no_values_in_cells_beyond_8_tokens(demo_result):
    fig = draw(demo_result("scaled_dot_product", n_tokens=9), "en")
    assert len(fig.axes[0].texts) == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_32_token_labels_are_all_shown_and_do_not_overlap(demo_result, lang):
    r = demo_result("scaled_dot_product", n_tokens=32, sentence=lang)
    fig = draw(r, lang)
    with style(fig.get_figwidth()):
        FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(r.key_labels)
    assert no_overlap(ax.get_xticklabels()) and no_overlap(ax.get_yticklabels())


def test_chinese_axis_words(demo_result):
    fig = draw(demo_result("scaled_dot_product", sentence="zh"), "zh")
    assert fig.axes[0].get_xlabel() == "键（被注意）"
    assert fig.axes[0].get_ylabel() == "查询（发出注意）"
