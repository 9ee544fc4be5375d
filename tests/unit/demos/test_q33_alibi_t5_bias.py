"""Q33 demo: ALiBi slopes against the official implementation, T5 buckets against transformers,
the biased attention against PyTorch's SDPA, and the far mass against its geometric series."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from engine.demos.q33_alibi_t5_bias import (
    alibi_bias,
    alibi_slopes,
    far_mass,
    relative_positions,
    t5_bucket,
)
from engine.registry import ParamError, get_demo, run_demo


def official_get_slopes(n):
    """``get_slopes`` of ofirpress/attention_with_linear_biases (fairseq/models/transformer.py), as published."""

    def get_slopes_power_of_2(n):
        start = 2 ** (-(2 ** -(math.log2(n) - 3)))
        ratio = start
        return [start * ratio**i for i in range(n)]

    if math.log2(n).is_integer():
        return get_slopes_power_of_2(n)
    closest_power_of_2 = 2 ** math.floor(math.log2(n))
    return (
        get_slopes_power_of_2(closest_power_of_2)
        + official_get_slopes(2 * closest_power_of_2)[0::2][: n - closest_power_of_2]
    )


def test_eight_heads_get_two_to_the_minus_one_to_minus_eight():
    torch.testing.assert_close(
        alibi_slopes(8), torch.tensor([2.0**-h for h in range(1, 9)], dtype=torch.float64)
    )


@pytest.mark.parametrize("n", [1, 2, 3, 5, 6, 7, 8, 12, 16, 24, 40, 64])
def test_slopes_equal_the_official_implementation(n):
    torch.testing.assert_close(
        alibi_slopes(n), torch.tensor(official_get_slopes(n), dtype=torch.float64)
    )


def test_non_power_of_two_interleaves_the_next_power():
    # 12 heads: the 8 slopes of 8 heads, then 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5 (odd slopes of 16)
    torch.testing.assert_close(
        alibi_slopes(12)[8:],
        torch.tensor([2**-0.5, 2**-1.5, 2**-2.5, 2**-3.5], dtype=torch.float64),
    )


def test_bias_is_minus_slope_times_distance():
    b = alibi_bias(torch.tensor([0.5, 0.25], dtype=torch.float64), 4)
    assert b[0, 3, 0] == -1.5 and b[1, 3, 1] == -0.5 and b[0, 2, 2] == 0
    # a query block of 2 aligned with the last 2 of 5 keys (decoding with a cache)
    assert b.shape == (2, 4, 4) and alibi_bias(torch.tensor([1.0]), 2, 5)[0, 0].tolist() == [
        -3,
        -2,
        -1,
        0,
        1,
    ]


def test_biased_attention_equals_sdpa_with_float_mask():
    g = torch.Generator().manual_seed(0)
    H, L, d = 4, 9, 16
    q, k, v = (torch.randn(1, H, L, d, generator=g) for _ in range(3))
    bias = alibi_bias(alibi_slopes(H), L).float()
    causal = torch.ones(L, L, dtype=torch.bool).tril()
    mask = bias.masked_fill(~causal, -torch.inf)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d) + mask, dim=-1)
    torch.testing.assert_close(w @ v, ref, rtol=1e-5, atol=1e-6)
    # the demo's weights (equal content scores) are SDPA's output for V = I
    r = run_demo("alibi_t5_bias", {"n_heads": H, "n_tokens": L})
    eye = torch.eye(L).expand(1, H, L, L)
    ref_w = F.scaled_dot_product_attention(
        torch.zeros(1, H, L, d), torch.zeros(1, H, L, d), eye, attn_mask=mask
    )
    torch.testing.assert_close(r.weights, ref_w[0], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("bidirectional", [True, False])
@pytest.mark.parametrize(("nb", "md"), [(32, 128), (16, 64), (64, 256), (8, 16)])
def test_t5_buckets_equal_transformers(bidirectional, nb, md):
    from transformers.models.t5.modeling_t5 import T5Attention

    rel = relative_positions(300)
    ref = T5Attention._relative_position_bucket(
        rel, bidirectional=bidirectional, num_buckets=nb, max_distance=md
    )
    torch.testing.assert_close(t5_bucket(rel, bidirectional, nb, md), ref, rtol=0, atol=0)


def test_t5_default_buckets_by_hand():
    # bidirectional, 32 buckets, max distance 128: 16 per direction, 0–7 exact, 8–15 logarithmic to 128
    rel = torch.tensor([0, -1, -7, -8, -12, -127, -128, -1000, 1, 8, 1000])
    assert t5_bucket(rel).tolist() == [0, 1, 7, 8, 9, 15, 15, 15, 17, 24, 31]
    # −12: 8 + ⌊ln(12/8) / ln(128/8) · 8⌋ = 8 + ⌊1.169⌋ = 9


def test_far_mass_is_the_geometric_series():
    slopes, t, D = alibi_slopes(8), 1024, 512
    got = far_mass(slopes, t, D)
    for m, f in zip(slopes.tolist(), got.tolist(), strict=True):
        q = math.exp(-m)
        assert f == pytest.approx(
            (q ** (D + 1) - q ** (t + 1)) / (1 - q ** (t + 1)), rel=1e-9, abs=1e-300
        )


def test_far_mass_barely_moves_past_the_training_length():
    # extrapolation: the steep heads' reach does not depend on how long the sequence is
    slopes = alibi_slopes(8)
    torch.testing.assert_close(
        far_mass(slopes, 4096, 64)[:4], far_mass(slopes, 512, 64)[:4], rtol=1e-6, atol=1e-12
    )


def test_demo_rows_sum_to_one_and_is_deterministic():
    a, b = run_demo("alibi_t5_bias", {"n_heads": 6}), run_demo("alibi_t5_bias", {"n_heads": 6})
    assert a.weights.shape == (6, 16, 16)
    torch.testing.assert_close(a.weights.sum(-1), torch.ones(6, 16))
    torch.testing.assert_close(a.weights, b.weights, rtol=0, atol=0)
    assert a.facts["slope_first"] == 2 ** -(8 / 4)  # 6 heads: the 4-head slopes first
    assert a.facts["t5_bucket_at_max_distance"] == 15


@pytest.mark.parametrize(
    "bad",
    [
        {"n_heads": 0},
        {"n_heads": 17},
        {"n_tokens": 3},
        {"n_tokens": 49},
        {"train_len": 8},
        {"train_len": 4096},
        {"num_buckets": "12"},
        {"max_distance": 8},
        {"max_distance": 1024},
        {"bidirectional": "maybe"},
    ],
)
def test_bounds_of_every_parameter(bad):
    with pytest.raises(ParamError):
        run_demo("alibi_t5_bias", bad)
    names = {p.name for p in get_demo("alibi_t5_bias").params}
    assert names == {
        "n_heads",
        "n_tokens",
        "train_len",
        "num_buckets",
        "max_distance",
        "bidirectional",
    }
