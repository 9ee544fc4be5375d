"""Q14 figure of ``speech_alignment``: spectrogram, then each head's (phones × frames) attention."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.figures._speech import alignment, spectrogram

TEXT: dict[str, Text] = {
    "info": {
        "zh": "真实区间内的质量 {mass:.2f}，峰值后跳 {back} 次",
        "en": "mass in true span {mass:.2f}, backward jumps {back}",
    },
    "out_phone": {"zh": "输出音素（查询）", "en": "output phone (query)"},
    "median": {"zh": "中位帧 m_i", "en": "median frame m_i"},
    "x": {
        "zh": "频谱帧（键），每帧 10 ms；红框：真实区间",
        "en": "spectrogram frame (key), 10 ms each; red boxes: true spans",
    },
}
HEADS: dict[str, Text] = {  # keyed by the engine's head labels
    "global content attention": {"zh": "全局内容注意力", "en": "global content attention"},
    "windowed (Chorowski 2015)": {
        "zh": "窗口注意力（Chorowski 2015）",
        "en": "windowed (Chorowski 2015)",
    },
}
FACT_KEYS = {"global content attention": "global", "windowed (Chorowski 2015)": "windowed"}


def draw(result: Result, lang: str) -> Figure:
    """The utterance's spectrogram over each head's alignment; true phone spans outlined."""
    ex, phones = result.extras, result.query_labels
    with kit.canvas(7.6, 9.0) as fig:
        axes = fig.subplots(
            1 + result.n_heads, 1, sharex=True, height_ratios=[1] + [1.3] * result.n_heads
        )
        spectrogram(axes[0], ex["logmel"], ex["spans"], phones, lang)
        for h, label in enumerate(result.head_labels):
            key = FACT_KEYS[label]
            mass = kit.fact(result, f"{key}_mass_in_true_span")
            back = kit.fact(result, f"{key}_backward_jumps")
            info = lookup(TEXT, "info", lang, mass=mass, back=back)
            title = f"{lookup(HEADS, label, lang)} — {info}"
            alignment(
                axes[h + 1],
                result.weights[h].numpy(),
                phones,
                ex["spans"],
                title,
                lookup(TEXT, "out_phone", lang),
            )
        axes[-1].plot(
            ex["medians"], range(len(phones)), "w.", ms=5, label=lookup(TEXT, "median", lang)
        )
        axes[-1].legend(loc="upper right", fontsize="small", facecolor="0.3", labelcolor="white")
        axes[-1].set_xlabel(lookup(TEXT, "x", lang))
    return fig
