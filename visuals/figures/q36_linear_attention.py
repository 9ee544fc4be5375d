"""Q36 figure of ``linear_attention``: softmax vs linear weights, and their cost against n."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, VERMILION, word

TEXT: dict[str, Text] = {
    "title": {"zh": "线性注意力：用 φ(q)·φ(k) 代替 exp(q·k/√d)", "en": "Linear attention: φ(q)·φ(k) instead of exp(q·k/√d)"},
    "softmax": {"zh": "因果 softmax 注意力", "en": "causal softmax attention"},
    "linear": {"zh": "因果线性注意力\nφ = {phi}", "en": "causal linear attention\nφ = {phi}"},
    "cost": {"zh": "每个头的乘加次数（d = {d}）", "en": "multiply-adds per head (d = {d})"},
    "n": {"zh": "序列长度 n", "en": "sequence length n"},
    "soft_curve": {"zh": "softmax：2n²d", "en": "softmax: 2n²d"},
    "lin_curve": {"zh": "线性（循环）：2nd²", "en": "linear (recurrent): 2nd²"},
    "state": {"zh": "解码状态：{s} 个数，与 n 无关", "en": "decoding state: {s} numbers, for any n"},
}  # fmt: skip


def draw(result: Result, lang: str) -> Figure:
    """The two (n, n) causal weight maps (softmax, linear) above a log–log plot of their cost."""
    f, x = result.facts, result.extras
    phi = result.head_labels[1].split("=")[-1]
    toks = list(result.query_labels)
    top_w = float(result.weights.max())
    with kit.canvas(7.4, 8.6) as fig:
        upper, lower = fig.subfigures(2, 1, height_ratios=[1.15, 1])
        axes = upper.subplots(1, 2)
        for ax, key, w in zip(axes, ("softmax", "linear"), result.weights, strict=True):
            im = kit.matrix(ax, w.numpy(), toks, toks, room=0.42, vmax=top_w)
            ax.set_title(lookup(TEXT, key, lang, phi=phi))
            ax.set_xlabel(word("key", lang))
        axes[0].set_ylabel(word("query", lang))
        kit.colorbar(upper, im, list(axes), word("weight", lang))
        ax = lower.subplots()
        series = {
            lookup(TEXT, "soft_curve", lang): x["softmax_madds"],
            lookup(TEXT, "lin_curve", lang): x["linear_madds"],
        }
        kit.curves(ax, x["lengths"], series, colours=[VERMILION, BLUE], styles=["o-", "s-"], logx=2, logy=True)  # fmt: skip
        ax.set_xticks(x["lengths"], labels=[str(n) for n in x["lengths"]])
        ax.minorticks_off()
        ax.legend(title=lookup(TEXT, "state", lang, s=f["state_numbers"]))
        ax.set_xlabel(lookup(TEXT, "n", lang))
        ax.set_title(lookup(TEXT, "cost", lang, d=f["d"]))
        ax.grid(True, which="major", alpha=0.3)
        fig.suptitle(lookup(TEXT, "title", lang))
    return fig
