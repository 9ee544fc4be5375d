"""Q25 figure of ``tts_failure_modes``: three mechanisms' alignments, argmax path, failure counts."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.figures._speech import alignment
from visuals.style import ORANGE

TEXT: dict[str, Text] = {
    "info": {
        "zh": "回跳 {rep}，跳过音素 {skip}，最长超时 {over} 帧，落后帧 {behind}",
        "en": "jumps back {rep}, skipped phones {skip}, longest overstay {over}, frames behind {behind}",
    },
    "phone_key": {"zh": "音素（键）", "en": "phone (key)"},
    "argmax_path": {"zh": "argmax 路径", "en": "argmax path"},
    "outlier": {
        "zh": "（红色虚线：编码异常的音素）",
        "en": " (red dotted line: the outlier phone)",
    },
    "scenario": {
        "zh": "失败场景：{name} — “{words}”{note}",
        "en": "scenario: {name} — “{words}”{note}",
    },
    "x": {
        "zh": "解码步 = 频谱帧；红框：真实对齐",
        "en": "decoder step = spectrogram frame; red boxes: true alignment",
    },
}
HEADS: dict[str, Text] = {  # keyed by the engine's head labels
    "content-based": {"zh": "基于内容", "en": "content-based"},
    "location-sensitive": {"zh": "位置敏感", "en": "location-sensitive"},
    "forward attention (Zhang 2018)": {
        "zh": "前向注意力（Zhang 2018）",
        "en": "forward attention (Zhang 2018)",
    },
}
FACT_KEYS = {
    "content-based": "content",
    "location-sensitive": "location",
    "forward attention (Zhang 2018)": "forward",
}
FAILURES: dict[str, Text] = {  # keyed by the engine's failure ids
    "repeating": {"zh": "重复", "en": "repeating"},
    "skipping": {"zh": "跳词", "en": "skipping"},
    "stuck": {"zh": "卡住", "en": "stuck"},
}


def draw(result: Result, lang: str) -> Figure:
    """(phones × frames) alignment of each mechanism with its argmax path and failure counts."""
    ex, phones = result.extras, result.key_labels
    with kit.canvas(7.6, 10.5) as fig:
        axes = fig.subplots(result.n_heads, 1, sharex=True)
        for h, label in enumerate(result.head_labels):
            key = FACT_KEYS[label]
            w = result.weights[h].numpy().T  # (N, T)
            counts = {k: kit.fact(result, f"{key}_{f}") for k, f in (
                ("rep", "repeats"), ("skip", "skipped_phones"),
                ("over", "overstay_frames"), ("behind", "frames_behind"),
            )}  # fmt: skip
            title = f"{lookup(HEADS, label, lang)} — {lookup(TEXT, 'info', lang, **counts)}"
            alignment(axes[h], w, phones, ex["spans"], title, lookup(TEXT, "phone_key", lang))
            axes[h].plot(w.argmax(0), color=ORANGE, lw=1.2, label=lookup(TEXT, "argmax_path", lang))
            if ex["outlier"] >= 0:
                axes[h].axhline(ex["outlier"], color="red", ls=":", lw=1)
        axes[0].legend(loc="lower right", fontsize="small")
        note = lookup(TEXT, "outlier", lang) if ex["outlier"] >= 0 else ""
        name = lookup(FAILURES, ex["failure"], lang)
        fig.suptitle(
            lookup(TEXT, "scenario", lang, name=name, words=kit.fact(result, "text"), note=note),
            wrap=True,
        )
        axes[-1].set_xlabel(lookup(TEXT, "x", lang))
    return fig
