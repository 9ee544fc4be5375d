"""Figures for the vision, speech, graph and recommendation demos (Q10, Q14, Q18, Q21, Q23, Q25, Q27, Q29, Q30)."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from engine.result import Result
from visuals.heatmap import draw_weights
from visuals.style import CMAP, style, word


def _t(lang: str, zh: str, en: str) -> str:
    """The zh or en text."""
    return zh if lang == "zh" else en


def _head_title(result: Result, h: int, lang: str, zh_titles: tuple[str, ...]) -> str:
    """Head label in ``lang``: a zh translation given by the view, or the English label."""
    return zh_titles[h] if lang == "zh" and h < len(zh_titles) else result.head_labels[h]


# ---------------------------------------------------------------- Q10 ViT patches


def _grid_lines(ax: Axes, rows: int, cols: int, P: int) -> None:
    for r in range(1, rows):
        ax.axhline(r * P - 0.5, color="white", lw=0.4, alpha=0.5)
    for c in range(1, cols):
        ax.axvline(c * P - 0.5, color="white", lw=0.4, alpha=0.5)


def vit_patches(result: Result, lang: str = "en") -> Figure:
    """The image with the query patch, then each head's attention from it, laid over the image.

    The query's own weight is left out of the colour scale (it would swamp the rest).
    """
    ex = result.extras
    img, (rows, cols), q, P = ex["image"], ex["grid"], ex["query"], ex["patch"]
    zh_heads = ("仅外观（λ = 0）", "外观 + 位置")
    with style():
        fig = Figure(figsize=(13.5, 4.9))
        axes = fig.subplots(1, 1 + result.n_heads)
        axes[0].imshow(img, interpolation="nearest")
        _grid_lines(axes[0], rows, cols, P)
        axes[0].set_title(_t(lang, "图像与查询块（红框）", "Image and query patch (red)"), fontsize=11)
        for h, ax in enumerate(axes[1:]):
            row = result.weights[h, q].numpy().copy()
            others = np.delete(row, q)
            amap = row.reshape(rows, cols)
            ax.imshow(img.mean(-1), cmap="gray", interpolation="nearest")
            im = ax.imshow(amap, cmap=CMAP, alpha=0.7, vmin=0, vmax=max(float(others.max()), 1e-9),
                           extent=(-0.5, img.shape[1] - 0.5, img.shape[0] - 0.5, -0.5), interpolation="nearest")
            ax.set_title(f"{_head_title(result, h, lang, zh_heads)}\n"
                         + _t(lang, f"自身权重 {row[q]:.2f}（不计入色标）", f"self weight {row[q]:.2f} (off the colour scale)"), fontsize=10)
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03, label=word("weight", lang))
        r, c = divmod(q, cols)
        for ax in axes:
            ax.add_patch(Rectangle((c * P - 0.5, r * P - 0.5), P, P, fill=False, ec="red", lw=2))
            ax.set_xticks([])
            ax.set_yticks([])
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------- speech (Q14, Q18, Q25, Q30)


def _spectrogram(ax: Axes, logmel: np.ndarray, spans, phones, lang: str) -> None:
    """Log-mel spectrogram (bands × frames) with the true phone boundaries and names."""
    ax.imshow(logmel.T, origin="lower", aspect="auto", cmap="magma", interpolation="nearest")
    for (a, _), p in zip(spans, phones):
        ax.axvline(a - 0.5, color="white", lw=0.6, alpha=0.7)
    for (a, b), p in zip(spans, phones):
        ax.text((a + b - 1) / 2, logmel.shape[1] - 2, p, color="white", ha="center", va="top", fontsize=8)
    ax.set_ylabel(_t(lang, "梅尔频带", "mel band"))
    ax.set_title(_t(lang, "合成语音的对数梅尔频谱（白线：真实音素边界）", "Log-mel spectrogram of the synthesized utterance (white: true phone boundaries)"), fontsize=10)


def _spans_box(ax: Axes, spans, transpose: bool) -> None:
    """Outline each phone's true frames: rows = phones (transpose=False: (phone, frames) layout)."""
    for n, (a, b) in enumerate(spans):
        ax.add_patch(Rectangle((a - 0.5, n - 0.5), b - a, 1, fill=False, ec="red", lw=0.9))


def _alignment(ax: Axes, w: np.ndarray, phones, lang: str, title: str) -> None:
    """(phones × frames) alignment image with the phone names on the y axis."""
    ax.imshow(w, aspect="auto", cmap=CMAP, vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks(range(len(phones)), labels=phones, fontsize=8 if len(phones) > 14 else 9)
    ax.set_title(title, fontsize=10)


def speech_alignment(result: Result, lang: str = "en") -> Figure:
    """Q14: spectrogram, then each head's (tokens × frames) attention, true spans outlined."""
    ex = result.extras
    phones = result.query_labels
    zh = ("全局内容注意力", "窗口注意力（Chorowski 2015）")
    with style():
        fig = Figure(figsize=(12, 8.2))
        axes = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1.3, 1.3]})
        _spectrogram(axes[0], ex["logmel"], ex["spans"], phones, lang)
        for h in range(result.n_heads):
            key = ("global", "windowed")[h]
            info = _t(lang, f"真实区间内的质量 {result.facts.get(f'{key}: mass_in_true_span', 0):.2f}，峰值后跳 {result.facts.get(f'{key}: backward_jumps', 0)} 次",
                      f"mass in true span {result.facts.get(f'{key}: mass_in_true_span', 0):.2f}, backward jumps of the peak {result.facts.get(f'{key}: backward_jumps', 0)}")
            _alignment(axes[h + 1], result.weights[h].numpy(), phones, lang, f"{_head_title(result, h, lang, zh)} — {info}")
            _spans_box(axes[h + 1], ex["spans"], False)
            axes[h + 1].set_ylabel(_t(lang, "输出音素（查询）", "output phone (query)"))
        axes[2].plot(ex["medians"], range(len(phones)), "w.", ms=5, label=_t(lang, "中位帧 m_i", "median frame m_i"))
        axes[2].legend(loc="lower right", fontsize=8, facecolor="0.3", labelcolor="white")
        axes[2].set_xlabel(_t(lang, "频谱帧（键），每帧 10 ms；红框：真实区间", "spectrogram frame (key), 10 ms each; red boxes: true spans"))
        fig.tight_layout()
    return fig


def tts_alignment(result: Result, lang: str = "en") -> Figure:
    """Q18: spectrogram, content vs location-sensitive alignment (phones × frames), guided-attention W."""
    ex = result.extras
    phones = result.key_labels
    zh = ("基于内容（加性）", "位置敏感（Chorowski 2015）")
    with style():
        fig = Figure(figsize=(12, 10))
        axes = fig.subplots(4, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1.2, 1.2, 1.2]})
        _spectrogram(axes[0], ex["logmel"], ex["spans"], phones, lang)
        for h in range(result.n_heads):
            key = ("content", "location")[h]
            f = result.facts
            info = _t(lang, f"L_att = {f[f'{key}: guided loss L_att']:.4f}，峰值后跳 {f[f'{key}: backward_jumps']} 次，前跳越过 {f[f'{key}: phones_jumped_over']} 个音素",
                      f"L_att = {f[f'{key}: guided loss L_att']:.4f}, backward jumps {f[f'{key}: backward_jumps']}, phones jumped over {f[f'{key}: phones_jumped_over']}")
            _alignment(axes[h + 1], result.weights[h].numpy().T, phones, lang, f"{_head_title(result, h, lang, zh)} — {info}")
            _spans_box(axes[h + 1], ex["spans"], True)
            axes[h + 1].set_ylabel(_t(lang, "音素（键）", "phone (key)"))
        W = ex["guided_W"].T  # (N, T)
        axes[3].imshow(W, aspect="auto", cmap="Greys", vmin=0, vmax=1, interpolation="nearest")
        axes[3].set_yticks(range(len(phones)), labels=phones, fontsize=9)
        axes[3].set_title(_t(lang, f"引导注意力惩罚 W_nt = 1 − exp(−(n/N − t/T)²/(2g²))，g = {result.facts['g']}（白 = 不惩罚）",
                             f"Guided-attention penalty W_nt = 1 − exp(−(n/N − t/T)²/(2g²)), g = {result.facts['g']} (white = no penalty)"), fontsize=10)
        axes[3].set_xlabel(_t(lang, "解码步 = 频谱帧（查询）；红框：真实对齐", "decoder step = spectrogram frame (query); red boxes: true alignment"))
        fig.tight_layout()
    return fig


def tts_failures(result: Result, lang: str = "en") -> Figure:
    """Q25: the three mechanisms' alignments (phones × frames) with the argmax path and failure counts."""
    ex = result.extras
    phones = result.key_labels
    zh = ("基于内容", "位置敏感", "前向注意力（Zhang 2018）")
    names = {"repeating": ("重复", "repeating"), "skipping": ("跳词", "skipping"), "stuck": ("卡住", "stuck")}[ex["failure"]]
    f = result.facts
    with style():
        fig = Figure(figsize=(12, 9.5))
        axes = fig.subplots(result.n_heads, 1, sharex=True)
        for h, key in enumerate(("content", "location", "forward")):
            w = result.weights[h].numpy().T  # (N, T)
            info = _t(lang, f"回跳 {f[f'{key}: repeats']}，跳过音素 {f[f'{key}: skipped_phones']}，最长超时 {f[f'{key}: overstay_frames']} 帧，落后帧 {f[f'{key}: frames_behind']}",
                      f"jumps back {f[f'{key}: repeats']}, skipped phones {f[f'{key}: skipped_phones']}, longest overstay {f[f'{key}: overstay_frames']} frames, frames behind {f[f'{key}: frames_behind']}")
            _alignment(axes[h], w, phones, lang, f"{_head_title(result, h, lang, zh)} — {info}")
            _spans_box(axes[h], ex["spans"], True)
            axes[h].plot(w.argmax(0), color="orange", lw=1.2, label=_t(lang, "argmax 路径", "argmax path"))
            if ex["outlier"] >= 0:
                axes[h].axhline(ex["outlier"], color="red", ls=":", lw=1)
            axes[h].set_ylabel(_t(lang, "音素（键）", "phone (key)"))
        axes[0].legend(loc="lower right", fontsize=8)
        note = _t(lang, "（红色虚线：编码异常的音素）", " (red dotted line: the outlier phone encoding)") if ex["outlier"] >= 0 else ""
        fig.suptitle(_t(lang, f"失败场景：{names[0]} — “{f['text']}”{note}", f"Scenario: {names[1]} — “{f['text']}”{note}"), fontsize=12)
        axes[-1].set_xlabel(_t(lang, "解码步 = 频谱帧；红框：真实对齐", "decoder step = spectrogram frame; red boxes: true alignment"))
        fig.tight_layout()
    return fig


def streaming(result: Result, lang: str = "en") -> Figure:
    """Q30: each variant's (frames × frames) weights, then look-ahead latency vs drift from full attention."""
    zh = ("全局", "因果", "因果窗口", "分块")
    f = result.facts
    H = result.n_heads
    with style():
        fig = Figure(figsize=(13, 7.2))
        grid = fig.add_gridspec(2, H, height_ratios=[1.25, 1])
        for h in range(H):
            ax = fig.add_subplot(grid[0, h])
            w = result.weights[h].numpy()
            ax.imshow(w, cmap=CMAP, norm=PowerNorm(0.5, vmin=0, vmax=max(float(w.max()), 1e-9)), interpolation="nearest")
            ax.set_title(_head_title(result, h, lang, zh), fontsize=11)
            ax.set_xlabel(_t(lang, "键帧", "key frame"), fontsize=9)
            if h == 0:
                ax.set_ylabel(_t(lang, "查询帧", "query frame"), fontsize=9)
            ax.tick_params(labelsize=8)
        ax = fig.add_subplot(grid[1, :])
        names = result.head_labels
        look = [f[f"{n}: look-ahead (ms)"] for n in names]
        drift = [f[f"{n}: drift from full (1 − cos)"] for n in names]
        x = np.arange(H)
        ax.bar(x - 0.2, look, 0.4, color="#3b528b", label=_t(lang, "平均前瞻延迟（ms）", "mean look-ahead latency (ms)"))
        ax2 = ax.twinx()
        ax2.bar(x + 0.2, drift, 0.4, color="#5ec962", label=_t(lang, "与全局输出的偏差 1 − cos", "drift from full output, 1 − cos"))
        ax.set_xticks(x, labels=[_head_title(result, h, lang, zh) for h in range(H)])
        ax.set_ylabel(_t(lang, "延迟（ms）", "latency (ms)"))
        ax2.set_ylabel("1 − cos")
        ax.legend(loc="upper left", fontsize=9)
        ax2.legend(loc="upper right", fontsize=9)
        fig.suptitle(_t(lang, "上排：注意力权重（平方根色标，便于看清小权重）", "Top: attention weights (square-root colour scale, so small weights show)"), fontsize=11)
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------- Q21 channel + spatial


def channel_spatial(result: Result, lang: str = "en") -> Figure:
    """Q21: the image, the SE gate of each channel, and the spatial map over the image."""
    ex = result.extras
    zh_ch = ("红", "绿", "蓝", "亮度", "水平边缘", "垂直边缘", "对角边缘", "斑点")
    names = zh_ch if lang == "zh" else result.key_labels
    gates, share = ex["gates"], result.weights[0, 0].numpy()
    with style():
        fig = Figure(figsize=(14, 4.6))
        axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.5, 1.15]})
        axes[0].imshow(ex["image"], interpolation="nearest")
        axes[0].set_title(_t(lang, f"输入图像（P(红色方块) = {result.facts['P(red square)']}）", f"Input (P(red square) = {result.facts['P(red square)']})"), fontsize=10)
        y = np.arange(len(names))
        axes[1].barh(y - 0.2, gates, 0.4, color="#21918c", label=_t(lang, "门控 s_c ∈ (0, 1)", "gate s_c in (0, 1)"))
        axes[1].barh(y + 0.2, share, 0.4, color="#fde725", label=_t(lang, "归一化 s_c / Σ s", "normalised s_c / Σ s"))
        axes[1].set_yticks(y, labels=names)
        axes[1].invert_yaxis()
        axes[1].set_xlim(0, 1.05)
        axes[1].legend(loc="lower right", fontsize=8)
        axes[1].set_title(_t(lang, "通道注意力：SE 激励", "Channel attention: SE excitation"), fontsize=10)
        axes[2].imshow(ex["image"].mean(-1), cmap="gray", interpolation="nearest")
        im = axes[2].imshow(ex["map"], cmap=CMAP, alpha=0.7, vmin=0, vmax=1, interpolation="nearest")
        axes[2].set_title(_t(lang, "空间注意力图 M（CBAM）", "Spatial attention map M (CBAM)"), fontsize=10)
        fig.colorbar(im, ax=axes[2], fraction=0.046, pad=0.03)
        for ax in (axes[0], axes[2]):
            ax.set_xticks([])
            ax.set_yticks([])
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------- Q23 target attention


def target_attention(result: Result, lang: str = "en") -> Figure:
    """Q23: normalised weights of every candidate over the history, and the chosen candidate's raw activations."""
    ex = result.extras
    c, raw, p = ex["candidate"], ex["raw"], ex["p_click"]
    w = result.weights[0].numpy()
    with style():
        fig = Figure(figsize=(14, 8.6))
        axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.45, 1]})
        im = draw_weights(axes[0], w, list(result.query_labels), list(result.key_labels), annotate=False)
        axes[0].add_patch(Rectangle((-0.5, c - 0.5), w.shape[1], 1, fill=False, ec="red", lw=2))
        axes[0].set_xlabel(_t(lang, "用户历史行为（键）", "user's history (keys)"))
        axes[0].set_ylabel(_t(lang, "候选商品（查询） [类别]", "candidate item (query) [category]"))
        axes[0].set_title(_t(lang, "softmax 归一化的激活权重（每行和为 1）", "softmax-normalised activations (rows sum to 1)"), fontsize=10)
        fig.colorbar(im, ax=axes[0], fraction=0.04, pad=0.02, label=word("weight", lang))
        y = np.arange(len(result.key_labels))
        colours = ["#d62728" if v < 0 else "#21918c" for v in raw[c]]
        axes[1].barh(y, raw[c], color=colours)
        axes[1].axvline(0, color="black", lw=0.8)
        axes[1].set_yticks(y, labels=result.key_labels)
        axes[1].invert_yaxis()
        axes[1].set_xlabel(_t(lang, "原始激活 a_i（DIN 论文不做 softmax）", "raw activation a_i (the DIN paper does not softmax)"))
        cand = result.query_labels[c]
        axes[1].set_title(_t(lang, f"候选：{cand}\nP(点击) = {p[c]:.2f}，Σ a_i = {raw[c].sum():.2f}",
                             f"Candidate: {cand}\nP(click) = {p[c]:.2f}, Σ a_i = {raw[c].sum():.2f}"), fontsize=10)
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------- Q27 graph attention


def _layout(n: int, centre: int) -> np.ndarray:
    """Node ``centre`` in the middle, the others on a circle starting at the top.  → (n, 2)."""
    others = [i for i in range(n) if i != centre]
    a = np.pi / 2 - 2 * np.pi * np.arange(len(others)) / len(others)
    pos = np.zeros((n, 2))
    pos[others] = np.stack([np.cos(a), np.sin(a)], 1)
    return pos


def graph_attention(result: Result, lang: str = "en") -> Figure:
    """Q27: the knowledge graph, edges from the focus entity drawn as wide as α (head 1); the neighbour heatmap."""
    ex = result.extras
    names, focus = result.query_labels, ex["focus"]
    alpha = result.weights[0].numpy()
    pos = _layout(len(names), focus)
    relation = {}
    for s, rel, o in ex["edges"]:
        relation[(s, o)] = relation[(o, s)] = rel
    with style():
        fig = Figure(figsize=(15, 7.4))
        axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
        ax = axes[0]
        for s, _, o in ex["edges"]:
            if focus not in (s, o):
                ax.plot(*zip(pos[s], pos[o]), color="0.82", lw=1, zorder=1)
        top = max(float(np.delete(alpha[focus], focus).max()), 1e-9)
        for j in np.flatnonzero(alpha[focus] > 0):
            if j == focus:
                continue
            (x0, y0), (x1, y1) = pos[focus], pos[j]
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=3,
                        arrowprops={"arrowstyle": "-|>", "lw": 1 + 9 * alpha[focus, j] / top, "color": "#d62728",
                                    "alpha": 0.8, "shrinkA": 10, "shrinkB": 10, "mutation_scale": 14})
            ax.text(0.55 * x1 + 0.45 * x0, 0.55 * y1 + 0.45 * y0, f"{relation[(focus, j)]}\n{alpha[focus, j]:.2f}",
                    fontsize=8, color="#b2182b", zorder=4, ha="center", va="center",
                    bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 0.6})
        for i, (x, y) in enumerate(pos):
            ax.scatter([x], [y], s=260, color="#d62728" if i == focus else "#3b528b", zorder=5)
            if i == focus:
                ax.text(x, y - 0.13, names[i], ha="center", va="top", fontsize=10, zorder=6)
            else:
                ax.text(1.13 * x, 1.13 * y, names[i], ha="left" if x > 0.2 else "right" if x < -0.2 else "center",
                        va="center", fontsize=9, zorder=6)
        ax.set_xlim(-1.75, 1.75)
        ax.set_ylim(-1.25, 1.25)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(_t(lang, f"“{names[focus]}”对邻居的注意力 α_ij（头 1，线宽 ∝ α；自环 {alpha[focus, focus]:.2f}）",
                        f"Attention α_ij of “{names[focus]}” to its neighbours (head 1, width ∝ α; self {alpha[focus, focus]:.2f})"), fontsize=10)
        im = draw_weights(axes[1], alpha, list(names), list(names))
        axes[1].set_xlabel(_t(lang, "邻居 j（键）；非邻居 = 0", "neighbour j (key); non-neighbours = 0"))
        axes[1].set_ylabel(_t(lang, "实体 i（查询）", "entity i (query)"))
        axes[1].set_title(_t(lang, f"邻居注意力矩阵（头 1，共 {result.n_heads} 个头）", f"Neighbour attention (head 1 of {result.n_heads})"), fontsize=10)
        fig.colorbar(im, ax=axes[1], fraction=0.046, pad=0.03, label=word("weight", lang))
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------- Q29 space-time video


def space_time(result: Result, lang: str = "en") -> Figure:
    """Q29: every frame with the query patch's divided (space · time) and joint attention laid over it.

    Each frame has its own colour scale (the query's own frame would swamp the others); the
    share of attention that lands in the frame is written under it.
    """
    ex = result.extras
    video, q, G = ex["video"], ex["query"], ex["grid"]
    T, P = video.shape[0], G * G
    S = video.shape[1] // G
    rows = ((2, _t(lang, "分离：空间 · 时间", "divided: space · time")), (3, _t(lang, "联合时空", "joint space–time")))
    with style():
        fig = Figure(figsize=(1.6 * T + 1.6, 4.9))
        axes = fig.subplots(2, T, squeeze=False)
        for r, (h, name) in enumerate(rows):
            row = result.weights[h, q].numpy().reshape(T, G, G)
            for t in range(T):
                ax = axes[r, t]
                ax.imshow(video[t], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
                ax.imshow(row[t], cmap=CMAP, alpha=0.55, vmin=0, vmax=max(float(row[t].max()), 1e-12), interpolation="nearest",
                          extent=(-0.5, video.shape[2] - 0.5, video.shape[1] - 0.5, -0.5))
                oa, ob = ex["track"][t]
                ax.add_patch(Rectangle((ob * S - 0.5, oa * S - 0.5), S, S, fill=False, ec="white", lw=1, ls=":"))
                a, b = np.unravel_index(int(row[t].argmax()), (G, G))
                ax.add_patch(Rectangle((b * S - 0.5, a * S - 0.5), S, S, fill=False, ec="orange", lw=1.6))
                if t == q // P:
                    ax.add_patch(Rectangle((ob * S - 0.5, oa * S - 0.5), S, S, fill=False, ec="red", lw=2, ls="--"))
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_xlabel(f"Σ = {row[t].sum():.3f}", fontsize=8)
                if r == 0:
                    ax.set_title(_t(lang, f"第 {t} 帧", f"frame {t}"), fontsize=9)
            axes[r, 0].set_ylabel(name, fontsize=9)
        fig.suptitle(_t(lang, "红色虚线：查询块；白色点线：方块的真实位置；橙框：该帧注意力最大的块（每帧单独色标，Σ = 该帧所得权重）",
                        "Red dashes: query patch; white dots: where the square is; orange: most-attended patch (colour scale per frame, Σ = the frame's share)"), fontsize=10)
        fig.tight_layout()
    return fig


VISUALS = {
    "q10_patches": vit_patches,
    "q14_speech": speech_alignment,
    "q18_tts": tts_alignment,
    "q21_channel_spatial": channel_spatial,
    "q23_target": target_attention,
    "q25_failures": tts_failures,
    "q27_graph": graph_attention,
    "q29_video": space_time,
    "q30_streaming": streaming,
}
