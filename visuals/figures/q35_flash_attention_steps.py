"""Q35 figure of ``flash_attention_steps``: the weights cut into FlashAttention's tiles, and the
running max and sum of three query rows, key block by key block."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import GREEN, PINK, VERMILION, word

TEXT: dict[str, Text] = {
    "tiles": {
        "zh": "P = exp(S − lse)，按 {r}×{c} 的块计算",
        "en": "P = exp(S − lse), computed in {r}×{c} tiles",
    },
    "max": {"zh": "运行最大值 m（每个键块之后）", "en": "Running max m (after each key block)"},
    "sum": {"zh": "运行和 ℓ = Σ exp(s − m)", "en": "Running sum ℓ = Σ exp(s − m)"},
    "block": {"zh": "键块 j", "en": "key block j"},
    "row": {"zh": "查询 {i}", "en": "query {i}"},
    "diff": {
        "zh": "与完整注意力的最大差 {d:.1e}；读写主存 {f} vs {s} 个元素",
        "en": "max |difference| from full attention {d:.1e}; main-memory traffic {f} vs {s} elements",
    },
}
COLOURS = (GREEN, VERMILION, PINK)


def _tiles(fig: Figure, ax: Axes, result: Result, lang: str) -> None:
    """The (L, S) weights with white lines between the B_r × B_c tiles; traced rows coloured."""
    ex = result.extras
    w = result.weights[0].numpy()
    L, S = w.shape
    im = kit.matrix(ax, w, None, None, room=0.5, values=False)
    for r in range(ex["block_q"], L, ex["block_q"]):
        ax.axhline(r - 0.5, color="white", linewidth=1.2)
    for c in range(ex["block_k"], S, ex["block_k"]):
        ax.axvline(c - 0.5, color="white", linewidth=1.2)
    rows = ex["rows"]
    ax.set_yticks(rows, labels=[f"q{i}" for i in rows])
    for tick, colour in zip(ax.get_yticklabels(), COLOURS, strict=False):
        tick.set_color(colour)
    starts = range(0, S, ex["block_k"])
    ax.set_xticks(starts, labels=[str(c) for c in starts])
    ax.set(xlabel=word("key", lang), ylabel=word("query", lang))
    ax.set_title(lookup(TEXT, "tiles", lang, r=ex["block_q"], c=ex["block_k"]))
    kit.colorbar(fig, im, ax, word("weight", lang))


def _running(ax_m: Axes, ax_l: Axes, result: Result, lang: str) -> None:
    """Running max m and running sum ℓ of the traced rows after each key block."""
    ex = result.extras
    blocks = np.arange(1, ex["m"].shape[0] + 1)
    for i, colour in zip(ex["rows"], COLOURS, strict=False):
        label = lookup(TEXT, "row", lang, i=i)
        for a, key in ((ax_m, "m"), (ax_l, "l")):
            a.step(
                blocks,
                ex[key][:, i].numpy(),
                "o-",
                where="post",
                color=colour,
                label=label,
                markersize=4,
            )
    for a, key in ((ax_m, "max"), (ax_l, "sum")):
        a.set_xticks(blocks)
        a.set_title(lookup(TEXT, key, lang))
    ax_l.set_xlabel(lookup(TEXT, "block", lang))
    ax_m.legend(loc="lower right")


def draw(result: Result, lang: str) -> Figure:
    """Tiled weight matrix on the left; running max and running sum of three query rows on the right."""
    f = {k: kit.fact(result, k) for k in result.facts}
    with kit.canvas(8.0, 5.6) as fig:
        grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1])
        ax = fig.add_subplot(grid[:, 0])
        ax_m, ax_l = fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
        _tiles(fig, ax, result, lang)
        _running(ax_m, ax_l, result, lang)
        d, io_f, io_s = f["max_abs_diff_vs_full"], f["io_flash_elements"], f["io_standard_elements"]
        fig.suptitle(lookup(TEXT, "diff", lang, d=d, f=io_f, s=io_s))
    return fig
