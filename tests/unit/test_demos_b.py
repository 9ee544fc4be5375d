"""Figures of the demos of Q8, Q9, Q11, Q13, Q16, Q17, Q22, Q24 and Q26, in both languages,
drawing the data the demo returned (the engine tests are in tests/unit/demos/)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from engine.registry import get_demo, run_demo
from visuals import render, to_png

DEMOS = {
    "attention_pooling_classifier": "q08_pooling",
    "efficient_attention": "q09_efficient",
    "global_vs_local": "q11_global_local",
    "variant_costs": "q13_costs",
    "dialogue_attention": "q16_dialogue",
    "attention_rollout": "q17_rollout",
    "bahdanau_additive": "q22_alignment",
    "soft_vs_hard": "q24_soft_hard",
    "hierarchical_attention": "q26_han",
}
CJK = re.compile(r"[\u4e00-\u9fff]")
FAST = {"efficient_attention": {"max_len": "256", "repeats": 1}}


@pytest.fixture(scope="module")
def results():
    return {name: run_demo(name, FAST.get(name, {})) for name in DEMOS}


def _images(fig) -> list[np.ndarray]:
    return [
        np.ma.filled(im.get_array(), np.nan)
        for ax in fig.axes
        for im in ax.get_images()
        if isinstance(im, AxesImage)
    ]


def _drawn(fig, weights: np.ndarray) -> bool:
    """Whether some image (NaN cells = blank padding) or a set of bars shows exactly ``weights``."""
    for arr in _images(fig):
        if arr.shape == weights.shape and np.allclose(
            np.nan_to_num(arr, nan=0.0), weights, atol=1e-6
        ):
            return True
    for ax in fig.axes:
        widths = [p.get_width() for p in ax.patches if isinstance(p, Rectangle)]
        if len(widths) == weights.size and np.allclose(widths, weights.ravel(), atol=1e-6):
            return True
    return False


def _texts(fig) -> str:
    parts = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]
    return " ".join(p for p in parts if isinstance(p, str))


@pytest.mark.parametrize("name", DEMOS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figure_draws_the_returned_weights(results, name, lang):
    r = results[name]
    assert r.view == DEMOS[name] and get_demo(name).name == name
    fig = render(r, lang)
    heads = range(r.n_heads) if name != "attention_pooling_classifier" else [0]
    for h in heads:
        w = r.weights[h].numpy()
        assert _drawn(fig, w if name != "dialogue_attention" else w[0]), f"head {h} not drawn"
    assert bool(CJK.search(_texts(fig))) == (lang == "zh")
    assert to_png(fig)[:4] == b"\x89PNG"
