"""Core demos: scaled dot-product, multi-head and causal self-attention on a toy sentence."""

from __future__ import annotations

import torch

from engine import masks
from engine.attention import (
    causal_self_attention,
    init_mha_params,
    multi_head_attention,
    scaled_dot_product_attention,
)
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings, toy_tokens

N_TOKENS = ParamSpec("n_tokens", "int", 8, {"zh": "词元数", "en": "Tokens"}, min=2, max=32, step=1)
SEED = ParamSpec("seed", "int", 0, {"zh": "随机种子", "en": "Random seed"}, min=0, max=9999, step=1)
LANG = ParamSpec(
    "sentence", "choice", "en", {"zh": "句子语言", "en": "Sentence"}, choices=("en", "zh")
)
MASK_KINDS = ("none", "causal", "sliding_window", "strided", "padding")


def build_mask(kind: str, n: int, window: int, device: torch.device) -> torch.Tensor | None:
    """The (n, n) boolean mask named ``kind`` (True = may attend), or None for full attention."""
    if kind == "causal":
        return masks.causal_mask(n, device=device)
    if kind == "sliding_window":
        return masks.sliding_window_mask(n, window, device=device)
    if kind == "strided":
        return masks.strided_mask(n, max(window, 1), device=device)
    if kind == "padding":  # the last ``window`` tokens are padding
        lengths = torch.tensor([max(n - window, 1)], device=device)
        return masks.padding_mask(lengths, n)[0].expand(n, n)
    return None


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
        LANG,
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


@demo(
    "multi_head",
    title={"zh": "多头注意力", "en": "Multi-head attention"},
    params=(
        N_TOKENS,
        ParamSpec(
            "heads", "choice", "4", {"zh": "头数 h", "en": "Heads h"}, choices=("1", "2", "4", "8")
        ),
        ParamSpec(
            "d_model",
            "int",
            64,
            {"zh": "模型维度 d_model", "en": "Model size d_model"},
            min=8,
            max=512,
            step=8,
        ),
        ParamSpec("causal", "bool", False, {"zh": "因果掩码", "en": "Causal mask"}),
        LANG,
        SEED,
    ),
    shows=(multi_head_attention,),
)
def multi_head_demo(
    device: torch.device,
    n_tokens: int,
    heads: str,
    d_model: int,
    causal: bool,
    sentence: str,
    seed: int,
) -> Result:
    """h heads of self-attention, each with its own d_model/h-dimensional Q, K, V subspace."""
    h = int(heads)
    x = toy_embeddings(n_tokens, d_model, seed, device).unsqueeze(0)  # (1, L, d_model)
    p = init_mha_params(d_model, seed + 1, device)
    _, weights = multi_head_attention(x, x, p, h, is_causal=causal)  # (1, h, L, L)
    tokens = tuple(toy_tokens(n_tokens, sentence))
    labels = tuple(f"head {i + 1}" for i in range(h))
    facts = {"L": n_tokens, "h": h, "d_k": d_model // h}
    return Result(weights[0].cpu(), tokens, tokens, head_labels=labels, view="grid", facts=facts)


@demo(
    "causal_self_attention",
    title={"zh": "因果自注意力", "en": "Causal self-attention"},
    params=(
        N_TOKENS,
        ParamSpec(
            "heads", "choice", "2", {"zh": "头数 h", "en": "Heads h"}, choices=("1", "2", "4")
        ),
        LANG,
        SEED,
    ),
    shows=(causal_self_attention,),
)
def causal_self_attention_demo(
    device: torch.device, n_tokens: int, heads: str, sentence: str, seed: int
) -> Result:
    """Decoder-style masked self-attention: the upper triangle (the future) is exactly zero."""
    h, d_model = int(heads), 32
    x = toy_embeddings(n_tokens, d_model, seed, device).unsqueeze(0)
    _, weights = causal_self_attention(x, init_mha_params(d_model, seed + 1, device), h)
    tokens = tuple(toy_tokens(n_tokens, sentence))
    view = "grid" if h > 1 else "heatmap"
    labels = tuple(f"head {i + 1}" for i in range(h))
    return Result(
        weights[0].cpu(),
        tokens,
        tokens,
        head_labels=labels,
        view=view,
        facts={"L": n_tokens, "h": h},
    )
