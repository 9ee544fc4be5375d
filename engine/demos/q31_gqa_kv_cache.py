"""Q31 — grouped-query and multi-query attention, and what the KV cache costs.

Multi-head attention (MHA) gives every query head its own key and value head. Grouped-query
attention (GQA) lets g = H_q / H_kv query heads share one key/value head; multi-query attention
(MQA) is the extreme H_kv = 1. The queries, the softmax and the output are unchanged — only the
number of K/V heads, and with it the KV cache that decoding must read at every step, shrinks by g.
"""

from __future__ import annotations

import torch

from engine.attention import scaled_dot_product_attention
from engine.facts import fact
from engine.params import N_TOKENS, SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings, toy_tokens

Q_HEADS = 8  # query heads of the toy layer; the KV heads are a parameter
SEQ = 4096  # sequence length of the worked memory example
# A real model's attention shapes (Llama 2 70B: Touvron et al. 2023, Table 1 and its config.json)
LLAMA2_70B = {"layers": 80, "q_heads": 64, "kv_heads": 8, "head_dim": 128}
# NVIDIA H100 SXM datasheet: 989 TFLOP/s dense BF16, 3.35 TB/s HBM3
H100_FLOPS, H100_BYTES_PER_S = 989e12, 3.35e12


# GQA: query head i reads key/value head ⌊i / g⌋,  g = H_q / H_kv   (MHA: g = 1;  MQA: H_kv = 1)
def grouped_query_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, is_causal: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(Q_i K_⌊i/g⌋ᵀ/√E) V_⌊i/g⌋.  (N, H_q, L, E), (N, H_kv, S, E), (N, H_kv, S, Ev) → (N, H_q, L, Ev), (N, H_q, L, S)."""
    H_q, H_kv = q.size(-3), k.size(-3)
    if H_q % H_kv:
        raise ValueError(f"query heads ({H_q}) must be a multiple of key/value heads ({H_kv})")
    g = H_q // H_kv
    k = k.repeat_interleave(g, dim=-3)  # (N, H_q, S, E): KV head j serves query heads jg … jg+g−1
    v = v.repeat_interleave(g, dim=-3)  # (N, H_q, S, Ev)
    return scaled_dot_product_attention(q, k, v, is_causal=is_causal)


# prefill: all L queries at once (causal);  decode step t: one query against the cached K[:t+1], V[:t+1]
def decode_with_cache(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Token-by-token decoding, the cache growing by one K and V row per step.  Shapes as above → (N, H_q, L, Ev)."""
    outs = []
    for t in range(q.size(-2)):
        k_cache, v_cache = k[..., : t + 1, :], v[..., : t + 1, :]  # (N, H_kv, t + 1, E): read all
        out_t, _ = grouped_query_attention(q[..., t : t + 1, :], k_cache, v_cache, is_causal=False)
        outs.append(out_t)  # (N, H_q, 1, Ev)
    return torch.cat(outs, dim=-2)


# KV bytes per token = 2 (K and V) · layers · H_kv · d_head · bytes per element
def kv_cache_bytes_per_token(layers: int, kv_heads: int, head_dim: int, bytes_per: int = 2) -> int:
    """Bytes the KV cache grows by for every token (fp16/bf16: 2 bytes per element)."""
    return 2 * layers * kv_heads * head_dim * bytes_per


# decode, one layer: FLOPs = 4 · H_q · S · d (QKᵀ and PV, 2 per multiply-add); bytes = 2 · H_kv · S · d · b
def decode_intensity(q_len: int, group: int, bytes_per: int = 2) -> float:
    """FLOPs per byte of KV cache read by attention: 2 · q_len · g / b (q_len = 1 when decoding)."""
    return 2 * q_len * group / bytes_per


def kv_table(model: dict[str, int], seq: int) -> dict[str, dict[str, float]]:
    """KV cache of ``model``'s shapes as MHA, GQA and MQA: bytes per token and GiB per sequence."""
    out = {}
    for name, kv in (("mha", model["q_heads"]), ("gqa", model["kv_heads"]), ("mqa", 1)):
        per_token = kv_cache_bytes_per_token(model["layers"], kv, model["head_dim"])
        out[name] = {"kv_heads": kv, "bytes_per_token": per_token, "gib": per_token * seq / 2**30}
    return out


BYTES, PER_BYTE = ("字节", "bytes"), ("FLOP/字节", "FLOP/byte")
FACTS = {
    "q_heads": fact("查询头数 H_q", "query heads H_q"),
    "kv_heads": fact("键/值头数 H_kv", "key/value heads H_kv"),
    "group_size": fact("每个键/值头服务的查询头数 g", "query heads per key/value head g"),
    "toy_kv_bytes_per_token_fp16": fact(
        "本层每个词元的 KV 缓存（fp16）", "KV cache per token of this layer (fp16)", BYTES
    ),
    "max_diff_decode_vs_prefill": fact(
        "逐词元缓存解码与一次预填充的最大差", "max |cached decode − prefill|"
    ),
    "llama2_70b_gqa_bytes_per_token": fact(
        "Llama 2 70B（GQA）每个词元的 KV 缓存", "Llama 2 70B (GQA) KV cache per token", BYTES
    ),
    "llama2_70b_gqa_gib_per_4096": fact(
        "Llama 2 70B（GQA）4096 个词元的 KV 缓存",
        "Llama 2 70B (GQA) KV cache for 4096 tokens",
        ("GiB", "GiB"),
    ),
    "decode_flops_per_byte": fact(
        "解码时注意力的算术强度", "arithmetic intensity of decoding attention", PER_BYTE
    ),
    "h100_ridge_flops_per_byte": fact(
        "H100 的屋脊点（算力 ÷ 带宽）", "H100 ridge point (compute ÷ bandwidth)", PER_BYTE
    ),
}


@demo(
    "gqa_kv_cache",
    title={"zh": "分组查询注意力与 KV 缓存", "en": "Grouped-query attention and the KV cache"},
    params=(
        N_TOKENS,
        ParamSpec(
            "kv_heads",
            "choice",
            "2",
            {"zh": "键/值头数 H_kv（查询头 8）", "en": "Key/value heads H_kv (8 query heads)"},
            choices=("1", "2", "4", "8"),
        ),
        ParamSpec(
            "head_dim", "int", 16, {"zh": "每头维度 d", "en": "Head size d"}, min=8, max=64, step=8
        ),
        SEED,
    ),
    shows=(grouped_query_attention, decode_with_cache, kv_cache_bytes_per_token, decode_intensity),
    facts=FACTS,
)
def gqa_kv_cache_demo(
    device: torch.device, n_tokens: int, kv_heads: str, head_dim: int, seed: int
) -> Result:
    """8 query heads over H_kv shared key/value heads; prefill vs cached decode; KV cache sizes."""
    H_kv, L, d = int(kv_heads), n_tokens, head_dim
    g = Q_HEADS // H_kv
    x = toy_embeddings(L * (Q_HEADS + 2 * H_kv), d, seed, device)  # one draw, cut into Q, K, V
    q = x[: Q_HEADS * L].view(1, Q_HEADS, L, d)  # (1, H_q, L, d)
    k = x[Q_HEADS * L : (Q_HEADS + H_kv) * L].view(1, H_kv, L, d)  # (1, H_kv, L, d)
    v = x[(Q_HEADS + H_kv) * L :].view(1, H_kv, L, d)  # (1, H_kv, L, d)
    out, w = grouped_query_attention(q, k, v)
    decoded = decode_with_cache(q, k, v)
    table = kv_table(LLAMA2_70B, SEQ)
    facts = {
        "q_heads": Q_HEADS,
        "kv_heads": H_kv,
        "group_size": g,
        "toy_kv_bytes_per_token_fp16": kv_cache_bytes_per_token(1, H_kv, d),
        "max_diff_decode_vs_prefill": float((decoded - out).abs().max()),
        "llama2_70b_gqa_bytes_per_token": table["gqa"]["bytes_per_token"],
        "llama2_70b_gqa_gib_per_4096": table["gqa"]["gib"],
        "decode_flops_per_byte": decode_intensity(1, g),
        "h100_ridge_flops_per_byte": round(H100_FLOPS / H100_BYTES_PER_S, 1),
    }
    tokens = tuple(toy_tokens(L))
    heads = tuple(f"Q{i + 1}·KV{i // g + 1}" for i in range(Q_HEADS))
    extras = {"kv_table": table, "seq": SEQ, "group": g, "output": out[0].cpu()}
    return Result(w[0].cpu(), tokens, tokens, head_labels=heads, facts=facts, extras=extras)
