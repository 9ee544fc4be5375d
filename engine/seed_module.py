"""The study text's ``AttentionModule`` and a corrected version, side by side.

The original computes softmax(Q Kᵀ) V with ``key.t()`` and ``nn.Softmax(dim=1)``:
- no 1/√d_k: the score variance grows with d, softmax saturates towards one-hot;
- ``.t()`` only accepts 2-D tensors, so a batch (N, L, d) raises;
- ``dim=1`` is the key axis only for 2-D scores; for (N, L, S) it would normalise over queries.
The corrected module divides by √d_k, transposes the last two axes and normalises over the last.
Both return ``(output, weights)`` so the weights can be compared.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class SeedAttentionModule(nn.Module):
    """As in the study text: softmax(Q Kᵀ) V — unscaled, 2-D inputs (L, d) only."""

    def __init__(self, d_model: int, device: torch.device | str | None = None):
        super().__init__()
        self.query_linear = nn.Linear(d_model, d_model, device=device)
        self.key_linear = nn.Linear(d_model, d_model, device=device)
        self.value_linear = nn.Linear(d_model, d_model, device=device)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, query, key, value):
        query_scores = self.query_linear(query)
        key_scores = self.key_linear(key)
        value_scores = self.value_linear(value)

        attention_scores = torch.matmul(query_scores, key_scores.t())  # .t(): 2-D only
        attention_weights = self.softmax(attention_scores)  # dim=1: the key axis only when 2-D

        weighted_value = torch.matmul(attention_weights, value_scores)
        return weighted_value, attention_weights


class ScaledAttentionModule(nn.Module):
    """Corrected: softmax(Q Kᵀ / √d_k) V over the key axis.  (…, L, d), (…, S, d) → (…, L, d), (…, L, S)."""

    def __init__(self, d_model: int, device: torch.device | str | None = None):
        super().__init__()
        self.query_linear = nn.Linear(d_model, d_model, device=device)
        self.key_linear = nn.Linear(d_model, d_model, device=device)
        self.value_linear = nn.Linear(d_model, d_model, device=device)

    def forward(self, query, key, value):
        q = self.query_linear(query)  # (…, L, d_k)
        k = self.key_linear(key)  # (…, S, d_k)
        v = self.value_linear(value)  # (…, S, d_v)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))  # (…, L, S): any batch shape
        weights = torch.softmax(scores, dim=-1)  # normalise over keys, the last axis
        return weights @ v, weights


def fill_linears_(module: nn.Module, seed: int) -> nn.Module:
    """Overwrite every ``nn.Linear`` with nn.Linear's own init, U(-1/√fan_in, 1/√fan_in), from ``seed``."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for lin in (m for m in module.modules() if isinstance(m, nn.Linear)):
            bound = 1.0 / math.sqrt(lin.in_features)
            for p in (lin.weight, lin.bias):
                p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * bound)  # drawn on the CPU
    return module


def build_pair(
    d_model: int, seed: int, device: torch.device | str = "cpu"
) -> tuple[SeedAttentionModule, ScaledAttentionModule]:
    """Both modules with identical weights drawn from ``seed`` on the CPU, moved to ``device``.

    nn's own initialisation is skipped (``skip_init``: every weight is drawn below), so building
    them neither costs a second draw nor touches the global generator.
    """
    seed_m = nn.utils.skip_init(SeedAttentionModule, d_model)
    fixed_m = nn.utils.skip_init(ScaledAttentionModule, d_model)
    fill_linears_(seed_m, seed)
    fixed_m.load_state_dict(seed_m.state_dict())  # same names, same numbers
    return seed_m.to(device), fixed_m.to(device)
