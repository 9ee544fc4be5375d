"""Q36 — linear attention and its recurrent view.

Replace the softmax kernel exp(q·k/√d) by a dot product of feature maps φ(q)·φ(k). Then
Σ_j φ(q_i)·φ(k_j) v_j = φ(q_i)ᵀ (Σ_j φ(k_j) v_jᵀ): the sum over keys no longer depends on
the query, so a causal layer becomes an RNN whose state is one d × d_v matrix S_t (plus a
d-vector z_t for the normaliser). Time O(n d d_v) instead of O(n² d), constant memory when
decoding, but the n × n weight matrix has rank ≤ d (feature size): it cannot be as sharp.
A decay γ < 1 (S_t = γ S_{t−1} + …) gives RetNet's retention, a step towards state-space models.
"""

from __future__ import annotations

import dataclasses
import math

import torch
import torch.nn.functional as F

from engine.attention import scaled_dot_product_attention
from engine.facts import fact
from engine.params import N_TOKENS, SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings

FEATURE_MAPS = ("elu1", "relu", "favor")
N_RANDOM_FEATURES = 64  # m: random features of the "favor" map
COST_LENGTHS = tuple(2**p for p in range(6, 15))  # 64 … 16384


# elu1: φ(x) = elu(x) + 1  (Katharopoulos et al. 2020);  relu: φ(x) = max(x, 0)
# favor: φ(x) = exp(ωᵀx' − ‖x'‖²/2) / √m,  x' = x / d^¼,  ω ~ N(0, I)  (Performer, Choromanski et al. 2021)
def feature_map(x: torch.Tensor, kind: str, omega: torch.Tensor | None = None) -> torch.Tensor:
    """Non-negative features φ(x).  (..., n, d) → (..., n, d) or (..., n, m) for favor."""
    if kind == "elu1":
        return F.elu(x) + 1
    if kind == "relu":
        return F.relu(x)
    if kind == "favor":
        if omega is None:
            raise ValueError("feature_map: the favor map needs omega (d, m)")
        x = x / x.size(-1) ** 0.25
        return torch.exp(x @ omega - (x * x).sum(-1, keepdim=True) / 2) / math.sqrt(omega.size(1))
    raise ValueError(f"feature_map: kind {kind!r} is not one of {', '.join(FEATURE_MAPS)}")


# A_ij = γ^{i−j} φ(q_i)·φ(k_j) / Σ_{l ≤ i} γ^{i−l} φ(q_i)·φ(k_l)  for j ≤ i, else 0
def linear_attention_parallel(
    fq: torch.Tensor, fk: torch.Tensor, v: torch.Tensor, decay: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Causal linear attention as one masked matrix.  (n, m), (n, m), (n, d_v) → (n, d_v), (n, n)."""
    n = fq.size(0)
    i, j = torch.arange(n, device=fq.device)[:, None], torch.arange(n, device=fq.device)[None]
    gamma = torch.where(j <= i, decay ** (i - j).clamp_min(0).to(fq.dtype), 0.0)  # (n, n)
    scores = (fq @ fk.T) * gamma  # (n, n), zero above the diagonal
    total = scores.sum(-1, keepdim=True)  # (n, 1) = φ(q_i)ᵀ z_i
    weights = torch.where(total > 0, scores / total.clamp_min(1e-30), 0.0)
    return weights @ v, weights


# S_t = γ S_{t−1} + φ(k_t) v_tᵀ,   z_t = γ z_{t−1} + φ(k_t),   out_t = φ(q_t)ᵀ S_t / φ(q_t)ᵀ z_t
def linear_attention_recurrent(
    fq: torch.Tensor, fk: torch.Tensor, v: torch.Tensor, decay: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """The same layer as an RNN with a (m, d_v) state.  (n, m), (n, m), (n, d_v) → (n, d_v), states (n, m, d_v)."""
    n, m = fq.shape
    S = torch.zeros(m, v.size(1), dtype=v.dtype, device=v.device)  # (m, d_v): the whole memory
    z = torch.zeros(m, dtype=v.dtype, device=v.device)  # (m,): the normaliser
    outs, states = [], []
    for t in range(n):
        S = decay * S + torch.outer(fk[t], v[t])  # rank-1 write
        z = decay * z + fk[t]
        den = fq[t] @ z
        outs.append(fq[t] @ S / den if den > 0 else torch.zeros_like(v[t]))
        states.append(S)
    return torch.stack(outs), torch.stack(states)


def cost_curves(d: int) -> dict[str, list[int]]:
    """Multiply-adds per head: softmax 2 n² d (QKᵀ and AV) vs linear 2 n d² (state writes and reads)."""
    ns = list(COST_LENGTHS)
    return {
        "lengths": ns,
        "softmax_madds": [2 * n * n * d for n in ns],
        "linear_madds": [2 * n * d * d for n in ns],
    }


def decode_memory(n: int, d: int, m: int) -> dict[str, int]:
    """Numbers kept per head to decode token n+1: a KV cache 2 n d vs a state S (m × d) and z (m)."""
    return {"kv_cache_numbers": 2 * n * d, "state_numbers": m * d + m}


def _inputs(n: int, d: int, seed: int, device: torch.device) -> tuple[torch.Tensor, ...]:
    q, k, v = (toy_embeddings(n, d, seed + i, device) for i in range(3))  # each (n, d)
    g = torch.Generator().manual_seed(seed + 3)
    omega = torch.randn(d, N_RANDOM_FEATURES, generator=g).to(device)  # (d, m)
    return q, k, v, omega


FACTS = {
    "feature_size": fact("特征维度 m（φ 的输出）", "feature size m (output of φ)"),
    "state_shape": fact("循环状态 S 的形状", "shape of the recurrent state S"),
    "max_diff_parallel_vs_recurrent": fact(
        "并行形式与循环形式输出的最大差", "max difference, parallel vs recurrent output"
    ),
    "rank_linear_kernel": fact("线性核矩阵 φ(Q)φ(K)ᵀ 的秩", "rank of the linear kernel φ(Q)φ(K)ᵀ"),
    "rank_softmax_kernel": fact("softmax 核矩阵 exp(QKᵀ/√d) 的秩", "rank of exp(QKᵀ/√d)"),
    "mean_max_weight_softmax": fact("softmax：每行最大权重的均值", "mean row maximum, softmax"),
    "mean_max_weight_linear": fact("线性：每行最大权重的均值", "mean row maximum, linear"),
    "mean_row_l1_linear_vs_softmax": fact(
        "两种权重每行的 L1 距离（均值）", "mean L1 distance per row, linear vs softmax"
    ),
    "kv_cache_numbers": fact("解码时 KV 缓存的数（每头）", "numbers in a KV cache per head"),
    "state_numbers": fact(
        "解码时状态 S 与 z 的数（每头）", "numbers in the state S and z per head"
    ),
}


@demo(
    "linear_attention",
    title={"zh": "线性注意力与它的循环形式", "en": "Linear attention and its recurrent view"},
    params=(
        dataclasses.replace(N_TOKENS, default=16, max=64),
        ParamSpec("d_k", "choice", "8", {"zh": "键维度 d", "en": "Key size d"}, choices=("4", "8", "16")),
        ParamSpec(
            "phi", "choice", "elu1", {"zh": "特征映射 φ", "en": "Feature map φ"},
            choices=FEATURE_MAPS,
        ),
        ParamSpec(
            "decay", "float", 1.0, {"zh": "衰减 γ（RetNet）", "en": "Decay γ (RetNet)"},
            min=0.5, max=1.0, step=0.05,
        ),
        SEED,
    ),
    shows=(feature_map, linear_attention_parallel, linear_attention_recurrent, cost_curves),
    facts=FACTS,
)  # fmt: skip
def linear_attention_demo(
    device: torch.device, n_tokens: int, d_k: str, phi: str, decay: float, seed: int
) -> Result:
    """Causal softmax attention beside causal linear attention (parallel = recurrent), and their costs."""
    d = int(d_k)
    q, k, v, omega = _inputs(n_tokens, d, seed, device)
    _, w_soft = scaled_dot_product_attention(q, k, v, is_causal=True)  # (n, n)
    fq, fk = (feature_map(x, phi, omega) for x in (q, k))  # (n, m)
    out_par, w_lin = linear_attention_parallel(fq, fk, v, decay)
    out_rec, states = linear_attention_recurrent(fq, fk, v, decay)
    bidir = fq.double() @ fk.double().T  # (n, n) non-causal kernel matrix: rank ≤ m
    facts = {
        "n": n_tokens,
        "d": d,
        "feature_size": fq.size(1),
        "state_shape": f"{states.size(1)} × {states.size(2)}",
        "max_diff_parallel_vs_recurrent": float((out_par - out_rec).abs().max()),
        "rank_linear_kernel": int(torch.linalg.matrix_rank(bidir)),
        "rank_softmax_kernel": int(torch.linalg.matrix_rank(torch.exp(q.double() @ k.double().T / math.sqrt(d)))),
        "mean_max_weight_softmax": float(w_soft.max(-1).values.mean()),
        "mean_max_weight_linear": float(w_lin.max(-1).values.mean()),
        "mean_row_l1_linear_vs_softmax": float((w_lin - w_soft).abs().sum(-1).mean()),
        **decode_memory(n_tokens, d, fq.size(1)),
    }  # fmt: skip
    extras = {**cost_curves(d), "state_norms": states.flatten(1).norm(dim=1).cpu()}
    labels = tuple(f"t{i}" for i in range(n_tokens))
    return Result(
        torch.stack([w_soft, w_lin]).cpu(),
        labels,
        labels,
        head_labels=("softmax", f"linear φ={phi}"),
        facts=facts,
        extras=extras,
    )
