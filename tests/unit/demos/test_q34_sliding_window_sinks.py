"""Q34 demo: window masks against PyTorch's SDPA, the rolling buffer against full sliding-window
attention, the receptive field against k·(W − 1) + 1, and what keeping sink tokens changes."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from engine.demos.q34_sliding_window_sinks import (
    masked_attention,
    receptive_field,
    rolling_buffer_decode,
    sink_window_mask,
    toy_sink_bias,
    window_mask,
)
from engine.registry import ParamError, get_demo, run_demo


def _qkv(L: int, seed: int = 0, H: int = 2, d: int = 8):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(1, H, L, d, generator=g) for _ in range(3))


def test_window_mask_by_definition():
    m = window_mask(6, 3)
    for i in range(6):
        assert [j for j in range(6) if m[i, j]] == list(range(max(0, i - 2), i + 1))  # W = 3 keys


@pytest.mark.parametrize("W", [1, 2, 5, 12])
def test_window_attention_equals_sdpa(W):
    q, k, v = _qkv(12, W)
    mask = window_mask(12, W)
    out, w = masked_attention(q, k, v, mask, torch.zeros(12, 12))
    torch.testing.assert_close(
        out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask), rtol=1e-5, atol=1e-6
    )
    torch.testing.assert_close(w.sum(-1), torch.ones(1, 2, 12))


@pytest.mark.parametrize(("L", "W"), [(10, 3), (17, 4), (8, 8), (5, 9)])
def test_rolling_buffer_equals_full_sliding_window_attention(L, W):
    q, k, v = _qkv(L, L + W)
    bias = toy_sink_bias(L, 3.0)
    out, w = rolling_buffer_decode(q, k, v, W, bias)
    ref_mask = bias.masked_fill(~window_mask(L, W), -torch.inf)
    torch.testing.assert_close(
        out, F.scaled_dot_product_attention(q, k, v, attn_mask=ref_mask), rtol=1e-5, atol=1e-6
    )
    _, w_ref = masked_attention(q, k, v, window_mask(L, W), bias)
    torch.testing.assert_close(w, w_ref, rtol=1e-5, atol=1e-7)


def test_sink_mask_keeps_the_first_tokens_and_the_recent_ones():
    m = sink_window_mask(10, 4, 1)  # 4 slots: token 0 + the 3 most recent
    assert [j for j in range(10) if m[9, j]] == [0, 7, 8, 9]
    assert [j for j in range(10) if m[2, j]] == [0, 1, 2]
    assert int(m.sum(-1).max()) == 4  # never more than the cache holds
    with pytest.raises(ValueError, match="n_sinks"):
        sink_window_mask(10, 4, 4)


@pytest.mark.parametrize(("L", "W", "layers"), [(40, 4, 6), (30, 7, 3), (12, 5, 8), (50, 2, 5)])
def test_receptive_field_is_layers_times_window(L, W, layers):
    # Mistral: after k layers information moves up to k·(W − 1) positions (k × W with its own window count)
    assert receptive_field(L, W, layers) == [min(L, k * (W - 1) + 1) for k in range(1, layers + 1)]


def test_mistral_span():
    # Mistral 7B: W = 4096, 32 layers → "a theoretical attention span of approximately 131K tokens"
    assert 32 * 4096 == 131_072
    assert 32 * (4096 - 1) + 1 == 131_041


def test_sinks_help_only_a_head_that_has_a_sink():
    with_sink = run_demo("sliding_window_sinks", {"sink_score": 6.0})
    without = run_demo("sliding_window_sinks", {"sink_score": 0.0})
    assert with_sink.facts["sink_mass_full"] > 0.3  # the head parks attention on token 0
    assert with_sink.facts["error_with_sinks"] < 0.5 * with_sink.facts["error_window_only"]
    # no sink habit: the first token is just an old token, and keeping it buys nothing
    assert without.facts["error_with_sinks"] >= 0.9 * without.facts["error_window_only"]


def test_the_evicted_mass_is_spread_over_the_window():
    r = run_demo("sliding_window_sinks", {"sink_score": 6.0, "window": 4})
    full, window = r.weights[0], r.weights[1]
    t = 20
    # softmax renormalises: window weights = full weights on the window / their sum
    kept = window_mask(24, 4)[t]
    torch.testing.assert_close(
        window[t, kept], full[t, kept] / full[t, kept].sum(), rtol=1e-4, atol=1e-7
    )


def test_toy_bias():
    b = toy_sink_bias(4, 2.0)
    assert b[3].tolist() == [2.0 - 0.75, -0.5, -0.25, 0.0]
    assert math.isclose(float(b[0, 0]), 2.0)


def test_demo_rows_sum_to_one_and_is_deterministic():
    a, b = (
        run_demo("sliding_window_sinks", {"seed": 5}),
        run_demo("sliding_window_sinks", {"seed": 5}),
    )
    assert a.weights.shape == (3, 24, 24)
    torch.testing.assert_close(a.weights.sum(-1), torch.ones(3, 24))
    torch.testing.assert_close(a.weights, b.weights, rtol=0, atol=0)
    assert a.facts["receptive_field"] == 4 * 5 + 1


def test_refuses_more_sinks_than_slots():
    with pytest.raises(ValueError, match="n_sinks"):
        run_demo("sliding_window_sinks", {"window": 3, "n_sinks": 3})


@pytest.mark.parametrize(
    "bad",
    [
        {"n_tokens": 7},
        {"n_tokens": 49},
        {"window": 1},
        {"window": 17},
        {"n_sinks": 0},
        {"n_sinks": 5},
        {"sink_score": -1},
        {"sink_score": 11},
        {"layers": 0},
        {"layers": 9},
        {"seed": 10000},
    ],
)
def test_bounds_of_every_parameter(bad):
    with pytest.raises(ParamError):
        run_demo("sliding_window_sinks", bad)
    names = {p.name for p in get_demo("sliding_window_sinks").params}
    assert names == {"n_tokens", "window", "n_sinks", "sink_score", "layers", "seed"}
