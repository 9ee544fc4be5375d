"""Tests of the demo q13_variant_costs: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from engine.attention import MHAParams, init_mha_params
from engine.demos import q13_variant_costs as q13
from engine.registry import run_demo
from engine.text import toy_embeddings

D = torch.float64


def test_gqa_matches_pytorch_enable_gqa():
    N, L, d, h, g = 2, 6, 16, 4, 2
    x = torch.randn(N, L, d, generator=torch.Generator().manual_seed(1), dtype=D)
    p = init_mha_params(d, 3)
    p = MHAParams(*(W.double() for W in (p.W_q, p.W_k[:, : g * 4], p.W_v[:, : g * 4], p.W_o)))
    out, w = q13.grouped_query_attention(x, p, h, g)
    q = (x @ p.W_q).view(N, L, h, 4).transpose(1, 2)
    k = (x @ p.W_k).view(N, L, g, 4).transpose(1, 2)
    v = (x @ p.W_v).view(N, L, g, 4).transpose(1, 2)
    ref = (
        F.scaled_dot_product_attention(q, k, v, enable_gqa=True).transpose(1, 2).reshape(N, L, d)
        @ p.W_o
    )
    torch.testing.assert_close(out, ref)
    assert w.shape == (N, h, L, L)


def test_gqa_with_g_equal_h_is_nn_multihead_attention():
    N, L, d, h = 2, 5, 8, 2
    x = torch.randn(N, L, d, generator=torch.Generator().manual_seed(2), dtype=D)
    p = MHAParams(
        *(W.double() for W in (lambda p: (p.W_q, p.W_k, p.W_v, p.W_o))(init_mha_params(d, 4)))
    )
    mha = nn.MultiheadAttention(d, h, batch_first=True, bias=False, dtype=D)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([p.W_q.T, p.W_k.T, p.W_v.T]))
        mha.out_proj.weight.copy_(p.W_o.T)
    ref, ref_w = mha(x, x, x, need_weights=True, average_attn_weights=False)
    out, w = q13.grouped_query_attention(x, p, h, h)
    torch.testing.assert_close(out, ref)
    torch.testing.assert_close(w, ref_w)


def test_additive_self_attention_worked_example_by_hand():
    # L = 2 tokens of size 1, d_a = 1: e_ij = v · tanh(x_i w1 + x_j w2)
    x = torch.tensor([[[1.0], [-1.0]]], dtype=D)
    W1, W2, v = (
        torch.tensor([[0.5]], dtype=D),
        torch.tensor([[2.0]], dtype=D),
        torch.tensor([3.0], dtype=D),
    )
    one = torch.eye(1, dtype=D)
    out, w = q13.additive_self_attention(x, W1, W2, v, one, one)
    e = [[3 * math.tanh(xi * 0.5 + xj * 2.0) for xj in (1, -1)] for xi in (1, -1)]
    want = torch.tensor(
        [[math.exp(a) / (math.exp(e_[0]) + math.exp(e_[1])) for a in e_] for e_ in e], dtype=D
    )
    torch.testing.assert_close(w[0, 0], want)
    torch.testing.assert_close(out[0, :, 0], want @ torch.tensor([1.0, -1.0], dtype=D))


def test_variant_costs_counts_flops_as_the_shapes_say():
    L, d = 64, 64
    r = run_demo("variant_costs", {"n_tokens": L, "d_model": str(d), "heads": "4"})
    rows = {row["variant"]: row for row in r.extras["rows"]}
    assert rows["MHA"]["flops"] == 8 * L * d * d + 4 * L * L * d  # 4 projections + Q Kᵀ + P V
    assert rows["additive"]["flops"] == 8 * L * d * d + 4 * L * L * d  # tanh(·) v and P V
    assert rows["MQA"]["params"] < rows["GQA"]["params"] < rows["MHA"]["params"]
    assert rows["MQA"]["kv_kib"] < rows["MHA"]["kv_kib"]
    assert rows["sliding_window"]["score_kib"] < rows["MHA"]["score_kib"]
    assert rows["sliding_window"]["entropy"] < math.log(L)
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(7, L))
    big = run_demo("variant_costs", {"n_tokens": 256, "window": 4, "stride": 16, "rank": 8})
    by = {row["variant"]: row for row in big.extras["rows"]}
    assert (
        by["sliding_window"]["flops"] < by["MHA"]["flops"]
        and by["strided"]["flops"] < by["MHA"]["flops"]
    )


@pytest.mark.parametrize(
    "L, d, h, window, stride, rank",
    [(64, 64, 4, 4, 8, 8), (50, 32, 2, 3, 7, 5), (37, 128, 8, 1, 2, 16), (256, 64, 4, 4, 16, 8)],
)
def test_flop_counts_match_pytorchs_flop_counter(L, d, h, window, stride, rank):
    x = toy_embeddings(L, d, 0).unsqueeze(0)  # (1, L, d)
    p, v_a = init_mha_params(d, 1), toy_embeddings(1, d, 2)[0]
    runs = q13.variant_runs(x, p, v_a, h, window, stride, rank)
    want = q13.flop_counts(L, d, h, window, stride, rank)
    for name, (run, _) in runs.items():
        with FlopCounterMode(display=False) as counter:
            run()
        counted = counter.get_total_flops()
        if name == "additive":  # the counter skips aten.mv: the tanh(·) v product, 2·L²·d
            counted += 2 * L * L * d
        assert counted == want[name], name
