"""Attention masks, all in one place.

Meaning follows ``F.scaled_dot_product_attention``: a boolean mask is **True where a query
may attend** to a key. Shapes are ``(L, S)`` — L queries, S keys — and broadcast over
leading batch/head dimensions. Helpers accept S > L (a query at position i is aligned with
key position i + (S - L), as when a KV-cache holds earlier keys).
"""

from __future__ import annotations

import torch


def _positions(
    L: int, S: int, device: torch.device | str | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Query positions (L, 1), aligned to the key axis, and key positions (1, S)."""
    q = torch.arange(L, device=device).unsqueeze(1) + (S - L)
    k = torch.arange(S, device=device).unsqueeze(0)
    return q, k


def causal_mask(
    L: int, S: int | None = None, device: torch.device | str | None = None, top_left: bool = False
) -> torch.Tensor:
    """allowed[i, j] = j <= i.  Returns (L, S) bool.

    When S > L the query block is aligned with the *last* L keys (a KV-cache holding earlier
    keys); ``top_left=True`` aligns it with the first L keys instead, as ``is_causal`` does
    in ``F.scaled_dot_product_attention``.
    """
    S = L if S is None else S
    q, k = _positions(L, L if top_left else S, device)
    if top_left:
        k = torch.arange(S, device=device).unsqueeze(0)
    return k <= q


def sliding_window_mask(
    L: int,
    window: int,
    S: int | None = None,
    causal: bool = False,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """allowed[i, j] = |i - j| <= window  (and j <= i if causal).  Returns (L, S) bool."""
    if window < 0:
        raise ValueError(f"window must be >= 0, got {window}")
    S = L if S is None else S
    q, k = _positions(L, S, device)
    allowed = (q - k).abs() <= window
    return allowed & (k <= q) if causal else allowed


def strided_mask(
    L: int,
    stride: int,
    S: int | None = None,
    causal: bool = False,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Sparse-Transformer strided pattern: local block of ``stride`` plus every ``stride``-th key.

    allowed[i, j] = (|i - j| < stride) or ((i - j) mod stride == 0).  Returns (L, S) bool.
    """
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    S = L if S is None else S
    q, k = _positions(L, S, device)
    allowed = ((q - k).abs() < stride) | ((q - k) % stride == 0)
    return allowed & (k <= q) if causal else allowed


def padding_mask(lengths: torch.Tensor, S: int) -> torch.Tensor:
    """Key-padding mask from true lengths (B,): allowed[b, j] = j < lengths[b].  Returns (B, 1, S)."""
    k = torch.arange(S, device=lengths.device)
    return (k.unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(1)


def global_local_mask(
    L: int, window: int, n_global: int, device: torch.device | str | None = None
) -> torch.Tensor:
    """Longformer-style: a local band of ``window`` plus ``n_global`` tokens that see and are seen by all."""
    allowed = sliding_window_mask(L, window, device=device)
    allowed[:n_global, :] = True
    allowed[:, :n_global] = True
    return allowed


def to_additive(mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Boolean mask → float bias: 0 where allowed, ``-finfo.max`` where not (no -inf, no NaN)."""
    if mask.dtype != torch.bool:
        return mask.to(dtype)
    bias = torch.zeros(mask.shape, dtype=dtype, device=mask.device)
    return bias.masked_fill(~mask, -torch.finfo(dtype).max)


def apply_mask(scores: torch.Tensor, attn_mask: torch.Tensor | None) -> torch.Tensor:
    """Scores with disallowed positions pushed to ``-finfo.max``; a float mask is added as a bias."""
    if attn_mask is None:
        return scores
    if attn_mask.dtype == torch.bool:
        return scores.masked_fill(~attn_mask, -torch.finfo(scores.dtype).max)
    return scores + attn_mask.to(scores.dtype)


MASK_KINDS = ("none", "causal", "sliding_window", "strided", "padding")


def build_mask(kind: str, n: int, window: int, device: torch.device) -> torch.Tensor | None:
    """The (n, n) boolean mask named ``kind`` (True = may attend), or None for full attention."""
    if kind == "causal":
        return causal_mask(n, device=device)
    if kind == "sliding_window":
        return sliding_window_mask(n, window, device=device)
    if kind == "strided":
        return strided_mask(n, max(window, 1), device=device)
    if kind == "padding":  # the last ``window`` tokens are padding
        lengths = torch.tensor([max(n - window, 1)], device=device)
        return padding_mask(lengths, n)[0].expand(n, n)
    return None
