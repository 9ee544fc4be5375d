"""Q3 figure of ``self_attention_steps``: scores → scaled scores → weights → output."""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import word

TEXT: dict[str, Text] = {
    "scores": {"zh": "① 分数 QKᵀ", "en": "① scores QKᵀ"},
    "scaled": {"zh": "② 缩放 QKᵀ/√d_k（{root}）", "en": "② scaled QKᵀ/√d_k ({root})"},
    "weights": {"zh": "③ softmax：每行和为 1", "en": "③ softmax: each row sums to 1"},
    "output": {"zh": "④ 输出 = 权重 · V", "en": "④ output = weights · V"},
    "value_dim": {"zh": "值向量的维度", "en": "value dimension"},
}


def draw(result: Result, lang: str) -> Figure:
    """Four (L, ·) panels: QKᵀ, QKᵀ/√d_k, softmax(QKᵀ/√d_k) and softmax(…)·V."""
    e, toks, d_k = result.extras, list(result.query_labels), kit.fact(result, "d_k")
    out = e["out"].numpy()
    root = f"√{d_k} = {math.sqrt(d_k):.2f}"
    with kit.canvas(7.6, 7.8) as fig:
        axes = fig.subplots(2, 2).ravel()
        for ax, m in ((axes[0], e["scores"]), (axes[1], e["scaled"])):
            im = kit.matrix(ax, m.numpy(), toks, toks, room=0.45, signed=True, fmt="{:.1f}")
            kit.colorbar(fig, im, ax)
        im = kit.matrix(axes[2], result.weights[0].numpy(), toks, toks, room=0.45)
        kit.colorbar(fig, im, axes[2], word("weight", lang))
        cols = [f"v{j + 1}" for j in range(out.shape[1])]
        im = kit.matrix(
            axes[3], out, toks, cols, room=0.45, signed=True, fmt="{:.1f}", aspect="auto"
        )
        kit.colorbar(fig, im, axes[3])
        for ax in axes[:3]:
            ax.set(xlabel=word("key", lang), ylabel=word("query", lang))
        axes[3].set_xlabel(lookup(TEXT, "value_dim", lang))
        keys = ("scores", "scaled", "weights", "output")
        for ax, key in zip(axes, keys, strict=True):
            ax.set_title(lookup(TEXT, key, lang, root=root))
    return fig
