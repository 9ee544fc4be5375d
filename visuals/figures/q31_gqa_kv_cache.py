"""Q31 figure: the 8 query heads (shared KV heads named in each title) and the KV cache of a real model."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import bi, tr
from engine.result import Result
from visuals import kit
from visuals.style import style, word

TEXT = {
    "title": bi(
        "{g} 个查询头共享一个键/值头（H_kv = {kv}）",
        "{g} query heads share each key/value head (H_kv = {kv})",
    ),
    "bars": bi(
        "Llama 2 70B 形状的 KV 缓存：{seq} 个词元，fp16",
        "KV cache of Llama 2 70B's shapes: {seq} tokens, fp16",
    ),
    "gib": bi("每条序列 GiB", "GiB per sequence"),
    "mha": bi("MHA（64 个 KV 头）", "MHA (64 KV heads)"),
    "gqa": bi("GQA（8 个 KV 头）", "GQA (8 KV heads)"),
    "mqa": bi("MQA（1 个 KV 头）", "MQA (1 KV head)"),
}
GROUP_COLOURS = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666",
)


def draw(result: Result, lang: str) -> Figure:
    """2 × 4 head heatmaps (titles coloured by shared KV head) above a bar chart of KV cache GiB."""
    w = result.weights.numpy()  # (8, L, L)
    g, table = result.extras["group"], result.extras["kv_table"]
    with style():
        fig = Figure(figsize=(8.0, 7.4), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[2.0, 0.8])
        axes = top.subplots(2, 4)
        for i, ax in enumerate(axes.flat):
            kit.matrix(ax, w[i], None, None, values=False)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(result.head_labels[i], fontsize=10, color=GROUP_COLOURS[(i // g) % 8])
        top.suptitle(tr(TEXT["title"], lang, g=g, kv=w.shape[0] // g), fontsize=11)
        top.supxlabel(f"{word('query', lang)} ↓   {word('key', lang)} →", fontsize=10)
        ax = bottom.subplots()
        names = ["mha", "gqa", "mqa"]
        gib = [table[n]["gib"] for n in names]
        bars = ax.barh(
            [tr(TEXT[n], lang) for n in names], gib, color=["#999", "#d95f02", "#1b9e77"]
        )
        ax.bar_label(bars, labels=[f"{v:.3g} GiB" for v in gib], padding=3, fontsize=10)
        ax.invert_yaxis()
        ax.set_xlim(0, max(gib) * 1.25)
        ax.set_xlabel(tr(TEXT["gib"], lang))
        ax.set_title(tr(TEXT["bars"], lang, seq=result.extras["seq"]), fontsize=10)
    return fig
