"""Q14 — decoder attention over the spectrogram frames of a synthesized utterance.

The utterance comes from the toy speech synthesizer of :mod:`engine.speech`, whose true
segmentation is known, so every alignment can be scored.

Shapes: T frames, M mel bands, N tokens (phones).
"""

from __future__ import annotations

import torch

from engine.attention import scaled_dot_product_attention
from engine.facts import fact
from engine.i18n import bi
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.speech import HOP, SR, Utterance, normalise, phone_keys, synthesize, utterance_param


# Content-based attention: α_i = softmax_t(β · q_i · k_t) over all frames t
def content_attention(q: torch.Tensor, k: torch.Tensor, beta: float) -> torch.Tensor:
    """Global content attention of every decoder query over every frame.  (N, M), (T, M) → (N, T)."""
    return scaled_dot_product_attention(q, k, k, scale=beta)[1]


def median_frame(alpha: torch.Tensor) -> int:
    """m = min{t : Σ_{s≤t} α_s ≥ 1/2}, the median of one alignment.  (T,) → int."""
    return int((alpha.cumsum(0) < 0.5).sum().clamp_max(alpha.numel() - 1))


def window_mask(center: int, T: int, left: int, right: int, device: torch.device) -> torch.Tensor:
    """allowed[t] = center − left ≤ t ≤ center + right.  → (1, T) bool."""
    t = torch.arange(T, device=device)
    return ((t >= center - left) & (t <= center + right)).unsqueeze(0)


# Windowed attention (Chorowski et al. 2015, decoding): step i only sees frames within
# [m_{i−1} − w_l, m_{i−1} + w_r] around the median m_{i−1} of the previous alignment.
def windowed_attention(
    q: torch.Tensor, k: torch.Tensor, beta: float, left: int, right: int
) -> tuple[torch.Tensor, list[int]]:
    """Monotonic-by-construction decoder attention.  (N, M), (T, M) → (N, T) and the N medians."""
    N, T = q.size(0), k.size(0)
    rows, medians, center = [], [], 0  # m_{−1} = 0: start at the first frame
    for i in range(N):
        mask = window_mask(center, T, left, right, k.device)  # (1, T)
        _, w = scaled_dot_product_attention(q[i : i + 1], k, k, attn_mask=mask, scale=beta)
        rows.append(w[0])
        center = median_frame(w[0].cpu())
        medians.append(center)
    return torch.stack(rows), medians


def alignment_stats(w: torch.Tensor, utt: Utterance) -> dict[str, float | int]:
    """Mass inside each token's true span (mean), and backward jumps of the argmax frame.  w: (N, T)."""
    inside = [float(w[n, a:b].sum()) for n, (a, b) in enumerate(utt.spans)]
    peaks = w.round(decimals=5).argmax(1)  # ties broken the same way on every machine
    return {
        "mass_in_true_span": round(sum(inside) / len(inside), 3),
        "backward_jumps": int((peaks[1:] < peaks[:-1]).sum()),
    }


KINDS = {"global": bi("全局", "global"), "windowed": bi("窗口", "windowed")}
FACTS = {
    "{kind}_mass_in_true_span": fact(
        "{kind}：落在真实区间内的权重", "{kind}: mass inside the true span", names=KINDS
    ),
    "{kind}_backward_jumps": fact("{kind}：向后跳的次数", "{kind}: backward jumps", names=KINDS),
}


@demo(
    "speech_alignment",
    title={
        "zh": "语音识别：解码器对频谱帧的注意力",
        "en": "Speech recognition: decoder attention over frames",
    },
    params=(
        utterance_param("hello world"),
        ParamSpec(
            "beta",
            "float",
            30.0,
            {"zh": "锐度 β", "en": "Sharpness β"},
            min=1.0,
            max=60.0,
            step=1.0,
        ),
        ParamSpec(
            "window_left",
            "int",
            0,
            {"zh": "窗口左宽 w_l（帧）", "en": "Window left w_l (frames)"},
            min=0,
            max=20,
        ),
        ParamSpec(
            "window_right",
            "int",
            15,
            {"zh": "窗口右宽 w_r（帧）", "en": "Window right w_r (frames)"},
            min=5,
            max=80,
        ),
        ParamSpec(
            "rate", "float", 1.0, {"zh": "语速", "en": "Speaking rate"}, min=0.6, max=1.6, step=0.1
        ),
        SEED,
    ),
    shows=(content_attention, windowed_attention, synthesize),
    facts=FACTS,
)
def speech_alignment_demo(
    device: torch.device,
    text: str,
    beta: float,
    window_left: int,
    window_right: int,
    rate: float,
    seed: int,
) -> Result:
    """Each output phone (query) attends over the frames (keys): globally, and in a moving window."""
    utt = synthesize(text, seed, rate)
    k = normalise(utt.logmel).to(device)  # (T, M) encoder frames
    q = phone_keys(utt.phones, device)  # (N, M) what the decoder expects to hear
    w_global = content_attention(q, k, beta)
    w_window, medians = windowed_attention(q, k, beta, window_left, window_right)
    weights = torch.stack([w_global, w_window]).cpu()  # (2, N, T)
    stats = [alignment_stats(w, utt) for w in weights]
    T, N = k.shape[0], q.shape[0]
    facts = {"frames": T, "phones": N, "ms_per_frame": 1000 * HOP // SR}
    for name, s in zip(("global", "windowed"), stats, strict=True):
        facts.update({f"{name}_{key}": v for key, v in s.items()})
    extras = {"logmel": utt.logmel.numpy().copy(), "spans": utt.spans, "medians": medians}
    return Result(
        weights,
        tuple(utt.phones),
        tuple(str(t) for t in range(T)),
        head_labels=("global content attention", "windowed (Chorowski 2015)"),
        facts=facts,
        extras=extras,
    )
