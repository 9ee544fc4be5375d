"""Figures of a pretrained model's real heads: one head, all heads, average, rollout, lines, patterns.

Each draws a ``pretrained_heads`` result: ``weights`` holds the chosen head (1, L, L) and
``extras`` holds ``attentions`` (layers, heads, L, L), ``rollout`` (layers, L, L),
``scores`` (layers, heads, 7), ``dominant`` and ``types`` (layers × heads names),
``layer`` and ``head`` (from 1).
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from engine.i18n import Text, lookup, tr
from engine.result import Result
from visuals import kit
from visuals.style import VERMILION, word

TEXT: dict[str, Text] = {
    "layer": {"zh": "第 {n} 层", "en": "layer {n}"},
    "head": {"zh": "第 {n} 头", "en": "head {n}"},
    "average": {"zh": "第 {layer} 层：{h} 个头的平均", "en": "layer {layer}: average of {h} heads"},
    "rollout": {
        "zh": "注意力展开（rollout）：第 1–{layer} 层",
        "en": "attention rollout through layers 1–{layer}",
    },
    "rollout_key": {"zh": "输入词元（信息来源）", "en": "input token (source)"},
    "thumbs": {
        "zh": "全部 {layers}×{heads} 个头（每格单独着色；红框为所选）",
        "en": "all {layers}×{heads} heads (each scaled to its own maximum; red = chosen)",
    },
    "lines": {
        "zh": "查询 → 键：线越粗越深，权重越大",
        "en": "query → key: thicker, darker line = larger weight",
    },
    "patterns": {
        "zh": "每个头的模式（颜色：Kovaleva 类型；文字：Clark 模式与得分）",
        "en": "pattern of every head (colour: Kovaleva type; text: Clark pattern and score)",
    },
}
SHORT: dict[str, Text] = {
    "previous": {"zh": "前词", "en": "prev"}, "next": {"zh": "后词", "en": "next"},
    "self": {"zh": "自身", "en": "self"}, "cls": {"zh": "CLS", "en": "CLS"}, "sep": {"zh": "SEP", "en": "SEP"},
    "punctuation": {"zh": "标点", "en": "punct"}, "broad": {"zh": "广泛", "en": "broad"},
    "mixed": {"zh": "混合", "en": "mixed"},
}  # fmt: skip
PATTERN_ORDER = ("previous", "next", "self", "cls", "sep", "punctuation", "broad")
TYPE_COLOURS = {  # Okabe–Ito, safe with the common colour-vision deficiencies
    "vertical": ("#E69F00", {"zh": "竖条", "en": "vertical"}),
    "diagonal": ("#56B4E9", {"zh": "对角线", "en": "diagonal"}),
    "vertical+diagonal": ("#009E73", {"zh": "竖条+对角线", "en": "vertical+diagonal"}),
    "block": ("#CC79A7", {"zh": "块状", "en": "block"}),
    "heterogeneous": ("#DDDDDD", {"zh": "混杂", "en": "heterogeneous"}),
}


def _square(
    w: np.ndarray, labels: list[str], lang: str, title: str, key_word: str | None = None
) -> Figure:
    """One (L, L) matrix with token labels on both axes (thinned to fit), a colour bar, a title."""
    with kit.canvas(6.8, 6.4) as fig:
        ax = fig.add_subplot()
        im = kit.matrix(ax, w, labels, labels, room=0.8)
        ax.set(xlabel=key_word or word("key", lang), ylabel=word("query", lang))
        ax.set_title(title, wrap=True)
        kit.colorbar(fig, im, ax, word("weight", lang))
    return fig


def _where(result: Result, lang: str) -> str:
    """``model · layer a · head b`` in ``lang``."""
    x = result.extras
    layer, head = lookup(TEXT, "layer", lang, n=x["layer"]), lookup(TEXT, "head", lang, n=x["head"])
    return f"{x.get('model', '')} · {layer} · {head}"


def head_view(result: Result, lang: str = "en") -> Figure:
    """The chosen head's (queries × keys) probabilities with tokens, titled with its pattern."""
    x = result.extras
    a, b = x["layer"] - 1, x["head"] - 1
    pattern = lookup(SHORT, x["dominant"][a][b], lang)
    kind = tr(TYPE_COLOURS[x["types"][a][b]][1], lang)
    title = f"{_where(result, lang)} — {pattern} / {kind}"
    return _square(result.weights[0].numpy(), list(result.query_labels), lang, title)


def average_view(result: Result, lang: str = "en") -> Figure:
    """Mean over the chosen layer's heads: (1/h) Σ_h A_h, with tokens."""
    attn = result.extras["attentions"]
    layer = result.extras["layer"]
    w = attn[layer - 1].mean(dim=0).numpy()
    title = lookup(TEXT, "average", lang, layer=layer, h=attn.size(1))
    return _square(w, list(result.query_labels), lang, title)


def rollout_view(result: Result, lang: str = "en") -> Figure:
    """Attention rollout up to the chosen layer: row i = where position i's information came from."""
    layer = result.extras["layer"]
    w = result.extras["rollout"][layer - 1].numpy()
    title, key = lookup(TEXT, "rollout", lang, layer=layer), lookup(TEXT, "rollout_key", lang)
    return _square(w, list(result.query_labels), lang, title, key)


def thumbnails_view(result: Result, lang: str = "en") -> Figure:
    """Every head as a small panel, layers down and heads across; the chosen one framed in red."""
    attn = result.extras["attentions"].numpy()
    n_layers, n_heads = attn.shape[:2]
    with kit.canvas(n_heads * 0.8 + 0.6, n_layers * 0.85 + 0.9, layout=None) as fig:
        axes = fig.subplots(n_layers, n_heads, squeeze=False)
        for (a, b), ax in np.ndenumerate(axes):
            kit.matrix(
                ax, attn[a, b], None, None, vmax=max(float(attn[a, b].max()), 1e-9), values=False
            )
            if a == 0:
                ax.set_title(f"H{b + 1}")
            if b == 0:
                ax.set_ylabel(f"L{a + 1}", rotation=0, labelpad=14, va="center")
            if (a + 1, b + 1) == (result.extras["layer"], result.extras["head"]):
                _frame(ax, VERMILION)
        fig.suptitle(lookup(TEXT, "thumbs", lang, layers=n_layers, heads=n_heads))
        fig.subplots_adjust(left=0.06, right=0.99, bottom=0.02, top=0.86, wspace=0.08, hspace=0.12)
    return fig


def _frame(ax: Axes, colour: str) -> None:
    """A thick coloured frame around ``ax``."""
    for spine in ax.spines.values():
        spine.set_edgecolor(colour)
        spine.set_linewidth(3)


def lines_view(result: Result, lang: str = "en") -> Figure:
    """Tokens in two columns, a line from each query to each key, opacity and width ∝ weight."""
    w = result.weights[0].numpy()
    labels = list(result.query_labels)
    L = len(labels)
    with kit.canvas(5.5, max(3.0, 0.27 * L + 1.2)) as fig:
        ax = fig.add_subplot()
        vmax = max(float(w.max()), 1e-9)
        for i, j in zip(*np.nonzero(w >= 0.02 * vmax), strict=True):
            s = float(w[i, j]) / vmax
            ax.plot(
                [0.0, 1.0], [i, j], color="#0072B2", alpha=0.15 + 0.85 * s, linewidth=0.4 + 3.6 * s
            )
        for i, label in enumerate(labels):
            ax.text(-0.03, i, label, ha="right", va="center")
            ax.text(1.03, i, label, ha="left", va="center")
        ax.set_xlim(-0.6, 1.6)
        ax.set_ylim(L - 0.5, -1.8)
        ax.set_axis_off()
        ax.text(-0.03, -1.3, word("query", lang), ha="right", va="center", color="#444444")
        ax.text(1.03, -1.3, word("key", lang), ha="left", va="center", color="#444444")
        ax.set_title(f"{_where(result, lang)}\n{lookup(TEXT, 'lines', lang)}")
    return fig


def patterns_view(result: Result, lang: str = "en") -> Figure:
    """The layers × heads table: cell colour = Kovaleva type, text = Clark pattern and its score."""
    x = result.extras
    scores, dominant, types = x["scores"].numpy(), x["dominant"], x["types"]
    n_layers, n_heads = scores.shape[:2]
    with kit.canvas(n_heads * 0.78 + 1.0, n_layers * 0.55 + 1.8, layout=None) as fig:
        ax = fig.add_subplot()
        for a in range(n_layers):
            for b in range(n_heads):
                _pattern_cell(ax, a, b, dominant[a][b], types[a][b], scores[a, b], lang)
        if "layer" in x:
            ax.add_patch(
                Rectangle(
                    (x["head"] - 1.5, x["layer"] - 1.5),
                    1,
                    1,
                    fill=False,
                    edgecolor=VERMILION,
                    lw=2.5,
                )
            )
        ax.set_xlim(-0.5, n_heads - 0.5)
        ax.set_ylim(n_layers - 0.5, -0.5)
        ax.set_xticks(range(n_heads), labels=[f"H{b + 1}" for b in range(n_heads)])
        ax.set_yticks(range(n_layers), labels=[f"L{a + 1}" for a in range(n_layers)])
        ax.tick_params(length=0)
        ax.set_title(lookup(TEXT, "patterns", lang))
        handles = [Patch(color=c, label=tr(name, lang)) for c, name in TYPE_COLOURS.values()]
        fig.legend(handles=handles, loc="lower center", ncol=5, frameon=False)
        fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def _pattern_cell(
    ax: Axes, a: int, b: int, pattern: str, kind: str, row: np.ndarray, lang: str
) -> None:
    """One head's cell: its type's colour, its pattern's short name and score."""
    ax.add_patch(
        Rectangle(
            (b - 0.5, a - 0.5), 1, 1, facecolor=TYPE_COLOURS[kind][0], edgecolor="white", lw=1.5
        )
    )
    value = f"{row[PATTERN_ORDER.index(pattern)]:.2f}" if pattern in PATTERN_ORDER else ""
    ax.text(
        b, a, f"{lookup(SHORT, pattern, lang)}\n{value}", ha="center", va="center", fontsize="small"
    )
