"""Q37 figure of ``latent_attention``: one MLA head's weights and the KV cache per token."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, GREEN, ORANGE, VERMILION, word

TEXT: dict[str, Text] = {
    "title": {"zh": "多头潜在注意力：缓存潜在向量 c，而不是 K 和 V", "en": "Multi-head latent attention: cache the latent c, not K and V"},
    "head": {"zh": "头 {h}（在潜在向量上计算）", "en": "head {h} (computed on the latent)"},
    "cache": {"zh": "每个词元的 KV 缓存\n（{preset}，bf16，全部层）", "en": "KV cache per token\n({preset}, bf16, all layers)"},
    "kib": {"zh": "KiB（对数刻度）", "en": "KiB (log scale)"},
}  # fmt: skip
PRESETS: dict[str, Text] = {
    "deepseek-v2": {"zh": "DeepSeek-V2 的形状", "en": "DeepSeek-V2 shapes"},
    "toy": {"zh": "本例的形状", "en": "this toy's shapes"},
}
SCHEMES = {"mha": "MHA", "gqa": "GQA", "mqa": "MQA", "mla": "MLA"}  # the same in both languages
COLOURS = {"mha": VERMILION, "gqa": ORANGE, "mqa": GREEN, "mla": BLUE}


def draw(result: Result, lang: str) -> Figure:
    """Head 1's causal weights beside log-scale bars of cached KiB per token for MHA/GQA/MQA/MLA."""
    x = result.extras
    kib = {k: v * x["bytes_per_number"] / 1024 for k, v in x["cache_per_token"].items()}
    toks = list(result.query_labels)
    with kit.canvas(7.6, 4.8) as fig:
        ax_w, ax_b = fig.subplots(1, 2, width_ratios=[1.0, 0.9])
        im = kit.matrix(ax_w, result.weights[0].numpy(), toks, toks, room=0.5)
        ax_w.set(xlabel=word("key", lang), ylabel=word("query", lang))
        ax_w.set_title(lookup(TEXT, "head", lang, h=1))
        kit.colorbar(fig, im, ax_w, word("weight", lang))
        names = list(kib)
        kit.bars(
            ax_b, [SCHEMES[k] for k in names], [kib[k] for k in names], horizontal=False,
            colour=[COLOURS[k] for k in names], fmt="{:,.4g}", log=True,
        )  # fmt: skip
        ax_b.set_ylim(min(kib.values()) / 3, max(kib.values()) * 5)
        ax_b.set_ylabel(lookup(TEXT, "kib", lang))
        preset = lookup(PRESETS, x["preset"], lang)
        ax_b.set_title(lookup(TEXT, "cache", lang, preset=preset))
        fig.suptitle(lookup(TEXT, "title", lang))
    return fig
