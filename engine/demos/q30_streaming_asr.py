"""Q30 — streaming speech recognition: which frames an encoder frame may attend to.

An offline recognizer's encoder uses full self-attention: every frame sees the whole
utterance, so nothing can be output until the speaker stops. A streaming one restricts
each frame to what has arrived: causal attention (the past only), a causal local window
(the last w frames), or chunks (frames are grouped into chunks of C; a frame sees its own
chunk, which waits for the chunk to finish, plus L earlier chunks, as in chunk-wise
Conformer/U2 models). The price is measured here: look-ahead latency, attended pairs, and
how far each encoder output drifts from the full-attention one.

Shapes: T frames, M mel bands, d model size.
"""

from __future__ import annotations

import torch

from engine import masks
from engine.attention import scaled_dot_product_attention
from engine.facts import MS, fact
from engine.i18n import bi
from engine.params import seed_of
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.speech import HOP, SR, normalise, synthesize, utterance_param

VARIANTS = ("full", "causal", "causal window", "chunked")


def chunk_mask(
    T: int, chunk: int, left_chunks: int, device: torch.device | None = None
) -> torch.Tensor:
    """allowed[i, j] = c(i) − L ≤ c(j) ≤ c(i),  c(x) = ⌊x / C⌋.  → (T, T) bool."""
    c = torch.arange(T, device=device) // chunk
    ci, cj = c.unsqueeze(1), c.unsqueeze(0)
    return (cj <= ci) & (cj >= ci - left_chunks)


def streaming_mask(
    variant: str, T: int, window: int, chunk: int, left_chunks: int, device: torch.device
) -> torch.Tensor:
    """The (T, T) boolean mask of one variant (True = frame i may attend to frame j)."""
    if variant == "full":
        return torch.ones(T, T, dtype=torch.bool, device=device)
    if variant == "causal":
        return masks.causal_mask(T, device=device)
    if variant == "causal window":
        return masks.sliding_window_mask(T, window, causal=True, device=device)
    return chunk_mask(T, chunk, left_chunks, device)


def lookahead(mask: torch.Tensor) -> float:
    """Mean over frames of max{j − i : allowed[i, j]}: frames each output waits for.  (T, T) → float."""
    T = mask.size(0)
    offset = torch.arange(T, device=mask.device).unsqueeze(0) - torch.arange(
        T, device=mask.device
    ).unsqueeze(1)
    return float(offset.masked_fill(~mask, 0).amax(1).float().mean())


def drift(out: torch.Tensor, full: torch.Tensor) -> float:
    """1 − cos(out_t, full_t), averaged over frames: how far a streaming output is from the offline one.  (T, d)."""
    return round(float(1 - torch.nn.functional.cosine_similarity(out, full, dim=-1).mean()), 4)


KINDS = {
    "full": bi("完整", "full"),
    "causal": bi("因果", "causal"),
    "causal_window": bi("因果窗口", "causal window"),
    "chunked": bi("分块", "chunked"),
}
FACTS = {
    "{kind}_lookahead_ms": fact("{kind}：前瞻", "{kind}: look-ahead", MS, KINDS),
    "{kind}_attended_pairs": fact(
        "{kind}：参与注意力的帧对", "{kind}: attended pairs", names=KINDS
    ),
    "{kind}_drift": fact(
        "{kind}：与完整注意力的偏离 (1 − cos)", "{kind}: drift from full (1 − cos)", names=KINDS
    ),
}


@demo(
    "streaming_asr",
    title={
        "zh": "流式语音识别：分块/因果局部注意力 vs 全局注意力",
        "en": "Streaming ASR: chunked/causal local vs full attention",
    },
    params=(
        utterance_param("hello world"),
        ParamSpec(
            "chunk",
            "int",
            8,
            {"zh": "块大小 C（帧）", "en": "Chunk size C (frames)"},
            min=1,
            max=40,
        ),
        ParamSpec(
            "left_chunks", "int", 2, {"zh": "左侧块数 L", "en": "Left chunks L"}, min=0, max=10
        ),
        ParamSpec(
            "window",
            "int",
            16,
            {"zh": "因果窗口 w（帧）", "en": "Causal window w (frames)"},
            min=1,
            max=64,
        ),
        ParamSpec(
            "beta",
            "float",
            10.0,
            {"zh": "锐度 β", "en": "Sharpness β"},
            min=1.0,
            max=40.0,
            step=1.0,
        ),
        seed_of("语句", "utterance"),
    ),
    shows=(chunk_mask, streaming_mask, scaled_dot_product_attention),
    facts=FACTS,
)
def streaming_asr_demo(
    device: torch.device,
    text: str,
    chunk: int,
    left_chunks: int,
    window: int,
    beta: float,
    seed: int,
) -> Result:
    """Encoder self-attention over frames under the four masks; latency, cost and drift from full.

    Q = K = V = the normalised frames: each frame gathers the frames that sound like it.
    """
    utt = synthesize(text, seed)
    x = normalise(utt.logmel).to(device)  # (T, M)
    T = x.size(0)
    outs, weights, facts = [], [], {"frames": T, "ms_per_frame": 1000 * HOP // SR}
    for name in VARIANTS:
        key = name.replace(" ", "_")  # the fact identifiers: full, causal, causal_window, chunked
        mask = streaming_mask(name, T, window, chunk, left_chunks, device)
        out, w = scaled_dot_product_attention(x, x, x, attn_mask=mask, scale=beta)
        outs.append(out)
        weights.append(w)
        facts[f"{key}_lookahead_ms"] = round(lookahead(mask) * 1000 * HOP / SR, 1)
        facts[f"{key}_attended_pairs"] = int(mask.sum())
        facts[f"{key}_drift"] = drift(out, outs[0])
    frames = tuple(str(t) for t in range(T))
    return Result(
        torch.stack(weights).cpu(),
        frames,
        frames,
        head_labels=VARIANTS,
        facts=facts,
    )
