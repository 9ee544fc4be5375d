"""Q37 — multi-head latent attention (DeepSeek-V2): cache one small latent, not h keys and values.

Every token's keys and values are up-projected from one latent c_t = h_t W_DKV of size d_c,
so the cache holds c_t instead of 2 · n_h · d_h numbers. W_UK can be absorbed into the query
(q_iᵀ W_UK_iᵀ c_j) and W_UV into the output projection, so attention runs on the latent
directly. RoPE would sit between q and W_UK and block that absorption, so position goes
through a separate small key k_t^R = RoPE(h_t W_KR) of size d_h^R, shared by all heads and
cached as well: (d_c + d_h^R) numbers per token per layer.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch

from engine.attention import scaled_dot_product_attention
from engine.facts import fact
from engine.i18n import bi
from engine.params import N_TOKENS, SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings, toy_tokens


@dataclass(frozen=True)
class MLAParams:
    """Projections applied as ``x @ W``; h heads of size d_h, latent d_c, RoPE size d_r."""

    W_dkv: torch.Tensor  # (d, d_c)        down-projection to the cached latent
    W_uk: torch.Tensor  # (d_c, h·d_h)     latent → content keys
    W_uv: torch.Tensor  # (d_c, h·d_h)     latent → values
    W_dq: torch.Tensor  # (d, d_cq)        query latent
    W_uq: torch.Tensor  # (d_cq, h·d_h)    query latent → content queries
    W_qr: torch.Tensor  # (d_cq, h·d_r)    query latent → RoPE queries
    W_kr: torch.Tensor  # (d, d_r)         the one shared RoPE key
    W_o: torch.Tensor  # (h·d_h, d)
    h: int


def init_mla_params(d: int, h: int, d_h: int, d_c: int, d_r: int, seed: int) -> MLAParams:
    """Random projections with variance 1/fan-in, drawn from ``seed``."""
    g = torch.Generator().manual_seed(seed)

    def mat(rows: int, cols: int) -> torch.Tensor:
        return torch.randn(rows, cols, generator=g) / math.sqrt(rows)

    d_cq = d_c
    return MLAParams(
        mat(d, d_c), mat(d_c, h * d_h), mat(d_c, h * d_h), mat(d, d_cq),
        mat(d_cq, h * d_h), mat(d_cq, h * d_r), mat(d, d_r), mat(h * d_h, d), h,
    )  # fmt: skip


# RoPE(x)_{2i, 2i+1} = rotate (x_{2i}, x_{2i+1}) by angle t · 10000^{−2i/d}
def rope(x: torch.Tensor) -> torch.Tensor:
    """Rotary position embedding of positions 0 … n−1.  (..., n, d) → (..., n, d), d even."""
    n, d = x.shape[-2:]
    inv = 10000.0 ** (-torch.arange(0, d, 2, dtype=x.dtype, device=x.device) / d)  # (d/2,)
    ang = torch.arange(n, dtype=x.dtype, device=x.device)[:, None] * inv  # (n, d/2)
    cos, sin = ang.cos(), ang.sin()
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1).flatten(-2)


def _heads(x: torch.Tensor, h: int) -> torch.Tensor:
    return x.view(x.size(0), h, -1).transpose(0, 1)  # (n, h·e) → (h, n, e)


# k_i = [c W_UK_i ; k^R],  q_i = [c^Q W_UQ_i ; RoPE(c^Q W_QR)_i],  v_i = c W_UV_i
def mla_naive(x: torch.Tensor, p: MLAParams) -> tuple[torch.Tensor, torch.Tensor, dict]:
    """Up-project every key and value, then ordinary causal MHA.  (n, d) → (n, d), (h, n, n), cache."""
    n, h = x.size(0), p.h
    c, cq = x @ p.W_dkv, x @ p.W_dq  # (n, d_c): cached;  (n, d_cq)
    k_r = rope(x @ p.W_kr)  # (n, d_r): cached, shared by the heads
    q = torch.cat([_heads(cq @ p.W_uq, h), rope(_heads(cq @ p.W_qr, h))], -1)  # (h, n, d_h + d_r)
    k = torch.cat([_heads(c @ p.W_uk, h), k_r.expand(h, n, -1)], -1)  # (h, n, d_h + d_r)
    v = _heads(c @ p.W_uv, h)  # (h, n, d_h)
    o, w = scaled_dot_product_attention(q, k, v, is_causal=True)  # scale 1/√(d_h + d_r)
    return o.transpose(0, 1).reshape(n, -1) @ p.W_o, w, {"c_kv": c, "k_rope": k_r}


# q_iᵀ k_j = (q^C_i W_UK_iᵀ) · c_j + q^R_i · k^R_j,   u = Σ_i (Σ_j a_ij c_j) (W_UV_i W_O_i)
def mla_absorbed(
    cq: torch.Tensor, c_kv: torch.Tensor, k_rope: torch.Tensor, p: MLAParams
) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention on the cached latent alone.  (n, d_cq), (n, d_c), (n, d_r) → (n, d), (h, n, n)."""
    n, h, d_c = cq.size(0), p.h, c_kv.size(1)
    W_uk = p.W_uk.view(d_c, h, -1).permute(1, 2, 0)  # (h, d_h, d_c)
    q_lat = _heads(cq @ p.W_uq, h) @ W_uk  # (h, n, d_c): W_UK absorbed into the query
    q_r = rope(_heads(cq @ p.W_qr, h))  # (h, n, d_r)
    scale = 1.0 / math.sqrt(W_uk.size(1) + k_rope.size(1))  # the same 1/√(d_h + d_r)
    scores = (q_lat @ c_kv.T + q_r @ k_rope.T) * scale  # (h, n, n)
    allowed = torch.ones(n, n, dtype=torch.bool, device=cq.device).tril()
    w = torch.softmax(scores.masked_fill(~allowed, -torch.inf), dim=-1)
    W_vo = p.W_uv.view(d_c, h, -1).transpose(0, 1) @ p.W_o.view(h, -1, p.W_o.size(1))  # (h, d_c, d)
    return ((w @ c_kv) @ W_vo).sum(0), w  # (h, n, d_c) @ (h, d_c, d) summed over heads


def cache_per_token(
    layers: int, n_h: int, d_h: int, n_g: int, d_c: int, d_r: int
) -> dict[str, int]:
    """Cached numbers per token, all layers (DeepSeek-V2, Table 1): MHA, GQA, MQA, MLA."""
    return {
        "mha": 2 * n_h * d_h * layers,
        "gqa": 2 * n_g * d_h * layers,
        "mqa": 2 * d_h * layers,
        "mla": (d_c + d_r) * layers,
    }


PRESETS = {  # layers, heads n_h, head size d_h, GQA groups n_g, latent d_c, RoPE key d_h^R
    "deepseek-v2": (60, 128, 128, 8, 512, 64),
    "toy": None,  # the demo's own shapes
}


SCHEMES = {k: bi(k.upper(), k.upper()) for k in ("mha", "gqa", "mqa", "mla")}
FACTS = {
    "d_c": fact("潜在维度 d_c", "latent size d_c"),
    "cached_numbers_per_token_toy_mha": fact(
        "本例 MHA 每词元缓存的数", "numbers cached per token, this toy, MHA"
    ),
    "cached_numbers_per_token_toy_mla": fact(
        "本例 MLA 每词元缓存的数 d_c + d_h^R",
        "numbers cached per token, this toy, MLA: d_c + d_h^R",
    ),
    "max_diff_absorbed_vs_naive": fact(
        "吸收投影与逐一上投影的输出最大差", "max difference of outputs, absorbed vs naive"
    ),
    "max_diff_weights": fact(
        "两种算法权重的最大差", "max difference of weights, absorbed vs naive"
    ),
    "deepseek_v2_{scheme}_numbers": fact(
        "DeepSeek-V2 形状下 {scheme} 每词元缓存的数（全部层）",
        "numbers cached per token, DeepSeek-V2 shapes, {scheme} (all layers)",
        names=SCHEMES,
    ),
    "toy_{scheme}_numbers": fact(
        "本例形状下 {scheme} 每词元缓存的数",
        "numbers cached per token, toy shapes, {scheme}",
        names=SCHEMES,
    ),
    "mla_vs_mha_ratio": fact("MHA 缓存是 MLA 的几倍", "MHA cache ÷ MLA cache"),
    "mla_as_gqa_groups": fact("MLA 缓存相当于几组 GQA", "MLA cache in GQA groups"),
}


@demo(
    "latent_attention",
    title={"zh": "多头潜在注意力（MLA）", "en": "Multi-head latent attention (MLA)"},
    params=(
        dataclasses.replace(N_TOKENS, default=10),
        ParamSpec("heads", "choice", "4", {"zh": "头数 n_h", "en": "Heads n_h"}, choices=("2", "4", "8")),
        ParamSpec(
            "d_c", "choice", "32", {"zh": "潜在维度 d_c", "en": "Latent size d_c"},
            choices=("8", "16", "32", "64"),
        ),
        ParamSpec(
            "preset", "choice", "deepseek-v2", {"zh": "缓存对比的模型形状", "en": "Shapes for the cache bars"},
            choices=tuple(PRESETS),
        ),
        SEED,
    ),
    shows=(mla_naive, mla_absorbed, rope, cache_per_token),
    facts=FACTS,
)  # fmt: skip
def latent_attention_demo(
    device: torch.device, n_tokens: int, heads: str, d_c: str, preset: str, seed: int
) -> Result:
    """MLA computed naively and with absorbed projections (equal), and its KV cache against MHA/GQA/MQA."""
    h, dc, d, d_h, d_r = int(heads), int(d_c), 64, 16, 8
    p = init_mla_params(d, h, d_h, dc, d_r, seed + 1)
    p = MLAParams(**{k: v.to(device) if torch.is_tensor(v) else v for k, v in vars(p).items()})
    x = toy_embeddings(n_tokens, d, seed, device)  # (n, d)
    out_naive, w_naive, cache = mla_naive(x, p)
    out_abs, w_abs = mla_absorbed(x @ p.W_dq, cache["c_kv"], cache["k_rope"], p)
    shapes = PRESETS[preset] or (1, h, d_h, max(1, h // 2), dc, d_r)
    per_token = cache_per_token(*shapes)
    facts = {
        "n": n_tokens,
        "heads": h,
        "d_c": dc,
        "cached_numbers_per_token_toy_mha": 2 * h * d_h,
        "cached_numbers_per_token_toy_mla": dc + d_r,
        "max_diff_absorbed_vs_naive": float((out_abs - out_naive).abs().max()),
        "max_diff_weights": float((w_abs - w_naive).abs().max()),
        **{f"{preset.replace('-', '_')}_{k}_numbers": v for k, v in per_token.items()},
        "mla_vs_mha_ratio": round(per_token["mha"] / per_token["mla"], 2),
        "mla_as_gqa_groups": (shapes[4] + shapes[5]) / (2 * shapes[2]),
    }
    extras = {"preset": preset, "cache_per_token": per_token, "bytes_per_number": 2}
    tokens = tuple(toy_tokens(n_tokens))
    return Result(
        w_abs.cpu(), tokens, tokens, head_labels=tuple(f"H{i + 1}" for i in range(h)),
        facts=facts, extras=extras,
    )  # fmt: skip
