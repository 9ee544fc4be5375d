"""Tests of the demo q09_efficient_attention: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import efficient as ef
from engine import masks
from engine.registry import run_demo

D = torch.float64


def qkv(L: int, E: int = 8, lead: tuple[int, ...] = (), seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(*lead, L, E, generator=g, dtype=D) for _ in range(3))


@pytest.mark.parametrize("L", [1, 2, 5, 16, 33])
@pytest.mark.parametrize("window", [0, 1, 3, 8])
def test_sliding_window_matches_reference(L, window):
    q, k, v = qkv(L, lead=(2,))
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=masks.sliding_window_mask(L, window))
    out, w = ef.sliding_window_attention(q, k, v, window)
    torch.testing.assert_close(out, ref)
    i = torch.arange(L)
    assert torch.all(w[..., (i[:, None] - i[None, :]).abs() > window] == 0)
    torch.testing.assert_close(ef.sliding_window_attention_blocked(q, k, v, window)[0], ref)


@pytest.mark.parametrize("L", [2, 7, 16, 37])
@pytest.mark.parametrize("stride", [1, 2, 3, 6])
def test_strided_matches_reference(L, stride):
    q, k, v = qkv(L, lead=(2,))
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=masks.strided_mask(L, stride))
    torch.testing.assert_close(ef.strided_attention(q, k, v, stride)[0], ref)
    torch.testing.assert_close(ef.strided_attention_blocked(q, k, v, stride)[0], ref)


def test_blocked_kernels_take_batch_and_head_dimensions():
    q, k, v = qkv(20, lead=(2, 3))  # (N, H, L, E)
    for fast, mask in (
        (lambda: ef.sliding_window_attention_blocked(q, k, v, 4), masks.sliding_window_mask(20, 4)),
        (lambda: ef.strided_attention_blocked(q, k, v, 4), masks.strided_mask(20, 4)),
    ):
        torch.testing.assert_close(
            fast()[0], F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        )


def test_blocked_kernels_compute_fewer_scores():
    L = 1024
    assert (
        ef.score_bytes("sliding_window", L, 16, 32, 8) < ef.score_bytes("full", L, 16, 32, 8) / 10
    )
    assert ef.score_bytes("strided", L, 16, 32, 8) < ef.score_bytes("full", L, 16, 32, 8) / 5
    q, k, v = qkv(64)
    _, band = ef.sliding_window_attention_blocked(q, k, v, 4)
    assert band.numel() == 64 * 3 * 4  # L · 3b scores, not L²


def test_fused_equals_teaching_full_attention():
    q, k, v = qkv(50, lead=(2,))
    torch.testing.assert_close(ef.fused_attention(q, k, v), ef.full_attention(q, k, v)[0])
    q32, k32, v32 = (x.float() for x in (q, k, v))
    torch.testing.assert_close(
        ef.fused_attention(q32, k32, v32), ef.full_attention(q32, k32, v32)[0], atol=1e-5, rtol=1e-4
    )


def test_linformer_worked_example_by_hand():
    # n = 4 keys averaged in 2 segments: E K = [[1], [5]], F V = [[2, 0], [0, 3]]
    E = ef.segment_mean_projection(4, 2).double()
    torch.testing.assert_close(E, torch.tensor([[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]], dtype=D))
    q = torch.tensor([[1.0]], dtype=D)
    k = torch.tensor([[0.0], [2.0], [4.0], [6.0]], dtype=D)
    v = torch.tensor([[1.0, 0], [3, 0], [0, 2], [0, 4]], dtype=D)
    out, w = ef.linformer_attention(q, k, v, E, E)
    w1 = math.exp(5) / (math.exp(1) + math.exp(5))  # scores q·(E K)ᵀ / √1 = [1, 5]
    torch.testing.assert_close(w, torch.tensor([[1 - w1, w1]], dtype=D))
    torch.testing.assert_close(out, torch.tensor([[2 * (1 - w1), 3 * w1]], dtype=D))


def test_linformer_at_full_rank_is_full_attention():
    q, k, v = qkv(12)
    E = ef.segment_mean_projection(12, 12).double()
    torch.testing.assert_close(E, torch.eye(12, dtype=D))
    torch.testing.assert_close(
        ef.linformer_attention(q, k, v, E, E)[0], ef.full_attention(q, k, v)[0]
    )


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(4, 24),
    d=st.integers(1, 8),
    seed=st.integers(0, 10_000),
    scale=st.floats(0.2, 3.0),
)
def test_low_rank_error_falls_as_rank_rises(n, d, seed, scale):
    """Eckart–Young: the best rank-k error never rises with k, and Linformer never beats it."""
    q, k, v = qkv(n, d, seed=seed)
    P = ef.full_attention(q * scale, k, v)[1]  # (n, n)
    floor = [float((ef.best_rank_k(P, r) - P).norm()) for r in range(1, n + 1)]
    assert all(b <= a + 1e-9 for a, b in zip(floor, floor[1:], strict=False))
    assert floor[-1] < 1e-8
    for r in range(1, n + 1):
        E = ef.segment_mean_projection(n, r).double()
        effective = ef.linformer_attention(q * scale, k, v, E, E)[1] @ E  # rank ≤ r
        assert float((effective - P).norm()) >= floor[r - 1] - 1e-9


def test_measure_variants_rows():
    rows = ef.measure_variants(128, torch.device("cpu"), window=8, stride=8, rank=16, repeats=1)
    by = {r["variant"]: r for r in rows}
    assert set(by) == set(ef.VARIANTS)
    assert by["full"]["max_abs_err"] == 0 and by["fused"]["max_abs_err"] < 1e-4
    assert by["full"]["peak_mib"] == 128 * 128 * 4 / 2**20
    assert all(r["median_ms"] > 0 for r in rows)


def test_benchmark_quick_rows():
    from benchmarks.attention_variants import run

    rows = run("cpu", quick=True)
    assert {r["n"] for r in rows} == {256, 512, 1024}
    assert len(rows) == 3 * len(ef.VARIANTS)
    for r in rows:
        assert {"variant", "n", "median_ms", "peak_mib", "max_abs_err"} <= set(r)


def test_efficient_demo_weights_are_the_real_ones():
    r = run_demo(
        "efficient_attention", {"max_len": "256", "repeats": 1, "window": 3, "stride": 4, "rank": 8}
    )
    q, k, _ = ef.structured_inputs(64, 64, 0, 1.5)
    torch.testing.assert_close(r.weights[0], torch.softmax(q @ k.T / 8.0, -1), atol=1e-5, rtol=1e-4)
    i = torch.arange(64)
    assert torch.all(r.weights[1][(i[:, None] - i[None, :]).abs() > 3] == 0)
    assert torch.all(r.weights[2][~masks.strided_mask(64, 4)] == 0)
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(4, 64))
    assert len(r.extras["rows"]) == 2 * len(ef.VARIANTS)  # lengths 128 and 256
