"""Q6 figure of ``encoder_decoder``: encoder self-, decoder masked self- and cross-attention."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import word

TEXT: dict[str, Text] = {
    "src_key": {"zh": "源（键）", "en": "source (key)"},
    "tgt_key": {"zh": "目标（键）", "en": "target (key)"},
    "src_query": {"zh": "源（查询）", "en": "source (query)"},
    "tgt_query": {"zh": "解码器输入（查询）", "en": "decoder input (query)"},
    "encoder_self": {"zh": "编码器自注意力", "en": "encoder self-attention"},
    "decoder_self": {"zh": "解码器掩码自注意力", "en": "decoder masked self"},
    "cross": {"zh": "交叉注意力", "en": "cross-attention"},
    "title": {
        "zh": "任务 {task}：{source} → {output}（期望 {expected}）",
        "en": "task {task}: {source} → {output} (expected {expected})",
    },
}


def draw(result: Result, lang: str) -> Figure:
    """Rows = heads; columns = encoder self-, decoder masked self-, cross-attention (tgt × src)."""
    e, H = result.extras, result.n_heads
    src, tgt = list(e["source"]), list(e["target"])
    kinds = (  # (weights, query labels, key labels, query axis, key axis, name)
        (e["encoder_self"], src, src, "src_query", "src_key", "encoder_self"),
        (e["decoder_self"], tgt, tgt, "tgt_query", "tgt_key", "decoder_self"),
        (result.weights, tgt, src, "tgt_query", "src_key", "cross"),
    )
    with kit.canvas(7.6, 0.9 + 2.7 * H, layout="compressed") as fig:
        axes = fig.subplots(H, 3, squeeze=False)
        for col, (w, rows, cols, y_name, x_name, name) in enumerate(kinds):
            for h in range(H):
                ax = axes[h, col]
                kit.matrix(ax, w[h].numpy(), rows, cols, room=0.3, vmax=1.0)
                ax.set_title(f"{lookup(TEXT, name, lang)}\n{word('head_n', lang, n=h + 1)}")
                ax.set_xlabel(lookup(TEXT, x_name, lang))
                if col == 0 or col == 1:
                    ax.set_ylabel(lookup(TEXT, y_name, lang))
        values = {k: kit.fact(result, k) for k in ("task", "source", "output", "expected")}
        fig.suptitle(lookup(TEXT, "title", lang, **values))
    return fig
