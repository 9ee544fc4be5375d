"""Building blocks the toy models share: sinusoidal positions, multi-head attention as
``nn.Linear`` projections, and the position-wise feed-forward network.

Every attention goes through :func:`engine.attention.multi_head_attention`, so the weights a
page draws are the weights that produced the output.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from engine.attention import MHAParams, multi_head_attention


def sinusoidal_positions(n: int, d: int) -> torch.Tensor:
    """PE[pos, 2i] = sin(pos / 10000^(2i/d)),  PE[pos, 2i+1] = cos(pos / 10000^(2i/d)).  → (n, d)."""
    pos = torch.arange(n, dtype=torch.float32).unsqueeze(1)  # (n, 1)
    two_i = torch.arange(0, d, 2, dtype=torch.float32)  # (⌈d/2⌉,): 0, 2, 4, …
    freq = torch.exp(-math.log(10000.0) * two_i / d)  # 1 / 10000^(2i/d)
    pe = torch.zeros(n, d)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq[: d // 2])
    return pe


class Attention(nn.Module):
    """Multi-head attention whose four projections are ``nn.Linear`` layers (y = x Wᵀ + b)."""

    def __init__(self, d_model: int, h: int):
        super().__init__()
        self.h = h
        self.q, self.k, self.v, self.o = (nn.Linear(d_model, d_model) for _ in range(4))

    def params(self) -> MHAParams:
        """The same projections in paper notation, applied as x @ W + b."""
        q, k, v, o = self.q, self.k, self.v, self.o
        return MHAParams(
            q.weight.T, k.weight.T, v.weight.T, o.weight.T, q.bias, k.bias, v.bias, o.bias
        )

    def forward(self, x_q, x_kv, key_padding_mask=None, is_causal=False):
        return multi_head_attention(
            x_q, x_kv, self.params(), self.h, key_padding_mask=key_padding_mask, is_causal=is_causal
        )


class FeedForward(nn.Sequential):
    """FFN(x) = max(0, x W_1 + b_1) W_2 + b_2."""

    def __init__(self, d_model: int, d_ff: int):
        super().__init__(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
