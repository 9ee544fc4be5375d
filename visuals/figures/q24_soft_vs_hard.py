"""Q24 figure of ``soft_vs_hard``: five weight matrices from one set of scores; query 1; the race."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import word

TEXT: dict[str, Text] = {
    "soft": {"zh": "软注意力", "en": "soft"},
    "hard_one": {"zh": "硬注意力（一次采样）", "en": "hard (one sample)"},
    "hard_freq": {"zh": "硬注意力：{n} 次采样的频率", "en": "hard: frequency of {n} samples"},
    "top_k": {"zh": "top-{k}", "en": "top-{k}"},
    "gumbel": {"zh": "Gumbel-softmax τ={tau:g}", "en": "Gumbel-softmax τ={tau:g}"},
    "query0": {"zh": "第 1 个查询（{q}）的权重", "en": "weights of query 1 ({q})"},
    "race": {
        "zh": "学会选中目标词“{w}”：p(目标)",
        "en": "learning to select the target “{w}”: p(target)",
    },
    "step": {"zh": "训练步", "en": "training step"},
}
METHODS: dict[str, Text] = {  # keyed by the engine's training-method ids
    "soft": {"zh": "软注意力（反向传播）", "en": "soft (backprop)"},
    "REINFORCE": {"zh": "REINFORCE（硬，采样）", "en": "REINFORCE (hard, sampled)"},
    "Gumbel-softmax (ST)": {
        "zh": "Gumbel-softmax（ST），τ={tau:g}",
        "en": "Gumbel-softmax (ST), τ={tau:g}",
    },
}


def draw(result: Result, lang: str) -> Figure:
    """Soft, hard (one sample and frequencies), top-k and Gumbel weights; query 1; learning curves."""
    ex, tau = result.extras, result.extras["tau"]
    titles = [
        lookup(TEXT, "soft", lang), lookup(TEXT, "hard_one", lang),
        lookup(TEXT, "hard_freq", lang, n=ex["samples"]), lookup(TEXT, "top_k", lang, k=ex["k"]),
        lookup(TEXT, "gumbel", lang, tau=tau),
    ]  # fmt: skip
    keys = list(result.key_labels)
    with kit.canvas(7.6, 13.0) as fig:
        top, mid, bottom = fig.subfigures(3, 1, height_ratios=[1.5, 0.8, 0.8])
        kit.head_grid(
            top, kit.as_grid(result.weights.numpy(), 3), result.query_labels, keys,
            kit.as_grid(titles, 3), bar_label=word("weight", lang),
        )  # fmt: skip
        ax_q = mid.subplots()
        kit.grouped_bars(
            ax_q, keys, {t: w[0].numpy() for t, w in zip(titles, result.weights, strict=True)}
        )
        ax_q.set_title(lookup(TEXT, "query0", lang, q=result.query_labels[0]))
        ax_q.legend(ncol=2, fontsize="small")
        ax_race = bottom.subplots()
        series = {lookup(METHODS, n, lang, tau=tau): c for n, c in ex["curves"].items()}
        first = next(iter(ex["curves"].values()))
        kit.curves(ax_race, range(1, len(first) + 1), series, styles=["-"] * len(series))
        ax_race.set_ylim(0, 1.02)
        ax_race.set_xlabel(lookup(TEXT, "step", lang))
        ax_race.set_title(lookup(TEXT, "race", lang, w=keys[ex["target"]]))
    return fig
