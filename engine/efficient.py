"""Cheaper attention: sliding window, strided sparse, low rank (Linformer) and the fused kernel.

Each variant has a *teaching* version that builds its mask with :mod:`engine.masks` and calls the
plain :func:`~engine.attention.scaled_dot_product_attention` — easy to read, but it still fills the
whole L × L score matrix — and, where the pattern allows, a *blocked* version that computes only
the allowed scores. Tests prove every fast version equal to its teaching version.

Shapes: q, k, v are (..., L, E), (..., L, E), (..., L, Ev) (self-attention, so S = L); the output
is (..., L, Ev).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F

from engine import masks
from engine.attention import scaled_dot_product_attention
from engine.devices import synchronize
from engine.softmax import stable_softmax

Attn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


# ── teaching versions ─────────────────────────────────────────────────────────────────────────


def full_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(Q Kᵀ/√E) V — every query scores every key: L² scores.  → (..., L, Ev), (..., L, L)."""
    return scaled_dot_product_attention(q, k, v)


def sliding_window_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(Q Kᵀ/√E + M) V with M allowing |i − j| ≤ w.  → (..., L, Ev), (..., L, L)."""
    mask = masks.sliding_window_mask(q.size(-2), window, k.size(-2), device=q.device)
    return scaled_dot_product_attention(q, k, v, attn_mask=mask)


def strided_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, stride: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sparse Transformer pattern: |i − j| < s  or  i ≡ j (mod s).  → (..., L, Ev), (..., L, L)."""
    mask = masks.strided_mask(q.size(-2), stride, k.size(-2), device=q.device)
    return scaled_dot_product_attention(q, k, v, attn_mask=mask)


def segment_mean_projection(n: int, rank: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """E[s, j] = 1/|seg_s| if key j lies in segment s (rank contiguous segments), else 0.  → (rank, n).

    Every row sums to 1, so E K is a set of ``rank`` averaged keys; rank = n gives E = I.
    """
    if not 1 <= rank <= n:
        raise ValueError(f"rank must be between 1 and n={n}, got {rank}")
    seg = torch.arange(n, device=device) * rank // n  # segment of each key: (n,)
    onehot = (seg.unsqueeze(0) == torch.arange(rank, device=device).unsqueeze(1)).float()
    return onehot / onehot.sum(dim=1, keepdim=True)  # (rank, n)


# Linformer (Wang et al. 2020):  softmax(Q (E K)ᵀ / √E) (F V),  E, F ∈ ℝ^{k×n}
def linformer_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, E: torch.Tensor, F_: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Keys and values projected along the sequence to rank k: L·k scores, not L².

    (..., L, E), (..., n, E), (..., n, Ev), E (k, n), F (k, n) → (..., L, Ev), weights (..., L, k).
    The weights over the original n values are ``weights @ F``.
    """
    return scaled_dot_product_attention(q, E @ k, F_ @ v)  # E @ k: (..., k, E)


def fused_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """PyTorch's fused kernel (flash / memory-efficient / math backend, chosen by PyTorch).

    Same numbers as :func:`full_attention`, but the L × L weights are never handed back.
    """
    return F.scaled_dot_product_attention(q, k, v)
