from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from engine.demos import q37_latent_attention as mla
from engine.registry import ParamError, run_demo


def _setup(h=4, d_c=16, n=9, seed=0):
    p = mla.init_mla_params(32, h, 8, d_c, 4, seed)
    x = torch.randn(n, 32, generator=torch.Generator().manual_seed(seed + 7))
    return p, x


def test_naive_mla_is_ordinary_causal_mha_on_the_up_projected_keys_torch_sdpa():
    p, x = _setup()
    out, w, cache = mla.mla_naive(x, p)
    h, n = 4, x.size(0)
    cq = x @ p.W_dq
    heads = lambda t: t.view(n, h, -1).transpose(0, 1)  # noqa: E731
    q = torch.cat([heads(cq @ p.W_uq), mla.rope(heads(cq @ p.W_qr))], -1)
    k = torch.cat([heads(cache["c_kv"] @ p.W_uk), cache["k_rope"].expand(h, n, -1)], -1)
    v = heads(cache["c_kv"] @ p.W_uv)
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # scale 1/√(d_h + d_r) by default
    torch.testing.assert_close(
        out, ref.transpose(0, 1).reshape(n, -1) @ p.W_o, rtol=1e-4, atol=1e-5
    )
    torch.testing.assert_close(w.sum(-1), torch.ones(h, n))


@pytest.mark.parametrize("h,d_c", [(2, 8), (4, 16), (8, 32)])
def test_absorbed_projections_equal_the_naive_up_projection(h, d_c):
    p, x = _setup(h=h, d_c=d_c)
    out_n, w_n, cache = mla.mla_naive(x, p)
    out_a, w_a = mla.mla_absorbed(x @ p.W_dq, cache["c_kv"], cache["k_rope"], p)
    torch.testing.assert_close(w_a, w_n, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(out_a, out_n, rtol=1e-4, atol=1e-5)
    assert cache["c_kv"].shape == (x.size(0), d_c) and cache["k_rope"].shape == (x.size(0), 4)


def test_rope_score_depends_only_on_the_offset():
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(1, 8, generator=g), torch.randn(1, 8, generator=g)
    rq, rk = mla.rope(q.expand(12, 8)), mla.rope(k.expand(12, 8))
    s = rq @ rk.T  # s[i, j] = RoPE(q, i) · RoPE(k, j)
    torch.testing.assert_close(s[5, 2], s[9, 6], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(rq.norm(dim=1), q.norm().expand(12), rtol=1e-5, atol=0)


def test_deepseek_v2_cache_per_token_matches_the_papers_table_1():
    # DeepSeek-V2: 60 layers, 128 heads × 128, d_c = 4 d_h = 512, d_h^R = d_h / 2 = 64
    c = mla.cache_per_token(60, 128, 128, 8, 512, 64)
    d_h, layers = 128, 60
    assert c["mha"] == 2 * 128 * 128 * 60 == 1_966_080
    assert c["mla"] == (512 + 64) * 60 == 34_560
    assert c["mla"] == 4.5 * d_h * layers  # "equal to GQA with only 2.25 groups"
    assert c["mla"] / (2 * d_h * layers) == 2.25
    assert c["mqa"] < c["mla"] < c["gqa"] < c["mha"]
    bf16 = 2
    assert c["mla"] * bf16 == 69_120 and c["mha"] * bf16 / 2**20 == 3.75
    assert math.isclose(c["mha"] / c["mla"], 56.888, rel_tol=1e-4)


def test_demo_equal_paths_rows_and_determinism():
    a = run_demo("latent_attention", {"n_tokens": 12, "heads": "8", "d_c": "16"})
    b = run_demo("latent_attention", {"n_tokens": 12, "heads": "8", "d_c": "16"})
    assert a.weights.shape == (8, 12, 12) and torch.equal(a.weights, b.weights)
    torch.testing.assert_close(a.weights.sum(-1), torch.ones(8, 12))
    assert torch.all(torch.triu(a.weights, 1) == 0)
    assert a.facts["max_diff_absorbed_vs_naive"] < 1e-4
    assert a.facts["deepseek_v2_mla_numbers"] == 34_560 and a.facts["mla_as_gqa_groups"] == 2.25


def test_toy_preset_uses_the_demo_shapes():
    r = run_demo("latent_attention", {"preset": "toy", "heads": "4", "d_c": "32"})
    assert r.extras["cache_per_token"] == {"mha": 128, "gqa": 64, "mqa": 32, "mla": 40}


@pytest.mark.parametrize(
    "bad", [{"n_tokens": 1}, {"n_tokens": 33}, {"heads": "3"}, {"d_c": "128"}, {"preset": "llama"}]
)
def test_parameters_out_of_bounds_are_refused(bad):
    with pytest.raises(ParamError):
        run_demo("latent_attention", bad)


def test_bounds_run():
    for n in (2, 32):
        r = run_demo("latent_attention", {"n_tokens": n, "heads": "2", "d_c": "8"})
        torch.testing.assert_close(r.weights.sum(-1), torch.ones(2, n))
