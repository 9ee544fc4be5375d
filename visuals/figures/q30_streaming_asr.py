"""Q30 figure of ``streaming_asr``: each variant's (frames × frames) weights; look-ahead vs drift."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, ORANGE

TEXT: dict[str, Text] = {
    "key_frame": {"zh": "键帧", "en": "key frame"},
    "query_frame": {"zh": "查询帧", "en": "query frame"},
    "lookahead": {"zh": "平均前瞻延迟（ms）", "en": "mean look-ahead latency (ms)"},
    "drift": {"zh": "与全局输出的偏差 1 − cos", "en": "drift from full output, 1 − cos"},
    "latency": {"zh": "延迟（ms）", "en": "latency (ms)"},
    "title": {
        "zh": "注意力权重（平方根色标，便于看清小权重）",
        "en": "attention weights (square-root colour scale, so small weights show)",
    },
}
HEADS: dict[str, Text] = {  # keyed by the engine's variant names (its head labels)
    "full": {"zh": "全局", "en": "full"},
    "causal": {"zh": "因果", "en": "causal"},
    "causal window": {"zh": "因果窗口", "en": "causal window"},
    "chunked": {"zh": "分块", "en": "chunked"},
}


def _latency_bars(ax: Axes, result: Result, lang: str) -> None:
    """Mean look-ahead latency and drift from full attention, one pair of bars per variant."""
    x = np.arange(result.n_heads)
    look = [kit.fact(result, f"{n.replace(' ', '_')}_lookahead_ms") for n in result.head_labels]
    drift = [kit.fact(result, f"{n.replace(' ', '_')}_drift") for n in result.head_labels]
    ax.bar(x - 0.2, look, 0.4, color=BLUE, label=lookup(TEXT, "lookahead", lang))
    ax2 = ax.twinx()
    ax2.bar(x + 0.2, drift, 0.4, color=ORANGE, label=lookup(TEXT, "drift", lang))
    ax.set_xticks(x, labels=[lookup(HEADS, n, lang) for n in result.head_labels])
    ax.set_ylabel(lookup(TEXT, "latency", lang))
    ax2.set_ylabel("1 − cos")
    ax.legend(loc="upper left")
    ax2.legend(loc="upper right")


def draw(result: Result, lang: str) -> Figure:
    """A (2, 2) grid of the variants' weights (√ colour scale) above look-ahead and drift bars."""
    frames = result.query_labels
    titles = kit.as_grid([lookup(HEADS, n, lang) for n in result.head_labels], 2)
    vmax = max(float(result.weights.max()), 1e-9)
    with kit.canvas(7.4, 11.0) as fig:
        top, bottom = fig.subfigures(2, 1, height_ratios=[2.2, 1])
        kit.head_grid(
            top, kit.as_grid(result.weights.numpy(), 2), frames, frames, titles,
            xlabel=lookup(TEXT, "key_frame", lang), ylabel=lookup(TEXT, "query_frame", lang),
            norm=PowerNorm(0.5, vmin=0, vmax=vmax),
        )  # fmt: skip
        top.suptitle(lookup(TEXT, "title", lang))
        _latency_bars(bottom.subplots(), result, lang)
    return fig
