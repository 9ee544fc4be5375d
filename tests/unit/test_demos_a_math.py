"""Demos of Q1, Q2, Q3, Q7, Q15, Q28 against hand-worked examples, PyTorch references and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from engine.attention import init_mha_params, multi_head_attention
from engine.demos.q01_kernel_regression import nadaraya_watson
from engine.demos.q02_softmax_temperature import seed_attention
from engine.demos.q03_self_attention_steps import self_attention_steps, word_embeddings
from engine.demos.q15_causal_kv_cache import incremental_decode, score_counts, split_heads
from engine.demos.q28_positional_equivariance import attention_after_permuting, make_permutation
from engine.registry import run_demo
from engine.seed_module import build_pair, row_entropy
from engine.seq2seq import sinusoidal_positions

SEED_SOFTMAX = [
    0.01165623,
    0.03168492,
    0.08612854,
    0.23412166,
    0.63640865,
]  # softmax([1, 2, 3, 4, 5])


# ── Q1 Nadaraya–Watson ──────────────────────────────────────────────────────────────
@pytest.mark.parametrize("kernel, c", [("gaussian", math.exp(-0.5)), ("laplace", math.exp(-1.0))])
def test_nadaraya_watson_worked_example(kernel, c):
    # keys 0, 1, 2 with values 1, 2, 4; query 1; width 1.
    # gaussian scores -(1-0)²/2, 0, -(1-2)²/2 → weights ∝ e^-½, 1, e^-½ ; laplace: e^-1, 1, e^-1
    y_hat, w = nadaraya_watson(
        torch.tensor([1.0]),
        torch.tensor([0.0, 1.0, 2.0]),
        torch.tensor([1.0, 2.0, 4.0]),
        1.0,
        kernel,
    )
    z = 1 + 2 * c
    np.testing.assert_allclose(w[0].numpy(), [c / z, 1 / z, c / z], rtol=1e-6)
    assert y_hat.item() == pytest.approx((c * 1 + 2 + c * 4) / z, rel=1e-6)


def test_kernel_regression_demo_is_the_gaussian_kernel_average():
    r = run_demo("kernel_regression", {"n_train": 30, "n_query": 20, "bandwidth": 0.5})
    e = r.extras
    xq, xk, y = (
        e["x_query"].double().numpy(),
        e["x_key"].double().numpy(),
        e["y_value"].double().numpy(),
    )
    k = np.exp(-((xq[:, None] - xk[None, :]) ** 2) / (2 * 0.5**2))
    expected = k / k.sum(1, keepdims=True)
    np.testing.assert_allclose(r.weights[0].numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(e["y_hat"].numpy(), expected @ y, atol=1e-5)


def test_wider_kernel_uses_more_keys():
    narrow, wide = (run_demo("kernel_regression", {"bandwidth": h}) for h in (0.1, 1.0))
    assert wide.facts["effective_keys_per_query"] > 3 * narrow.facts["effective_keys_per_query"]


# ── Q2 softmax ──────────────────────────────────────────────────────────────────────
def test_seed_softmax_on_its_own_example():
    np.testing.assert_allclose(seed_attention(np.array([1, 2, 3, 4, 5])), SEED_SOFTMAX, rtol=1e-6)


def test_naive_overflows_to_nan_while_stable_equals_the_unshifted_softmax():
    r = run_demo("softmax_temperature", {"offset": 1000.0, "temperature": 1.0})
    assert r.facts["naive_is_nan"] and r.facts["seed_numpy_is_nan"]
    assert torch.isnan(r.extras["naive"]).all()
    # softmax(s + c) = softmax(s): scores 1001…1005 give the seed's [1…5] answer
    np.testing.assert_allclose(r.extras["stable"].numpy(), SEED_SOFTMAX, rtol=1e-5)
    np.testing.assert_allclose(
        r.extras["stable"].numpy(), torch.softmax(r.extras["scores"], 0).numpy(), rtol=1e-6
    )


def test_overflow_limit_depends_on_dtype_and_temperature():
    r32 = run_demo("softmax_temperature", {"offset": 500.0, "dtype": "float32"})
    r64 = run_demo("softmax_temperature", {"offset": 500.0, "dtype": "float64"})
    assert r32.facts["naive_is_nan"] and not r64.facts["naive_is_nan"]  # e^505 fits in float64 only
    np.testing.assert_allclose(r64.extras["naive"].numpy(), SEED_SOFTMAX, rtol=1e-6)
    cold = run_demo("softmax_temperature", {"offset": 0.0, "temperature": 0.05})
    assert cold.facts["naive_is_nan"]  # 5 / 0.05 = 100 > 88.7: a low temperature overflows too
    assert cold.extras["stable"][-1] > 0.999


def test_temperature_ladder_rows_are_softmax_at_each_tau():
    r = run_demo("softmax_temperature", {"offset": 0.0, "spread": 2.0, "temperature": 0.5})
    s = r.extras["scores"]
    for row, tau in zip(r.weights[0], r.extras["temperatures"], strict=True):
        np.testing.assert_allclose(
            row.numpy(), torch.softmax(s / tau, 0).numpy(), rtol=1e-5, atol=1e-7
        )
    assert torch.all(r.extras["entropies"].diff() > 0)  # hotter → flatter


# ── Q3 self-attention steps ─────────────────────────────────────────────────────────
def test_self_attention_steps_worked_example():
    # X = I₂, W = I₂: q = k = v = I, scores = I, scaled = I/√2, row 0 ∝ (e^{1/√2}, 1)
    eye = torch.eye(2)
    s = self_attention_steps(eye, eye, eye, eye)
    a = math.exp(1 / math.sqrt(2))
    np.testing.assert_allclose(s.scaled.numpy(), (eye / math.sqrt(2)).numpy())
    np.testing.assert_allclose(s.weights[0].numpy(), [a / (a + 1), 1 / (a + 1)], rtol=1e-6)
    np.testing.assert_allclose(s.out.numpy(), s.weights.numpy())


def test_self_attention_steps_matches_torch():
    g = torch.Generator().manual_seed(3)
    x, W_q, W_k, W_v = (
        torch.randn(*shape, generator=g) for shape in ((7, 12), (12, 5), (12, 5), (12, 3))
    )
    s = self_attention_steps(x, W_q, W_k, W_v)
    ref = F.scaled_dot_product_attention(x @ W_q, x @ W_k, x @ W_v)
    np.testing.assert_allclose(s.out.numpy(), ref.numpy(), atol=1e-6)
    np.testing.assert_allclose(
        s.weights.numpy(),
        torch.softmax((x @ W_q) @ (x @ W_k).T / math.sqrt(5), -1).numpy(),
        atol=1e-6,
    )


def test_self_attention_demo_steps_chain_and_equal_words_share_rows():
    r = run_demo("self_attention_steps", {"n_tokens": 6, "d_k": 9})
    e = r.extras
    np.testing.assert_allclose(e["scaled"].numpy(), e["scores"].numpy() / 3.0, rtol=1e-6)
    np.testing.assert_allclose(
        r.weights[0].numpy(), torch.softmax(e["scaled"], -1).numpy(), atol=1e-6
    )
    np.testing.assert_allclose(e["out"].numpy(), (r.weights[0] @ e["v"]).numpy(), atol=1e-6)
    assert r.query_labels[0] == r.query_labels[4] == "the"
    np.testing.assert_allclose(r.weights[0, 0].numpy(), r.weights[0, 4].numpy())


def test_word_embeddings_equal_words_equal_rows():
    x = word_embeddings(["a", "b", "a"], 4, seed=1)
    assert torch.equal(x[0], x[2]) and not torch.equal(x[0], x[1])


# ── Q7 the text's module vs the fixed one ──────────────────────────────────────────
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
    assert row_entropy(torch.full((3, 4), 0.25)).item() == pytest.approx(math.log(4))


# ── Q15 causal attention and the KV-cache ──────────────────────────────────────────
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


# ── Q28 permutation equivariance ───────────────────────────────────────────────────
def test_sinusoidal_positions_by_hand():
    d = 8
    pe = sinusoidal_positions(3, d)
    np.testing.assert_allclose(pe[0].numpy(), [0, 1] * 4, atol=1e-7)
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
    torch.testing.assert_close(r.weights[0], r.weights[1], atol=1e-6, rtol=0)
    assert r.extras["permuted_tokens"] == list(reversed(r.query_labels))


def test_make_permutation():
    assert make_permutation("reverse", 4, 0).tolist() == [3, 2, 1, 0]
    assert make_permutation("rotate", 4, 0).tolist() == [3, 0, 1, 2]
    assert sorted(make_permutation("shuffle", 9, 5).tolist()) == list(range(9))
