"""Q31 demo: grouped-query attention against PyTorch's SDPA with ``enable_gqa``, and KV cache sizes."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from engine.demos.q31_gqa_kv_cache import (
    LLAMA2_70B,
    decode_intensity,
    decode_with_cache,
    grouped_query_attention,
    kv_cache_bytes_per_token,
    kv_table,
)
from engine.registry import ParamError, get_demo, run_demo


@pytest.mark.parametrize("H_kv", [1, 2, 4, 8])
@pytest.mark.parametrize("causal", [True, False])
def test_equals_sdpa_with_enable_gqa(H_kv, causal):
    g = torch.Generator().manual_seed(H_kv)
    q = torch.randn(2, 8, 7, 16, generator=g)
    k, v = torch.randn(2, H_kv, 7, 16, generator=g), torch.randn(2, H_kv, 7, 16, generator=g)
    out, w = grouped_query_attention(q, k, v, is_causal=causal)
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=True)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 8, 7))


def test_query_heads_of_one_group_read_the_same_kv_head():
    g = torch.Generator().manual_seed(0)
    q = torch.randn(1, 4, 5, 8, generator=g)
    k, v = torch.randn(1, 2, 5, 8, generator=g), torch.randn(1, 2, 5, 8, generator=g)
    out, _ = grouped_query_attention(q, k, v)
    # query head 3 is in group 2 (heads 2, 3): plain attention against KV head 1
    ref = F.scaled_dot_product_attention(q[:, 3:4], k[:, 1:2], v[:, 1:2], is_causal=True)
    torch.testing.assert_close(out[:, 3:4], ref, rtol=1e-5, atol=1e-6)


def test_cached_decode_equals_causal_prefill():
    g = torch.Generator().manual_seed(1)
    q = torch.randn(1, 8, 9, 16, generator=g)
    k, v = torch.randn(1, 2, 9, 16, generator=g), torch.randn(1, 2, 9, 16, generator=g)
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
    torch.testing.assert_close(decode_with_cache(q, k, v), ref, rtol=1e-5, atol=1e-6)


def test_refuses_heads_that_do_not_divide():
    with pytest.raises(ValueError, match="multiple of key/value heads"):
        grouped_query_attention(
            torch.zeros(1, 6, 2, 4), torch.zeros(1, 4, 2, 4), torch.zeros(1, 4, 2, 4)
        )


def test_llama2_70b_kv_cache_bytes():
    # 80 layers × 8 KV heads × 128 × 2 (K, V) × 2 bytes = 327,680 bytes per token = 0.3125 MiB
    per_token = 80 * 8 * 128 * 2 * 2
    assert per_token == 327_680
    assert (
        kv_cache_bytes_per_token(**{k: LLAMA2_70B[k] for k in ("layers", "kv_heads", "head_dim")})
        == per_token
    )
    table = kv_table(LLAMA2_70B, 4096)
    assert table["gqa"]["gib"] == pytest.approx(per_token * 4096 / 2**30) == pytest.approx(1.25)
    assert table["mha"]["bytes_per_token"] == 8 * per_token  # 64 KV heads: 2.5 MiB per token
    assert table["mqa"]["bytes_per_token"] == per_token // 8  # 40 KiB per token


def test_llama2_70b_shapes_match_its_transformers_config():
    from transformers import LlamaConfig

    # the published config.json of meta-llama/Llama-2-70b-hf, typed in by field
    cfg = LlamaConfig(
        hidden_size=8192, num_hidden_layers=80, num_attention_heads=64, num_key_value_heads=8
    )
    assert {
        "layers": cfg.num_hidden_layers,
        "q_heads": cfg.num_attention_heads,
        "kv_heads": cfg.num_key_value_heads,
        "head_dim": cfg.hidden_size // cfg.num_attention_heads,
    } == LLAMA2_70B


def test_decode_intensity_counts_flops_and_bytes():
    H_q, H_kv, S, d, b = 64, 8, 4096, 128, 2
    flops = 2 * H_q * S * d * 2  # QKᵀ and PV: H_q · S · d multiply-adds each
    bytes_read = 2 * H_kv * S * d * b
    assert decode_intensity(1, H_q // H_kv, b) == flops / bytes_read == 8.0
    assert decode_intensity(1, 1) == 1.0  # MHA decode: one FLOP per byte


def test_demo_rows_sum_to_one_and_is_deterministic():
    a, b = (
        run_demo("gqa_kv_cache", {"kv_heads": 4, "seed": 3, "n_tokens": 10}),
        run_demo("gqa_kv_cache", {"kv_heads": 4, "seed": 3, "n_tokens": 10}),
    )
    assert a.weights.shape == (8, 10, 10)
    torch.testing.assert_close(a.weights.sum(-1), torch.ones(8, 10))
    torch.testing.assert_close(a.weights, b.weights, rtol=0, atol=0)
    assert a.facts["group_size"] == 2 and a.facts["max_diff_decode_vs_prefill"] < 1e-5
    assert a.head_labels[2] == "Q3·KV2"


@pytest.mark.parametrize(
    "bad",
    [
        {"n_tokens": 1},
        {"n_tokens": 33},
        {"kv_heads": "3"},
        {"head_dim": 4},
        {"head_dim": 72},
        {"seed": -1},
    ],
)
def test_bounds_of_every_parameter(bad):
    with pytest.raises(ParamError):
        run_demo("gqa_kv_cache", bad)
    assert {p.name for p in get_demo("gqa_kv_cache").params} == {
        "n_tokens",
        "kv_heads",
        "head_dim",
        "seed",
    }
