from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from engine.demos import q36_linear_attention as la
from engine.registry import ParamError, get_demo, run_demo


def _qkv(n: int = 10, d: int = 6, seed: int = 0) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(n, d, generator=g, dtype=torch.float64) for _ in range(3))


def _direct_sum(fq, fk, v, decay):
    """out_i = Σ_{j≤i} γ^{i−j} φ(q_i)·φ(k_j) v_j / Σ_{j≤i} γ^{i−j} φ(q_i)·φ(k_j), term by term."""
    rows = []
    for i in range(fq.size(0)):
        num, den = torch.zeros(v.size(1), dtype=v.dtype), 0.0
        for j in range(i + 1):
            s = decay ** (i - j) * float(fq[i] @ fk[j])
            num, den = num + s * v[j], den + s
        rows.append(num / den)
    return torch.stack(rows)


@pytest.mark.parametrize("phi", ["elu1", "favor"])
@pytest.mark.parametrize("decay", [1.0, 0.8])
def test_parallel_equals_recurrent_equals_direct_sum(phi, decay):
    q, k, v = _qkv()
    omega = torch.randn(6, 32, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    fq, fk = la.feature_map(q, phi, omega), la.feature_map(k, phi, omega)
    par, w = la.linear_attention_parallel(fq, fk, v, decay)
    rec, states = la.linear_attention_recurrent(fq, fk, v, decay)
    ref = _direct_sum(fq, fk, v, decay)
    torch.testing.assert_close(par, ref, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(rec, ref, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(w.sum(-1), torch.ones(10, dtype=torch.float64))
    assert torch.all(torch.triu(w, diagonal=1) == 0)
    assert states.shape == (10, fq.size(1), 3 * 2)  # one (m, d_v) state per step


def test_state_has_the_shape_d_by_d_v_whatever_the_length():
    for n in (4, 40):
        q, k, v = _qkv(n=n)
        _, states = la.linear_attention_recurrent(
            la.feature_map(q, "elu1"), la.feature_map(k, "elu1"), v
        )
        assert states.shape[1:] == (6, 6)


def test_softmax_branch_matches_torch_sdpa():
    r = run_demo("linear_attention", {"n_tokens": 12, "d_k": "8", "seed": 3})
    q, k, v, _ = la._inputs(12, 8, 3, torch.device("cpu"))
    L = 12
    ref = torch.softmax(q @ k.T / math.sqrt(8) + torch.triu(torch.full((L, L), -math.inf), 1), -1)
    torch.testing.assert_close(r.weights[0], ref, rtol=1e-5, atol=1e-6)
    out_ref = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=True)[0]
    torch.testing.assert_close(ref @ v, out_ref, rtol=1e-4, atol=1e-5)


def test_favor_features_approximate_the_softmax_kernel_in_expectation():
    q, k, _ = _qkv(n=5, d=4, seed=2)
    q, k = q / 2, k / 2
    omega = torch.randn(4, 200_000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    approx = la.feature_map(q, "favor", omega) @ la.feature_map(k, "favor", omega).T
    exact = torch.exp(q @ k.T / 2.0)  # exp(q·k/√d) with d = 4
    torch.testing.assert_close(approx, exact, rtol=0.05, atol=0.0)


def test_relu_rows_with_no_positive_score_are_zero_not_nan():
    fq = torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    fk = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    v = torch.tensor([[1.0], [2.0]])
    out, w = la.linear_attention_parallel(fq, fk, v)
    rec, _ = la.linear_attention_recurrent(fq, fk, v)
    assert torch.equal(w[0], torch.zeros(2)) and torch.isfinite(out).all()
    torch.testing.assert_close(out, rec)


def test_demo_rows_sum_to_one_rank_bound_and_determinism():
    a = run_demo("linear_attention", {"n_tokens": 32, "d_k": "8"})
    b = run_demo("linear_attention", {"n_tokens": 32, "d_k": "8"})
    assert a.weights.shape == (2, 32, 32)
    torch.testing.assert_close(a.weights.sum(-1), torch.ones(2, 32))
    assert torch.equal(a.weights, b.weights)
    assert a.facts["max_diff_parallel_vs_recurrent"] < 1e-5
    assert a.facts["rank_linear_kernel"] <= 8 < a.facts["rank_softmax_kernel"]
    assert a.facts["state_numbers"] == 8 * 8 + 8 and a.facts["kv_cache_numbers"] == 2 * 32 * 8


def test_cost_curves_cross_at_n_equals_d():
    c = la.cost_curves(64)
    for n, s, lin in zip(c["lengths"], c["softmax_madds"], c["linear_madds"], strict=True):
        assert s / lin == n / 64
    assert c["lengths"][0] == 64 and c["softmax_madds"][0] == c["linear_madds"][0]


@pytest.mark.parametrize(
    "bad",
    [
        {"n_tokens": 1},
        {"n_tokens": 65},
        {"d_k": "32"},
        {"phi": "tanh"},
        {"decay": 0.4},
        {"decay": 1.01},
    ],
)
def test_parameters_out_of_bounds_are_refused(bad):
    with pytest.raises(ParamError):
        run_demo("linear_attention", bad)


def test_bounds_run():
    d = get_demo("linear_attention")
    for n in (d.spec("n_tokens").min, d.spec("n_tokens").max):
        r = run_demo("linear_attention", {"n_tokens": n, "phi": "relu", "decay": 0.5})
        s = r.weights.sum(-1)
        assert torch.all(((s - 1).abs() < 1e-5) | (s == 0))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_features_come_closer_to_softmax_than_elu1(seed):
    """The look-for text says so: FAVOR+ estimates the softmax kernel, elu+1 is another kernel."""
    gap = {
        phi: run_demo("linear_attention", {"phi": phi, "seed": seed}).facts[
            "mean_row_l1_linear_vs_softmax"
        ]
        for phi in ("elu1", "favor")
    }
    assert gap["favor"] < gap["elu1"]
