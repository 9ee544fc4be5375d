"""Tests of the demo q15_causal_kv_cache: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.attention import init_mha_params, multi_head_attention
from engine.demos.q15_causal_kv_cache import incremental_decode, score_counts, split_heads
from engine.registry import run_demo


def _torch_causal(x: torch.Tensor, p, h: int) -> torch.Tensor:
    """Reference: PyTorch's fused kernel with is_causal on the same projections."""
    N, L, d = x.shape
    q, k, v = (split_heads(x, W, None, h) for W in (p.W_q, p.W_k, p.W_v))
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return out.transpose(1, 2).reshape(N, L, d) @ p.W_o


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 12), h=st.sampled_from([1, 2, 4]), seed=st.integers(0, 10_000))
def test_kv_cache_decoding_equals_full_causal_attention(n, h, seed):
    x = torch.randn(2, n, 16, generator=torch.Generator().manual_seed(seed))
    p = init_mha_params(16, seed)
    full, w_full = multi_head_attention(x, x, p, h, is_causal=True)
    cached, w_cached = incremental_decode(x, p, h)
    torch.testing.assert_close(cached, full, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(w_cached, w_full, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(cached, _torch_causal(x, p, h), atol=1e-5, rtol=1e-5)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 12), cut=st.integers(1, 11), seed=st.integers(0, 10_000))
def test_future_tokens_do_not_change_past_outputs(n, cut, seed):
    cut = min(cut, n - 1)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1, n, 8, generator=g)
    y = x.clone()
    y[:, cut:] = torch.randn(1, n - cut, 8, generator=g)  # rewrite the future
    p = init_mha_params(8, seed)
    for run in (
        lambda z: multi_head_attention(z, z, p, 2, is_causal=True)[0],
        lambda z: incremental_decode(z, p, 2)[0],
    ):
        torch.testing.assert_close(run(x)[:, :cut], run(y)[:, :cut], atol=1e-6, rtol=1e-6)


def test_score_counts_by_hand():
    # n = 4: full 4×4 = 16; cache 1+2+3+4 = 10; recompute 1+4+9+16 = 30
    assert score_counts(4) == {"scores_full": 16, "scores_kv_cache": 10, "scores_recompute": 30}


def test_causal_kv_cache_demo_facts():
    r = run_demo("causal_kv_cache", {"n_tokens": 12, "heads": "4"})
    f = r.facts
    assert f["scores_kv_cache"] == 12 * 13 // 2 and f["scores_full"] == 144
    assert f["max_diff_cache_vs_full"] < 1e-5 and f["max_change_of_past_when_appending"] < 1e-6
    assert torch.triu(r.weights, diagonal=1).abs().max() == 0
    assert int(r.extras["cache_cumulative"][-1]) == f["scores_kv_cache"]
