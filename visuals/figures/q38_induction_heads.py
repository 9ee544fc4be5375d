"""Q38 figure of ``induction_heads``: the previous-token head, the induction head, the loss."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, GREY, VERMILION, word

TEXT: dict[str, Text] = {
    "title": {"zh": "两层纯注意力模型里的归纳头", "en": "Induction heads in a two-layer attention-only model"},
    "l1": {"zh": "第 1 层：前一词元头\n（得分 {s:.2f}）", "en": "layer 1: previous-token head\n(score {s:.2f})"},
    "l2": {"zh": "第 2 层：归纳头\n（得分 {s:.2f}）", "en": "layer 2: induction head\n(score {s:.2f})"},
    "loss": {"zh": "每个位置的损失（预测下一个词元）", "en": "loss per position (predicting the next token)"},
    "loss_ablated": {"zh": "每个位置的损失——去掉{which}的头", "en": "loss per position, {which} head removed"},
    "layer1": {"zh": "第 1 层", "en": "layer 1"},
    "layer2": {"zh": "第 2 层", "en": "layer 2"},
    "position": {"zh": "位置 t", "en": "position t"},
    "nats": {"zh": "损失（奈特）", "en": "loss (nats)"},
    "uniform": {"zh": "均匀猜测 log V = {v:.2f}", "en": "uniform guess log V = {v:.2f}"},
    "repeat": {"zh": "重复开始（t = P = {p}）", "en": "repeat starts (t = P = {p})"},
}  # fmt: skip
HEADS = (("l1", "prev_token_score_l1"), ("l2", "induction_score_l2"))  # title key, score fact


def draw(result: Result, lang: str) -> Figure:
    """Both heads' (2T × 2T) weights above the per-position loss, with the repeat marked."""
    x = result.extras
    toks = list(result.query_labels)
    with kit.canvas(7.6, 8.0) as fig:
        upper, lower = fig.subfigures(2, 1, height_ratios=[1.15, 0.85])
        axes = upper.subplots(1, 2)
        for ax, (key, score), w in zip(axes, HEADS, result.weights, strict=True):
            im = kit.matrix(ax, w.numpy(), toks, toks, room=0.42, vmax=1.0)
            ax.set_title(lookup(TEXT, key, lang, s=kit.fact(result, score)))
            ax.set_xlabel(word("key", lang))
        axes[0].set_ylabel(word("query", lang))
        kit.colorbar(upper, im, list(axes), word("weight", lang))
        ax = lower.subplots()
        losses = x["losses"].numpy()
        ax.plot(np.arange(len(losses)), losses, "o-", color=BLUE, markersize=4)
        uniform = kit.fact(result, "uniform_loss")
        ax.axhline(uniform, ls="--", color=GREY, label=lookup(TEXT, "uniform", lang, v=uniform))
        period = kit.fact(result, "period")
        ax.axvline(period - 0.5, ls=":", color=VERMILION, label=lookup(TEXT, "repeat", lang, p=period))  # fmt: skip
        ablate = x["ablate"]
        which = lookup(TEXT, ablate, lang) if ablate != "none" else ""
        ax.set_title(lookup(TEXT, "loss_ablated" if which else "loss", lang, which=which))
        ax.set(xlabel=lookup(TEXT, "position", lang), ylabel=lookup(TEXT, "nats", lang))
        ax.legend(loc="upper right")
        fig.suptitle(lookup(TEXT, "title", lang))
    return fig
