"""The pretrained_heads figure: the chosen real head, titled with model, layer, head and pattern."""

from __future__ import annotations

import numpy as np

from tests.unit.figures.drawn import images
from visuals.figures.q05_pretrained_heads import draw

TEXT = "The cat sat on the mat, and it purred softly."


def test_draws_the_chosen_head_with_its_tokens(demo_result):
    r = demo_result("pretrained_heads", text=TEXT, layer=2, head=9)
    fig = draw(r, "en")
    (drawn,) = images(fig)
    np.testing.assert_array_equal(drawn, r.extras["attentions"][1, 8].numpy())
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(r.key_labels)
    assert ax.get_title().startswith("all-MiniLM-L6-v2 · layer 2 · head 9 — next")
    assert len(fig.axes) == 2


def test_chinese_title(demo_result):
    r = demo_result("pretrained_heads", text=TEXT, layer=2, head=9)
    assert (
        draw(r, "zh").axes[0].get_title().startswith("all-MiniLM-L6-v2 · 第 2 层 · 第 9 头 — 后词")
    )
