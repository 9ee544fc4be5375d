"""Q2 — scaled dot-product attention of a toy sentence, with a choice of mask and temperature."""

from __future__ import annotations

import torch

from engine.attention import scaled_dot_product_attention
from engine.masks import MASK_KINDS, build_mask
from engine.params import N_TOKENS, SEED, SENTENCE
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings, toy_tokens


@demo(
    "scaled_dot_product",
    title={"zh": "缩放点积注意力", "en": "Scaled dot-product attention"},
    params=(
        N_TOKENS,
        ParamSpec(
            "d_k", "int", 16, {"zh": "键维度 d_k", "en": "Key size d_k"}, min=1, max=256, step=1
        ),
        ParamSpec("mask", "choice", "none", {"zh": "掩码", "en": "Mask"}, choices=MASK_KINDS),
        ParamSpec(
            "window",
            "int",
            2,
            {"zh": "窗口/步长/填充数", "en": "Window / stride / padding"},
            min=0,
            max=16,
        ),
        ParamSpec(
            "temperature",
            "float",
            1.0,
            {"zh": "温度", "en": "Temperature"},
            min=0.05,
            max=10.0,
            step=0.05,
        ),
        SENTENCE,
        SEED,
    ),
    shows=(scaled_dot_product_attention, build_mask),
)
def scaled_dot_product_demo(
    device: torch.device,
    n_tokens: int,
    d_k: int,
    mask: str,
    window: int,
    temperature: float,
    sentence: str,
    seed: int,
) -> Result:
    """Self-attention of a toy sentence with Q = X W_q, K = X W_k, V = X W_v (random projections)."""
    x = toy_embeddings(n_tokens, 3 * d_k, seed, device)  # (L, 3·d_k)
    q, k, v = x.split(d_k, dim=-1)  # each (L, d_k): three independent random projections
    attn_mask = build_mask(mask, n_tokens, window, device)
    scale = 1.0 / (temperature * d_k**0.5)
    _, weights = scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, scale=scale)
    tokens = tuple(toy_tokens(n_tokens, sentence))
    return Result(
        weights.unsqueeze(0).cpu(), tokens, tokens, facts={"L": n_tokens, "d_k": d_k, "mask": mask}
    )
