"""The engine's attention against PyTorch's own: F.scaled_dot_product_attention and nn.MultiheadAttention."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from engine import masks
from engine.attention import (
    MHAParams,
    causal_self_attention,
    init_mha_params,
    multi_head_attention,
    scaled_dot_product_attention,
)

D = torch.float64  # tight tolerances against the reference


def qkv(N=2, H=3, L=5, S=7, E=8, Ev=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    return tuple(
        torch.randn(N, H, n, e, generator=g, dtype=D) for n, e in ((L, E), (S, E), (S, Ev))
    )


def test_no_mask_matches_reference():
    q, k, v = qkv()
    out, w = scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v))
    ref_w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.size(-1)), dim=-1)
    torch.testing.assert_close(w, ref_w)
    torch.testing.assert_close(w.sum(-1), torch.ones(w.shape[:-1], dtype=D))


@pytest.mark.parametrize("L,S", [(5, 5), (4, 7), (7, 4)])
def test_is_causal_matches_reference(L, S):
    q, k, v = qkv(L=L, S=S)
    out, w = scaled_dot_product_attention(q, k, v, is_causal=True)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=True))
    assert torch.all(w.triu(diagonal=1) == 0)


def test_boolean_mask_matches_reference():
    q, k, v = qkv(L=6, S=6)
    mask = masks.sliding_window_mask(6, 1) | masks.strided_mask(6, 3)
    out, w = scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask))
    assert torch.all(w[..., ~mask] == 0)


def test_float_mask_matches_reference():
    q, k, v = qkv()
    bias = torch.randn(5, 7, generator=torch.Generator().manual_seed(3), dtype=D)
    out, _ = scaled_dot_product_attention(q, k, v, attn_mask=bias)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=bias))


def test_custom_scale_matches_reference():
    q, k, v = qkv()
    out, _ = scaled_dot_product_attention(q, k, v, scale=0.05)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, scale=0.05))


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_fully_masked_rows_are_zero_not_nan(kind):
    q, k, v = qkv(L=4, S=5)
    allowed = torch.ones(4, 5, dtype=torch.bool)
    allowed[2] = False  # query 2 may attend to nothing
    mask = (
        allowed
        if kind == "bool"
        else masks.to_additive(allowed, torch.float64).masked_fill(~allowed, -math.inf)
    )
    out, w = scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert torch.isfinite(out).all() and torch.isfinite(w).all()
    assert torch.all(w[..., 2, :] == 0) and torch.all(out[..., 2, :] == 0)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
    rows = [0, 1, 3]
    torch.testing.assert_close(out[..., rows, :], ref[..., rows, :])


def test_padding_mask_matches_reference():
    q, k, v = qkv(N=2, H=1, L=5, S=5)
    kpm = masks.padding_mask(torch.tensor([5, 3]), 5)  # (N, 1, S)
    mask = kpm.unsqueeze(1)  # (N, 1, 1, S) broadcast over heads and queries
    out, w = scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask))
    assert torch.all(w[1, ..., 3:] == 0)


def _torch_mha(p: MHAParams, d_model: int, h: int) -> nn.MultiheadAttention:
    """nn.MultiheadAttention holding the same weights (it stores W as (out, in): ours transposed)."""
    mha = nn.MultiheadAttention(d_model, h, batch_first=True, bias=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([p.W_q.T, p.W_k.T, p.W_v.T]))
        mha.in_proj_bias.copy_(torch.cat([p.b_q, p.b_k, p.b_v]))
        mha.out_proj.weight.copy_(p.W_o.T)
        mha.out_proj.bias.copy_(p.b_o)
    return mha


def _params_with_bias(d_model: int, seed: int) -> MHAParams:
    base = init_mha_params(d_model, seed)
    g = torch.Generator().manual_seed(seed + 100)
    b = [torch.randn(d_model, generator=g, dtype=D) * 0.1 for _ in range(4)]
    return MHAParams(
        W_q=base.W_q.double(),
        W_k=base.W_k.double(),
        W_v=base.W_v.double(),
        W_o=base.W_o.double(),
        b_q=b[0],
        b_k=b[1],
        b_v=b[2],
        b_o=b[3],
    )


@pytest.mark.parametrize("h", [1, 2, 4, 8])
def test_multi_head_matches_nn_multihead_attention(h):
    d_model, N, L, S = 32, 2, 5, 6
    p = _params_with_bias(d_model, seed=h)
    g = torch.Generator().manual_seed(7)
    x_q, x_kv = (
        torch.randn(N, L, d_model, generator=g, dtype=D),
        torch.randn(N, S, d_model, generator=g, dtype=D),
    )
    kpm = masks.padding_mask(torch.tensor([6, 4]), S)[:, 0]  # (N, S) True = real token
    out, w = multi_head_attention(x_q, x_kv, p, h, key_padding_mask=kpm)
    mha = _torch_mha(p, d_model, h).double()
    ref_out, ref_w = mha(
        x_q, x_kv, x_kv, key_padding_mask=~kpm, need_weights=True, average_attn_weights=False
    )
    torch.testing.assert_close(out, ref_out)
    torch.testing.assert_close(w, ref_w)


def test_causal_self_attention_matches_nn_multihead_attention():
    d_model, h, L = 16, 4, 6
    p = _params_with_bias(d_model, seed=1)
    x = torch.randn(1, L, d_model, generator=torch.Generator().manual_seed(2), dtype=D)
    out, w = causal_self_attention(x, p, h)
    mha = _torch_mha(p, d_model, h).double()
    future = ~masks.causal_mask(L)  # nn.MultiheadAttention: True = NOT allowed
    ref_out, ref_w = mha(x, x, x, attn_mask=future, need_weights=True, average_attn_weights=False)
    torch.testing.assert_close(out, ref_out)
    torch.testing.assert_close(w, ref_w)


def test_d_model_not_divisible_by_heads_is_refused():
    p = init_mha_params(10, 0)
    x = torch.zeros(1, 3, 10, dtype=torch.float32)
    with pytest.raises(ValueError, match="not divisible"):
        multi_head_attention(x, x, p, 4)


@settings(max_examples=30, deadline=None)
@given(L=st.integers(1, 12), seed=st.integers(0, 10_000), cut=st.integers(0, 11))
def test_causal_outputs_ignore_the_future(L, seed, cut):
    """Changing tokens after position ``cut`` never changes outputs at or before it."""
    cut = min(cut, L - 1)
    p = init_mha_params(8, seed)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1, L, 8, generator=g, dtype=torch.float32)
    y = x.clone()
    y[:, cut + 1 :] = torch.randn(1, L - cut - 1, 8, generator=g, dtype=torch.float32)
    a, _ = causal_self_attention(x, p, 2)
    b, _ = causal_self_attention(y, p, 2)
    torch.testing.assert_close(a[:, : cut + 1], b[:, : cut + 1])
