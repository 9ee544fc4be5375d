"""Q22 figure of ``bahdanau_additive``: the additive model's alignment beside a Luong-scored one's."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.figures._alignment import alignment_pair
from visuals.style import word

TEXT: dict[str, Text] = {
    "additive": {
        "zh": "Bahdanau 加性：vᵀ tanh(W_s s + W_h h)",
        "en": "Bahdanau additive: vᵀ tanh(W_s s + W_h h)",
    },
    "dot": {"zh": "Luong 点积：sᵀ h", "en": "Luong dot: sᵀ h"},
    "general": {"zh": "Luong 一般式：sᵀ W_a h", "en": "Luong general: sᵀ W_a h"},
    "output": {"zh": "输出：{out}", "en": "output: {out}"},
}


def draw(result: Result, lang: str) -> Figure:
    """Two (target × source) alignments, one per score function, each titled with its output."""
    scores = result.extras["scores"]  # score-function ids, one per head
    outs = [kit.fact(result, f"output_{s}", "") for s in scores]
    titles = [
        f"{lookup(TEXT, s, lang)}\n{lookup(TEXT, 'output', lang, out=o)}"
        for s, o in zip(scores, outs, strict=True)
    ]
    with kit.canvas(7.4, 4.6) as fig:
        axes = list(fig.subplots(1, 2))
        im = alignment_pair(axes, result, titles, lang)
        kit.colorbar(fig, im, axes, word("weight", lang))
    return fig
