"""Softmax, written out: the naive formula and the numerically stable one."""

from __future__ import annotations

import torch


def naive_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """softmax(x)_i = exp(x_i) / Σ_j exp(x_j) — overflows to inf/inf = NaN once x_i ≳ 89 (float32)."""
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)


def stable_softmax(
    x: torch.Tensor, dim: int = -1, temperature: float = 1.0, mask: torch.Tensor | None = None
) -> torch.Tensor:
    """softmax(x / τ)_i = exp(x_i/τ - m) / Σ_j exp(x_j/τ - m),  m = max_j x_j/τ.

    Subtracting the row maximum leaves the value unchanged (it cancels) but keeps every
    exponent ≤ 0, so nothing overflows. ``mask`` (bool, True = keep) zeroes excluded
    entries; a row with nothing kept returns all zeros instead of NaN.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    z = x if temperature == 1 else x / temperature
    if mask is not None:
        z = z.masked_fill(~mask, -torch.inf)
    m = z.amax(dim=dim, keepdim=True)
    m = m.nan_to_num(nan=0.0, posinf=0.0, neginf=0.0)  # fully masked row: −∞ → m = 0
    e = torch.exp(z - m)  # every exponent ≤ 0; a kept maximum gives e = 1, so its row sums ≥ 1
    total = e.sum(dim=dim, keepdim=True)
    return e / total.clamp_min(torch.finfo(e.dtype).tiny)  # fully masked row: 0 / tiny = 0


def entropy(p: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """H(p) = −Σ_j p_j log p_j along ``dim``, in nats (0 log 0 = 0): log n for uniform, 0 for one-hot.

    (..., n) → (...).
    """
    return -(p * torch.log(p.clamp_min(torch.finfo(p.dtype).tiny))).sum(dim)
