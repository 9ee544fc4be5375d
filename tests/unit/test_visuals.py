"""Figures: the data drawn is the result's weights; labels readable; colour bar; values in small cells."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from engine.registry import all_demos, run_demo
from visuals import render, render_png, visuals
from visuals.heatmap import head_grid, heatmap
from visuals.style import has_cjk_font, style


def images(fig: Figure) -> list[np.ndarray]:
    return [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]


def no_overlap(labels) -> bool:
    boxes = sorted(
        (t.get_window_extent() for t in labels if t.get_text()), key=lambda b: b.x0 + b.y0
    )
    return all(not a.overlaps(b) for a, b in zip(boxes, boxes[1:], strict=False))


def test_heatmap_draws_the_weights_with_colour_bar_and_values():
    r = run_demo("scaled_dot_product", {"n_tokens": 6})
    fig = heatmap(r, "en")
    (drawn,) = [a for a in images(fig) if a.shape == (6, 6)]
    np.testing.assert_allclose(drawn, r.weights[0].numpy())
    assert len(fig.axes) == 2  # the heatmap and its colour bar
    cells = [t.get_text() for t in fig.axes[0].texts]
    assert len(cells) == 36 and cells[0] == f"{r.weights[0, 0, 0].item():.2f}"
    assert fig.axes[0].get_images()[0].get_cmap().name == "viridis"


def test_no_values_in_cells_beyond_12_tokens():
    fig = heatmap(run_demo("scaled_dot_product", {"n_tokens": 13}), "en")
    assert len(fig.axes[0].texts) == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_32_token_labels_do_not_overlap(lang):
    r = run_demo("scaled_dot_product", {"n_tokens": 32, "sentence": lang})
    fig = heatmap(r, lang)
    with style():
        FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(r.key_labels)
    assert no_overlap(ax.get_xticklabels()) and no_overlap(ax.get_yticklabels())


def test_grid_draws_every_head():
    r = run_demo("multi_head", {"heads": "8", "n_tokens": 10})
    fig = head_grid(r, "zh")
    drawn = [a for a in images(fig) if a.shape == (10, 10)]
    assert len(drawn) == 8
    for h in range(8):
        np.testing.assert_allclose(drawn[h], r.weights[h].numpy())
    assert any("头" in ax.get_title() or "head" in ax.get_title() for ax in fig.axes)


def test_chinese_axis_words_and_font():
    fig = heatmap(run_demo("scaled_dot_product", {"sentence": "zh"}), "zh")
    assert fig.axes[0].get_xlabel() == "键（被注意）"
    assert has_cjk_font(), "a CJK font must be installed (make test installs fonts-wqy-microhei)"


@pytest.mark.parametrize("name", list(all_demos()))
def test_every_demo_renders_to_png_in_both_languages(name):
    r = run_demo(name)
    for lang in ("en", "zh"):
        png = render_png(r, lang)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000


def test_render_refuses_an_unknown_view():
    import dataclasses

    r = dataclasses.replace(run_demo("scaled_dot_product"), view="hologram")
    with pytest.raises(KeyError, match="no visual draws view 'hologram'"):
        render(r)


def test_view_names_are_unique_and_include_core():
    assert {"heatmap", "grid"} <= set(visuals())
