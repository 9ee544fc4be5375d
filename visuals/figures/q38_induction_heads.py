"""Figure of demo ``induction_heads``: the previous-token head, the induction head, the loss."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from engine.i18n import lookup
from engine.result import Result
from visuals.heatmap import draw_weights
from visuals.style import style, word

TEXT = {
    "title": {"zh": "两层纯注意力模型里的归纳头", "en": "Induction heads in a two-layer attention-only model"},
    "l1": {"zh": "第 1 层：前一词元头（得分 {s:.2f}）", "en": "layer 1: previous-token head (score {s:.2f})"},
    "l2": {"zh": "第 2 层：归纳头（得分 {s:.2f}）", "en": "layer 2: induction head (score {s:.2f})"},
    "loss": {"zh": "每个位置的损失（预测下一个词元）", "en": "loss per position (predicting the next token)"},
    "loss_ablated": {"zh": "每个位置的损失——去掉{which}的头", "en": "loss per position, {which} head removed"},
    "layer1": {"zh": "第 1 层", "en": "layer 1"},
    "layer2": {"zh": "第 2 层", "en": "layer 2"},
    "position": {"zh": "位置 t", "en": "position t"},
    "nats": {"zh": "损失（nats）", "en": "loss (nats)"},
    "uniform": {"zh": "均匀猜测 log V = {v:.2f}", "en": "uniform guess log V = {v:.2f}"},
    "repeat": {"zh": "重复开始（t = P = {p}）", "en": "repeat starts (t = P = {p})"},
}  # fmt: skip


def _thin(labels: tuple[str, ...], every: int) -> list[str]:
    return [s if i % every == 0 else "" for i, s in enumerate(labels)]


def draw(result: Result, lang: str) -> Figure:
    """Both heads' (2T × 2T) weights above the per-position loss, with the repeat marked."""
    f, x = result.facts, result.extras
    labels = _thin(result.query_labels, 2)
    with style():
        fig = Figure(figsize=(8.2, 7.8))
        grid = fig.add_gridspec(2, 2, height_ratios=[1.25, 0.8], hspace=0.42, wspace=0.3)
        for col, (key, score) in enumerate(
            (("l1", f["prev_token_score_l1"]), ("l2", f["induction_score_l2"]))
        ):
            ax = fig.add_subplot(grid[0, col])
            draw_weights(ax, result.weights[col].numpy(), labels, labels, annotate=False)
            ax.set_title(lookup(TEXT, key, lang, s=score), fontsize=10)
            ax.set_xlabel(word("key", lang), fontsize=9)
            ax.set_ylabel(word("query", lang), fontsize=9)
        ax = fig.add_subplot(grid[1, :])
        losses = x["losses"].numpy()
        ax.plot(np.arange(len(losses)), losses, "o-", color="#2c7fb8", markersize=4)
        ax.axhline(
            f["uniform_loss"],
            ls="--",
            color="grey",
            label=lookup(TEXT, "uniform", lang, v=math.log(f["vocab"])),
        )
        ax.axvline(
            f["period"] - 0.5,
            ls=":",
            color="#cc4c02",
            label=lookup(TEXT, "repeat", lang, p=f["period"]),
        )
        ablate = x["ablate"]
        title = (
            lookup(TEXT, "loss", lang)
            if ablate == "none"
            else lookup(TEXT, "loss_ablated", lang, which=lookup(TEXT, ablate, lang))
        )
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(lookup(TEXT, "position", lang), fontsize=9)
        ax.set_ylabel(lookup(TEXT, "nats", lang), fontsize=9)
        ax.tick_params(labelsize=9)
        ax.legend(fontsize=9, loc="upper right")
        fig.suptitle(lookup(TEXT, "title", lang), fontsize=12)
    return fig
