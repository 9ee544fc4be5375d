"""Q35 demo: the tiled online softmax equals PyTorch's SDPA, and the running max and sum after each
block are exactly the max and the sum over the keys seen so far (the recurrence's closed form)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from engine.demos.q35_flash_attention_steps import flash_attention, online_block, standard_io
from engine.registry import ParamError, get_demo, run_demo


def _qkv(L: int, S: int, d: int, seed: int, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, d, generator=g, dtype=dtype) * 2 for n in (L, S, S))


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize(
    ("L", "S", "b_r", "b_c"),
    [(16, 24, 8, 4), (13, 29, 4, 8), (64, 64, 16, 16), (5, 3, 2, 2), (7, 40, 16, 2)],
)
def test_equals_sdpa(L, S, b_r, b_c, causal):
    q, k, v = _qkv(L, S, 16, L * S)
    out, _ = flash_attention(q, k, v, b_r, b_c, causal)
    ref = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=causal)[0]
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-6)


def test_running_max_and_sum_follow_the_recurrence():
    L, S, b_r, b_c = 12, 20, 4, 6
    q, k, v = _qkv(L, S, 8, 3, torch.float64)
    _, tr = flash_attention(q, k, v, b_r, b_c)
    s = q @ k.T / math.sqrt(8)  # (L, S): the full matrix, here only to check
    for j in range(math.ceil(S / b_c)):
        seen = s[:, : (j + 1) * b_c]  # keys of blocks 1 … j + 1
        m = seen.amax(-1)
        torch.testing.assert_close(tr.m[j], m)
        torch.testing.assert_close(tr.ell[j], torch.exp(seen - m[:, None]).sum(-1))
    torch.testing.assert_close(tr.lse, torch.logsumexp(s, -1))


def test_one_block_rescales_by_exp_of_the_max_change():
    # two keys, one per block: after block 1 m = s1, ℓ = 1; block 2 with s2 > s1 → m = s2, ℓ = e^{s1−s2} + 1
    q = torch.tensor([[1.0]], dtype=torch.float64)
    k, v = (
        torch.tensor([[1.0], [3.0]], dtype=torch.float64),
        torch.tensor([[10.0], [20.0]], dtype=torch.float64),
    )
    state = (
        torch.tensor([-math.inf], dtype=torch.float64),
        torch.zeros(1, dtype=torch.float64),
        torch.zeros(1, 1, dtype=torch.float64),
    )
    state = online_block(q, k[:1], v[:1], state, 1.0, None)
    assert state[0].item() == 1.0 and state[1].item() == 1.0 and state[2].item() == 10.0
    m, ell, o = online_block(q, k[1:], v[1:], state, 1.0, None)
    assert m.item() == 3.0 and ell.item() == pytest.approx(math.exp(-2) + 1)
    assert (o / ell).item() == pytest.approx(
        (10 * math.exp(1) + 20 * math.exp(3)) / (math.exp(1) + math.exp(3))
    )


def test_no_overflow_where_the_naive_softmax_overflows():
    q, k, v = _qkv(8, 8, 4, 0)
    q = q * 100  # scores around ±10⁴: exp overflows float32
    out, _ = flash_attention(q, k, v, 4, 4)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(
        out, F.scaled_dot_product_attention(q[None], k[None], v[None])[0], rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("causal", [False, True])
def test_memory_traffic_counts(causal):
    L, S, d, b_r, b_c = 32, 32, 16, 8, 4
    q, k, v = _qkv(L, S, d, 1)
    _, tr = flash_attention(q, k, v, b_r, b_c, causal)
    if not causal:  # Q once, K and V once per query block; O and the log-sum-exps written once
        assert tr.reads == L * d + (L // b_r) * 2 * S * d
    else:  # query block i reads only the key blocks at or left of the diagonal: (i + 1)·b_r/b_c of them
        assert (
            tr.reads == L * d + sum((i + 1) * (b_r // b_c) for i in range(L // b_r)) * 2 * b_c * d
        )
    assert tr.writes == L * d + L
    assert standard_io(1024, 1024, 64) == 4 * 1024 * 64 + 4 * 1024**2  # 4·N·d + 4·N²


def test_demo_rows_sum_to_one_and_is_deterministic():
    a = run_demo("flash_attention_steps", {"causal": True, "seed": 2})
    b = run_demo("flash_attention_steps", {"causal": True, "seed": 2})
    assert a.weights.shape == (1, 16, 24)
    torch.testing.assert_close(a.weights.sum(-1), torch.ones(1, 16))
    torch.testing.assert_close(a.weights, b.weights, rtol=0, atol=0)
    assert a.facts["max_abs_diff_vs_full"] < 1e-5 and a.facts["key_blocks"] == 6
    assert a.facts["io_flash_elements"] < a.facts["io_standard_elements"]


@pytest.mark.parametrize(
    "bad",
    [
        {"n_queries": 1},
        {"n_queries": 65},
        {"n_keys": 1},
        {"n_keys": 65},
        {"block_q": "3"},
        {"block_k": "32"},
        {"head_dim": 2},
        {"head_dim": 68},
        {"causal": "sometimes"},
        {"seed": -1},
    ],
)
def test_bounds_of_every_parameter(bad):
    with pytest.raises(ParamError):
        run_demo("flash_attention_steps", bad)
    names = {p.name for p in get_demo("flash_attention_steps").params}
    assert names == {"n_queries", "n_keys", "block_q", "block_k", "head_dim", "causal", "seed"}
