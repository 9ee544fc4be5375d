"""Q35 figure: it drew the weights with the tile grid and the running max and sum of the trace, in both languages."""

from __future__ import annotations

import numpy as np
import pytest

from engine.registry import run_demo
from visuals.figures import figure_for


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_draws_tiles_and_the_running_statistics(lang):
    r = run_demo(
        "flash_attention_steps", {"n_queries": 16, "n_keys": 24, "block_q": "8", "block_k": "4"}
    )
    fig = figure_for("flash_attention_steps")(r, lang)
    bars = [a for a in fig.get_axes() if a.get_label() == "<colorbar>"]
    ax, ax_m, ax_l = [a for a in fig.get_axes() if a.get_label() != "<colorbar>"]
    assert len(bars) == 1  # one weight scale
    np.testing.assert_allclose(ax.images[0].get_array(), r.weights[0].numpy())
    vertical = [ln for ln in ax.get_lines() if ln.get_xdata()[0] == ln.get_xdata()[1]]
    assert len(vertical) == 24 // 4 - 1  # boundaries between the 6 key blocks
    for line, row in zip(ax_m.get_lines(), r.extras["rows"], strict=True):
        np.testing.assert_allclose(line.get_ydata(), r.extras["m"][:, row].numpy())
    for line, row in zip(ax_l.get_lines(), r.extras["rows"], strict=True):
        np.testing.assert_allclose(line.get_ydata(), r.extras["l"][:, row].numpy())
    assert ("运行最大值" in ax_m.get_title()) == (lang == "zh")
    assert str(r.facts["io_flash_elements"]) in fig.get_suptitle()
