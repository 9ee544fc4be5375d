"""Figures of the Q1, Q2, Q3, Q5, Q6, Q7, Q12, Q15, Q19, Q28 demos: the data drawn, both languages, no tofu."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from matplotlib.text import Text

from engine.registry import run_demo
from visuals import render, to_png

DEMOS = {  # demo → its view, and whether every head is drawn (Q15 draws head 1 beside the cost curves)
    "kernel_regression": ("q01_regression", True),
    "softmax_temperature": ("q02_softmax", True),
    "self_attention_steps": ("q03_steps", True),
    "bert_encoder": ("q05_bert", True),
    "encoder_decoder": ("q06_enc_dec", True),
    "seed_module_vs_fixed": ("q07_saturation", True),
    "greedy_decoding": ("q12_greedy", True),
    "causal_kv_cache": ("q15_cache", False),
    "torch_mha": ("q19_compare", True),
    "positional_equivariance": ("q28_equivariance", True),
}
CJK = re.compile(r"[\u3400-\u9fff]")


def _images(fig) -> list[np.ndarray]:
    return [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]


def _texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(Text))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", list(DEMOS))
def test_figure_draws_the_weights_in_the_chosen_language(name, lang):
    view, all_heads = DEMOS[name]
    r = run_demo(name)
    assert r.view == view
    fig = render(r, lang)
    drawn = _images(fig)
    for h in range(r.n_heads if all_heads else 1):
        target = r.weights[h].numpy()
        assert any(a.shape == target.shape and np.allclose(a, target) for a in drawn), (
            f"head {h} not drawn"
        )
    text = _texts(fig)
    if lang == "zh":
        assert CJK.search(text), "a Chinese figure needs Chinese labels"
    else:
        assert not CJK.search(text), "an English figure of an English sentence has no Chinese"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would be tofu boxes
        assert to_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


def test_chinese_sentence_tokens_render_without_missing_glyphs():
    r = run_demo("causal_kv_cache", {"sentence": "zh", "n_tokens": 6})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        to_png(render(r, "zh"))
    assert CJK.search(" ".join(r.query_labels))


def test_kernel_regression_figure_draws_the_fit_and_the_points():
    r = run_demo("kernel_regression")
    fig = render(r, "en")
    lines = [ln for ax in fig.axes for ln in ax.get_lines()]
    assert any(np.allclose(ln.get_ydata(), r.extras["y_hat"].numpy()) for ln in lines)
    offsets = [
        c.get_offsets()
        for ax in fig.axes
        for c in ax.collections
        if len(c.get_offsets()) == r.facts["n_train"]
    ]
    np.testing.assert_allclose(offsets[0][:, 1], r.extras["y_value"].numpy())


def test_softmax_figure_marks_nan_bars():
    fig = render(run_demo("softmax_temperature", {"offset": 1000.0}), "en")
    assert sum(t.get_text() == "NaN" for t in fig.findobj(Text)) == 5


def test_seed_module_figure_plots_both_entropy_curves():
    r = run_demo("seed_module_vs_fixed")
    lines = [ln.get_ydata() for ax in render(r, "zh").axes for ln in ax.get_lines()]
    for key in ("entropy_seed", "entropy_fixed"):
        assert any(
            len(y) == len(r.extras["d_values"]) and np.allclose(y, r.extras[key].numpy())
            for y in lines
        )


def test_kv_cache_figure_plots_the_score_counts():
    r = run_demo("causal_kv_cache", {"n_tokens": 10})
    ys = [ln.get_ydata() for ax in render(r, "en").axes for ln in ax.get_lines()]
    assert any(np.array_equal(y, r.extras["cache_cumulative"].numpy()) for y in ys)
    assert any(y[-1] == 100 for y in ys)  # the full matrix: n² = 100
