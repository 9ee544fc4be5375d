"""Q27 figure of ``graph_attention``: the knowledge graph with the focus entity's α as arrows."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, VERMILION, word

TEXT: dict[str, Text] = {
    "graph": {
        "zh": "“{name}”对邻居的注意力 α_ij（头 1，线宽 ∝ α；自环 {self:.2f}）",
        "en": "attention α_ij of “{name}” to its neighbours (head 1, width ∝ α; self {self:.2f})",
    },
    "neighbour": {"zh": "邻居 j（键）；非邻居 = 0", "en": "neighbour j (key); non-neighbours = 0"},
    "entity": {"zh": "实体 i（查询）", "en": "entity i (query)"},
    "neighbour_title": {
        "zh": "邻居注意力矩阵（头 1，共 {K} 个头）",
        "en": "neighbour attention (head 1 of {K})",
    },
}


def _layout(n: int, centre: int) -> np.ndarray:
    """Node ``centre`` in the middle, the others on a circle starting at the top.  → (n, 2)."""
    others = [i for i in range(n) if i != centre]
    a = np.pi / 2 - 2 * np.pi * np.arange(len(others)) / len(others)
    pos = np.zeros((n, 2))
    pos[others] = np.stack([np.cos(a), np.sin(a)], 1)
    return pos


def _focus_arrows(ax: Axes, pos: np.ndarray, alpha: np.ndarray, focus: int, relation: dict) -> None:
    """An arrow from the focus node to each neighbour j, as wide as α_focus,j, labelled with α."""
    top = max(float(np.delete(alpha[focus], focus).max()), 1e-9)
    for j in np.flatnonzero(alpha[focus] > 0):
        if j == focus:
            continue
        (x0, y0), (x1, y1) = pos[focus], pos[j]
        props = {"arrowstyle": "-|>", "lw": 1 + 9 * alpha[focus, j] / top, "color": VERMILION,
                 "alpha": 0.8, "shrinkA": 10, "shrinkB": 10, "mutation_scale": 14}  # fmt: skip
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=3, arrowprops=props)
        ax.text(0.55 * x1 + 0.45 * x0, 0.55 * y1 + 0.45 * y0, f"{relation[(focus, j)]}\n{alpha[focus, j]:.2f}",
                fontsize="small", color="#8B2500", zorder=4, ha="center", va="center",
                bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 0.6})  # fmt: skip


def _draw_graph(ax: Axes, result: Result, lang: str) -> None:
    """Nodes around the focus entity, its edges as attention arrows, the other edges in grey."""
    ex, names, alpha = result.extras, result.query_labels, result.weights[0].numpy()
    focus = ex["focus"]
    pos = _layout(len(names), focus)
    relation = {}
    for s, rel, o in ex["edges"]:
        relation[(s, o)] = relation[(o, s)] = rel
        if focus not in (s, o):
            ax.plot(*np.stack([pos[s], pos[o]], 1), color="0.82", lw=1, zorder=1)
    _focus_arrows(ax, pos, alpha, focus, relation)
    for i, (x, y) in enumerate(pos):
        ax.scatter([x], [y], s=200, color=VERMILION if i == focus else BLUE, zorder=5)
        ha = "center" if i == focus or abs(x) <= 0.2 else "left" if x > 0 else "right"
        at = (x, y - 0.13) if i == focus else (1.12 * x, 1.12 * y)
        ax.text(*at, names[i], ha=ha, va="top" if i == focus else "center", zorder=6)
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-1.25, 1.25)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(
        lookup(TEXT, "graph", lang, name=names[focus], self=alpha[focus, focus]), wrap=True
    )


def draw(result: Result, lang: str) -> Figure:
    """The graph around the focus entity (arrows ∝ α, head 1) above the (n, n) neighbour matrix."""
    names = list(result.query_labels)
    with kit.canvas(7.6, 10.6, layout="compressed") as fig:
        ax_g, ax_m = fig.subplots(2, 1, height_ratios=[0.8, 1.15])
        _draw_graph(ax_g, result, lang)
        im = kit.matrix(ax_m, result.weights[0].numpy(), names, names, room=0.7)
        ax_m.set(xlabel=lookup(TEXT, "neighbour", lang), ylabel=lookup(TEXT, "entity", lang))
        ax_m.set_title(lookup(TEXT, "neighbour_title", lang, K=result.n_heads))
        kit.colorbar(fig, im, ax_m, word("weight", lang))
    return fig
