"""Tests of the demo multi_head: every head's weights against nn.MultiheadAttention."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from engine.attention import init_mha_params
from engine.registry import run_demo
from engine.text import toy_embeddings


def _torch_weights(n: int, d: int, h: int, seed: int, causal: bool) -> torch.Tensor:
    """nn.MultiheadAttention with the demo's projections; per-head weights (h, n, n)."""
    p = init_mha_params(d, seed + 1)
    mha = nn.MultiheadAttention(d, h, bias=False, batch_first=True)
    with torch.no_grad():  # PyTorch computes x Wᵀ: the paper-notation matrices transposed
        mha.in_proj_weight.copy_(torch.cat([p.W_q.T, p.W_k.T, p.W_v.T]))
        mha.out_proj.weight.copy_(p.W_o.T)
    x = toy_embeddings(n, d, seed).unsqueeze(0)
    mask = torch.triu(torch.ones(n, n, dtype=torch.bool), 1) if causal else None
    _, w = mha(x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=False)
    return w[0]


@pytest.mark.parametrize(("heads", "causal"), [("1", False), ("4", False), ("8", True)])
def test_heads_match_nn_multihead_attention(heads, causal):
    params = {"n_tokens": 9, "heads": heads, "d_model": 32, "causal": causal, "seed": 2}
    r = run_demo("multi_head", params)
    h = int(heads)
    assert r.n_heads == h and r.facts["d_k"] == 32 // h
    torch.testing.assert_close(r.weights, _torch_weights(9, 32, h, 2, causal))
