"""Figures of the model lab: each view draws exactly the engine's numbers, readably, in zh and en."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle

from engine.registry import run_demo
from visuals import render, render_png
from visuals.model import VISUALS
from visuals.style import style

TEXT = "The cat sat on the mat, and it purred softly."


@pytest.fixture(scope="module")
def result():
    return run_demo("pretrained_heads", {"text": TEXT, "layer": 2, "head": 9})


def as_view(result, view):
    return dataclasses.replace(result, view=view)


def images(fig) -> list[np.ndarray]:
    return [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]


def no_overlap(labels) -> bool:
    boxes = sorted(
        (t.get_window_extent() for t in labels if t.get_text()), key=lambda b: (b.x0, b.y0)
    )
    return all(not a.overlaps(b) for a, b in zip(boxes, boxes[1:], strict=False))


def test_head_view_draws_the_chosen_head(result):
    fig = render(result, "en")
    (drawn,) = images(fig)
    np.testing.assert_array_equal(drawn, result.extras["attentions"][1, 8].numpy())
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(result.key_labels)
    assert ax.get_title().startswith("all-MiniLM-L6-v2 · layer 2 · head 9 — next")


def test_thumbnails_draw_all_72_heads_in_order(result):
    fig = render(as_view(result, "model_thumbnails"), "en")
    drawn = images(fig)
    attn = result.extras["attentions"].numpy()
    assert len(drawn) == 72
    for k, img in enumerate(drawn):
        np.testing.assert_array_equal(img, attn[k // 12, k % 12])
    framed = [ax for ax in fig.axes if ax.spines["top"].get_linewidth() == 3]
    assert len(framed) == 1 and framed[0] is fig.axes[12 + 8]  # layer 2, head 9


def test_average_and_rollout_views(result):
    attn = result.extras["attentions"]
    (avg,) = images(render(as_view(result, "model_average"), "en"))
    np.testing.assert_allclose(avg, attn[1].mean(0).numpy(), atol=1e-7)
    (roll,) = images(render(as_view(result, "model_rollout"), "zh"))
    np.testing.assert_allclose(roll, result.extras["rollout"][1].numpy())
    np.testing.assert_allclose(roll.sum(-1), 1.0, atol=1e-5)


def test_lines_view_draws_one_line_per_visible_weight(result):
    fig = render(as_view(result, "model_lines"), "en")
    w = result.weights[0].numpy()
    lines = fig.axes[0].get_lines()
    assert len(lines) == int((w >= 0.02 * w.max()).sum())
    strongest = max(lines, key=lambda ln: ln.get_linewidth())
    i, j = np.unravel_index(w.argmax(), w.shape)
    assert list(strongest.get_ydata()) == [i, j] and strongest.get_linewidth() == pytest.approx(4.0)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("softly") == 2  # once as query, once as key


def test_pattern_table_has_a_cell_per_head_with_its_label(result):
    fig = render(as_view(result, "model_patterns"), "en")
    ax = fig.axes[0]
    cells = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_facecolor()[3] == 1.0]
    assert len(cells) >= 72
    texts = [t.get_text() for t in ax.texts]
    assert "prev\n1.00" in texts  # layer 1 head 3 is a pure previous-token head
    zh = [t.get_text() for t in render(as_view(result, "model_patterns"), "zh").axes[0].texts]
    assert "前词\n1.00" in zh


@pytest.mark.parametrize("view", list(VISUALS))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_view_exports_a_png(result, view, lang):
    png = render_png(as_view(result, view), lang)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


@pytest.mark.parametrize("view", ["model_head", "model_lines"])
def test_128_token_labels_stay_readable(view):
    text = " ".join((["word", "and", "more", "words"] * 32)[:126])  # one token each
    r = as_view(run_demo("pretrained_heads", {"text": text}), view)
    assert r.weights.shape[-1] == 128
    fig = render(r, "en")
    with style():
        FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    if view == "model_head":
        assert no_overlap(ax.get_xticklabels()) and no_overlap(ax.get_yticklabels())
        assert min(t.get_fontsize() for t in ax.get_yticklabels()) >= 8
    else:
        left = [t for t in ax.texts if t.get_position()[0] < 0 and t.get_position()[1] >= 0]
        assert no_overlap(left) and len(left) == r.weights.shape[-1]


def test_figures_are_not_kept_by_pyplot(result):
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    for view in VISUALS:
        render(as_view(result, view), "en")
    assert len(plt.get_fignums()) == before
    assert torch.equal(result.weights[0], result.extras["attentions"][1, 8])
