"""Figures for the demos of questions 8, 9, 11, 13, 16, 17, 22, 24 and 26.

Every function takes a :class:`~engine.result.Result` and a language (zh or en) and returns a
``matplotlib.figure.Figure`` built directly (never pyplot), drawn inside :func:`visuals.style.style`.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.result import Result
from visuals.heatmap import draw_weights
from visuals.style import CMAP, pick, style, text_colour, word

TEXT = {
    "which_words": {"zh": "分类器看重哪些词", "en": "Which words the classifier weighs"},
    "prediction": {"zh": "预测", "en": "prediction"},
    "probability": {"zh": "概率", "en": "probability"},
    "pos": {"zh": "正面", "en": "positive"},
    "neg": {"zh": "负面", "en": "negative"},
    "length": {"zh": "序列长度 n", "en": "sequence length n"},
    "ms": {"zh": "中位时间（毫秒）", "en": "median time (ms)"},
    "mib_measured": {"zh": "峰值显存（MiB，实测）", "en": "peak memory (MiB, measured)"},
    "mib_scores": {"zh": "得分矩阵（MiB，按形状计算）", "en": "score matrix (MiB, from shapes)"},
    "rank": {"zh": "秩 k", "en": "rank k"},
    "rel_error": {"zh": "权重相对误差", "en": "relative error of weights"},
    "linformer": {"zh": "Linformer（分段平均 E=F）", "en": "Linformer (segment means E = F)"},
    "svd_floor": {"zh": "SVD 下界（任何秩 k 方法）", "en": "SVD floor (any rank-k method)"},
    "max_err": {"zh": "最大误差", "en": "max err"},
    "scores_counted": {"zh": "计算的得分数", "en": "scores computed"},
    "this_word": {"zh": "本词", "en": "this word"},
    "centre": {"zh": "预测中心 p_t", "en": "predicted centre p_t"},
    "window": {"zh": "窗口边界", "en": "window edge"},
    "gflops": {"zh": "FLOPs（运行时计数的矩阵乘法）", "en": "FLOPs (matrix products, counted)"},
    "params": {"zh": "参数量", "en": "parameters"},
    "memory_kib": {"zh": "内存（KiB）", "en": "memory (KiB)"},
    "score_kib": {"zh": "得分矩阵", "en": "score matrix"},
    "kv_kib": {"zh": "保留的键/值", "en": "keys/values kept"},
    "entropy": {"zh": "注意力熵（nats）", "en": "attention entropy (nats)"},
    "uniform": {"zh": "均匀分布 log L", "en": "uniform log L"},
    "reply": {"zh": "候选回复", "en": "candidate reply"},
    "p_fits": {"zh": "回复合适的概率", "en": "p(reply fits)"},
    "turn_weight": {"zh": "回复对各轮的注意力", "en": "attention of the reply to each turn"},
    "cls_row": {"zh": "[CLS] 对各词的注意力", "en": "[CLS] attention to each word"},
    "raw_last": {"zh": "最后一层原始注意力", "en": "raw, last layer"},
    "rollout": {"zh": "注意力展开", "en": "rollout"},
    "erasure": {"zh": "删去该词后对数几率下降", "en": "drop in log-odds when the word is erased"},
    "ablation": {"zh": "去掉该头后对数几率下降", "en": "drop in log-odds when the head is removed"},
    "layer": {"zh": "层", "en": "layer"},
    "raw_layer": {"zh": "第 {} 层原始注意力", "en": "layer {} raw"},
    "rollout_all": {"zh": "注意力展开（第 1–{} 层）", "en": "rollout (layers 1–{})"},
    "soft": {"zh": "软注意力", "en": "soft"},
    "hard_one": {"zh": "硬注意力（一次采样）", "en": "hard (one sample)"},
    "hard_freq": {"zh": "硬注意力：{} 次采样的频率", "en": "hard: frequency of {} samples"},
    "output": {"zh": "输出", "en": "output"},
    "source": {"zh": "源序列（编码器状态）", "en": "source (encoder states)"},
    "global": {"zh": "全局：对全部 S 个位置 softmax", "en": "global: softmax over all S positions"},
    "local": {"zh": "局部-p：只看窗口 p_t ± D", "en": "local-p: only the window p_t ± D"},
    "additive": {
        "zh": "Bahdanau 加性：vᵀ tanh(W_s s + W_h h)",
        "en": "Bahdanau additive: vᵀ tanh(W_s s + W_h h)",
    },
    "dot": {"zh": "Luong 点积：sᵀ h", "en": "Luong dot: sᵀ h"},
    "general": {"zh": "Luong 一般式：sᵀ W_a h", "en": "Luong general: sᵀ W_a h"},
    "target": {"zh": "目标（解码步）", "en": "target (decoder step)"},
    "query0": {"zh": "第 1 个查询的权重", "en": "weights of query 1"},
    "race": {
        "zh": "学会选中目标词“{}”：p(目标)",
        "en": "learning to select the target “{}”: p(target)",
    },
    "step": {"zh": "训练步", "en": "training step"},
    "sentence_weight": {"zh": "句子权重", "en": "sentence weight"},
    "word_weights": {"zh": "句内词权重", "en": "word weights within each sentence"},
}


def t(key: str, lang: str) -> str:
    """A label of this module in ``lang`` (zh or en)."""
    return pick(TEXT[key], lang)


def _annotate_row(ax: Axes, values: np.ndarray, y: int = 0) -> None:
    """Write each value of a one-row image into its cell."""
    vmax = float(values.max()) or 1.0
    for j, v in enumerate(values):
        ax.text(j, y, f"{v:.2f}", ha="center", va="center", fontsize=9, color=text_colour(v, vmax))


# ── Q8 ──────────────────────────────────────────────────────────────────────────────────────


def q08_pooling(result: Result, lang: str = "en") -> Figure:
    """The word weights of the pooling query as a one-row heatmap, and the class probabilities."""
    w = result.weights[0].numpy()  # (1, n)
    probs = np.asarray(result.extras["probs"], dtype=float)
    n = w.shape[1]
    with style():
        fig = Figure(figsize=(max(6.5, 0.8 * n + 1.5), 4.0))
        top, bottom = fig.subplots(2, 1, gridspec_kw={"height_ratios": [1.3, 1]})
        top.imshow(w, cmap=CMAP, vmin=0, vmax=max(float(w.max()), 1e-9), aspect="auto")
        top.set_xticks(range(n), labels=result.key_labels, rotation=30, ha="right", fontsize=10)
        top.set_yticks([])
        _annotate_row(top, w[0])
        top.set_title(t("which_words", lang) + " — α = softmax(K u / √d)", fontsize=11)
        names = [t(c, lang) for c in result.extras["classes"]]
        bars = bottom.barh(names, probs, color=["#d55e00", "#0072b2"])
        bottom.bar_label(bars, labels=[f"{p:.3f}" for p in probs], padding=3)
        bottom.set_xlim(0, 1.15)
        bottom.set_xlabel(t("probability", lang))
        fig.tight_layout()
    return fig


# ── Q9 ──────────────────────────────────────────────────────────────────────────────────────

VARIANT_NAMES = {
    "MHA": {"zh": "MHA 多头", "en": "MHA"},
    "GQA": {"zh": "GQA 分组查询", "en": "GQA"},
    "MQA": {"zh": "MQA 多查询", "en": "MQA"},
    "sliding window": {"zh": "滑动窗口", "en": "sliding window"},
    "low rank": {"zh": "低秩", "en": "low rank"},
    "additive": {"zh": "加性", "en": "additive"},
    "full": {"zh": "完整注意力", "en": "full"},
    "sliding_window": {"zh": "滑动窗口", "en": "sliding window"},
    "strided": {"zh": "跨步稀疏", "en": "strided sparse"},
    "low_rank": {"zh": "低秩 Linformer", "en": "low rank (Linformer)"},
    "fused": {"zh": "融合内核 F.sdpa", "en": "fused F.sdpa"},
}


def _name(variant: str, lang: str) -> str:
    """A variant's name in ``lang``."""
    return pick(VARIANT_NAMES[variant], lang)


def _small_maps(fig: Figure, axes: list[Axes], result: Result, titles: list[str]) -> None:
    """One small heatmap per head, titled, with sparse ticks and a shared colour scale."""
    vmax = float(result.weights.max()) or 1.0
    n = result.weights.size(-1)
    step = max(1, n // 4)
    for ax, w, title in zip(axes, result.weights, titles, strict=True):
        im = ax.imshow(w.numpy(), cmap=CMAP, vmin=0, vmax=vmax, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_xticks(range(0, n, step), labels=result.key_labels[::step], fontsize=7)
        ax.set_yticks(range(0, n, step), labels=result.query_labels[::step], fontsize=7)
        ax.tick_params(length=0)
    fig.colorbar(im, ax=axes, fraction=0.02, pad=0.01)


def _lines(ax: Axes, rows: list[dict], key: str, lang: str, errors: bool = False) -> None:
    """One line per variant of ``rows[key]`` against n, on log–log axes."""
    for name in ("full", "sliding_window", "strided", "low_rank", "fused"):
        mine = [r for r in rows if r["variant"] == name]
        if not mine:
            continue
        label = _name(name, lang)
        if errors:
            label += f" ({t('max_err', lang)} {mine[-1]['max_abs_err']:.2g})"
        ys = [max(r[key], 1e-6) for r in mine]
        ax.plot([r["n"] for r in mine], ys, marker="o", label=label)
    ns = sorted({r["n"] for r in rows})
    ax.set_xscale("log", base=2)
    ax.set_xticks(ns, labels=[str(n) for n in ns])
    ax.minorticks_off()
    ax.set_yscale("log")
    ax.set_xlabel(t("length", lang))


def q09_efficient(result: Result, lang: str = "en") -> Figure:
    """Weights of each variant; time and memory vs n; error vs rank with the SVD floor."""
    rows, curve = result.extras["rows"], result.extras["rank_curve"]
    measured = rows[0].get("memory") == "measured"
    with style():
        fig = Figure(figsize=(15, 9), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.1])
        p = result.extras["params"]
        names = [_name(v, lang) for v in ("full", "sliding_window", "strided", "low_rank")]
        titles = [
            names[0],
            f"{names[1]} w={p['window']}",
            f"{names[2]} s={p['stride']}",
            f"{names[3]} k={p['rank']}",
        ]
        _small_maps(top, list(top.subplots(1, 4)), result, titles)
        ax_t, ax_m, ax_r = bottom.subplots(1, 3)
        _lines(ax_t, rows, "median_ms", lang, errors=True)
        ax_t.set_ylabel(t("ms", lang))
        ax_t.legend(fontsize=8)
        _lines(ax_m, [r for r in rows if measured or r["variant"] != "fused"], "peak_mib", lang)
        ax_m.set_ylabel(t("mib_measured" if measured else "mib_scores", lang))
        ax_r.plot(curve["ranks"], curve["linformer"], marker="o", label=t("linformer", lang))
        ax_r.plot(
            curve["ranks"],
            curve["svd_floor"],
            marker="s",
            linestyle="--",
            label=t("svd_floor", lang),
        )
        ax_r.axvline(result.extras["view_rank"], color="grey", linewidth=0.8)
        ax_r.set_xscale("log", base=2)
        ax_r.set_xticks(curve["ranks"], labels=[str(k) for k in curve["ranks"]])
        ax_r.set_xlabel(t("rank", lang) + f" (n = {result.weights.size(-1)})")
        ax_r.set_ylabel(t("rel_error", lang))
        ax_r.legend(fontsize=8)
    return fig


# ── Q11 and Q22: alignments of trained encoder–decoders ────────────────────────────────────────


def _alignment_pair(axes: list[Axes], result: Result, titles: list[str], lang: str) -> None:
    """Two (target × source) heatmaps side by side, titled."""
    for ax, w, title in zip(axes, result.weights, titles, strict=True):
        draw_weights(ax, w.numpy(), list(result.query_labels), list(result.key_labels))
        ax.images[0].set_clim(0.0, 1.0)  # one scale for both panels and the colour bar
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(t("source", lang))
    axes[0].set_ylabel(t("target", lang))


def q11_global_local(result: Result, lang: str = "en") -> Figure:
    """Global vs local-p weights, the predicted centres and windows, and how many scores each needs."""
    centres, D = np.asarray(result.extras["centres"], dtype=float), result.extras["D"]
    counts = result.extras["counts"]
    with style():
        fig = Figure(figsize=(14, 5.6), layout="constrained")
        ax_g, ax_l, ax_c = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 0.55]})
        _alignment_pair(
            [ax_g, ax_l], result, [t("global", lang), t("local", lang).replace("D", str(D))], lang
        )
        rows, S = np.arange(len(centres)), result.weights.size(-1)
        ax_l.plot(
            centres, rows, "-o", color="#e69f00", markersize=4, linewidth=1, label=t("centre", lang)
        )
        for edge in (centres - D, centres + D):
            ax_l.plot(edge, rows, "--", color="#e69f00", linewidth=1)
        ax_l.plot([], [], "--", color="#e69f00", label=t("window", lang))
        ax_l.set_xlim(-0.5, S - 0.5)
        ax_l.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8)
        bars = ax_c.bar(
            ["global", "local"], [counts["global"], counts["local"]], color=["#0072b2", "#e69f00"]
        )
        ax_c.bar_label(bars)
        ax_c.set_title(t("scores_counted", lang) + f" ({t('this_word', lang)})", fontsize=10)
        fig.suptitle(
            f"{t('output', lang)}: global → {result.facts.get('output_global', '')}, "
            f"local → {result.facts.get('output_local', '')}",
            fontsize=11,
        )
    return fig


def q22_alignment(result: Result, lang: str = "en") -> Figure:
    """The additive model's alignment beside a Luong-scored model's, with their outputs."""
    facts = result.facts
    outs = [v for k, v in facts.items() if k.startswith("output_")]
    with style():
        fig = Figure(figsize=(12.5, 6), layout="constrained")
        axes = list(fig.subplots(1, 2))
        _alignment_pair(axes, result, [t(s, lang) for s in result.extras["scores"]], lang)
        for ax, out in zip(axes, outs, strict=False):
            ax.text(
                0.5,
                -0.2,
                f"{t('output', lang)}: {out}",
                transform=ax.transAxes,
                ha="center",
                fontsize=10,
            )
        fig.colorbar(axes[0].images[0], ax=axes, fraction=0.03, label=word("weight", lang))
    return fig


# ── Q13 ─────────────────────────────────────────────────────────────────────────────────────


def _bars(ax: Axes, names: list[str], values: list[float], title: str, log: bool = True) -> None:
    """Horizontal bars, one per variant, labelled with their values."""
    bars = ax.barh(names, values, color="#0072b2")
    ax.bar_label(bars, labels=[f"{v:.3g}" for v in values], padding=2, fontsize=8)
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
    ax.set_title(title, fontsize=10)
    ax.margins(x=0.25)


def q13_costs(result: Result, lang: str = "en") -> Figure:
    """Head-averaged weights of each variant over bar charts of FLOPs, parameters, memory, entropy."""
    rows = result.extras["rows"]
    names = [_name(r["variant"], lang) for r in rows]
    with style():
        fig = Figure(figsize=(16, 9), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[0.8, 1])
        _small_maps(top, list(top.subplots(1, len(rows))), result, names)
        ax_f, ax_p, ax_m, ax_e = bottom.subplots(1, 4)
        _bars(ax_f, names, [r["flops"] for r in rows], t("gflops", lang), log=False)
        _bars(ax_p, names, [r["params"] for r in rows], t("params", lang), log=False)
        y = np.arange(len(rows))
        ax_m.barh(
            y - 0.2,
            [r["score_kib"] for r in rows],
            0.4,
            label=t("score_kib", lang),
            color="#0072b2",
        )
        ax_m.barh(
            y + 0.2, [r["kv_kib"] for r in rows], 0.4, label=t("kv_kib", lang), color="#e69f00"
        )
        ax_m.set_yticks(y, labels=names)
        ax_m.invert_yaxis()
        ax_m.set_xscale("log")
        ax_m.set_title(t("memory_kib", lang), fontsize=10)
        ax_m.legend(fontsize=8)
        _bars(ax_e, names, [r["entropy"] for r in rows], t("entropy", lang), log=False)
        ax_e.axvline(
            result.facts["uniform_entropy"], color="grey", linestyle="--", label=t("uniform", lang)
        )
        ax_e.legend(fontsize=8, loc="lower right")
    return fig


# ── Q16 ─────────────────────────────────────────────────────────────────────────────────────


def q16_dialogue(result: Result, lang: str = "en") -> Figure:
    """The dialogue as a list of turns, each with a bar of the weight the reply gives it."""
    w = result.weights[0, 0].numpy()
    labels = ["\n".join(textwrap.wrap(k, 46)) for k in result.key_labels]
    with style():
        fig = Figure(figsize=(11, 0.75 * len(labels) + 2.2), layout="constrained")
        ax = fig.add_subplot()
        bars = ax.barh(range(len(w)), w, color="#0072b2")
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in w], padding=3)
        ax.set_yticks(range(len(w)), labels=labels, fontsize=10)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.12)
        ax.set_xlabel(t("turn_weight", lang))
        reply = result.extras["reply"]
        ax.set_title(
            f"{t('reply', lang)} (B): “{reply}”\n{t('p_fits', lang)} = {result.extras['p_fits']:.3f}",
            fontsize=11,
        )
    return fig


# ── Q17 ─────────────────────────────────────────────────────────────────────────────────────


def _grouped(ax: Axes, labels: list[str], series: dict[str, np.ndarray]) -> None:
    """Grouped vertical bars, one group per label."""
    width = 0.8 / len(series)
    x = np.arange(len(labels))
    for i, (name, values) in enumerate(series.items()):
        ax.bar(x + (i - (len(series) - 1) / 2) * width, values, width, label=name)
    ax.set_xticks(x, labels=labels, rotation=35, ha="right", fontsize=9)
    ax.legend(fontsize=8)


def _head_effects(ax: Axes, heads: np.ndarray, lang: str) -> None:
    """(n_layers, h) ablation effects as an annotated diverging heatmap."""
    lim = float(np.abs(heads).max()) or 1.0
    ax.imshow(heads, cmap="PuOr", vmin=-lim, vmax=lim, aspect="auto")
    for (i, j), v in np.ndenumerate(heads):
        colour = "white" if abs(v) > 0.6 * lim else "black"
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=9, color=colour)
    ax.set_xticks(
        range(heads.shape[1]),
        labels=[f"{word('head', lang)} {j + 1}" for j in range(heads.shape[1])],
    )
    ax.set_yticks(
        range(heads.shape[0]), labels=[f"{t('layer', lang)} {i + 1}" for i in range(heads.shape[0])]
    )
    ax.set_title(t("ablation", lang), fontsize=10)


def q17_rollout(result: Result, lang: str = "en") -> Figure:
    """Raw attention per layer and the rollout; [CLS] rows vs word erasure; head ablation."""
    ex, words = result.extras, list(result.key_labels[1:])
    n_layers = result.n_heads - 1
    titles = [t("raw_layer", lang).format(i + 1) for i in range(n_layers)]
    titles.append(t("rollout_all", lang).format(n_layers))
    with style():
        fig = Figure(figsize=(16, 10), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[1, 0.9])
        for ax, w, title in zip(
            top.subplots(1, result.n_heads), result.weights, titles, strict=True
        ):
            draw_weights(
                ax, w.numpy(), list(result.query_labels), list(result.key_labels), annotate=False
            )
            ax.set_title(title, fontsize=10)
        ax_cls, ax_erase, ax_heads = bottom.subplots(
            1, 3, gridspec_kw={"width_ratios": [1.2, 1.2, 0.6]}
        )
        series = {
            t("raw_last", lang): ex["cls_raw"].numpy(),
            t("rollout", lang): ex["cls_rollout"].numpy(),
        }
        _grouped(ax_cls, words, series)
        ax_cls.set_title(t("cls_row", lang), fontsize=10)
        ax_erase.bar(range(len(words)), ex["erasure"].numpy(), color="#009e73")
        ax_erase.set_xticks(range(len(words)), labels=words, rotation=35, ha="right", fontsize=9)
        ax_erase.axhline(0, color="black", linewidth=0.6)
        ax_erase.set_title(t("erasure", lang), fontsize=10)
        _head_effects(ax_heads, ex["head_effects"].numpy(), lang)
    return fig


# ── Q24 ─────────────────────────────────────────────────────────────────────────────────────


def q24_soft_hard(result: Result, lang: str = "en") -> Figure:
    """Five weight matrices from the same scores; query 1 compared; the learning race."""
    ex, tau = result.extras, result.extras["tau"]
    titles = [t("soft", lang), t("hard_one", lang), t("hard_freq", lang).format(ex["samples"])]
    titles += [f"top-{ex['k']}", f"Gumbel-softmax τ={tau:g}"]
    keys = list(result.key_labels)
    with style():
        fig = Figure(figsize=(16, 8.5), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[1, 0.9])
        for ax, w, title in zip(
            top.subplots(1, result.n_heads), result.weights, titles, strict=True
        ):
            draw_weights(ax, w.numpy(), list(result.query_labels), keys, annotate=False)
            ax.set_title("\n".join(textwrap.wrap(title, 22)), fontsize=10)
        ax_q, ax_race = bottom.subplots(1, 2)
        _grouped(ax_q, keys, {h: w[0].numpy() for h, w in zip(titles, result.weights, strict=True)})
        ax_q.set_title(t("query0", lang) + f" ({result.query_labels[0]})", fontsize=10)
        for name, curve in ex["curves"].items():
            label = f"{name}, τ={tau:g}" if "Gumbel" in name else name
            ax_race.plot(range(1, len(curve) + 1), curve, label=label)
        ax_race.set_ylim(0, 1.02)
        ax_race.set_xlabel(t("step", lang))
        ax_race.set_title(t("race", lang).format(keys[ex["target"]]), fontsize=10)
        ax_race.legend(fontsize=9)
    return fig


# ── Q26 ─────────────────────────────────────────────────────────────────────────────────────


def _word_grid(ax: Axes, alpha: np.ndarray, sentences: list[list[str]], lang: str) -> None:
    """Words in their cells, coloured by their weight; padding cells left blank."""
    shown = np.full_like(alpha, np.nan)
    for i, words in enumerate(sentences):
        shown[i, : len(words)] = alpha[i, : len(words)]
    vmax = max(float(alpha.max()), 1e-9)
    ax.imshow(shown, cmap=CMAP, vmin=0, vmax=vmax, aspect="auto")
    for i, words in enumerate(sentences):
        for j, w in enumerate(words):
            colour = text_colour(alpha[i, j], vmax)
            ax.text(
                j,
                i,
                f"{w}\n{alpha[i, j]:.2f}",
                ha="center",
                va="center",
                fontsize=8.5,
                color=colour,
            )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(t("word_weights", lang), fontsize=10)


def q26_han(result: Result, lang: str = "en") -> Figure:
    """Each sentence as a row of words coloured by word weight, beside its sentence weight."""
    alpha = result.weights[0].numpy()  # (S, W)
    beta = np.asarray(result.extras["sentence_weights"], dtype=float)[:, None]  # (S, 1)
    probs = np.asarray(result.extras["probs"], dtype=float)
    S, W = alpha.shape
    with style():
        fig = Figure(figsize=(1.15 * W + 2.6, 0.7 * S + 1.8), layout="constrained")
        ax_s, ax_w = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, W]})
        ax_s.imshow(beta, cmap="Oranges", vmin=0, vmax=1, aspect="auto")
        for i, b in enumerate(beta[:, 0]):
            ax_s.text(
                0,
                i,
                f"{b:.2f}",
                ha="center",
                va="center",
                fontsize=10,
                color="white" if b > 0.5 else "black",
            )
        ax_s.set_xticks([0], labels=[t("sentence_weight", lang)], fontsize=9)
        ax_s.set_yticks(range(S), labels=[str(i + 1) for i in range(S)])
        _word_grid(ax_w, alpha, result.extras["sentences"], lang)
        pos, neg = t("pos", lang), t("neg", lang)
        fig.suptitle(
            f"{t('prediction', lang)}: {pos} {probs[1]:.3f} / {neg} {probs[0]:.3f}", fontsize=11
        )
    return fig


VISUALS = {
    "q08_pooling": q08_pooling,
    "q09_efficient": q09_efficient,
    "q11_global_local": q11_global_local,
    "q13_costs": q13_costs,
    "q16_dialogue": q16_dialogue,
    "q17_rollout": q17_rollout,
    "q22_alignment": q22_alignment,
    "q24_soft_hard": q24_soft_hard,
    "q26_han": q26_han,
}
