"""Q9 figure of ``efficient_attention``: each variant's weights; time, memory and error curves."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.figures._variants import VARIANT_NAMES
from visuals.style import GREY, word

TEXT: dict[str, Text] = {
    "length": {"zh": "序列长度 n", "en": "sequence length n"},
    "ms": {"zh": "中位时间（毫秒）", "en": "median time (ms)"},
    "mib_measured": {"zh": "峰值显存（MiB，实测）", "en": "peak memory (MiB, measured)"},
    "mib_scores": {"zh": "得分矩阵（MiB，按形状计算）", "en": "score matrix (MiB, from shapes)"},
    "rank": {"zh": "秩 k（n = {n}）", "en": "rank k (n = {n})"},
    "rel_error": {"zh": "权重相对误差", "en": "relative error of weights"},
    "linformer": {"zh": "Linformer（分段平均 E=F）", "en": "Linformer (segment means E = F)"},
    "svd_floor": {"zh": "SVD 下界（任何秩 k 方法）", "en": "SVD floor (any rank-k method)"},
    "max_err": {"zh": "{name}（最大误差 {err:.2g}）", "en": "{name} (max err {err:.2g})"},
}
ORDER = ("full", "sliding_window", "strided", "low_rank", "fused")


def _lines(ax: Axes, rows: list[dict], key: str, lang: str, errors: bool = False) -> None:
    """One line per variant of ``rows[key]`` against n, on log–log axes."""
    series = {}
    for name in ORDER:
        mine = [r for r in rows if r["variant"] == name]
        if not mine:
            continue
        label = lookup(VARIANT_NAMES, name, lang)
        if errors:
            label = lookup(TEXT, "max_err", lang, name=label, err=mine[-1]["max_abs_err"])
        series[label] = ([r["n"] for r in mine], [max(r[key], 1e-6) for r in mine])
    for label, (x, y) in series.items():
        ax.plot(x, y, marker="o", markersize=4, label=label)
    ns = sorted({r["n"] for r in rows})
    ax.set_xscale("log", base=2)
    ax.set_xticks(ns, labels=[str(n) for n in ns])
    ax.minorticks_off()
    ax.set_yscale("log")
    ax.set_xlabel(lookup(TEXT, "length", lang))
    ax.legend(fontsize="small")


def _rank_curve(ax: Axes, result: Result, lang: str) -> None:
    """Linformer's relative error against rank k, above the best any rank-k method can do."""
    curve = result.extras["rank_curve"]
    series = {
        lookup(TEXT, "linformer", lang): curve["linformer"],
        lookup(TEXT, "svd_floor", lang): curve["svd_floor"],
    }
    kit.curves(ax, curve["ranks"], series, styles=["o-", "s--"], logx=2)
    ax.axvline(result.extras["view_rank"], color=GREY, linewidth=0.8)
    ax.set_xticks(curve["ranks"], labels=[str(k) for k in curve["ranks"]])
    ax.minorticks_off()
    ax.set_xlabel(lookup(TEXT, "rank", lang, n=result.weights.size(-1)))
    ax.set_ylabel(lookup(TEXT, "rel_error", lang))


def draw(result: Result, lang: str) -> Figure:
    """Four (n, n) weight maps (full, window, strided, low rank), then cost and error curves."""
    rows, p = result.extras["rows"], result.extras["params"]
    measured = rows[0].get("memory") == "measured"
    names = [lookup(VARIANT_NAMES, v, lang) for v in ORDER[:4]]
    titles = [names[0], f"{names[1]}\nw={p['window']}", f"{names[2]}\ns={p['stride']}"]
    titles.append(f"{names[3]}\nk={p['rank']}")
    with kit.canvas(7.6, 11.5) as fig:
        top, mid, bottom = fig.subfigures(3, 1, height_ratios=[0.9, 1, 1])
        kit.head_grid(
            top, kit.as_grid(result.weights.numpy(), 4), result.query_labels, result.key_labels,
            [titles], bar_label=word("weight", lang),
        )  # fmt: skip
        ax_t, ax_m = mid.subplots(1, 2)
        _lines(ax_t, rows, "median_ms", lang, errors=True)
        ax_t.set_ylabel(lookup(TEXT, "ms", lang))
        _lines(ax_m, [r for r in rows if measured or r["variant"] != "fused"], "peak_mib", lang)
        ax_m.set_ylabel(lookup(TEXT, "mib_measured" if measured else "mib_scores", lang))
        _rank_curve(bottom.subplots(), result, lang)
    return fig
