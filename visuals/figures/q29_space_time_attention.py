"""Q29 figure of ``space_time_attention``: every frame with the query's divided and joint attention."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import ORANGE

TEXT: dict[str, Text] = {
    "divided": {"zh": "分离：空间 · 时间", "en": "divided: space · time"},
    "joint": {"zh": "联合时空", "en": "joint space–time"},
    "frame": {"zh": "第 {t} 帧", "en": "frame {t}"},
    "title": {
        "zh": "红色虚线：查询块；白色点线：方块的真实位置；橙框：该帧注意力最大的块（每帧单独色标，Σ = 该帧所得权重）",
        "en": "red dashes: query patch; white dots: where the square is; orange: most-attended patch "
        "(colour scale per frame, Σ = the frame's share)",
    },
}
HEADS = {"divided": "divided: space · time", "joint": "joint space–time"}  # our key → engine label
COLS = 4  # frames per row


def _frame_panel(ax: Axes, frame: np.ndarray, amap: np.ndarray, square, is_query: bool) -> None:
    """One frame with the attention map (own colour scale), the square (white dots), the argmax (orange)."""
    G = amap.shape[0]
    S = frame.shape[0] // G
    kit.overlay(ax, frame, amap, float(amap.max()), 0.55)
    kit.box(ax, *square, S, ec="white", lw=1, ls=":")
    kit.box(ax, *np.unravel_index(int(amap.argmax()), amap.shape), S, ec=ORANGE, lw=1.6)
    if is_query:
        kit.box(ax, *square, S, ec="red", lw=2, ls="--")
    ax.set_xlabel(f"Σ = {amap.sum():.3f}")


def draw(result: Result, lang: str) -> Figure:
    """For divided and joint attention: T frames (COLS per row), α(query, ·) over each frame."""
    ex = result.extras
    video, q, G = ex["video"], ex["query"], ex["grid"]
    T = video.shape[0]
    per = -(-T // COLS)  # rows of frames per kind
    with kit.canvas(7.4, 1.0 + 2 * per * 2.45) as fig:
        subs = fig.subfigures(2, 1)
        for sub, key in zip(subs, ("divided", "joint"), strict=True):
            h = result.head_labels.index(HEADS[key])
            row = result.weights[h, q].numpy().reshape(T, G, G)
            axes = sub.subplots(per, COLS, squeeze=False).ravel()
            for t, ax in enumerate(axes):
                if t >= T:
                    ax.set_axis_off()
                    continue
                _frame_panel(ax, video[t], row[t], ex["track"][t], t == q // (G * G))
                ax.set_title(lookup(TEXT, "frame", lang, t=t))
            sub.suptitle(lookup(TEXT, key, lang))
        fig.suptitle(lookup(TEXT, "title", lang), wrap=True)
    return fig
