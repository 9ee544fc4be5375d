"""Views for the demos of questions 1, 2, 3, 5, 6, 7, 12, 15, 19 and 28.

Each view is ``fn(result, lang) -> Figure`` built with ``Figure()`` directly; the attention
weights are always drawn with ``imshow`` from ``result.weights``, so the picture is the data.
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
BLUE, ORANGE, VERMILION, GREY = "#0072B2", "#E69F00", "#D55E00", "#888888"  # Okabe–Ito


def tr(lang: str, zh: str, en: str) -> str:
    """``zh`` when the page is in Chinese, else ``en``."""
    return zh if lang == "zh" else en


def _ticks(ax: Axes, rows: list[str], cols: list[str], size: float = 9.0) -> None:
    """Label rows and columns, thinning to at most 16 labels per axis."""
    sr, sc = max(1, math.ceil(len(rows) / 16)), max(1, math.ceil(len(cols) / 16))
    ax.set_xticks(range(0, len(cols), sc), labels=cols[::sc], rotation=90, fontsize=size)
    ax.set_yticks(range(0, len(rows), sr), labels=rows[::sr], fontsize=size)
    ax.tick_params(length=0)


def _signed(ax: Axes, m: np.ndarray, rows: list[str], cols: list[str]):
    """A signed matrix on a diverging scale symmetric about 0; values written when small."""
    lim = float(np.abs(m).max()) or 1.0
    im = ax.imshow(m, cmap=SIGNED, vmin=-lim, vmax=lim, interpolation="nearest")
    _ticks(ax, rows, cols)
    if max(m.shape) <= 8:
        for (i, j), v in np.ndenumerate(m):
            colour = "white" if abs(v) > 0.6 * lim else "black"
            ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=7, color=colour)
    return im


def _weights_panel(fig: Figure, ax: Axes, w: np.ndarray, rows, cols, lang: str, bar: bool = True):
    """One weight matrix with token labels, query/key axis names and (optionally) a colour bar."""
    im = draw_weights(ax, w, list(rows), list(cols))
    ax.set_xlabel(word("key", lang))
    ax.set_ylabel(word("query", lang))
    if bar:
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label=word("weight", lang))
    return im


def _value_ticks(ax: Axes, rows: list[float], cols: list[float], n: int = 6) -> None:
    """About ``n`` ticks per axis at cell centres, labelled with the x value of that row/column."""
    for values, setter in ((cols, ax.set_xticks), (rows, ax.set_yticks)):
        idx = sorted({round(i) for i in np.linspace(0, len(values) - 1, n)})
        setter(idx, labels=[f"{values[i]:.2f}" for i in idx], fontsize=9)


# ── Q1 ────────────────────────────────────────────────────────────────────────────────
def regression(result: Result, lang: str = "en") -> Figure:
    """Nadaraya–Watson: weights (query x × key x) beside the fitted curve."""
    e, f = result.extras, result.facts
    with style():
        fig = Figure(figsize=(11.5, 4.6))
        ax_w, ax_f = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.25]})
        im = ax_w.imshow(result.weights[0].numpy(), cmap=CMAP, vmin=0, aspect="auto")
        _value_ticks(ax_w, e["x_query"].tolist(), e["x_key"].tolist())
        ax_w.set(xlabel=tr(lang, "键：训练点 xᵢ", "key: training point xᵢ"))
        ax_w.set(ylabel=tr(lang, "查询 x", "query x"))
        ax_w.set_title(tr(lang, "注意力权重 α(x, xᵢ)", "attention weights α(x, xᵢ)"))
        fig.colorbar(im, ax=ax_w, fraction=0.046, pad=0.04, label=word("weight", lang))
        points = tr(lang, "训练点 (xᵢ, yᵢ)", "training points (xᵢ, yᵢ)")
        ax_f.scatter(e["x_key"], e["y_value"], s=18, color=GREY, label=points)
        ax_f.plot(
            e["x_query"],
            e["y_true"],
            "--",
            color=BLUE,
            label=tr(lang, "真实函数 f(x)", "true f(x)"),
        )
        fit = tr(lang, "注意力加权平均 f̂(x)", "attention average f̂(x)")
        ax_f.plot(e["x_query"], e["y_hat"], color=VERMILION, lw=2, label=fit)
        ax_f.set(xlabel="x", ylabel="y")
        ax_f.legend(fontsize=9, loc="best")
        h, mse = f["bandwidth"], f["mse_vs_truth"]
        ax_f.set_title(
            tr(
                lang,
                f"核宽度 h = {h:g}，均方误差 = {mse:.3f}",
                f"width h = {h:g}, MSE vs truth = {mse:.3f}",
            )
        )
        fig.tight_layout()
    return fig


# ── Q2 ────────────────────────────────────────────────────────────────────────────────
def _softmax_bars(ax: Axes, result: Result, lang: str) -> None:
    """Naive and stable softmax side by side; a NaN bar is drawn empty and labelled NaN."""
    e, f = result.extras, result.facts
    naive, stable = np.asarray(e["naive"], float), np.asarray(e["stable"], float)
    pos = np.arange(len(stable))
    naive_label = tr(lang, "朴素 exp/Σexp（NaN = 溢出）", "naive exp/Σexp (NaN = overflow)")
    ax.bar(pos - 0.2, np.nan_to_num(naive, nan=0.0), 0.4, color=ORANGE, label=naive_label)
    ax.bar(
        pos + 0.2,
        stable,
        0.4,
        color=BLUE,
        label=tr(lang, "稳定（先减最大值）", "stable (max subtracted)"),
    )
    for i in np.flatnonzero(np.isnan(naive)):
        ax.text(
            i - 0.2, 0.02, "NaN", rotation=90, ha="center", va="bottom", fontsize=9, color="#B00000"
        )
    rotation = 45 if len(pos) > 6 else 0
    ax.set_xticks(pos, labels=list(result.key_labels), rotation=rotation, fontsize=9)
    ax.set(ylim=(0, 1.05), xlabel=tr(lang, "分数 sᵢ", "score sᵢ"), ylabel=word("weight", lang))
    ax.legend(fontsize=9, loc="upper left")
    t, top, limit = e["temperature"], f["largest_exponent"], f["overflow_limit"]
    title = tr(
        lang,
        f"τ = {t:g}：最大指数 {top:g}，上限 {limit:g}",
        f"τ = {t:g}: largest exponent {top:g}, limit {limit:g}",
    )
    ax.set_title(title, fontsize=10)


def softmax_panel(result: Result, lang: str = "en") -> Figure:
    """Naive vs stable softmax at the chosen τ (NaN marked), and stable softmax over a τ ladder."""
    with style():
        fig = Figure(figsize=(12, 4.8))
        ax_b, ax_h = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
        _softmax_bars(ax_b, result, lang)
        _weights_panel(
            fig, ax_h, result.weights[0].numpy(), result.query_labels, result.key_labels, lang
        )
        ax_h.set(xlabel=tr(lang, "分数 sᵢ", "score sᵢ"), ylabel=tr(lang, "温度 τ", "temperature τ"))
        ax_h.set_title(
            tr(lang, "稳定 softmax(s/τ)：温度越低越尖锐", "stable softmax(s/τ): lower τ, sharper"),
            fontsize=10,
        )
        fig.tight_layout()
    return fig


# ── Q3 ────────────────────────────────────────────────────────────────────────────────
def steps(result: Result, lang: str = "en") -> Figure:
    """Scores → scaled scores → softmax weights → output, as four panels."""
    e, toks, d_k = result.extras, list(result.query_labels), result.facts["d_k"]
    out = e["out"].numpy()
    root = f"√{d_k} = {math.sqrt(d_k):.2f}"
    titles = [
        tr(lang, "① 分数 QKᵀ", "① scores QKᵀ"),
        tr(lang, f"② 缩放 QKᵀ/√d_k（{root}）", f"② scaled QKᵀ/√d_k ({root})"),
        tr(lang, "③ softmax：每行和为 1", "③ softmax: each row sums to 1"),
        tr(lang, "④ 输出 = 权重 · V", "④ output = weights · V"),
    ]
    with style():
        fig = Figure(figsize=(11, 10))
        axes = fig.subplots(2, 2).ravel()
        for ax, m in ((axes[0], e["scores"]), (axes[1], e["scaled"])):
            fig.colorbar(_signed(ax, m.numpy(), toks, toks), ax=ax, fraction=0.046, pad=0.04)
            ax.set(xlabel=word("key", lang), ylabel=word("query", lang))
        _weights_panel(fig, axes[2], result.weights[0].numpy(), toks, toks, lang)
        im = _signed(axes[3], out, toks, [f"v{j + 1}" for j in range(out.shape[1])])
        fig.colorbar(im, ax=axes[3], fraction=0.046, pad=0.04)
        axes[3].set(aspect="auto", xlabel=tr(lang, "值向量的维度", "value dimension"))
        for ax, title in zip(axes, titles, strict=True):
            ax.set_title(title)
        fig.tight_layout()
    return fig


# ── Q5 ────────────────────────────────────────────────────────────────────────────────
def _bert_head(ax: Axes, w: np.ndarray, vmax: float, e: dict, rows: list[str], cols: list[str]):
    """One head: the weights, a white A|B boundary, grey [PAD] columns."""
    L = w.shape[0]
    im = ax.imshow(w, cmap=CMAP, vmin=0, vmax=vmax, interpolation="nearest")
    _ticks(ax, rows, cols, 8)
    ax.axvline(e["n_a"] - 0.5, color="white", lw=1.2)
    ax.axhline(e["n_a"] - 0.5, color="white", lw=1.2)
    if e["n_real"] < L:
        ax.axvspan(e["n_real"] - 0.5, L - 0.5, color="#bbbbbb", alpha=0.85)
    return im


def bert(result: Result, lang: str = "en") -> Figure:
    """BERT heads of one layer; lines mark the A | B segment boundary, [PAD] columns are greyed."""
    H, L, _ = result.weights.shape
    e, toks = result.extras, list(result.query_labels)
    cols = min(H, 4)
    rows = math.ceil(H / cols)
    cell = 3.4 if L <= 16 else 4.2
    vmax = float(result.weights.max()) or 1.0
    with style():
        fig = Figure(figsize=(cols * cell + 1.2, rows * cell + 1.0), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax in axes[H:]:
            ax.set_axis_off()
        for i, ax in enumerate(axes[:H]):
            last_row = i // cols == rows - 1 or i + cols >= H
            y, x = (toks if i % cols == 0 else []), (toks if last_row else [])
            im = _bert_head(ax, result.weights[i].numpy(), vmax, e, y, x)
            ax.set_title(f"{word('head', lang)} {i + 1}", fontsize=10)
        fig.colorbar(im, ax=axes.tolist(), shrink=0.8, label=word("weight", lang))
        layer, n = e["layer"], result.facts["layers"]
        zh = f"第 {layer} 层（共 {n} 层）：双向注意力；白线 = 句子 A|B 分界，灰色 = [PAD]（权重为 0）"
        en = f"layer {layer} of {n}: bidirectional; white line = A|B boundary, grey = [PAD] (weight 0)"
        fig.suptitle(tr(lang, zh, en), fontsize=10)
    return fig


# ── Q6 ────────────────────────────────────────────────────────────────────────────────
def _enc_dec_kinds(result: Result, lang: str) -> list[tuple]:
    """(weights, query labels, key labels, query axis, key axis, title) for the three attentions."""
    e = result.extras
    src, tgt = list(e["source"]), list(e["target"])
    s_key, t_key = tr(lang, "源（键）", "source (key)"), tr(lang, "目标（键）", "target (key)")
    s_q = tr(lang, "源（查询）", "source (query)")
    t_q = tr(lang, "解码器输入（查询）", "decoder input (query)")
    enc = tr(lang, "编码器自注意力", "encoder self-attention")
    dec = tr(lang, "解码器掩码自注意力", "decoder masked self-attention")
    cross = tr(lang, "交叉注意力（解码器→编码器）", "cross-attention (decoder → encoder)")
    return [
        (e["encoder_self"], src, src, s_q, s_key, enc),
        (e["decoder_self"], tgt, tgt, t_q, t_key, dec),
        (result.weights, tgt, src, t_q, s_key, cross),
    ]


def enc_dec(result: Result, lang: str = "en") -> Figure:
    """Rows = heads; columns = encoder self-, decoder masked self-, cross-attention."""
    f, H = result.facts, result.n_heads
    kinds = _enc_dec_kinds(result, lang)
    with style():
        fig = Figure(figsize=(12, 4.1 * H + 0.8))
        axes = fig.subplots(H, 3, squeeze=False)
        for col, (w, rows, cols, y_name, x_name, name) in enumerate(kinds):
            for h in range(H):
                draw_weights(axes[h, col], w[h].numpy(), rows, cols)
                axes[h, col].set_title(f"{name} · {word('head', lang)} {h + 1}", fontsize=9.5)
                axes[h, col].set_xlabel(x_name, fontsize=9)
                axes[h, col].set_ylabel(y_name, fontsize=9)
        task, run = f["task"], f"{f['source']} → {f['output']}"
        zh, en = (
            f"任务 {task}：{run}（期望 {f['expected']}）",
            f"task {task}: {run} (expected {f['expected']})",
        )
        fig.suptitle(tr(lang, zh, en))
        fig.tight_layout()
    return fig


# ── Q7 ────────────────────────────────────────────────────────────────────────────────
def _entropy_curves(ax: Axes, result: Result, titles: list[str], lang: str) -> None:
    """Mean row entropy of both modules against d (log scale), with log L and the chosen d marked."""
    e, f = result.extras, result.facts
    ax.plot(e["d_values"], e["entropy_seed"].numpy(), "o-", color=VERMILION, label=titles[0])
    ax.plot(e["d_values"], e["entropy_fixed"].numpy(), "s-", color=BLUE, label=titles[1])
    uniform = tr(lang, "均匀分布 log L", "uniform, log L")
    ax.axhline(f["entropy_uniform_log_L"], ls=":", color="#555555", label=uniform)
    ax.axvline(f["d_model"], color="#999999", lw=1, ls="--")
    ax.set_xscale("log", base=2)
    ax.set(xlabel=tr(lang, "维度 d（对数刻度）", "size d (log scale)"), ylim=(0, None))
    ax.set(ylabel=tr(lang, "每行平均熵（奈特）", "mean row entropy (nats)"))
    ax.legend(fontsize=9, loc="lower left")
    error = f["seed_module_on_batch"]
    zh = f"不缩放时 softmax 随 d 增大而饱和。原文模块处理批量输入 (N, L, d)：{error}"
    en = f"Unscaled softmax saturates as d grows. The text's module on a batch (N, L, d): {error}"
    ax.set_title(tr(lang, zh, en), fontsize=9, wrap=True)


def saturation(result: Result, lang: str = "en") -> Figure:
    """Heatmaps of both modules at the chosen d, and mean row entropy as d grows."""
    toks, d = list(result.query_labels), result.facts["d_model"]
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
            ax.set_title(f"{titles[i]}\nd = {d}", fontsize=10)
        _entropy_curves(fig.add_subplot(grid[1, :]), result, titles, lang)
        fig.tight_layout()
    return fig


# ── Q12 ───────────────────────────────────────────────────────────────────────────────
def _prob(p: float) -> str:
    """A probability with three decimals, or in scientific notation when below 0.001."""
    return f"{p:.3f}" if p >= 1e-3 else f"{p:.0e}"


def _candidates_table(ax: Axes, result: Result, lang: str) -> None:
    """Top candidates and their probabilities per step; the greedy choice is shaded."""
    e, f = result.extras, result.facts
    probs = e["top_probs"].tolist()
    cells = [
        [f"{t}  {_prob(p)}" for t, p in zip(ts, ps, strict=True)]
        for ts, ps in zip(e["top_tokens"], probs, strict=True)
    ]
    head = [tr(lang, f"第 {k + 1} 候选", f"choice {k + 1}") for k in range(len(cells[0]))]
    steps_n = len(cells)
    ax.set_axis_off()
    table = ax.table(
        cellText=cells,
        rowLabels=[str(i + 1) for i in range(steps_n)],
        colLabels=head,
        loc="upper center",
        cellLoc="center",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(9.5)
    table.scale(1, 1.35)
    for r in range(1, steps_n + 1):
        table[r, 0].set_facecolor("#cfe3f3")  # the greedy choice: the most probable token
    run = f"{f['source']} → {f['output']}"
    title = tr(
        lang,
        f"每步概率最高的候选（贪心取第 1 个）\n{run}",
        f"most probable candidates per step (greedy takes choice 1)\n{run}",
    )
    ax.set_title(title, fontsize=10)


def greedy(result: Result, lang: str = "en") -> Figure:
    """Cross-attention row of each generated token, beside the top candidates at each step."""
    steps_n, h = result.weights.size(1), result.facts["heads"]
    with style():
        fig = Figure(figsize=(11.5, max(3.6, 0.55 * steps_n + 2.2)))
        ax_w, ax_t = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.1]})
        _weights_panel(
            fig, ax_w, result.weights[0].numpy(), result.query_labels, result.key_labels, lang
        )
        ax_w.set_xlabel(tr(lang, "源字母（键）", "source letter (key)"))
        ax_w.set_ylabel(tr(lang, "步骤：生成的词元", "step: generated token"))
        ax_w.set_title(
            tr(
                lang,
                f"每步的交叉注意力（{h} 个头的平均）",
                f"cross-attention per step (mean of {h} heads)",
            ),
            fontsize=10,
        )
        _candidates_table(ax_t, result, lang)
        fig.tight_layout()
    return fig


# ── Q15 ───────────────────────────────────────────────────────────────────────────────
def _cost_curves(ax: Axes, result: Result, lang: str) -> None:
    """Dot products q·k computed for n tokens: recompute Σt², full matrix n², KV-cache n(n+1)/2."""
    e, f = result.extras, result.facts
    s = e["steps"].numpy()
    curves = [
        (
            "recompute_cumulative",
            "^-",
            VERMILION,
            tr(lang, "无缓存逐步重算 Σt²", "no cache, recompute each step Σt²"),
        ),
        (
            "full_matrix",
            "s-",
            ORANGE,
            tr(lang, "整块矩阵 n²（再遮掉一半）", "full matrix n² (half masked)"),
        ),
        ("cache_cumulative", "o-", BLUE, tr(lang, "KV 缓存 n(n+1)/2", "KV-cache n(n+1)/2")),
    ]
    for key, marker, colour, label in curves:
        ax.plot(s, e[key].numpy(), marker, color=colour, label=label)
    ax.set(
        xlabel=tr(lang, "序列长度 n", "sequence length n"),
        ylabel=tr(lang, "计算的点积 q·k 个数", "dot products q·k computed"),
    )
    ax.legend(fontsize=9, loc="upper left")
    diff, past = (
        f"{f['max_diff_cache_vs_full']:.1e}",
        f"{f['max_change_of_past_when_appending']:.1e}",
    )
    zh = f"缓存与完整计算的最大差 {diff}；追加一个未来词元后，过去输出的变化 {past}"
    en = f"max |cache − full| = {diff}; change of past outputs after appending a token = {past}"
    ax.set_title(tr(lang, zh, en), fontsize=9, wrap=True)


def cache(result: Result, lang: str = "en") -> Figure:
    """Causal weights of head 1, and dot products computed with and without a KV-cache."""
    toks = list(result.query_labels)
    with style():
        fig = Figure(figsize=(12, 5.2))
        ax_w, ax_c = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.1]})
        _weights_panel(fig, ax_w, result.weights[0].numpy(), toks, toks, lang)
        head = f"{word('head', lang)} 1"
        ax_w.set_title(
            tr(
                lang,
                f"因果注意力（{head}）：上三角恰为 0",
                f"causal attention ({head}): upper triangle exactly 0",
            ),
            fontsize=10,
        )
        _cost_curves(ax_c, result, lang)
        fig.tight_layout()
    return fig


# ── Q19 ───────────────────────────────────────────────────────────────────────────────
def compare(result: Result, lang: str = "en") -> Figure:
    """Per-head weights from nn.MultiheadAttention (upper block) and from the engine (lower block)."""
    H, L, _ = result.weights.shape
    toks, f = list(result.query_labels), result.facts
    cols, vmax = min(H, 4), float(result.weights.max()) or 1.0
    block = math.ceil(H / cols)  # rows of panels per implementation
    sources = (
        ("nn.MultiheadAttention", result.weights),
        ("engine.attention", result.extras["engine_weights"]),
    )
    with style():
        fig = Figure(figsize=(cols * 3.0 + 1.2, 2 * block * 3.0 + 1.0), layout="constrained")
        axes = fig.subplots(2 * block, cols, squeeze=False)
        for ax in axes.ravel():
            ax.set_axis_off()
        for b, (source, weights) in enumerate(sources):
            for h in range(H):
                r, c = divmod(h, cols)
                ax = axes[b * block + r, c]
                ax.set_axis_on()
                im = ax.imshow(
                    weights[h].numpy(), cmap=CMAP, vmin=0, vmax=vmax, interpolation="nearest"
                )
                _ticks(
                    ax, toks if c == 0 else [], toks if r == block - 1 else [], 7 if L > 10 else 8
                )
                ax.set_title(f"{source} · {word('head', lang)} {h + 1}", fontsize=9)
        fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8, label=word("weight", lang))
        out, w = f"{f['max_diff_output']:.1e}", f"{f['max_diff_weights']:.1e}"
        zh = f"最大差：输出 {out}，权重 {w}；句子 2 的 [PAD] 权重为 0"
        en = f"max difference: outputs {out}, weights {w}; [PAD] of sentence 2 gets weight 0"
        fig.suptitle(tr(lang, zh, en), fontsize=10)
    return fig


# ── Q28 ───────────────────────────────────────────────────────────────────────────────
def _pe_panel(fig: Figure, ax: Axes, pe: np.ndarray, lang: str) -> None:
    """The sinusoidal positional-encoding matrix, positions down, dimensions across."""
    im = ax.imshow(pe, cmap=SIGNED, vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_yticks(range(pe.shape[0]), labels=[str(i) for i in range(pe.shape[0])], fontsize=9)
    ax.set(xlabel=tr(lang, "维度 i", "dimension i"), ylabel=tr(lang, "位置 pos", "position pos"))
    ax.set_title("PE(pos, 2i) = sin(pos/10000^(2i/d))\nPE(pos, 2i+1) = cos(…)", fontsize=9.5)
    fig.colorbar(im, ax=ax, fraction=0.05, pad=0.04)


def equivariance(result: Result, lang: str = "en") -> Figure:
    """Original vs permuted-and-mapped-back weights, without and with positions; the PE matrix."""
    toks, f = list(result.query_labels), result.facts
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
                change = f"{changes[i // 2]:.1e}"
                ax.set_xlabel(tr(lang, f"最大变化 {change}", f"max change {change}"), fontsize=10)
        _pe_panel(fig, fig.add_subplot(grid[:, 2]), result.extras["pe"].numpy(), lang)
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
