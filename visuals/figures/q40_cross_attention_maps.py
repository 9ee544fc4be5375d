"""Q40 figure of ``cross_attention_maps``: the scene, each word's map over the patches, a resampler."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLACK, word

TEXT: dict[str, Text] = {
    "title": {"zh": "提示词元对图像块的交叉注意力", "en": "Cross-attention of prompt tokens over image patches"},
    "scene": {"zh": "场景\n（{g} × {g} 个图像块）", "en": "scene\n({g} × {g} patches)"},
    "word": {"zh": "“{w}”\n（{gloss}）", "en": "map of\n“{w}”"},
    "maps": {"zh": "每个词的注意力图（每个词在全部图像块上的权重和为 1）", "en": "each word's map (its weights over all patches sum to 1)"},
    "latents": {"zh": "重采样器：{m} 个潜在查询 × {n} 个图像块（每行和为 1）", "en": "resampler: {m} latent queries × {n} patches (rows sum to 1)"},
    "latent": {"zh": "潜在查询", "en": "latent query"},
    "patch": {"zh": "图像块（行,列）", "en": "patch (row,col)"},
}  # fmt: skip
GLOSS: dict[str, Text] = {  # the prompt's words are the model's tokens; zh shows their meaning
    "red": {"zh": "红色", "en": "red"},
    "green": {"zh": "绿色", "en": "green"},
    "blue": {"zh": "蓝色", "en": "blue"},
    "circle": {"zh": "圆形", "en": "circle"},
    "square": {"zh": "方形", "en": "square"},
    "cross": {"zh": "十字", "en": "cross"},
}
MARKERS = {"circle": "o", "square": "s", "cross": "X"}
CONTENT = (1, 2, 5, 6)  # the colour and shape words of the two objects


def _scene(result: Result, fig: Figure, lang: str) -> None:
    """The toy image, a marker for each object's shape, then the four content words' maps."""
    x = result.extras
    axes = fig.subplots(1, 5)
    axes[0].imshow(x["image"].numpy(), interpolation="nearest")
    for _colour, shape, r, c in x["objects"]:
        axes[0].plot(c + 0.5, r + 0.5, MARKERS[shape], color="white", markersize=12, markeredgecolor=BLACK)  # fmt: skip
    axes[0].set_title(lookup(TEXT, "scene", lang, g=x["grid"]))
    maps = x["maps"].numpy()
    vmax = float(maps[list(CONTENT)].max())
    for ax, t in zip(axes[1:], CONTENT, strict=True):
        w = result.query_labels[t]
        im = ax.imshow(maps[t], vmin=0, vmax=vmax, interpolation="nearest")
        ax.set_title(lookup(TEXT, "word", lang, w=w, gloss=lookup(GLOSS, w, lang)))
    kit.no_ticks(*axes)
    kit.colorbar(fig, im, list(axes[1:]), word("weight", lang))
    fig.suptitle(lookup(TEXT, "maps", lang))


def draw(result: Result, lang: str) -> Figure:
    """The toy scene, the maps of the four content words, and the latent queries' weights."""
    w = result.extras["latent_weights"].numpy()
    with kit.canvas(7.6, 6.0) as fig:
        upper, lower = fig.subfigures(2, 1, height_ratios=[0.85, 1.0])
        _scene(result, upper, lang)
        ax = lower.subplots()
        rows = [str(i + 1) for i in range(w.shape[0])]
        im = kit.matrix(
            ax, w, rows, list(result.key_labels), room=0.9, aspect="auto", rows_room=0.4
        )
        ax.set_title(lookup(TEXT, "latents", lang, m=w.shape[0], n=w.shape[1]))
        ax.set(xlabel=lookup(TEXT, "patch", lang), ylabel=lookup(TEXT, "latent", lang))
        kit.colorbar(lower, im, ax, word("weight", lang))
        prompt = " ".join(result.query_labels)
        fig.suptitle(f"{lookup(TEXT, 'title', lang)}\n“{prompt}”")
    return fig
