"""Q39 figure of ``attention_masks``: four masks on one sequence, and causal alignment for L < S."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import word

TEXT: dict[str, Text] = {
    "title": {"zh": "实践中的掩码（每个都是一个 mask_mod 函数）", "en": "Masks in practice (each one mask_mod function)"},
    "causal": {"zh": "因果", "en": "causal"},
    "padding": {"zh": "填充\n（最后 {pad} 个键）", "en": "padding\n(last {pad} keys)"},
    "prefix_lm": {"zh": "前缀 LM\n（前缀 {prefix}）", "en": "prefix-LM\n(prefix {prefix})"},
    "documents": {"zh": "打包的\n{n_docs} 篇文档", "en": "{n_docs} packed\ndocuments"},
    "top_left": {"zh": "L = {L} < S = {S}：左上对齐\n（is_causal）", "en": "L = {L} < S = {S}: top-left\n(is_causal)"},
    "top_left_square": {"zh": "L = S = {S}：左上对齐\n（is_causal）", "en": "L = S = {S}: top-left\n(is_causal)"},
    "bottom_right": {"zh": "右下对齐\n（causal_lower_right）", "en": "bottom-right\n(causal_lower_right)"},
}  # fmt: skip


def draw(result: Result, lang: str) -> Figure:
    """A row of the four n × n masked weight matrices above the two L × S causal alignments."""
    x = result.extras
    values = {k: kit.fact(result, k) for k in ("pad", "prefix", "n_docs", "L")}
    toks, q_toks = list(result.key_labels), list(x["rect_query_labels"])
    vmax = max(float(result.weights.max()), *(float(w.max()) for w in x["rect"].values()))
    with kit.canvas(7.6, 5.4) as fig:
        upper, lower = fig.subfigures(2, 1, height_ratios=[1.3, 1.0])
        axes = upper.subplots(1, 4)
        for ax, name, w in zip(axes, result.head_labels, result.weights, strict=True):
            kit.matrix(ax, w.numpy(), toks, toks, room=0.22, vmax=vmax, rotation=0)
            ax.set_title(lookup(TEXT, name, lang, **values))
            ax.set_xlabel(word("key", lang))
        axes[0].set_ylabel(word("query", lang))
        rect = lower.subplots(1, 2)
        room = min(0.45, 0.2 * len(toks) / len(q_toks))  # the L × S panels narrow as L nears S
        first = "top_left" if values["L"] < len(toks) else "top_left_square"
        for ax, name, key in zip(
            rect, ("top_left", "bottom_right"), (first, "bottom_right"), strict=True
        ):
            w = x["rect"][name].numpy()
            im = kit.matrix(ax, w, q_toks, toks, room=room, vmax=vmax, rotation=0, rows_room=0.2)
            ax.set_title(lookup(TEXT, key, lang, L=values["L"], S=len(toks)))
            ax.set_xlabel(word("key", lang))
        rect[0].set_ylabel(word("query", lang))
        kit.colorbar(lower, im, list(rect), word("weight", lang))
        fig.suptitle(lookup(TEXT, "title", lang))
    return fig
