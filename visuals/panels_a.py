"""Views for the demos of questions 1, 2, 3, 5, 6, 7, 12, 15, 19 and 28.

Each view is ``fn(result, lang) -> Figure`` built with ``Figure()`` directly; the attention
weights are always drawn with ``imshow`` from ``result.weights`` so the picture is the data.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.result import Result
from visuals.heatmap import draw_weights
from visuals.style import CMAP, style, word

SIGNED = "RdBu_r"  # diverging map for signed matrices (scores, outputs), centred on 0


def tr(lang: str, zh: str, en: str) -> str:
    """``zh`` when the page is in Chinese, else ``en``."""
    return zh if lang == "zh" else en


def _ticks(ax: Axes, rows: list[str], cols: list[str], size: float = 9.0) -> None:
    """Label rows and columns, thinning to at most 16 labels per axis."""
    sr, sc = max(1, math.ceil(len(rows) / 16)), max(1, math.ceil(len(cols) / 16))
    ax.set_xticks(range(0, len(cols), sc), labels=cols[::sc], rotation=90, fontsize=size)
    ax.set_yticks(range(0, len(rows), sr), labels=rows[::sr], fontsize=size)
    ax.tick_params(length=0)


def _signed(ax: Axes, m: np.ndarray, rows: list[str], cols: list[str], annotate: bool = True):
    """A signed matrix on a diverging scale symmetric about 0; values written in small cells."""
    lim = float(np.abs(m).max()) or 1.0
    im = ax.imshow(m, cmap=SIGNED, vmin=-lim, vmax=lim, interpolation="nearest")
    _ticks(ax, rows, cols)
    if annotate and max(m.shape) <= 8:
        for (i, j), v in np.ndenumerate(m):
            colour = "white" if abs(v) > 0.6 * lim else "black"
            ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=7, color=colour)
    return im


def _facts_line(result: Result, keys: list[str]) -> str:
    """``key = value`` for the facts named, rounded for display."""
    parts = []
    for k in keys:
        v = result.facts.get(k)
        parts.append(f"{k} = {v:.3g}" if isinstance(v, float) else f"{k} = {v}")
    return "   ".join(parts)


# ── Q1 ────────────────────────────────────────────────────────────────────────────────
def regression(result: Result, lang: str = "en") -> Figure:
    """Nadaraya–Watson: weights (query x × key x) beside the fitted curve."""
    e, w = result.extras, result.weights[0].numpy()
    x_max = float(e["x_max"])
    with style():
        fig = Figure(figsize=(11.5, 4.6))
        ax_w, ax_f = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.25]})
        im = ax_w.imshow(
            w,
            cmap=CMAP,
            vmin=0,
            aspect="auto",
            extent=(0, x_max, x_max, 0),
            interpolation="nearest",
        )
        ax_w.set_xlabel(tr(lang, "键：训练点 xᵢ", "key: training point xᵢ"))
        ax_w.set_ylabel(tr(lang, "查询 x", "query x"))
        ax_w.set_title(tr(lang, "注意力权重 α(x, xᵢ)", "attention weights α(x, xᵢ)"))
        fig.colorbar(im, ax=ax_w, fraction=0.046, pad=0.04, label=word("weight", lang))
        ax_f.scatter(
            e["x_key"],
            e["y_value"],
            s=18,
            color="#888888",
            label=tr(lang, "训练点 (xᵢ, yᵢ)", "training points (xᵢ, yᵢ)"),
        )
        ax_f.plot(
            e["x_query"],
            e["y_true"],
            "--",
            color="#0072B2",
            label=tr(lang, "真实函数 f(x)", "true f(x)"),
        )
        ax_f.plot(
            e["x_query"],
            e["y_hat"],
            color="#D55E00",
            lw=2,
            label=tr(lang, "注意力加权平均 f̂(x)", "attention average f̂(x)"),
        )
        ax_f.set_xlabel("x")
        ax_f.set_ylabel("y")
        ax_f.legend(fontsize=9, loc="best")
        f = result.facts
        ax_f.set_title(
            tr(
                lang,
                f"核宽度 h = {f['bandwidth']:g}，均方误差 = {f['mse_vs_truth']:.3f}",
                f"width h = {f['bandwidth']:g}, MSE vs truth = {f['mse_vs_truth']:.3f}",
            )
        )
        fig.tight_layout()
    return fig


# ── Q2 ────────────────────────────────────────────────────────────────────────────────
def softmax_panel(result: Result, lang: str = "en") -> Figure:
    """Naive vs stable softmax at the chosen τ (NaN marked), and stable softmax over a τ ladder."""
    e = result.extras
    naive, stable = np.asarray(e["naive"], dtype=float), np.asarray(e["stable"], dtype=float)
    n = len(stable)
    with style():
        fig = Figure(figsize=(12, 4.8))
        ax_b, ax_h = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
        pos = np.arange(n)
        ax_b.bar(
            pos - 0.2,
            np.nan_to_num(naive, nan=0.0),
            0.4,
            color="#E69F00",
            label=tr(lang, "朴素 exp/Σexp（NaN = 溢出）", "naive exp/Σexp (NaN = overflow)"),
        )
        ax_b.bar(
            pos + 0.2,
            stable,
            0.4,
            color="#0072B2",
            label=tr(lang, "稳定（先减最大值）", "stable (max subtracted)"),
        )
        for i in np.flatnonzero(np.isnan(naive)):
            ax_b.text(
                i - 0.2,
                0.02,
                "NaN",
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=9,
                color="#B00000",
            )
        ax_b.set_xticks(
            pos, labels=list(result.key_labels), rotation=45 if n > 6 else 0, fontsize=9
        )
        ax_b.set_ylim(0, 1.05)
        ax_b.set_xlabel(tr(lang, "分数 sᵢ", "score sᵢ"))
        ax_b.set_ylabel(word("weight", lang))
        ax_b.legend(fontsize=9, loc="upper left")
        f = result.facts
        ax_b.set_title(
            tr(
                lang,
                f"τ = {e['temperature']:g}：最大指数 {f['largest_exponent']:g}，上限 {f['overflow_limit']:g}",
                f"τ = {e['temperature']:g}: largest exponent {f['largest_exponent']:g}, limit {f['overflow_limit']:g}",
            ),
            fontsize=10,
        )
        im = draw_weights(
            ax_h, result.weights[0].numpy(), list(result.query_labels), list(result.key_labels)
        )
        ax_h.set_title(
            tr(lang, "稳定 softmax(s/τ)：温度越低越尖锐", "stable softmax(s/τ): lower τ, sharper"),
            fontsize=10,
        )
        ax_h.set_xlabel(tr(lang, "分数 sᵢ", "score sᵢ"))
        fig.colorbar(im, ax=ax_h, fraction=0.046, pad=0.04, label=word("weight", lang))
        fig.tight_layout()
    return fig


# ── Q3 ────────────────────────────────────────────────────────────────────────────────
def steps(result: Result, lang: str = "en") -> Figure:
    """Scores → scaled scores → softmax weights → output, as four panels."""
    e, toks = result.extras, list(result.query_labels)
    d_k = result.facts["d_k"]
    out = e["out"].numpy()
    with style():
        fig = Figure(figsize=(11, 10))
        axes = fig.subplots(2, 2).ravel()
        fig.colorbar(
            _signed(axes[0], e["scores"].numpy(), toks, toks), ax=axes[0], fraction=0.046, pad=0.04
        )
        axes[0].set_title(tr(lang, "① 分数 QKᵀ", "① scores QKᵀ"))
        fig.colorbar(
            _signed(axes[1], e["scaled"].numpy(), toks, toks), ax=axes[1], fraction=0.046, pad=0.04
        )
        axes[1].set_title(
            tr(
                lang,
                f"② 缩放 QKᵀ/√d_k（√{d_k} = {math.sqrt(d_k):.2f}）",
                f"② scaled QKᵀ/√d_k (√{d_k} = {math.sqrt(d_k):.2f})",
            )
        )
        im = draw_weights(axes[2], result.weights[0].numpy(), toks, toks)
        axes[2].set_title(tr(lang, "③ softmax：每行和为 1", "③ softmax: each row sums to 1"))
        fig.colorbar(im, ax=axes[2], fraction=0.046, pad=0.04)
        im = _signed(axes[3], out, toks, [f"v{j + 1}" for j in range(out.shape[1])])
        fig.colorbar(im, ax=axes[3], fraction=0.046, pad=0.04)
        axes[3].set_title(tr(lang, "④ 输出 = 权重 · V", "④ output = weights · V"))
        axes[3].set_aspect("auto")
        for ax in axes[:3]:
            ax.set_xlabel(word("key", lang))
            ax.set_ylabel(word("query", lang))
        axes[3].set_xlabel(tr(lang, "值向量的维度", "value dimension"))
        fig.tight_layout()
    return fig


# ── Q5 ────────────────────────────────────────────────────────────────────────────────
def bert(result: Result, lang: str = "en") -> Figure:
    """BERT heads of one layer; lines mark the A | B segment boundary, [PAD] columns are greyed."""
    H, L, _ = result.weights.shape
    e, toks = result.extras, list(result.query_labels)
    cols = min(H, 4)
    rows = math.ceil(H / cols)
    cell = 3.4 if L <= 16 else 4.2
    with style():
        fig = Figure(figsize=(cols * cell + 1.2, rows * cell + 1.0), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        vmax = float(result.weights.max()) or 1.0
        for i, ax in enumerate(axes):
            if i >= H:
                ax.set_axis_off()
                continue
            im = ax.imshow(
                result.weights[i].numpy(), cmap=CMAP, vmin=0, vmax=vmax, interpolation="nearest"
            )
            _ticks(
                ax,
                toks if i % cols == 0 else [],
                toks if i // cols == rows - 1 or i + cols >= H else [],
                8,
            )
            ax.axvline(e["n_a"] - 0.5, color="white", lw=1.2)
            ax.axhline(e["n_a"] - 0.5, color="white", lw=1.2)
            if e["n_real"] < L:
                ax.axvspan(e["n_real"] - 0.5, L - 0.5, color="#bbbbbb", alpha=0.85)
            ax.set_title(f"{word('head', lang)} {i + 1}", fontsize=10)
        fig.colorbar(im, ax=axes.tolist(), shrink=0.8, label=word("weight", lang))
        fig.suptitle(
            tr(
                lang,
                f"第 {e['layer']} 层（共 {result.facts['layers']} 层）：双向注意力；白线 = 句子 A|B 分界，灰色 = [PAD]（权重为 0）",
                f"layer {e['layer']} of {result.facts['layers']}: bidirectional; white line = A|B boundary, grey = [PAD] (weight 0)",
            ),
            fontsize=10,
        )
    return fig


# ── Q6 ────────────────────────────────────────────────────────────────────────────────
def enc_dec(result: Result, lang: str = "en") -> Figure:
    """Rows = heads; columns = encoder self-, decoder masked self-, cross-attention."""
    e, H = result.extras, result.n_heads
    src, tgt = list(e["source"]), list(e["target"])
    kinds = [
        (e["encoder_self"], src, src, tr(lang, "编码器自注意力", "encoder self-attention")),
        (
            e["decoder_self"],
            tgt,
            tgt,
            tr(lang, "解码器掩码自注意力", "decoder masked self-attention"),
        ),
        (
            result.weights,
            tgt,
            src,
            tr(lang, "交叉注意力（解码器→编码器）", "cross-attention (decoder → encoder)"),
        ),
    ]
    with style():
        fig = Figure(figsize=(12, 4.1 * H + 0.8))
        axes = fig.subplots(H, 3, squeeze=False)
        for col, (w, rows, cols, name) in enumerate(kinds):
            for h in range(H):
                ax = axes[h, col]
                draw_weights(ax, w[h].numpy(), rows, cols)
                ax.set_title(f"{name} · {word('head', lang)} {h + 1}", fontsize=9.5)
                ax.set_xlabel(
                    tr(lang, "源（键）", "source (key)")
                    if col != 1
                    else tr(lang, "目标（键）", "target (key)"),
                    fontsize=9,
                )
                ax.set_ylabel(
                    tr(lang, "源（查询）", "source (query)")
                    if col == 0
                    else tr(lang, "解码器输入（查询）", "decoder input (query)"),
                    fontsize=9,
                )
        f = result.facts
        fig.suptitle(
            tr(
                lang,
                f"任务 {f['task']}：{f['source']} → {f['output']}（期望 {f['expected']}）",
                f"task {f['task']}: {f['source']} → {f['output']} (expected {f['expected']})",
            ),
            fontsize=11,
        )
        fig.tight_layout()
    return fig


# ── Q7 ────────────────────────────────────────────────────────────────────────────────
def saturation(result: Result, lang: str = "en") -> Figure:
    """Heatmaps of both modules at the chosen d, and mean row entropy as d grows."""
    e, f, toks = result.extras, result.facts, list(result.query_labels)
    titles = [
        tr(lang, "原文：softmax(QKᵀ)，不缩放", "text: softmax(QKᵀ), unscaled"),
        tr(lang, "修正：softmax(QKᵀ/√d_k)", "fixed: softmax(QKᵀ/√d_k)"),
    ]
    with style():
        fig = Figure(figsize=(11, 10))
        grid = fig.add_gridspec(2, 2, height_ratios=[1.15, 1])
        for i in range(2):
            ax = fig.add_subplot(grid[0, i])
            draw_weights(ax, result.weights[i].numpy(), toks, toks)
            ax.set_title(f"{titles[i]}\nd = {f['d_model']}", fontsize=10)
        ax = fig.add_subplot(grid[1, :])
        ax.plot(e["d_values"], e["entropy_seed"].numpy(), "o-", color="#D55E00", label=titles[0])
        ax.plot(e["d_values"], e["entropy_fixed"].numpy(), "s-", color="#0072B2", label=titles[1])
        ax.axhline(
            f["entropy_uniform_log_L"],
            ls=":",
            color="#555555",
            label=tr(lang, "均匀分布 log L", "uniform, log L"),
        )
        ax.axvline(f["d_model"], color="#999999", lw=1, ls="--")
        ax.set_xscale("log", base=2)
        ax.set_xlabel(tr(lang, "维度 d（对数刻度）", "size d (log scale)"))
        ax.set_ylabel(tr(lang, "每行平均熵（奈特）", "mean row entropy (nats)"))
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=9, loc="lower left")
        ax.set_title(
            tr(
                lang,
                f"不缩放时 softmax 随 d 增大而饱和。原文模块处理批量输入 (N, L, d)：{f['seed_module_on_batch']}",
                f"Unscaled softmax saturates as d grows. The text's module on a batch (N, L, d): {f['seed_module_on_batch']}",
            ),
            fontsize=9,
            wrap=True,
        )
        fig.tight_layout()
    return fig


def _prob(p: float) -> str:
    """A probability with three decimals, or in scientific notation when below 0.001."""
    return f"{p:.3f}" if p >= 1e-3 else f"{p:.0e}"


# ── Q12 ───────────────────────────────────────────────────────────────────────────────
def greedy(result: Result, lang: str = "en") -> Figure:
    """Cross-attention row of each generated token, beside the top candidates at each step."""
    e, f = result.extras, result.facts
    steps_n = result.weights.size(1)
    with style():
        fig = Figure(figsize=(11.5, max(3.6, 0.55 * steps_n + 2.2)))
        ax_w, ax_t = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.1]})
        im = draw_weights(
            ax_w, result.weights[0].numpy(), list(result.query_labels), list(result.key_labels)
        )
        ax_w.set_xlabel(tr(lang, "源字母（键）", "source letter (key)"))
        ax_w.set_ylabel(tr(lang, "步骤：生成的词元", "step: generated token"))
        ax_w.set_title(
            tr(
                lang,
                f"每步的交叉注意力（{f['heads']} 个头的平均）",
                f"cross-attention per step (mean of {f['heads']} heads)",
            ),
            fontsize=10,
        )
        fig.colorbar(im, ax=ax_w, fraction=0.046, pad=0.04, label=word("weight", lang))
        cells = [
            [f"{t}  {_prob(p)}" for t, p in zip(toks, probs, strict=True)]
            for toks, probs in zip(e["top_tokens"], e["top_probs"].tolist(), strict=True)
        ]
        ax_t.set_axis_off()
        table = ax_t.table(
            cellText=cells,
            rowLabels=[str(i + 1) for i in range(steps_n)],
            colLabels=[
                tr(lang, f"第 {k + 1} 候选", f"choice {k + 1}") for k in range(len(cells[0]))
            ],
            loc="upper center",
            cellLoc="center",
        )
        table.auto_set_font_size(False)
        table.set_fontsize(9.5)
        table.scale(1, 1.35)
        for r in range(1, steps_n + 1):
            table[r, 0].set_facecolor("#cfe3f3")  # the greedy choice: the most probable token
        ax_t.set_title(
            tr(
                lang,
                f"每步概率最高的候选（贪心取第 1 个）\n{f['source']} → {f['output']}",
                f"most probable candidates per step (greedy takes choice 1)\n{f['source']} → {f['output']}",
            ),
            fontsize=10,
        )
        fig.tight_layout()
    return fig


# ── Q15 ───────────────────────────────────────────────────────────────────────────────
def cache(result: Result, lang: str = "en") -> Figure:
    """Causal weights of head 1, and dot products computed with and without a KV-cache."""
    e, f, toks = result.extras, result.facts, list(result.query_labels)
    with style():
        fig = Figure(figsize=(12, 5.2))
        ax_w, ax_c = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.1]})
        im = draw_weights(ax_w, result.weights[0].numpy(), toks, toks)
        ax_w.set_xlabel(word("key", lang))
        ax_w.set_ylabel(word("query", lang))
        ax_w.set_title(
            tr(
                lang,
                f"因果注意力（{word('head', lang)} 1）：上三角恰为 0",
                "causal attention (head 1): upper triangle exactly 0",
            ),
            fontsize=10,
        )
        fig.colorbar(im, ax=ax_w, fraction=0.046, pad=0.04, label=word("weight", lang))
        s = e["steps"].numpy()
        ax_c.plot(
            s,
            e["recompute_cumulative"].numpy(),
            "^-",
            color="#D55E00",
            label=tr(lang, "无缓存逐步重算 Σt²", "no cache, recompute each step Σt²"),
        )
        ax_c.plot(
            s,
            e["full_matrix"].numpy(),
            "s-",
            color="#E69F00",
            label=tr(lang, "整块矩阵 n²（再遮掉一半）", "full matrix n² (half masked)"),
        )
        ax_c.plot(
            s,
            e["cache_cumulative"].numpy(),
            "o-",
            color="#0072B2",
            label=tr(lang, "KV 缓存 n(n+1)/2", "KV-cache n(n+1)/2"),
        )
        ax_c.set_xlabel(tr(lang, "序列长度 n", "sequence length n"))
        ax_c.set_ylabel(tr(lang, "计算的点积 q·k 个数", "dot products q·k computed"))
        ax_c.legend(fontsize=9, loc="upper left")
        ax_c.set_title(
            tr(
                lang,
                f"缓存与完整计算的最大差 {f['max_diff_cache_vs_full']:.1e}；追加未来词元后过去输出的变化 {f['max_change_of_past_when_appending']:.1e}",
                f"max |cache − full| = {f['max_diff_cache_vs_full']:.1e}; change of past outputs after appending a token = {f['max_change_of_past_when_appending']:.1e}",
            ),
            fontsize=9,
            wrap=True,
        )
        fig.tight_layout()
    return fig


# ── Q19 ───────────────────────────────────────────────────────────────────────────────
def compare(result: Result, lang: str = "en") -> Figure:
    """Per-head weights from nn.MultiheadAttention (top rows) and from the engine (bottom rows)."""
    H, L, _ = result.weights.shape
    toks, f = list(result.query_labels), result.facts
    cols = min(H, 4)
    block = math.ceil(H / cols)
    panels = [(result.weights[i], "nn.MultiheadAttention", i) for i in range(H)]
    panels += [(result.extras["engine_weights"][i], "engine.attention", i) for i in range(H)]
    with style():
        fig = Figure(figsize=(cols * 3.0 + 1.2, 2 * block * 3.0 + 1.0), layout="constrained")
        axes = fig.subplots(2 * block, cols, squeeze=False)
        vmax = float(result.weights.max()) or 1.0
        for idx, (w, source, h) in enumerate(panels):
            r, c = divmod(h, cols)
            ax = axes[r + (block if idx >= H else 0), c]
            im = ax.imshow(w.numpy(), cmap=CMAP, vmin=0, vmax=vmax, interpolation="nearest")
            _ticks(ax, toks if c == 0 else [], toks if r == block - 1 else [], 7 if L > 10 else 8)
            ax.set_title(f"{source} · {word('head', lang)} {h + 1}", fontsize=9)
        for r in range(2 * block):
            for c in range(cols):
                if (r % block) * cols + c >= H:
                    axes[r, c].set_axis_off()
        fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8, label=word("weight", lang))
        fig.suptitle(
            tr(
                lang,
                f"最大差：输出 {f['max_diff_output']:.1e}，权重 {f['max_diff_weights']:.1e}；句子 2 的 [PAD] 权重为 0",
                f"max difference: outputs {f['max_diff_output']:.1e}, weights {f['max_diff_weights']:.1e}; [PAD] of sentence 2 gets weight 0",
            ),
            fontsize=10,
        )
    return fig


# ── Q28 ───────────────────────────────────────────────────────────────────────────────
def equivariance(result: Result, lang: str = "en") -> Figure:
    """Original vs permuted-and-mapped-back weights, without and with positions; the PE matrix."""
    toks, f = list(result.query_labels), result.facts
    pe = result.extras["pe"].numpy()
    names = [
        tr(lang, "原顺序", "original order"),
        tr(lang, "打乱后再按原词对齐", "permuted, mapped back"),
    ]
    rows = [tr(lang, "无位置编码", "no positions"), tr(lang, "加正弦位置编码", "+ sinusoidal PE")]
    changes = [f["no_pe_max_weight_change"], f["with_pe_max_weight_change"]]
    with style():
        fig = Figure(figsize=(13.5, 8.8))
        grid = fig.add_gridspec(2, 3, width_ratios=[1, 1, 1.05])
        for i in range(4):
            ax = fig.add_subplot(grid[i // 2, i % 2])
            draw_weights(ax, result.weights[i].numpy(), toks, toks)
            ax.set_title(f"{rows[i // 2]} · {names[i % 2]}", fontsize=10)
            if i % 2:
                ax.set_xlabel(
                    tr(
                        lang, f"最大变化 {changes[i // 2]:.1e}", f"max change {changes[i // 2]:.1e}"
                    ),
                    fontsize=10,
                )
        ax = fig.add_subplot(grid[:, 2])
        im = ax.imshow(pe, cmap=SIGNED, vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
        ax.set_yticks(range(len(toks)), labels=[f"{i}" for i in range(len(toks))], fontsize=9)
        ax.set_xlabel(tr(lang, "维度 i", "dimension i"))
        ax.set_ylabel(tr(lang, "位置 pos", "position pos"))
        ax.set_title(
            tr(
                lang,
                "PE(pos, 2i) = sin(pos/10000^(2i/d))\nPE(pos, 2i+1) = cos(…)",
                "PE(pos, 2i) = sin(pos/10000^(2i/d))\nPE(pos, 2i+1) = cos(…)",
            ),
            fontsize=9.5,
        )
        fig.colorbar(im, ax=ax, fraction=0.05, pad=0.04)
        order = " ".join(result.extras["permuted_tokens"])
        fig.suptitle(tr(lang, f"打乱后的句子：{order}", f"permuted sentence: {order}"), fontsize=11)
        fig.tight_layout()
    return fig


VISUALS = {
    "q01_regression": regression,
    "q02_softmax": softmax_panel,
    "q03_steps": steps,
    "q05_bert": bert,
    "q06_enc_dec": enc_dec,
    "q07_saturation": saturation,
    "q12_greedy": greedy,
    "q15_cache": cache,
    "q19_compare": compare,
    "q28_equivariance": equivariance,
}
