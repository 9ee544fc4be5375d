"""Q18 figure of ``tts_alignment``: spectrogram, content vs location-sensitive alignment, guided W."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.figures._speech import alignment, spectrogram

TEXT: dict[str, Text] = {
    "info": {
        "zh": "L_att = {loss:.4f}，峰值后跳 {back} 次，前跳越过 {over} 个音素",
        "en": "L_att = {loss:.4f}, backward jumps {back}, phones jumped over {over}",
    },
    "phone_key": {"zh": "音素（键）", "en": "phone (key)"},
    "guided": {
        "zh": "引导注意力惩罚 W_nt = 1 − exp(−(n/N − t/T)²/(2g²))，g = {g}（白 = 不惩罚）",
        "en": "guided-attention penalty W_nt = 1 − exp(−(n/N − t/T)²/(2g²)), g = {g} (white = none)",
    },
    "x": {
        "zh": "解码步 = 频谱帧（查询）；红框：真实对齐",
        "en": "decoder step = spectrogram frame (query); red boxes: true alignment",
    },
}
HEADS: dict[str, Text] = {  # keyed by the engine's head labels
    "content-based (additive)": {"zh": "基于内容（加性）", "en": "content-based (additive)"},
    "location-sensitive (Chorowski 2015)": {
        "zh": "位置敏感（Chorowski 2015）",
        "en": "location-sensitive (Chorowski 2015)",
    },
}
FACT_KEYS = {
    "content-based (additive)": "content",
    "location-sensitive (Chorowski 2015)": "location",
}


def draw(result: Result, lang: str) -> Figure:
    """Spectrogram; each mechanism's (phones × frames) alignment; the guided-attention penalty."""
    ex, phones = result.extras, result.key_labels
    n = result.n_heads + 2
    with kit.canvas(7.6, 11.0) as fig:
        axes = fig.subplots(n, 1, sharex=True, height_ratios=[1] + [1.25] * (n - 1))
        spectrogram(axes[0], ex["logmel"], ex["spans"], phones, lang)
        for h, label in enumerate(result.head_labels):
            key = FACT_KEYS[label]
            info = lookup(
                TEXT, "info", lang, loss=kit.fact(result, f"{key}_guided_loss"),
                back=kit.fact(result, f"{key}_backward_jumps"),
                over=kit.fact(result, f"{key}_phones_jumped_over"),
            )  # fmt: skip
            title = f"{lookup(HEADS, label, lang)} — {info}"
            w = result.weights[h].numpy().T
            alignment(axes[h + 1], w, phones, ex["spans"], title, lookup(TEXT, "phone_key", lang))
        kit.matrix(
            axes[-1],
            ex["guided_W"].T,
            phones,
            None,
            vmax=1.0,
            cmap="Greys",
            aspect="auto",
            values=False,
        )
        axes[-1].set_title(lookup(TEXT, "guided", lang, g=kit.fact(result, "g")), wrap=True)
        axes[-1].set_xlabel(lookup(TEXT, "x", lang))
        axes[-1].tick_params(labelbottom=True)
    return fig
