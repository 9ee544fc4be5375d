"""Q35 figure: the weights cut into FlashAttention's tiles, and the running max and sum block by block."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from engine.i18n import bi, tr
from engine.result import Result
from visuals import kit
from visuals.style import style, word

TEXT = {
    "tiles": bi(
        "P = exp(S − lse)，按 {r}×{c} 的块计算", "P = exp(S − lse), computed in {r}×{c} tiles"
    ),
    "max": bi("运行最大值 m（每个键块之后）", "Running max m (after each key block)"),
    "sum": bi("运行和 ℓ = Σ exp(s − m)", "Running sum ℓ = Σ exp(s − m)"),
    "block": bi("键块 j", "key block j"),
    "row": bi("查询 {i}", "query {i}"),
    "diff": bi(
        "与完整注意力的最大差 {d:.1e}；HBM 读写 {f} vs {s} 个元素",
        "max |difference| from full attention {d:.1e}; HBM traffic {f} vs {s} elements",
    ),
}
COLOURS = ("#1b9e77", "#d95f02", "#7570b3")


def draw(result: Result, lang: str) -> Figure:
    """Tiled weight matrix on the left; running max and running sum of three query rows on the right."""
    ex, f = result.extras, result.facts
    w = result.weights[0].numpy()
    L, S = w.shape
    with style():
        fig = Figure(figsize=(8.0, 5.4), layout="constrained")
        grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1])
        ax = fig.add_subplot(grid[:, 0])
        kit.matrix(ax, w, None, None, values=False)
        for r in range(ex["block_q"], L, ex["block_q"]):
            ax.axhline(r - 0.5, color="white", lw=1.2)
        for c in range(ex["block_k"], S, ex["block_k"]):
            ax.axvline(c - 0.5, color="white", lw=1.2)
        rows = ex["rows"]
        ax.set_yticks(rows, labels=[f"q{i}" for i in rows], fontsize=9)
        for tick, colour in zip(ax.get_yticklabels(), COLOURS, strict=False):
            tick.set_color(colour)
        ax.set_xticks(
            range(0, S, ex["block_k"]),
            labels=[str(c) for c in range(0, S, ex["block_k"])],
            fontsize=9,
            rotation=0,
        )
        ax.set_xlabel(word("key", lang))
        ax.set_ylabel(word("query", lang))
        ax.set_title(tr(TEXT["tiles"], lang, r=ex["block_q"], c=ex["block_k"]), fontsize=10)
        ax_m, ax_l = fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
        blocks = np.arange(1, ex["m"].shape[0] + 1)
        for i, colour in zip(rows, COLOURS, strict=False):
            label = tr(TEXT["row"], lang, i=i)
            ax_m.step(
                blocks,
                ex["m"][:, i].numpy(),
                where="post",
                color=colour,
                marker="o",
                ms=4,
                label=label,
            )
            ax_l.step(
                blocks,
                ex["l"][:, i].numpy(),
                where="post",
                color=colour,
                marker="o",
                ms=4,
                label=label,
            )
        for a, key in ((ax_m, "max"), (ax_l, "sum")):
            a.set_xticks(blocks)
            a.set_title(tr(TEXT[key], lang), fontsize=10)
        ax_l.set_xlabel(tr(TEXT["block"], lang))
        ax_m.legend(fontsize=9, loc="lower right")
        fig.suptitle(
            tr(
                TEXT["diff"],
                lang,
                d=f["max_abs_diff_vs_full"],
                f=f["io_flash_elements"],
                s=f["io_standard_elements"],
            ),
            fontsize=10,
        )
    return fig
