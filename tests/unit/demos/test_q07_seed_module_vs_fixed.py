"""Tests of the demo q07_seed_module_vs_fixed: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from engine.registry import run_demo
from engine.seed_module import build_pair
from engine.softmax import entropy


def test_fixed_module_equals_torch_sdpa_on_its_projections():
    _, fixed = build_pair(16, seed=5)
    x = torch.randn(3, 6, 16, generator=torch.Generator().manual_seed(0))  # a batch
    out, w = fixed(x, x, x)
    q, k, v = fixed.query_linear(x), fixed.key_linear(x), fixed.value_linear(x)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v), atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(w, torch.softmax(q @ k.transpose(-2, -1) / 4.0, dim=-1))
    assert torch.allclose(w.sum(-1), torch.ones(3, 6))


def test_seed_module_is_unscaled_on_2d_and_raises_on_a_batch():
    seed_m, _ = build_pair(16, seed=5)
    x = torch.randn(6, 16, generator=torch.Generator().manual_seed(0))
    out, _ = seed_m(x, x, x)
    q, k, v = seed_m.query_linear(x), seed_m.key_linear(x), seed_m.value_linear(x)
    torch.testing.assert_close(
        out, F.scaled_dot_product_attention(q, k, v, scale=1.0), atol=1e-5, rtol=1e-5
    )
    with pytest.raises(RuntimeError, match="t\\(\\)"):
        seed_m(x[None], x[None], x[None])


def test_softmax_dim_1_on_a_batch_normalises_over_queries():
    scores = torch.randn(2, 4, 5, generator=torch.Generator().manual_seed(0))  # (N, L, S)
    w = nn.Softmax(dim=1)(scores)
    assert torch.allclose(w.sum(1), torch.ones(2, 5))  # columns sum to 1 …
    assert not torch.allclose(w.sum(-1), torch.ones(2, 4))  # … rows do not


def test_build_pair_shares_weights_and_leaves_global_rng_alone():
    state = torch.random.get_rng_state()
    a, b = build_pair(8, seed=2)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.equal(a.query_linear.weight, b.query_linear.weight)
    assert torch.equal(build_pair(8, seed=2)[0].value_linear.bias, a.value_linear.bias)


def test_unscaled_softmax_saturates_as_d_grows():
    r = run_demo("seed_module_vs_fixed", {"d_model": 1024, "n_tokens": 8})
    log_l = math.log(8)
    seed_h, fixed_h = r.extras["entropy_seed"], r.extras["entropy_fixed"]
    assert seed_h[-1] < 0.25 * log_l < 0.9 * log_l < fixed_h.min()
    assert seed_h[-1] < seed_h[0]
    assert r.facts["max_weight_seed"] > 0.8 and r.facts["max_weight_fixed"] < 0.3
    assert r.facts["seed_module_on_batch"].startswith("RuntimeError")
    assert r.weights[0].max() > 0.99  # a saturated, nearly one-hot row
    assert entropy(torch.full((3, 4), 0.25)).mean().item() == pytest.approx(math.log(4))


def test_the_entropy_curve_is_kept_across_d_and_equals_a_fresh_one():
    from engine.demos import q07_seed_module_vs_fixed as m
    from engine.softmax import entropy

    r = run_demo("seed_module_vs_fixed", {"n_tokens": 6, "seed": 5})
    misses = m.entropy_curve.cache_info().misses
    run_demo("seed_module_vs_fixed", {"n_tokens": 6, "seed": 5, "d_model": 64})
    assert m.entropy_curve.cache_info().misses == misses  # the curve does not read d
    fresh = [m.compare_at(d, 6, 5, torch.device("cpu")) for d in m.D_VALUES]
    expect = torch.stack([entropy(f).mean() for _, f in fresh])
    torch.testing.assert_close(r.extras["entropy_fixed"], expect)
