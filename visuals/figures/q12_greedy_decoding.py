"""Q12 figure of ``greedy_decoding``: cross-attention per step beside the top candidates per step."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import word

TEXT: dict[str, Text] = {
    "source": {"zh": "源字母（键）", "en": "source letter (key)"},
    "step": {"zh": "步骤：生成的词元", "en": "step: generated token"},
    "cross": {
        "zh": "每步的交叉注意力（{h} 个头的平均）",
        "en": "cross-attention per step (mean of {h} heads)",
    },
    "choice": {"zh": "第 {k} 候选", "en": "choice {k}"},
    "table": {
        "zh": "每步概率最高的候选（贪心取第 1 个）：{run}",
        "en": "most probable candidates per step (greedy takes choice 1): {run}",
    },
}


def _prob(p: float) -> str:
    """A probability with three decimals, or in scientific notation when below 0.001."""
    return f"{p:.3f}" if p >= 1e-3 else f"{p:.0e}"


def _candidates_table(ax: Axes, result: Result, lang: str) -> None:
    """Top candidates and their probabilities per step; the greedy choice is shaded."""
    e = result.extras
    cells = [
        [f"{t}  {_prob(p)}" for t, p in zip(ts, ps, strict=True)]
        for ts, ps in zip(e["top_tokens"], e["top_probs"].tolist(), strict=True)
    ]
    head = [lookup(TEXT, "choice", lang, k=k + 1) for k in range(len(cells[0]))]
    ax.set_axis_off()
    table = ax.table(
        cellText=cells, rowLabels=[str(i + 1) for i in range(len(cells))], colLabels=head,
        loc="upper center", cellLoc="center",
    )  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(ax.xaxis.label.get_fontsize())
    table.scale(1, 1.4)
    for r in range(1, len(cells) + 1):
        table[r, 0].set_facecolor("#cfe3f3")  # the greedy choice: the most probable token
    run = f"{kit.fact(result, 'source')} → {kit.fact(result, 'output')}"
    ax.set_title(lookup(TEXT, "table", lang, run=run), wrap=True)


def draw(result: Result, lang: str) -> Figure:
    """(steps × source) cross-attention, averaged over heads, and the top-k table per step."""
    steps_n = result.weights.size(1)
    with kit.canvas(7.4, 3.0 + 0.8 * steps_n) as fig:
        ax_w, ax_t = fig.subplots(2, 1, height_ratios=[1.5, 1])
        im = kit.matrix(
            ax_w, result.weights[0].numpy(), result.query_labels, result.key_labels, room=0.6
        )
        ax_w.set(xlabel=lookup(TEXT, "source", lang), ylabel=lookup(TEXT, "step", lang))
        ax_w.set_title(lookup(TEXT, "cross", lang, h=kit.fact(result, "heads")))
        kit.colorbar(fig, im, ax_w, word("weight", lang))
        _candidates_table(ax_t, result, lang)
    return fig
