"""Q15 — causal attention: the future cannot change the past, so a KV-cache can replace recomputation.

Full causal attention masks the upper triangle of an n × n score matrix. Decoding one token
at a time, the newest query only needs the keys and values of the tokens before it: store
them (the KV-cache), append one row per step, and compute t scores at step t — n(n+1)/2 in
all, against n² for the full matrix. The outputs are the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from engine.attention import (
    MHAParams,
    init_mha_params,
    multi_head_attention,
    scaled_dot_product_attention,
)
from engine.facts import fact
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings, toy_tokens


@dataclass(frozen=True)
class KVCache:
    """Keys and values of every token seen so far, per head.  Each (N, h, t, d_k)."""

    k: torch.Tensor
    v: torch.Tensor


def split_heads(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None, h: int) -> torch.Tensor:
    """x W + b cut into h heads.  (N, L, d_model) → (N, h, L, d_model / h)."""
    N, L, d = x.shape
    y = x @ W if b is None else x @ W + b
    return y.view(N, L, h, d // h).transpose(1, 2)  # (N, h, L, d_k)


# step t:  K ← [K; x_t W_K],  V ← [V; x_t W_V],  out_t = softmax(q_t Kᵀ / √d_k) V   (t scores, no mask)
def decode_step(
    x_t: torch.Tensor, cache: KVCache | None, p: MHAParams, h: int
) -> tuple[torch.Tensor, torch.Tensor, KVCache]:
    """One new token against the cache.  (N, 1, d_model) → out (N, 1, d_model), weights (N, h, 1, t), cache."""
    N, _, d = x_t.shape
    q = split_heads(x_t, p.W_q, p.b_q, h)  # (N, h, 1, d_k): only the newest query
    k, v = split_heads(x_t, p.W_k, p.b_k, h), split_heads(x_t, p.W_v, p.b_v, h)
    if cache is not None:
        k, v = torch.cat([cache.k, k], dim=2), torch.cat([cache.v, v], dim=2)  # (N, h, t, d_k)
    out, weights = scaled_dot_product_attention(q, k, v)  # the cache holds only the past: no mask
    out = out.transpose(1, 2).reshape(N, 1, d)  # concat heads
    out = out @ p.W_o if p.b_o is None else out @ p.W_o + p.b_o
    return out, weights, KVCache(k, v)


def incremental_decode(x: torch.Tensor, p: MHAParams, h: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Feed tokens one by one through :func:`decode_step`.  (N, L, d) → (N, L, d), weights (N, h, L, L)."""
    N, L, _ = x.shape
    weights = torch.zeros(N, h, L, L, device=x.device)
    outs, cache = [], None
    for t in range(L):
        out_t, w_t, cache = decode_step(x[:, t : t + 1], cache, p, h)
        outs.append(out_t)
        weights[:, :, t, : t + 1] = w_t[:, :, 0]  # row t: t + 1 keys, the rest stays 0
    return torch.cat(outs, dim=1), weights


def score_counts(n: int) -> dict[str, int]:
    """Dot products q·k computed for n tokens by each way of running causal attention."""
    return {
        "scores_full": n * n,  # one n × n matrix, upper triangle masked after computing it
        "scores_kv_cache": n * (n + 1) // 2,  # step t computes t scores
        "scores_recompute": n * (n + 1) * (2 * n + 1) // 6,  # step t re-runs a t × t matrix
    }


FACTS = {
    "scores_full": fact("完整矩阵的分数个数", "scores, full matrix"),
    "scores_kv_cache": fact("KV 缓存的分数个数", "scores, KV-cache"),
    "scores_recompute": fact("每步重算的分数个数", "scores, recomputing every step"),
    "max_diff_cache_vs_full": fact("缓存与完整计算的最大差", "max difference, cache vs full"),
    "max_diff_weights": fact("权重的最大差", "max difference of the weights"),
    "max_change_of_past_when_appending": fact(
        "追加词元后过去输出的最大变化", "max change of the past when a token is appended"
    ),
    "weight_above_diagonal": fact("对角线以上的权重", "weight above the diagonal"),
}


@demo(
    "causal_kv_cache",
    title={"zh": "因果注意力与 KV 缓存", "en": "Causal attention and the KV-cache"},
    params=(
        ParamSpec("n_tokens", "int", 8, {"zh": "词元数", "en": "Tokens"}, min=2, max=32, step=1),
        ParamSpec(
            "heads", "choice", "2", {"zh": "头数 h", "en": "Heads h"}, choices=("1", "2", "4")
        ),
        ParamSpec(
            "d_model",
            "int",
            32,
            {"zh": "模型维度 d_model", "en": "Model size d_model"},
            min=16,
            max=128,
            step=16,
        ),
        ParamSpec(
            "sentence", "choice", "en", {"zh": "句子语言", "en": "Sentence"}, choices=("en", "zh")
        ),
        SEED,
    ),
    shows=(decode_step, incremental_decode, score_counts),
    facts=FACTS,
)
def causal_kv_cache_demo(
    device: torch.device, n_tokens: int, heads: str, d_model: int, sentence: str, seed: int
) -> Result:
    """Full causal attention vs token-by-token decoding with a KV-cache, and one appended token."""
    h = int(heads)
    x = toy_embeddings(n_tokens + 1, d_model, seed, device)[None]  # (1, n + 1, d): one extra
    p = init_mha_params(d_model, seed + 1, device)
    full, w_full = multi_head_attention(x[:, :n_tokens], x[:, :n_tokens], p, h, is_causal=True)
    cached, w_cached = incremental_decode(x[:, :n_tokens], p, h)
    # the same n tokens followed by one future token
    longer, _ = multi_head_attention(x, x, p, h, is_causal=True)
    counts = score_counts(n_tokens)
    facts = {
        "n": n_tokens,
        "heads": h,
        **counts,
        "max_diff_cache_vs_full": float((cached - full).abs().max()),
        "max_diff_weights": float((w_cached - w_full).abs().max()),
        "max_change_of_past_when_appending": float((longer[:, :n_tokens] - full).abs().max()),
        "weight_above_diagonal": float(torch.triu(w_full, diagonal=1).abs().max()),
    }
    steps = torch.arange(1, n_tokens + 1)
    extras = {
        "steps": steps,
        "full_matrix": steps**2,
        "cache_cumulative": torch.cumsum(steps, 0),
        "recompute_cumulative": torch.cumsum(steps**2, 0),
    }
    tokens = tuple(toy_tokens(n_tokens, sentence))
    labels = tuple(f"H{i + 1}" for i in range(h))
    return Result(
        w_full[0].cpu(),
        tokens,
        tokens,
        head_labels=labels,
        facts=facts,
        extras=extras,
    )
