"""Q31 figure of ``gqa_kv_cache``: the 8 query heads (their shared KV head named in each title)
and the KV cache of a real model's shapes as MHA, GQA and MQA."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import CYCLE, GREEN, GREY, ORANGE, word

TEXT: dict[str, Text] = {
    "title": {
        "zh": "{g} 个查询头共享一个键/值头（H_kv = {kv}）；标题颜色 = 共享的键/值头",
        "en": "{g} query heads share each key/value head (H_kv = {kv}); title colour = shared KV head",
    },
    "axes": {
        "zh": "每格：行 = 查询，列 = 键（因果）",
        "en": "each panel: rows = queries, columns = keys (causal)",
    },
    "bars": {
        "zh": "Llama 2 70B 形状的 KV 缓存：{seq} 个词元，fp16",
        "en": "KV cache of Llama 2 70B's shapes: {seq} tokens, fp16",
    },
    "gib": {"zh": "每条序列的 GiB", "en": "GiB per sequence"},
    "mha": {"zh": "MHA（64 个 KV 头）", "en": "MHA (64 KV heads)"},
    "gqa": {"zh": "GQA（8 个 KV 头）", "en": "GQA (8 KV heads)"},
    "mqa": {"zh": "MQA（1 个 KV 头）", "en": "MQA (1 KV head)"},
}
VARIANTS = ("mha", "gqa", "mqa")
BAR_COLOURS = (GREY, ORANGE, GREEN)


def _heads(sub: Figure, result: Result, lang: str) -> None:
    """2 × 4 grid of the (L, L) weights of the 8 query heads on one colour scale."""
    w = result.weights.numpy()  # (8, L, L)
    g = result.extras["group"]
    top = float(w.max()) or 1.0
    axes = sub.subplots(2, 4)
    im = None
    for i, ax in enumerate(axes.flat):
        im = kit.matrix(ax, w[i], None, None, room=0.22, vmax=top, values=False)
        ax.set_title(result.head_labels[i], color=CYCLE[(i // g) % len(CYCLE)])
    kit.colorbar(sub, im, axes, word("weight", lang))
    sub.suptitle(lookup(TEXT, "title", lang, g=g, kv=w.shape[0] // g))
    sub.supxlabel(lookup(TEXT, "axes", lang), fontsize="small")


def draw(result: Result, lang: str) -> Figure:
    """2 × 4 head heat maps (titles coloured by shared KV head) above the KV cache GiB as bars."""
    table = result.extras["kv_table"]
    with kit.canvas(8.0, 7.6) as fig:
        top, bottom = fig.subfigures(2, 1, height_ratios=[2.0, 0.85])
        _heads(top, result, lang)
        ax = bottom.subplots()
        gib = [table[n]["gib"] for n in VARIANTS]
        names = [lookup(TEXT, n, lang) for n in VARIANTS]
        kit.bars(ax, names, gib, colour=list(BAR_COLOURS), fmt="{:.3g} GiB")
        ax.set_xlim(0, max(gib) * 1.25)
        ax.set_xlabel(lookup(TEXT, "gib", lang))
        ax.set_title(lookup(TEXT, "bars", lang, seq=result.extras["seq"]))
    return fig
