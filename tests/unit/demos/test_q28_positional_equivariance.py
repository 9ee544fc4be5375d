"""Tests of the demo q28_positional_equivariance: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from engine.attention import init_mha_params, multi_head_attention
from engine.demos.q28_positional_equivariance import attention_after_permuting, make_permutation
from engine.layers import sinusoidal_positions
from engine.registry import run_demo


def test_sinusoidal_positions_by_hand():
    d = 8
    pe = sinusoidal_positions(3, d)
    np.testing.assert_allclose(pe[0].numpy(), [0, 1] * 4, rtol=1e-5, atol=1e-7)
    assert pe[1, 0].item() == pytest.approx(math.sin(1.0)) and pe[1, 1].item() == pytest.approx(
        math.cos(1.0)
    )
    assert pe[2, 2].item() == pytest.approx(math.sin(2 / 10000 ** (2 / d)), rel=1e-6)
    assert pe[2, 7].item() == pytest.approx(math.cos(2 / 10000 ** (6 / d)), rel=1e-6)


@settings(max_examples=25, deadline=None)
@given(
    perm=st.permutations(list(range(7))), seed=st.integers(0, 10_000), h=st.sampled_from([1, 2, 4])
)
def test_self_attention_without_positions_is_permutation_equivariant(perm, seed, h):
    perm = torch.tensor(perm)
    x = torch.randn(7, 16, generator=torch.Generator().manual_seed(seed))
    p = init_mha_params(16, seed + 1)
    out, w = multi_head_attention(x[None], x[None], p, h)
    out_p, w_p = attention_after_permuting(x, perm, None, p, h)  # permuted, then mapped back
    torch.testing.assert_close(out_p, out[0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(w_p, w[0], atol=1e-6, rtol=1e-5)


@settings(max_examples=15, deadline=None)
@given(perm=st.permutations(list(range(6))), seed=st.integers(0, 10_000))
def test_torch_encoder_layer_is_permutation_equivariant_too(perm, seed):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True).eval()
        x = torch.randn(1, 6, 16)
    with torch.no_grad():
        torch.testing.assert_close(layer(x[:, perm]), layer(x)[:, perm], atol=1e-5, rtol=1e-5)


def test_positions_break_equivariance():
    r = run_demo("positional_equivariance", {"permutation": "reverse"})
    assert r.facts["no_pe_max_weight_change"] < 1e-5 and r.facts["no_pe_max_output_change"] < 1e-5
    assert r.facts["with_pe_max_weight_change"] > 1e-2
    torch.testing.assert_close(r.weights[0], r.weights[1], atol=1e-6, rtol=1e-5)
    assert r.extras["permuted_tokens"] == list(reversed(r.query_labels))


def test_make_permutation():
    assert make_permutation("reverse", 4, 0).tolist() == [3, 2, 1, 0]
    assert make_permutation("rotate", 4, 0).tolist() == [3, 0, 1, 2]
    assert sorted(make_permutation("shuffle", 9, 5).tolist()) == list(range(9))
