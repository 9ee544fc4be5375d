"""The model lab's views of a pretrained model: each draws exactly the engine's numbers, in zh and en."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle

from engine.registry import run_demo
from visuals import model, to_png
from visuals.style import overflow_px, shown_px, style

TEXT = "The cat sat on the mat, and it purred softly."
VIEWS = (
    model.head_view, model.thumbnails_view, model.average_view,
    model.rollout_view, model.lines_view, model.patterns_view,
)  # fmt: skip


@pytest.fixture(scope="module")
def result():
    return run_demo("pretrained_heads", {"text": TEXT, "layer": 2, "head": 9})


def images(fig) -> list[np.ndarray]:
    return [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]


def no_overlap(labels) -> bool:
    boxes = sorted(
        (t.get_window_extent() for t in labels if t.get_text()), key=lambda b: (b.x0, b.y0)
    )
    return all(not a.overlaps(b) for a, b in zip(boxes, boxes[1:], strict=False))


def test_thumbnails_draw_all_72_heads_in_order(result):
    fig = model.thumbnails_view(result, "en")
    drawn = images(fig)
    attn = result.extras["attentions"].numpy()
    assert len(drawn) == 72
    for k, img in enumerate(drawn):
        np.testing.assert_array_equal(img, attn[k // 12, k % 12])
    framed = [ax for ax in fig.axes if ax.spines["top"].get_linewidth() == 3]
    assert len(framed) == 1 and framed[0] is fig.axes[12 + 8]  # layer 2, head 9


def test_average_and_rollout_views(result):
    attn = result.extras["attentions"]
    (avg,) = images(model.average_view(result, "en"))
    np.testing.assert_allclose(avg, attn[1].mean(0).numpy(), rtol=1e-6, atol=1e-7)
    fig = model.rollout_view(result, "zh")
    (roll,) = images(fig)
    np.testing.assert_allclose(roll, result.extras["rollout"][1].numpy())
    assert fig.axes[0].get_title() == "注意力展开（rollout）：第 1–2 层"


def test_lines_view_draws_one_line_per_visible_weight(result):
    fig = model.lines_view(result, "en")
    w = result.weights[0].numpy()
    lines = fig.axes[0].get_lines()
    assert len(lines) == int((w >= 0.02 * w.max()).sum())
    strongest = max(lines, key=lambda ln: ln.get_linewidth())
    i, j = np.unravel_index(w.argmax(), w.shape)
    assert list(strongest.get_ydata()) == [i, j] and strongest.get_linewidth() == pytest.approx(4.0)
    assert [t.get_text() for t in fig.axes[0].texts].count("softly") == 2  # as query and as key


def test_pattern_table_has_a_cell_per_head_with_its_label(result):
    ax = model.patterns_view(result, "en").axes[0]
    cells = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_facecolor()[3] == 1.0]
    assert len(cells) >= 72
    assert "prev\n1.00" in [t.get_text() for t in ax.texts]  # layer 1 head 3: previous token
    assert "前词\n1.00" in [t.get_text() for t in model.patterns_view(result, "zh").axes[0].texts]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.__name__)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_view_exports_a_png(result, view, lang):
    png = to_png(view(result, lang))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_128_token_labels_are_thinned_to_stay_readable():
    text = " ".join((["word", "and", "more", "words"] * 32)[:126])  # one token each
    r = run_demo("pretrained_heads", {"text": text})
    assert r.weights.shape[-1] == 128
    fig = model.head_view(r, "en")
    with style(fig.get_figwidth()):
        FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert 16 <= len(shown) < 128 and shown == [r.key_labels[i] for i in ax.get_xticks()]
    assert no_overlap(ax.get_xticklabels()) and no_overlap(ax.get_yticklabels())
    assert shown_px(min(t.get_fontsize() for t in ax.get_yticklabels()), fig.get_figwidth()) >= 9


def test_lines_view_keeps_every_token_of_a_long_text():
    text = " ".join((["word", "and", "more", "words"] * 32)[:126])
    r = run_demo("pretrained_heads", {"text": text})
    fig = model.lines_view(r, "en")
    with style(fig.get_figwidth()):
        FigureCanvasAgg(fig).draw()
    left = [t for t in fig.axes[0].texts if t.get_position()[0] < 0 and t.get_position()[1] >= 0]
    assert no_overlap(left) and len(left) == 128


def test_figures_are_not_kept_by_pyplot(result):
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    for view in VIEWS:
        view(result, "en")
    assert len(plt.get_fignums()) == before
    assert torch.equal(result.weights[0], result.extras["attentions"][1, 8])


@pytest.mark.parametrize(
    "view", ["head_view", "average_view", "rollout_view", "thumbnails_view", "lines_view"]
)
def test_lab_views_fit_their_canvas(result, view):
    # The PNG is the canvas as laid out, not cropped to its content: nothing may reach past it.
    assert overflow_px(getattr(model, view)(result, "en")) <= 2.0
