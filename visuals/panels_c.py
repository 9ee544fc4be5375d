"""Figures for the vision, speech, graph and recommendation demos (Q10, Q14, Q18, Q21, Q23, Q25, Q27, Q29, Q30)."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from engine.result import Result
from visuals.heatmap import draw_weights
from visuals.style import CMAP, style, word

TEXT: dict[str, tuple[str, str]] = {  # key → (zh, en); {placeholders} are filled by _t
    # Q10
    "image_query": ("图像与查询块（红框）", "Image and query patch (red)"),
    "self_weight": ("自身权重 {w:.2f}（不计入色标）", "self weight {w:.2f} (off the colour scale)"),
    # speech
    "spectrogram": (
        "合成语音的对数梅尔频谱（白线：真实音素边界）",
        "Log-mel spectrogram of the synthesized utterance (white: true phone boundaries)",
    ),
    "mel_band": ("梅尔频带", "mel band"),
    "q14_info": (
        "真实区间内的质量 {mass:.2f}，峰值后跳 {back} 次",
        "mass in true span {mass:.2f}, backward jumps of the peak {back}",
    ),
    "out_phone": ("输出音素（查询）", "output phone (query)"),
    "median": ("中位帧 m_i", "median frame m_i"),
    "q14_x": (
        "频谱帧（键），每帧 10 ms；红框：真实区间",
        "spectrogram frame (key), 10 ms each; red boxes: true spans",
    ),
    "q18_info": (
        "L_att = {loss:.4f}，峰值后跳 {back} 次，前跳越过 {over} 个音素",
        "L_att = {loss:.4f}, backward jumps {back}, phones jumped over {over}",
    ),
    "phone_key": ("音素（键）", "phone (key)"),
    "guided": (
        "引导注意力惩罚 W_nt = 1 − exp(−(n/N − t/T)²/(2g²))，g = {g}（白 = 不惩罚）",
        "Guided-attention penalty W_nt = 1 − exp(−(n/N − t/T)²/(2g²)), g = {g} (white = no penalty)",
    ),
    "q18_x": (
        "解码步 = 频谱帧（查询）；红框：真实对齐",
        "decoder step = spectrogram frame (query); red boxes: true alignment",
    ),
    "q25_info": (
        "回跳 {rep}，跳过音素 {skip}，最长超时 {over} 帧，落后帧 {behind}",
        "jumps back {rep}, skipped phones {skip}, longest overstay (frames) {over}, frames behind {behind}",
    ),
    "argmax_path": ("argmax 路径", "argmax path"),
    "outlier": ("（红色虚线：编码异常的音素）", " (red dotted line: the outlier phone encoding)"),
    "scenario": ("失败场景：{name} — “{text}”{note}", "Scenario: {name} — “{text}”{note}"),
    "q25_x": (
        "解码步 = 频谱帧；红框：真实对齐",
        "decoder step = spectrogram frame; red boxes: true alignment",
    ),
    "key_frame": ("键帧", "key frame"),
    "query_frame": ("查询帧", "query frame"),
    "lookahead": ("平均前瞻延迟（ms）", "mean look-ahead latency (ms)"),
    "drift": ("与全局输出的偏差 1 − cos", "drift from full output, 1 − cos"),
    "latency": ("延迟（ms）", "latency (ms)"),
    "q30_title": (
        "上排：注意力权重（平方根色标，便于看清小权重）",
        "Top: attention weights (square-root colour scale, so small weights show)",
    ),
    # Q21
    "input": ("输入图像（P(红色方块) = {p}）", "Input (P(red square) = {p})"),
    "gate": ("门控 s_c ∈ (0, 1)", "gate s_c in (0, 1)"),
    "share": ("归一化 s_c / Σ s", "normalised s_c / Σ s"),
    "se": ("通道注意力：SE 激励", "Channel attention: SE excitation"),
    "cbam": ("空间注意力图 M（CBAM）", "Spatial attention map M (CBAM)"),
    # Q23
    "history": ("用户历史行为（键）", "user's history (keys)"),
    "candidate": ("候选商品（查询） [类别]", "candidate item (query) [category]"),
    "softmaxed": (
        "softmax 归一化的激活权重（每行和为 1）",
        "softmax-normalised activations (rows sum to 1)",
    ),
    "raw": (
        "softmax 之前的原始激活 a_i（本模型只看差值：softmax 不受整体平移影响）",
        "raw activation a_i before softmax (only differences matter: softmax ignores a shift)",
    ),
    "cand_title": ("候选：{c}\nP(点击) = {p:.2f}", "Candidate: {c}\nP(click) = {p:.2f}"),
    # Q27
    "graph": (
        "“{name}”对邻居的注意力 α_ij（头 1，线宽 ∝ α；自环 {self:.2f}）",
        "Attention α_ij of “{name}” to its neighbours (head 1, width ∝ α; self {self:.2f})",
    ),
    "neighbour": ("邻居 j（键）；非邻居 = 0", "neighbour j (key); non-neighbours = 0"),
    "entity": ("实体 i（查询）", "entity i (query)"),
    "neighbour_title": (
        "邻居注意力矩阵（头 1，共 {K} 个头）",
        "Neighbour attention (head 1 of {K})",
    ),
    # Q29
    "divided": ("分离：空间 · 时间", "divided: space · time"),
    "joint": ("联合时空", "joint space–time"),
    "frame": ("第 {t} 帧", "frame {t}"),
    "q29_title": (
        "红色虚线：查询块；白色点线：方块的真实位置；橙框：该帧注意力最大的块（每帧单独色标，Σ = 该帧所得权重）",
        "Red dashes: query patch; white dots: where the square is; orange: most-attended patch "
        "(colour scale per frame, Σ = the frame's share)",
    ),
}
ZH_HEADS = {  # view → zh head titles (the engine's head labels are English)
    "q10": ("仅外观（λ = 0）", "外观 + 位置"),
    "q14": ("全局内容注意力", "窗口注意力（Chorowski 2015）"),
    "q18": ("基于内容（加性）", "位置敏感（Chorowski 2015）"),
    "q25": ("基于内容", "位置敏感", "前向注意力（Zhang 2018）"),
    "q30": ("全局", "因果", "因果窗口", "分块"),
}
ZH_CHANNELS = ("红", "绿", "蓝", "亮度", "水平边缘", "垂直边缘", "对角边缘", "斑点")
ZH_FAILURES = {"repeating": "重复", "skipping": "跳词", "stuck": "卡住"}


def _t(lang: str, key: str, **values: object) -> str:
    """The text ``key`` in zh or en, with ``values`` filled in."""
    zh, en = TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def _head(result: Result, h: int, lang: str, view: str) -> str:
    """Head h's title in ``lang``."""
    return ZH_HEADS[view][h] if lang == "zh" else result.head_labels[h]


def _no_ticks(*axes: Axes) -> None:
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])


def _box(ax: Axes, row: int, col: int, size: int, **kw: object) -> None:
    """Outline the size × size cell (row, col) of an image."""
    ax.add_patch(Rectangle((col * size - 0.5, row * size - 0.5), size, size, fill=False, **kw))


def _overlay(ax: Axes, gray: np.ndarray, amap: np.ndarray, vmax: float, alpha: float = 0.6):
    """A coarse attention map stretched over a grey image; returns the map's image."""
    ax.imshow(gray, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    H, W = gray.shape
    return ax.imshow(
        amap,
        cmap=CMAP,
        alpha=alpha,
        vmin=0,
        vmax=max(vmax, 1e-12),
        interpolation="nearest",
        extent=(-0.5, W - 0.5, H - 0.5, -0.5),
    )


# ---------------------------------------------------------------- Q10 ViT patches


def vit_patches(result: Result, lang: str = "en") -> Figure:
    """The image with the query patch, then each head's attention from it laid over the image.

    The query's own weight is left out of the colour scale (it would swamp the rest).
    """
    ex = result.extras
    img, (rows, cols), q, P = ex["image"], ex["grid"], ex["query"], ex["patch"]
    r, c = divmod(q, cols)
    with style():
        fig = Figure(figsize=(13.5, 4.9))
        axes = fig.subplots(1, 1 + result.n_heads)
        axes[0].imshow(img, interpolation="nearest")
        for k in range(1, max(rows, cols)):
            axes[0].axhline(k * P - 0.5, color="white", lw=0.4, alpha=0.5)
            axes[0].axvline(k * P - 0.5, color="white", lw=0.4, alpha=0.5)
        axes[0].set_title(_t(lang, "image_query"), fontsize=11)
        for h, ax in enumerate(axes[1:]):
            row = result.weights[h, q].numpy()
            im = _overlay(
                ax, img.mean(-1), row.reshape(rows, cols), float(np.delete(row, q).max()), 0.7
            )
            ax.set_title(
                f"{_head(result, h, lang, 'q10')}\n{_t(lang, 'self_weight', w=row[q])}", fontsize=10
            )
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03, label=word("weight", lang))
        for ax in axes:
            _box(ax, r, c, P, ec="red", lw=2)
        _no_ticks(*axes)
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------- speech (Q14, Q18, Q25, Q30)


def _spectrogram(ax: Axes, logmel: np.ndarray, spans, phones, lang: str) -> None:
    """Log-mel spectrogram (bands × frames) with the true phone boundaries and names."""
    ax.imshow(logmel.T, origin="lower", aspect="auto", cmap="magma", interpolation="nearest")
    for (a, b), p in zip(spans, phones, strict=True):
        ax.axvline(a - 0.5, color="white", lw=0.6, alpha=0.7)
        ax.text(
            (a + b - 1) / 2,
            logmel.shape[1] - 2,
            p,
            color="white",
            ha="center",
            va="top",
            fontsize=8,
        )
    ax.set_ylabel(_t(lang, "mel_band"))
    ax.set_title(_t(lang, "spectrogram"), fontsize=10)


def _alignment(ax: Axes, w: np.ndarray, phones, spans, title: str, ylabel: str) -> None:
    """(phones × frames) alignment with phone names, each phone's true frames outlined in red."""
    ax.imshow(w, aspect="auto", cmap=CMAP, vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks(range(len(phones)), labels=phones, fontsize=8 if len(phones) > 14 else 9)
    for n, (a, b) in enumerate(spans):
        ax.add_patch(Rectangle((a - 0.5, n - 0.5), b - a, 1, fill=False, ec="red", lw=0.9))
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel)


def _speech_axes(n: int, height: float) -> tuple[Figure, np.ndarray]:
    """A spectrogram row and ``n`` alignment rows sharing the frame axis."""
    fig = Figure(figsize=(12, height))
    axes = fig.subplots(1 + n, 1, sharex=True, gridspec_kw={"height_ratios": [1] + [1.25] * n})
    return fig, axes


def speech_alignment(result: Result, lang: str = "en") -> Figure:
    """Q14: spectrogram, then each head's (tokens × frames) attention, true spans outlined."""
    ex, f, phones = result.extras, result.facts, result.query_labels
    with style():
        fig, axes = _speech_axes(result.n_heads, 8.2)
        _spectrogram(axes[0], ex["logmel"], ex["spans"], phones, lang)
        for h, key in enumerate(("global", "windowed")):
            info = _t(
                lang,
                "q14_info",
                mass=f[f"{key}_mass_in_true_span"],
                back=f[f"{key}_backward_jumps"],
            )
            title = f"{_head(result, h, lang, 'q14')} — {info}"
            _alignment(
                axes[h + 1],
                result.weights[h].numpy(),
                phones,
                ex["spans"],
                title,
                _t(lang, "out_phone"),
            )
        axes[2].plot(ex["medians"], range(len(phones)), "w.", ms=5, label=_t(lang, "median"))
        axes[2].legend(loc="upper right", fontsize=8, facecolor="0.3", labelcolor="white")
        axes[-1].set_xlabel(_t(lang, "q14_x"))
        fig.tight_layout()
    return fig


def tts_alignment(result: Result, lang: str = "en") -> Figure:
    """Q18: spectrogram, content vs location-sensitive alignment (phones × frames), guided-attention W."""
    ex, f, phones = result.extras, result.facts, result.key_labels
    with style():
        fig, axes = _speech_axes(result.n_heads + 1, 10)
        _spectrogram(axes[0], ex["logmel"], ex["spans"], phones, lang)
        for h, key in enumerate(("content", "location")):
            info = _t(
                lang,
                "q18_info",
                loss=f[f"{key}_guided_loss"],
                back=f[f"{key}_backward_jumps"],
                over=f[f"{key}_phones_jumped_over"],
            )
            title = f"{_head(result, h, lang, 'q18')} — {info}"
            _alignment(
                axes[h + 1],
                result.weights[h].numpy().T,
                phones,
                ex["spans"],
                title,
                _t(lang, "phone_key"),
            )
        axes[-1].imshow(
            ex["guided_W"].T, aspect="auto", cmap="Greys", vmin=0, vmax=1, interpolation="nearest"
        )
        axes[-1].set_yticks(range(len(phones)), labels=phones, fontsize=9)
        axes[-1].set_title(_t(lang, "guided", g=f["g"]), fontsize=10)
        axes[-1].set_xlabel(_t(lang, "q18_x"))
        fig.tight_layout()
    return fig


def tts_failures(result: Result, lang: str = "en") -> Figure:
    """Q25: the three mechanisms' alignments (phones × frames) with the argmax path and failure counts."""
    ex, f, phones = result.extras, result.facts, result.key_labels
    with style():
        fig = Figure(figsize=(12, 9.5))
        axes = fig.subplots(result.n_heads, 1, sharex=True)
        for h, key in enumerate(("content", "location", "forward")):
            w = result.weights[h].numpy().T  # (N, T)
            info = _t(
                lang,
                "q25_info",
                rep=f[f"{key}_repeats"],
                skip=f[f"{key}_skipped_phones"],
                over=f[f"{key}_overstay_frames"],
                behind=f[f"{key}_frames_behind"],
            )
            _alignment(
                axes[h],
                w,
                phones,
                ex["spans"],
                f"{_head(result, h, lang, 'q25')} — {info}",
                _t(lang, "phone_key"),
            )
            axes[h].plot(w.argmax(0), color="orange", lw=1.2, label=_t(lang, "argmax_path"))
            if ex["outlier"] >= 0:
                axes[h].axhline(ex["outlier"], color="red", ls=":", lw=1)
        axes[0].legend(loc="lower right", fontsize=8)
        name = ZH_FAILURES[ex["failure"]] if lang == "zh" else ex["failure"]
        note = _t(lang, "outlier") if ex["outlier"] >= 0 else ""
        fig.suptitle(_t(lang, "scenario", name=name, text=f["text"], note=note), fontsize=12)
        axes[-1].set_xlabel(_t(lang, "q25_x"))
        fig.tight_layout()
    return fig


def _latency_bars(ax: Axes, result: Result, lang: str) -> None:
    """Mean look-ahead latency and drift from full attention, one pair of bars per variant."""
    f, x = result.facts, np.arange(result.n_heads)
    look = [f[f"{n.replace(' ', '_')}_lookahead_ms"] for n in result.head_labels]
    drift = [f[f"{n.replace(' ', '_')}_drift"] for n in result.head_labels]
    ax.bar(x - 0.2, look, 0.4, color="#3b528b", label=_t(lang, "lookahead"))
    ax2 = ax.twinx()
    ax2.bar(x + 0.2, drift, 0.4, color="#5ec962", label=_t(lang, "drift"))
    ax.set_xticks(x, labels=[_head(result, h, lang, "q30") for h in x])
    ax.set_ylabel(_t(lang, "latency"))
    ax2.set_ylabel("1 − cos")
    ax.legend(loc="upper left", fontsize=9)
    ax2.legend(loc="upper right", fontsize=9)


def streaming(result: Result, lang: str = "en") -> Figure:
    """Q30: each variant's (frames × frames) weights, then look-ahead latency vs drift from full attention."""
    with style():
        fig = Figure(figsize=(13, 7.2))
        grid = fig.add_gridspec(2, result.n_heads, height_ratios=[1.25, 1])
        for h in range(result.n_heads):
            ax = fig.add_subplot(grid[0, h])
            w = result.weights[h].numpy()
            ax.imshow(
                w,
                cmap=CMAP,
                norm=PowerNorm(0.5, vmin=0, vmax=max(float(w.max()), 1e-9)),
                interpolation="nearest",
            )
            ax.set_title(_head(result, h, lang, "q30"), fontsize=11)
            ax.set_xlabel(_t(lang, "key_frame"), fontsize=9)
            ax.tick_params(labelsize=8)
            if h == 0:
                ax.set_ylabel(_t(lang, "query_frame"), fontsize=9)
        _latency_bars(fig.add_subplot(grid[1, :]), result, lang)
        fig.suptitle(_t(lang, "q30_title"), fontsize=11)
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------- Q21 channel + spatial


def channel_spatial(result: Result, lang: str = "en") -> Figure:
    """Q21: the image, the SE gate of each channel, and the spatial map over the image."""
    ex = result.extras
    names = ZH_CHANNELS if lang == "zh" else result.key_labels
    y = np.arange(len(names))
    with style():
        fig = Figure(figsize=(14, 4.6))
        axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.5, 1.15]})
        axes[0].imshow(ex["image"], interpolation="nearest")
        axes[0].set_title(_t(lang, "input", p=result.facts["p_red_square"]), fontsize=10)
        axes[1].barh(y - 0.2, ex["gates"], 0.4, color="#21918c", label=_t(lang, "gate"))
        axes[1].barh(
            y + 0.2, result.weights[0, 0].numpy(), 0.4, color="#fde725", label=_t(lang, "share")
        )
        axes[1].set_yticks(y, labels=names)
        axes[1].invert_yaxis()
        axes[1].set_xlim(0, 1.05)
        axes[1].legend(loc="lower right", fontsize=8)
        axes[1].set_title(_t(lang, "se"), fontsize=10)
        im = _overlay(axes[2], ex["image"].mean(-1), ex["map"], 1.0, 0.7)
        axes[2].set_title(_t(lang, "cbam"), fontsize=10)
        fig.colorbar(im, ax=axes[2], fraction=0.046, pad=0.03)
        _no_ticks(axes[0], axes[2])
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------- Q23 target attention


def _raw_bars(ax: Axes, result: Result, lang: str) -> None:
    """The chosen candidate's raw activation for each history item; negative ones in red."""
    ex = result.extras
    c, raw = ex["candidate"], ex["raw"][ex["candidate"]]
    y = np.arange(len(result.key_labels))
    ax.barh(y, raw, color=["#d62728" if v < 0 else "#21918c" for v in raw])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, labels=result.key_labels)
    ax.invert_yaxis()
    ax.set_xlabel(_t(lang, "raw"))
    title = _t(lang, "cand_title", c=result.query_labels[c], p=ex["p_click"][c])
    ax.set_title(title, fontsize=10)


def target_attention(result: Result, lang: str = "en") -> Figure:
    """Q23: normalised weights of every candidate over the history, and the chosen candidate's raw activations."""
    c, w = result.extras["candidate"], result.weights[0].numpy()
    with style():
        fig = Figure(figsize=(14, 8.6))
        axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.45, 1]})
        im = draw_weights(
            axes[0], w, list(result.query_labels), list(result.key_labels), annotate=False
        )
        axes[0].add_patch(Rectangle((-0.5, c - 0.5), w.shape[1], 1, fill=False, ec="red", lw=2))
        axes[0].set_xlabel(_t(lang, "history"))
        axes[0].set_ylabel(_t(lang, "candidate"))
        axes[0].set_title(_t(lang, "softmaxed"), fontsize=10)
        fig.colorbar(im, ax=axes[0], fraction=0.04, pad=0.02, label=word("weight", lang))
        _raw_bars(axes[1], result, lang)
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


def _focus_arrows(ax: Axes, pos: np.ndarray, alpha: np.ndarray, focus: int, relation: dict) -> None:
    """An arrow from the focus node to each neighbour j, as wide as α_focus,j, labelled relation and α."""
    top = max(float(np.delete(alpha[focus], focus).max()), 1e-9)
    for j in np.flatnonzero(alpha[focus] > 0):
        if j == focus:
            continue
        (x0, y0), (x1, y1) = pos[focus], pos[j]
        props = {
            "arrowstyle": "-|>",
            "lw": 1 + 9 * alpha[focus, j] / top,
            "color": "#d62728",
            "alpha": 0.8,
            "shrinkA": 10,
            "shrinkB": 10,
            "mutation_scale": 14,
        }
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=3, arrowprops=props)
        ax.text(
            0.55 * x1 + 0.45 * x0,
            0.55 * y1 + 0.45 * y0,
            f"{relation[(focus, j)]}\n{alpha[focus, j]:.2f}",
            fontsize=8,
            color="#b2182b",
            zorder=4,
            ha="center",
            va="center",
            bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 0.6},
        )


def _draw_graph(ax: Axes, result: Result, lang: str) -> None:
    """Nodes around the focus entity, its edges as attention arrows, the other edges in grey."""
    ex, names, alpha = result.extras, result.query_labels, result.weights[0].numpy()
    focus = ex["focus"]
    pos = _layout(len(names), focus)
    relation = {}
    for s, rel, o in ex["edges"]:
        relation[(s, o)] = relation[(o, s)] = rel
        if focus not in (s, o):
            ax.plot(*np.stack([pos[s], pos[o]], 1), color="0.82", lw=1, zorder=1)
    _focus_arrows(ax, pos, alpha, focus, relation)
    for i, (x, y) in enumerate(pos):
        ax.scatter([x], [y], s=260, color="#d62728" if i == focus else "#3b528b", zorder=5)
        ha = "center" if i == focus or abs(x) <= 0.2 else "left" if x > 0 else "right"
        at = (x, y - 0.13) if i == focus else (1.13 * x, 1.13 * y)
        ax.text(*at, names[i], ha=ha, va="top" if i == focus else "center", fontsize=9, zorder=6)
    ax.set_xlim(-1.75, 1.75)
    ax.set_ylim(-1.25, 1.25)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(_t(lang, "graph", name=names[focus], self=alpha[focus, focus]), fontsize=10)


def graph_attention(result: Result, lang: str = "en") -> Figure:
    """Q27: the knowledge graph, edges from the focus entity drawn as wide as α (head 1); the neighbour heatmap."""
    names = list(result.query_labels)
    with style():
        fig = Figure(figsize=(15, 7.4))
        axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
        _draw_graph(axes[0], result, lang)
        im = draw_weights(axes[1], result.weights[0].numpy(), names, names)
        axes[1].set_xlabel(_t(lang, "neighbour"))
        axes[1].set_ylabel(_t(lang, "entity"))
        axes[1].set_title(_t(lang, "neighbour_title", K=result.n_heads), fontsize=10)
        fig.colorbar(im, ax=axes[1], fraction=0.046, pad=0.03, label=word("weight", lang))
        fig.tight_layout()
    return fig


# ---------------------------------------------------------------- Q29 space-time video


def _frame_panel(
    ax: Axes, frame: np.ndarray, amap: np.ndarray, square: tuple[int, int], is_query: bool
) -> None:
    """One frame with the attention map (own colour scale), the square (white dots), the argmax (orange)."""
    G = amap.shape[0]
    S = frame.shape[0] // G
    _overlay(ax, frame, amap, float(amap.max()), 0.55)
    _box(ax, *square, S, ec="white", lw=1, ls=":")
    _box(ax, *np.unravel_index(int(amap.argmax()), amap.shape), S, ec="orange", lw=1.6)
    if is_query:
        _box(ax, *square, S, ec="red", lw=2, ls="--")
    ax.set_xlabel(f"Σ = {amap.sum():.3f}", fontsize=8)
    _no_ticks(ax)


def space_time(result: Result, lang: str = "en") -> Figure:
    """Q29: every frame with the query patch's divided (space · time) and joint attention laid over it.

    Each frame has its own colour scale (the query's own frame would swamp the others); the
    share of attention that lands in the frame is written under it.
    """
    ex = result.extras
    video, q, G = ex["video"], ex["query"], ex["grid"]
    T = video.shape[0]
    with style():
        fig = Figure(figsize=(1.6 * T + 1.6, 4.9))
        axes = fig.subplots(2, T, squeeze=False)
        for r, (h, key) in enumerate(((2, "divided"), (3, "joint"))):
            row = result.weights[h, q].numpy().reshape(T, G, G)
            for t in range(T):
                _frame_panel(axes[r, t], video[t], row[t], ex["track"][t], t == q // (G * G))
                if r == 0:
                    axes[r, t].set_title(_t(lang, "frame", t=t), fontsize=9)
            axes[r, 0].set_ylabel(_t(lang, key), fontsize=9)
        fig.suptitle(_t(lang, "q29_title"), fontsize=10)
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
