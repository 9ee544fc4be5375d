"""Q10 figure of ``vit_patch_attention``: the image and query patch, each head's attention over it."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import word

TEXT: dict[str, Text] = {
    "image_query": {"zh": "图像与查询块（红框）", "en": "Image and query patch (red)"},
    "self_weight": {
        "zh": "自身权重 {w:.2f}（不计入色标）",
        "en": "self weight {w:.2f} (off the colour scale)",
    },
}
HEADS: dict[str, Text] = {  # keyed by the engine's head label, up to its "(λ = …)"
    "appearance only": {"zh": "仅外观（λ = {lam}）", "en": "appearance only (λ = {lam})"},
    "appearance + position": {
        "zh": "外观 + 位置（λ = {lam}）",
        "en": "appearance + position (λ = {lam})",
    },
}


def _head_title(label: str, lang: str) -> str:
    """The engine's head label ``"name (λ = v)"`` in ``lang``."""
    name, _, rest = label.partition(" (")
    lam = rest.rsplit("= ", 1)[-1].rstrip(")")
    return lookup(HEADS, name, lang, lam=lam)


def draw(result: Result, lang: str) -> Figure:
    """Image with the query patch, then α(query, ·) of each head laid over it (self left out)."""
    ex = result.extras
    img, (rows, cols), q, P = ex["image"], ex["grid"], ex["query"], ex["patch"]
    r, c = divmod(q, cols)
    n = 1 + result.n_heads
    with kit.canvas(7.4, 7.4) as fig:
        axes = fig.subplots(2, 2).ravel()
        axes[0].imshow(img, interpolation="nearest")
        for k in range(1, max(rows, cols)):
            axes[0].axhline(k * P - 0.5, color="white", lw=0.4, alpha=0.5)
            axes[0].axvline(k * P - 0.5, color="white", lw=0.4, alpha=0.5)
        axes[0].set_title(lookup(TEXT, "image_query", lang))
        kit.no_ticks(axes[0])
        for h, ax in enumerate(axes[1:n]):
            row = result.weights[h, q].numpy()
            vmax = float(np.delete(row, q).max())
            im = kit.overlay(ax, img.mean(-1), row.reshape(rows, cols), vmax, 0.7)
            ax.set_title(
                f"{_head_title(result.head_labels[h], lang)}\n{lookup(TEXT, 'self_weight', lang, w=row[q])}"
            )
            kit.colorbar(fig, im, ax, word("weight", lang))
        for ax in axes[n:]:
            ax.set_axis_off()
        for ax in axes[:n]:
            kit.box(ax, r, c, P, ec="red", lw=2)
    return fig
