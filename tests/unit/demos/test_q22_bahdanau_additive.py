"""Tests of the demo q22_bahdanau_additive: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from engine.demos import q22_bahdanau_additive as q22
from engine.registry import run_demo
from engine.toys import gru_seq2seq

D = torch.float64


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=D)


def test_additive_attention_worked_example_by_hand():
    s = torch.tensor([[1.0, -1.0]], dtype=D)  # decoder state (N=1, d_s=2)
    H = torch.tensor([[[1.0, 0.0], [0.0, 2.0]]], dtype=D)  # two encoder states
    W_s = torch.tensor([[1.0], [0.0]], dtype=D)  # (d_s, d_a=1): picks s_1
    W_h = torch.tensor([[0.5], [-0.5]], dtype=D)  # (d_h, d_a=1)
    v = torch.tensor([2.0], dtype=D)
    c, alpha = q22.additive_attention(s, H, W_s, W_h, v)
    e = [2 * math.tanh(1 + 0.5), 2 * math.tanh(1 - 1.0)]  # vᵀ tanh(W_s s + W_h h_j)
    a0 = math.exp(e[0]) / (math.exp(e[0]) + math.exp(e[1]))
    torch.testing.assert_close(alpha, torch.tensor([[a0, 1 - a0]], dtype=D))
    torch.testing.assert_close(c, torch.tensor([[a0, 2 * (1 - a0)]], dtype=D))
    _, masked = q22.additive_attention(s, H, W_s, W_h, v, keep=torch.tensor([[True, False]]))
    torch.testing.assert_close(masked, torch.tensor([[1.0, 0.0]], dtype=D))


def test_luong_scores_dot_and_general():
    s, H, W_a = rand(2, 3), rand(2, 4, 3, seed=1), rand(3, 3, seed=2)
    torch.testing.assert_close(q22.luong_scores(s, H), torch.einsum("nd,nsd->ns", s, H))
    torch.testing.assert_close(
        q22.luong_scores(s, H, W_a), torch.einsum("nd,de,nse->ns", s, W_a, H)
    )
    c, alpha = q22.luong_attention(s, H, W_a)
    ref = F.scaled_dot_product_attention((s @ W_a).unsqueeze(1), H, H, scale=1.0).squeeze(
        1
    )  # dot product of s W_a with h, no scaling
    torch.testing.assert_close(c, ref)


def test_local_p_window_and_gaussian():
    s, H, W_a = rand(1, 4), rand(1, 9, 4, seed=1), rand(4, 4, seed=2)
    W_p, v_p = rand(4, 3, seed=3), rand(3, seed=4)
    D_ = 2
    c, alpha, p = gru_seq2seq.local_p_attention(s, H, W_a, W_p, v_p, D_, torch.tensor([9]))
    p_hand = 8 * torch.sigmoid(torch.tanh(s @ W_p) @ v_p)
    torch.testing.assert_close(p, p_hand)
    j = torch.arange(9, dtype=D)
    inside = (j - p[0]).abs() <= D_  # (9,)
    assert 0 < int(inside.sum()) <= 2 * D_ + 1
    assert torch.all(alpha[0, ~inside] == 0)
    logits = q22.luong_scores(s, H, W_a)[0] - (j - p[0]) ** 2 / (2 * (D_ / 2) ** 2)
    want = torch.where(inside, logits, torch.tensor(-math.inf, dtype=D)).softmax(-1)
    torch.testing.assert_close(alpha[0], want)
    torch.testing.assert_close(c[0], want @ H[0])


def _anti_diagonal_share(weights: torch.Tensor) -> float:
    """Share of target steps (without </s>) whose strongest source is the mirrored position."""
    T, S = weights.shape
    hits = [int(weights[t].argmax()) == S - 1 - t for t in range(T - 1)]
    return sum(hits) / len(hits)


def test_trained_rnns_reverse_words_and_align_mirrored():
    r = run_demo("bahdanau_additive", {"word": "ATTENTION", "compare": "general"})
    assert r.facts["output_additive"] == r.facts["output_general"] == "NOITNETTA"
    assert r.facts["accuracy_additive"] >= 0.9 and r.facts["accuracy_general"] >= 0.9
    for head in r.weights:
        assert _anti_diagonal_share(head) >= 0.75
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(2, 10))
