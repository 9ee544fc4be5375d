"""Q7 figure of ``seed_module_vs_fixed``: unscaled vs scaled softmax, and entropy as d grows."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, GREY, VERMILION, word

TEXT: dict[str, Text] = {
    "seed": {"zh": "原文：softmax(QKᵀ)，不缩放", "en": "text: softmax(QKᵀ), unscaled"},
    "fixed": {"zh": "修正：softmax(QKᵀ/√d_k)", "en": "fixed: softmax(QKᵀ/√d_k)"},
    "uniform": {"zh": "均匀分布 log L", "en": "uniform, log L"},
    "d": {"zh": "维度 d（对数刻度）", "en": "size d (log scale)"},
    "entropy": {"zh": "每行平均熵（奈特）", "en": "mean row entropy (nats)"},
    "saturates": {
        "zh": "不缩放时 softmax 随 d 增大而饱和。原文模块处理批量输入 (N, L, d)：{error}",
        "en": "Unscaled softmax saturates as d grows. The text's module on a batch (N, L, d): {error}",
    },
}


def _entropy_curves(ax: Axes, result: Result, lang: str) -> None:
    """Mean row entropy of both modules against d (log scale), with log L and the chosen d marked."""
    e = result.extras
    series = {
        lookup(TEXT, "seed", lang): e["entropy_seed"].numpy(),
        lookup(TEXT, "fixed", lang): e["entropy_fixed"].numpy(),
    }
    kit.curves(ax, e["d_values"], series, styles=["o-", "s-"], colours=[VERMILION, BLUE], logx=2)
    uniform = lookup(TEXT, "uniform", lang)
    ax.axhline(kit.fact(result, "entropy_uniform_log_L"), ls=":", color=GREY, label=uniform)
    ax.axvline(kit.fact(result, "d_model"), color=GREY, lw=1, ls="--")
    ax.set(xlabel=lookup(TEXT, "d", lang), ylabel=lookup(TEXT, "entropy", lang), ylim=(0, None))
    ax.legend(loc="lower left", fontsize="small")
    error = kit.fact(result, "seed_module_on_batch")
    ax.set_title(lookup(TEXT, "saturates", lang, error=error), wrap=True)


def draw(result: Result, lang: str) -> Figure:
    """softmax(QKᵀ) and softmax(QKᵀ/√d_k) at the chosen d, and their row entropy against d."""
    toks, d = list(result.query_labels), kit.fact(result, "d_model")
    with kit.canvas(7.4, 8.2) as fig:
        top, bottom = fig.subfigures(2, 1, height_ratios=[1.15, 1])
        axes = top.subplots(1, 2)
        for i, (ax, key) in enumerate(zip(axes, ("seed", "fixed"), strict=True)):
            im = kit.matrix(ax, result.weights[i].numpy(), toks, toks, room=0.45, vmax=1.0)
            ax.set_title(f"{lookup(TEXT, key, lang)}\nd = {d}")
        kit.colorbar(top, im, list(axes), word("weight", lang))
        _entropy_curves(bottom.subplots(), result, lang)
    return fig
