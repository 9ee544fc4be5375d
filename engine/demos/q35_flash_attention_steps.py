"""Q35 — FlashAttention, step by step: tiles and the online softmax give exactly full attention.

The softmax of a row needs its maximum and its sum over *all* keys, so plain attention writes the
whole L × S score matrix to memory. FlashAttention reads keys and values one block at a time and
keeps, per query row, a running maximum m, a running sum ℓ and an unnormalised output O. When a
block raises the maximum from m to m', everything summed so far is rescaled by e^{m − m'}; at the
end O / ℓ is exactly softmax(S) V. The L × S matrix never exists — only one B_r × B_c tile at a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from engine.attention import scaled_dot_product_attention
from engine.facts import fact
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings


@dataclass(frozen=True)
class Trace:
    """Running max and sum of every query row after each key block; element reads/writes to main memory."""

    m: torch.Tensor  # (T_c, L): max_j S[i, j] over the key blocks seen so far
    ell: torch.Tensor  # (T_c, L): Σ_j exp(S[i, j] − m) over the key blocks seen so far
    lse: torch.Tensor  # (L,): log Σ_j exp S[i, j] = m + log ℓ, kept for the backward pass
    reads: int  # elements of Q, K, V read from main memory
    writes: int  # elements of O (and the L log-sum-exps) written


# per key block j:  S_j = Q_i K_jᵀ·scale;  m' = max(m, rowmax S_j);  P_j = exp(S_j − m')
#                   ℓ' = e^{m − m'} ℓ + rowsum P_j;   O' = e^{m − m'} O + P_j V_j;   at the end O / ℓ
def online_block(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    state: tuple[torch.Tensor, ...],
    scale: float,
    allowed: torch.Tensor | None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One key/value tile into the running (m, ℓ, O).  q (B_r, E), k (B_c, E), v (B_c, Ev) → (B_r,), (B_r,), (B_r, Ev)."""
    m, ell, o = state
    s = (q @ k.T) * scale  # (B_r, B_c): the only scores that exist at this moment
    if allowed is not None:
        s = s.masked_fill(~allowed, -torch.inf)
    m_new = torch.maximum(m, s.amax(dim=-1))  # (B_r,)
    p = torch.exp(s - m_new[:, None])  # (B_r, B_c), masked entries → 0
    alpha = torch.exp(m - m_new)  # (B_r,): rescales what was summed under the old maximum
    return m_new, alpha * ell + p.sum(-1), alpha[:, None] * o + p @ v


def flash_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    block_q: int,
    block_k: int,
    is_causal: bool = False,
) -> tuple[torch.Tensor, Trace]:
    """Tiled attention with the online softmax (FlashAttention-2 loop order).  (L, E), (S, E), (S, Ev) → (L, Ev), trace."""
    L, S = q.size(0), k.size(0)
    scale = 1.0 / math.sqrt(q.size(-1))
    T_c = math.ceil(S / block_k)
    m_tr, l_tr = q.new_full((T_c, L), -torch.inf), q.new_zeros(T_c, L)
    out, lse, reads = q.new_empty(L, v.size(-1)), q.new_empty(L), 0
    for r0 in range(
        0, L, block_q
    ):  # outer loop: query blocks (independent: one per GPU thread block)
        qi, rows = q[r0 : r0 + block_q], torch.arange(r0, min(r0 + block_q, L))
        state = (
            q.new_full((len(rows),), -torch.inf),
            q.new_zeros(len(rows)),
            q.new_zeros(len(rows), v.size(-1)),
        )
        reads += qi.numel()
        for j, c0 in enumerate(range(0, S, block_k)):  # inner loop: key/value blocks
            cols = torch.arange(c0, min(c0 + block_k, S))
            if not (
                is_causal and c0 > rows[-1]
            ):  # causal: a block wholly above the diagonal is skipped
                allowed = cols[None, :] <= rows[:, None] if is_causal else None
                state = online_block(qi, k[cols], v[cols], state, scale, allowed)
                reads += k[cols].numel() + v[cols].numel()
            m_tr[j, rows], l_tr[j, rows] = state[0], state[1]
        out[rows] = state[2] / state[1][:, None]  # normalise once, at the end (v2)
        lse[rows] = state[0] + torch.log(state[1])
    return out, Trace(m_tr, l_tr, lse, reads, out.numel() + L)


# standard attention: read Q, K; write S; read S, write P; read P, V; write O  →  4·N·d + 4·N² elements
def standard_io(L: int, S: int, d: int) -> int:
    """Elements moved to and from main memory by unfused attention that materialises S and P."""
    return (L * d + S * d) + L * S + 2 * L * S + (L * S + S * d) + L * d


# P[i, j] = exp(S[i, j] − lse_i): the backward pass recomputes the weights a tile at a time from lse
def weights_from_lse(
    q: torch.Tensor, k: torch.Tensor, lse: torch.Tensor, is_causal: bool
) -> torch.Tensor:
    """The attention weights rebuilt from the stored log-sum-exp (for the picture only).  → (L, S)."""
    s = (q @ k.T) / math.sqrt(q.size(-1))
    if is_causal:
        s = s.masked_fill(torch.ones_like(s, dtype=torch.bool).triu(1), -torch.inf)
    return torch.exp(s - lse[:, None])


BLOCKS = ("2", "4", "8", "16")


ELEMENTS = ("个元素", "elements")
FACTS = {
    "max_abs_diff_vs_full": fact("输出与完整注意力的最大差", "max |output − full attention|"),
    "max_abs_diff_weights": fact("权重与完整 softmax 的最大差", "max |weights − full softmax|"),
    "key_blocks": fact("键块数 T_c", "key blocks T_c"),
    "query_blocks": fact("查询块数 T_r", "query blocks T_r"),
    "score_matrix_elements": fact("完整分数矩阵 L·S", "full score matrix L·S", ELEMENTS),
    "largest_tile_elements": fact("一个块 B_r·B_c", "one tile B_r·B_c", ELEMENTS),
    "io_flash_elements": fact(
        "FlashAttention 读写主存", "main-memory reads and writes, FlashAttention", ELEMENTS
    ),
    "io_standard_elements": fact(
        "标准注意力读写主存", "main-memory reads and writes, standard attention", ELEMENTS
    ),
}


@demo(
    "flash_attention_steps",
    title={
        "zh": "FlashAttention 逐步演示：分块与在线 softmax",
        "en": "FlashAttention step by step: tiles and the online softmax",
    },
    params=(
        ParamSpec(
            "n_queries", "int", 16, {"zh": "查询数 L", "en": "Queries L"}, min=2, max=64, step=1
        ),
        ParamSpec("n_keys", "int", 24, {"zh": "键数 S", "en": "Keys S"}, min=2, max=64, step=1),
        ParamSpec(
            "block_q", "choice", "8", {"zh": "查询块 B_r", "en": "Query block B_r"}, choices=BLOCKS
        ),
        ParamSpec(
            "block_k", "choice", "4", {"zh": "键块 B_c", "en": "Key block B_c"}, choices=BLOCKS
        ),
        ParamSpec(
            "head_dim", "int", 16, {"zh": "每头维度 d", "en": "Head size d"}, min=4, max=64, step=4
        ),
        ParamSpec("causal", "bool", False, {"zh": "因果掩码", "en": "Causal"}),
        SEED,
    ),
    shows=(online_block, flash_attention, standard_io),
    facts=FACTS,
)
def flash_attention_steps_demo(
    device: torch.device,
    n_queries: int,
    n_keys: int,
    block_q: str,
    block_k: str,
    head_dim: int,
    causal: bool,
    seed: int,
) -> Result:
    """Tiled online-softmax attention against plain attention, with the running max and sum per block."""
    L, S, d, b_r, b_c = n_queries, n_keys, head_dim, int(block_q), int(block_k)
    x = toy_embeddings(L + 2 * S, d, seed, device) * 1.5  # sharper scores: the max moves more
    q, k, v = x[:L], x[L : L + S], x[L + S :]  # (L, d), (S, d), (S, d)
    out, trace = flash_attention(q, k, v, b_r, b_c, causal)
    ref, w_ref = scaled_dot_product_attention(q, k, v, is_causal=causal)
    w = weights_from_lse(q, k, trace.lse, causal)
    facts = {
        "max_abs_diff_vs_full": float((out - ref).abs().max()),
        "max_abs_diff_weights": float((w - w_ref).abs().max()),
        "key_blocks": math.ceil(S / b_c),
        "query_blocks": math.ceil(L / b_r),
        "score_matrix_elements": L * S,
        "largest_tile_elements": b_r * b_c,
        "io_flash_elements": trace.reads + trace.writes,
        "io_standard_elements": standard_io(L, S, d),
    }
    rows = sorted({0, L // 2, L - 1})
    extras = {
        "m": trace.m.cpu(),
        "l": trace.ell.cpu(),
        "rows": rows,
        "block_q": b_r,
        "block_k": b_c,
    }
    return Result(
        w[None].cpu(),
        tuple(f"q{i}" for i in range(L)),
        tuple(f"k{j}" for j in range(S)),
        head_labels=("P",),
        facts=facts,
        extras=extras,
    )
