"""Figure of demo ``cross_attention_maps``: the scene, each word's map over the patches, a resampler."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import lookup
from engine.result import Result
from visuals.style import CMAP, style

TEXT = {
    "title": {"zh": "提示词元对图像块的交叉注意力", "en": "Cross-attention of prompt tokens over image patches"},
    "scene": {"zh": "场景（{g} × {g} 个图像块）", "en": "scene ({g} × {g} patches)"},
    "word": {"zh": "“{w}”的注意力图", "en": "map of “{w}”"},
    "latents": {"zh": "重采样器：{m} 个潜在查询 × {n} 个图像块（每行和为 1）", "en": "resampler: {m} latent queries × {n} patches (rows sum to 1)"},
    "latent": {"zh": "潜在查询", "en": "latent query"},
    "patch": {"zh": "图像块（按行展开）", "en": "patch (row-major)"},
}  # fmt: skip
MARKERS = {"circle": "o", "square": "s", "cross": "X"}
CONTENT = (1, 2, 5, 6)  # the colour and shape words of the two objects


def draw(result: Result, lang: str) -> Figure:
    """The toy scene, the maps of the four content words, and the latent queries' weights."""
    x = result.extras
    g = x["grid"]
    with style():
        fig = Figure(figsize=(8.4, 5.6))
        grid = fig.add_gridspec(2, 4, height_ratios=[1.0, 0.9], hspace=0.3, wspace=0.4)
        ax = fig.add_subplot(grid[0, 0])
        ax.imshow(x["image"].numpy(), interpolation="nearest")
        for _colour, shape, r, c in x["objects"]:
            ax.plot(
                c + 0.5,
                r + 0.5,
                MARKERS[shape],
                color="white",
                markersize=14,
                markeredgecolor="black",
            )
        ax.set_title(lookup(TEXT, "scene", lang, g=g), fontsize=10)
        ax.set_xticks([]), ax.set_yticks([])
        vmax = float(x["maps"][list(CONTENT)].max())
        axes = [fig.add_subplot(grid[0, c]) for c in (1, 2, 3)] + [fig.add_subplot(grid[1, 0])]
        for ax, t in zip(axes, CONTENT, strict=True):
            ax.imshow(x["maps"][t].numpy(), cmap=CMAP, vmin=0, vmax=vmax, interpolation="nearest")
            ax.set_title(lookup(TEXT, "word", lang, w=result.query_labels[t]), fontsize=10)
            ax.set_xticks([]), ax.set_yticks([])
        ax = fig.add_subplot(grid[1, 1:])
        w = x["latent_weights"].numpy()
        im = ax.imshow(w, cmap=CMAP, vmin=0, aspect="auto", interpolation="nearest")
        ax.set_title(lookup(TEXT, "latents", lang, m=w.shape[0], n=w.shape[1]), fontsize=10)
        ax.set_xlabel(lookup(TEXT, "patch", lang), fontsize=9)
        ax.set_ylabel(lookup(TEXT, "latent", lang), fontsize=9)
        ax.tick_params(labelsize=9)
        fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02).ax.tick_params(labelsize=9)
        prompt = " ".join(result.query_labels)
        fig.suptitle(f"{lookup(TEXT, 'title', lang)}\n“{prompt}”", fontsize=12)
    return fig
