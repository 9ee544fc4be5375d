"""Scaled dot-product and multi-head attention in plain PyTorch.

Shape legend (as in ``F.scaled_dot_product_attention``): N batch, H heads, L queries,
S keys, E query/key size (d_k), Ev value size (d_v).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from engine.masks import apply_mask, causal_mask
from engine.softmax import stable_softmax


# Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + M) V
def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    is_causal: bool = False,
    scale: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(Q Kᵀ · scale + M) V.  (..., L, E), (..., S, E), (..., S, Ev) → (..., L, Ev), (..., L, S).

    ``attn_mask``: bool (True = may attend) or float (added to the scores).
    ``is_causal``: query i sees keys j ≤ i (top-left aligned, as PyTorch does).
    A query that may attend to nothing gets all-zero weights and a zero output.
    """
    L, S = query.size(-2), key.size(-2)
    scale = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale  # (..., L, S)
    allowed = causal_mask(L, S, device=query.device, top_left=True) if is_causal else None
    if attn_mask is not None and attn_mask.dtype == torch.bool:
        allowed = attn_mask if allowed is None else allowed & attn_mask
    elif attn_mask is not None:
        scores = apply_mask(scores, attn_mask)  # float bias
    if allowed is None and attn_mask is None:
        # Nothing is masked, so every row has a finite maximum: torch.softmax computes the same
        # max-subtracted formula as engine.softmax.stable_softmax, in one kernel instead of seven.
        weights = torch.softmax(scores, dim=-1)
    else:
        allowed = None if allowed is None else allowed.expand_as(scores)
        weights = stable_softmax(scores, dim=-1, mask=allowed)  # rows sum to 1, or 0 if all masked
    return weights @ value, weights


@dataclass(frozen=True)
class MHAParams:
    """Projection matrices in paper notation, applied as ``x @ W``: each (d_model, d_model)."""

    W_q: torch.Tensor
    W_k: torch.Tensor
    W_v: torch.Tensor
    W_o: torch.Tensor
    b_q: torch.Tensor | None = None
    b_k: torch.Tensor | None = None
    b_v: torch.Tensor | None = None
    b_o: torch.Tensor | None = None

    @property
    def d_model(self) -> int:
        return self.W_q.size(0)


def init_mha_params(d_model: int, seed: int, device: torch.device | str = "cpu") -> MHAParams:
    """Xavier-uniform projections, zero biases, drawn from an explicit seed."""
    g = torch.Generator().manual_seed(seed)
    bound = math.sqrt(6.0 / (2 * d_model))

    def mat() -> torch.Tensor:
        return ((torch.rand(d_model, d_model, generator=g) * 2 - 1) * bound).to(device)

    return MHAParams(W_q=mat(), W_k=mat(), W_v=mat(), W_o=mat())


def _project(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
    """x @ W + b, as one fused matrix product and bias (``F.linear`` takes the (out, in) view)."""
    return F.linear(x, W.T, b)


# MultiHead(Q, K, V) = Concat(head_1, …, head_h) W_O,   head_i = Attention(Q W_Q^i, K W_K^i, V W_V^i)
def multi_head_attention(
    x_q: torch.Tensor,
    x_kv: torch.Tensor,
    p: MHAParams,
    h: int,
    attn_mask: torch.Tensor | None = None,
    key_padding_mask: torch.Tensor | None = None,
    is_causal: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """h heads, each in a d_model/h subspace.  (N, L, d_model), (N, S, d_model) → (N, L, d_model), (N, h, L, S).

    ``key_padding_mask`` (N, S) bool, True = a real token (may be attended).
    """
    N, L, d_model = x_q.shape
    S = x_kv.size(1)
    if d_model % h:
        raise ValueError(f"d_model={d_model} is not divisible by h={h}")
    d_k = d_model // h
    q = _project(x_q, p.W_q, p.b_q).view(N, L, h, d_k).transpose(1, 2)  # (N, h, L, d_k)
    k = _project(x_kv, p.W_k, p.b_k).view(N, S, h, d_k).transpose(1, 2)  # (N, h, S, d_k)
    v = _project(x_kv, p.W_v, p.b_v).view(N, S, h, d_k).transpose(1, 2)  # (N, h, S, d_k)
    mask = attn_mask
    if key_padding_mask is not None:
        kpm = key_padding_mask[:, None, None, :]  # (N, 1, 1, S)
        mask = kpm if mask is None else mask & kpm
    out, weights = scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal)
    out = out.transpose(1, 2).reshape(N, L, d_model)  # concat heads: (N, L, h·d_k)
    return _project(out, p.W_o, p.b_o), weights


def causal_self_attention(
    x: torch.Tensor, p: MHAParams, h: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Masked multi-head self-attention: token i attends to tokens 0…i.  (N, L, d) → (N, L, d), (N, h, L, L)."""
    return multi_head_attention(x, x, p, h, is_causal=True)
