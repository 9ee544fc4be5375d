"""Q34 — sliding-window attention, Mistral's rolling KV buffer, and StreamingLLM's attention sinks.

With a window of W keys, token i sees tokens i − W + 1 … i, so the KV cache never holds more
than W entries: Mistral writes token i into slot i mod W, overwriting the token that just left
the window. Stacked layers pass information further: after k layers the last token depends on
k·(W − 1) + 1 tokens. But a model trained with full attention parks much of its attention on the
first tokens ("sinks"); evict them and the softmax must spread that mass over the recent tokens.
StreamingLLM keeps a few initial tokens in the cache next to the rolling window.
"""

from __future__ import annotations

import torch

from engine import masks
from engine.attention import scaled_dot_product_attention
from engine.facts import fact
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings

RECENCY = 0.25  # the toy head's preference for recent tokens: −0.25 per position of distance


# allowed[i, j] = i − W < j ≤ i   (W keys, the query's own included)
def window_mask(L: int, W: int, device: torch.device | str | None = None) -> torch.Tensor:
    """Causal sliding window of W keys.  → (L, L) bool."""
    return masks.sliding_window_mask(L, W - 1, causal=True, device=device)


# StreamingLLM: allowed[i, j] = j ≤ i and (j < n_sinks or i − j < W − n_sinks)   (W cache slots in all)
def sink_window_mask(
    L: int, W: int, n_sinks: int, device: torch.device | str | None = None
) -> torch.Tensor:
    """The first n_sinks tokens plus a window of the W − n_sinks most recent.  → (L, L) bool."""
    if not 0 <= n_sinks < W:
        raise ValueError(f"n_sinks must be between 0 and window − 1 = {W - 1}, got {n_sinks}")
    sinks = torch.zeros(L, L, dtype=torch.bool, device=device)
    sinks[:, :n_sinks] = True
    return (window_mask(L, W - n_sinks, device) | sinks) & masks.causal_mask(L, device=device)


# step t: slot t mod W ← (k_t, v_t);  out_t = softmax(q_t K_bufᵀ/√d + B[t, pos]) V_buf over filled slots
def rolling_buffer_decode(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, W: int, bias: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Decode with a W-slot cache (Mistral).  (N, H, L, E) ×3, bias (L, L) → (N, H, L, E), weights (N, H, L, L)."""
    N, H, L, E = q.shape
    k_buf, v_buf = q.new_zeros(N, H, W, E), q.new_zeros(N, H, W, E)  # the whole cache: W slots
    pos = torch.full((W,), -1, dtype=torch.long, device=q.device)  # position held by each slot
    outs, weights = [], q.new_zeros(N, H, L, L)
    for t in range(L):
        slot = t % W  # overwrites token t − W, the one that just left the window
        k_buf[..., slot, :], v_buf[..., slot, :], pos[slot] = k[..., t, :], v[..., t, :], t
        filled = pos >= 0
        b = bias[t, pos.clamp_min(0)] + masks.to_additive(filled, q.dtype)  # (W,)
        out_t, w_t = scaled_dot_product_attention(q[..., t : t + 1, :], k_buf, v_buf, attn_mask=b)
        outs.append(out_t)  # (N, H, 1, E)
        weights[..., t, pos[filled]] = w_t[..., 0, filled]  # back to absolute key positions
    return torch.cat(outs, dim=-2), weights


# reach after k layers = the nonzero entries of row L − 1 of A^k,  A = the window mask
def receptive_field(L: int, W: int, layers: int) -> list[int]:
    """Tokens that can influence the last token after 1 … ``layers`` layers of window attention."""
    A = window_mask(L, W).double()
    reach, out = torch.eye(L, dtype=torch.float64), []
    for _ in range(layers):
        reach = (A @ reach > 0).double()  # (L, L): who can reach whom through one more layer
        out.append(int(reach[-1].sum()))
    return out


def toy_sink_bias(
    L: int, sink_score: float, device: torch.device | str | None = None
) -> torch.Tensor:
    """A head with the habits measured in trained LLMs: + sink_score on token 0, −0.25 per step back.  → (L, L)."""
    i, j = torch.arange(L, device=device)[:, None], torch.arange(L, device=device)[None, :]
    bias = -RECENCY * (i - j).clamp_min(0).float()
    bias[:, 0] += sink_score
    return bias


def masked_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, allowed: torch.Tensor, bias: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(Q Kᵀ/√d + B + M) V, M = 0 where allowed, −max elsewhere.  → (N, H, L, E), (N, H, L, L)."""
    return scaled_dot_product_attention(
        q, k, v, attn_mask=bias + masks.to_additive(allowed, q.dtype)
    )


def relative_error(a: torch.Tensor, ref: torch.Tensor) -> float:
    """‖a − ref‖ / ‖ref‖ over the given rows."""
    return float((a - ref).norm() / ref.norm())


FACTS = {
    "cache_slots": fact("缓存槽数 W", "cache slots W"),
    "error_window_only": fact("只用窗口时的相对输出误差", "relative output error, window only"),
    "error_with_sinks": fact("窗口 + 汇点的相对输出误差", "relative output error, window + sinks"),
    "sink_mass_full": fact(
        "完整注意力放在汇点上的权重（窗口已不含首词元的查询的平均）",
        "weight full attention puts on the sinks (mean over queries past the window)",
    ),
    "receptive_field": fact(
        "最后一个词元的感受野（全部层之后）",
        "receptive field of the last token (after all layers)",
        ("个词元", "tokens"),
    ),
}


@demo(
    "sliding_window_sinks",
    title={
        "zh": "滑动窗口、滚动 KV 缓存与注意力汇点",
        "en": "Sliding windows, the rolling KV buffer and attention sinks",
    },
    params=(
        ParamSpec("n_tokens", "int", 24, {"zh": "词元数", "en": "Tokens"}, min=8, max=48, step=1),
        ParamSpec(
            "window", "int", 6, {"zh": "缓存槽数 W", "en": "Cache slots W"}, min=2, max=16, step=1
        ),
        ParamSpec(
            "n_sinks",
            "int",
            1,
            {"zh": "保留的汇点数", "en": "Sink tokens kept"},
            min=1,
            max=4,
            step=1,
        ),
        ParamSpec(
            "sink_score",
            "float",
            5.0,
            {"zh": "首词元的额外分数", "en": "Extra score on the first token"},
            min=0.0,
            max=10.0,
            step=0.5,
        ),
        ParamSpec("layers", "int", 4, {"zh": "层数", "en": "Layers"}, min=1, max=8, step=1),
        SEED,
    ),
    shows=(window_mask, sink_window_mask, rolling_buffer_decode, receptive_field, toy_sink_bias),
    facts=FACTS,
)
def sliding_window_sinks_demo(
    device: torch.device,
    n_tokens: int,
    window: int,
    n_sinks: int,
    sink_score: float,
    layers: int,
    seed: int,
) -> Result:
    """Full causal attention vs a W-slot rolling cache without and with sink tokens, same head."""
    L, W, d = n_tokens, window, 16
    if n_sinks >= W:
        raise ValueError(f"n_sinks ({n_sinks}) must be smaller than the cache size window ({W})")
    x = toy_embeddings(3 * L, d, seed, device)
    q, k, v = (x[i * L : (i + 1) * L].view(1, 1, L, d) * 0.5 for i in range(3))  # (1, 1, L, d)
    bias = toy_sink_bias(L, sink_score, device)
    full, w_full = masked_attention(q, k, v, masks.causal_mask(L, device=device), bias)
    rolled, w_roll = rolling_buffer_decode(q, k, v, W, bias)
    sink, w_sink = masked_attention(q, k, v, sink_window_mask(L, W, n_sinks, device), bias)
    late = slice(W, L)  # queries whose window no longer holds token 0
    facts = {
        "cache_slots": W,
        "error_window_only": relative_error(rolled[..., late, :], full[..., late, :]),
        "error_with_sinks": relative_error(sink[..., late, :], full[..., late, :]),
        "sink_mass_full": float(w_full[0, 0, late, :n_sinks].sum(-1).mean()),
        "receptive_field": receptive_field(L, W, layers)[-1],
    }
    extras = {
        "receptive": receptive_field(L, W, layers),
        "window": W,
        "n_sinks": n_sinks,
        "late": W,
        "sink_score": sink_score,
    }
    labels = tuple(str(i) for i in range(L))
    heads = ("full", "window", "window+sinks")
    weights = torch.stack([w_full[0, 0], w_roll[0, 0], w_sink[0, 0]])
    return Result(weights.cpu(), labels, labels, head_labels=heads, facts=facts, extras=extras)
