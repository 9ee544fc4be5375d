"""Q16 figure of ``dialogue_attention``: the dialogue's turns, each with the reply's weight on it."""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit

TEXT: dict[str, Text] = {
    "turn_weight": {"zh": "回复对各轮的注意力", "en": "attention of the reply to each turn"},
    "title": {
        "zh": "候选回复 (B)：“{reply}”\n回复合适的概率 = {p:.3f}",
        "en": "candidate reply (B): “{reply}”\np(reply fits) = {p:.3f}",
    },
}


def draw(result: Result, lang: str) -> Figure:
    """One bar per turn of the history: the weight α the candidate reply gives that turn."""
    w = result.weights[0, 0].numpy()
    labels = ["\n".join(textwrap.wrap(k, 34)) for k in result.key_labels]
    with kit.canvas(7.2, 0.75 * len(labels) + 2.0) as fig:
        ax = fig.add_subplot()
        kit.bars(ax, labels, w)
        ax.set_xlim(0, 1.12)
        ax.set_xlabel(lookup(TEXT, "turn_weight", lang))
        reply, p = result.extras["reply"], result.extras["p_fits"]
        ax.set_title(lookup(TEXT, "title", lang, reply=reply, p=p), wrap=True)
    return fig
