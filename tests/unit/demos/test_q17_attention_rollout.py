"""Tests of the demo q17_attention_rollout: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import torch

from engine.attention import multi_head_attention
from engine.demos import q17_attention_rollout as q17
from engine.patterns import attention_rollout
from engine.registry import run_demo
from engine.toys import cls_encoder

D = torch.float64


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=D)


def test_rollout_worked_example_by_hand():
    A1 = torch.tensor([[1.0, 0.0], [0.5, 0.5]], dtype=D)
    A2 = torch.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=D)
    R = attention_rollout(torch.stack([A1, A2]).unsqueeze(1))  # (layers, 1 head, L, L)
    # Â1 = ½A1 + ½I = [[1, 0], [.25, .75]];  Â2 = [[.5, .5], [.5, .5]];  R2 = Â2 Â1
    torch.testing.assert_close(R[0], torch.tensor([[1.0, 0.0], [0.25, 0.75]], dtype=D))
    torch.testing.assert_close(R[1], torch.tensor([[0.625, 0.375], [0.625, 0.375]], dtype=D))


def test_rollout_renormalises_rows_and_stays_a_distribution():
    A = torch.softmax(rand(3, 5, 5), -1)
    A[0, 1] = torch.tensor([0.2, 0.2, 0.2, 0.2, 0.2], dtype=D)
    R = attention_rollout(A.unsqueeze(1))  # (layers, 1 head, L, L)
    torch.testing.assert_close(R.sum(-1), torch.ones(3, 5, dtype=D))
    torch.testing.assert_close(R[-1], (0.5 * A[2] + 0.5 * torch.eye(5, dtype=D)) @ R[1])


def test_ablating_a_head_removes_exactly_its_output():
    model, _ = cls_encoder.load()
    attn = model.blocks[0].attn
    x = torch.randn(1, 6, 32, generator=torch.Generator().manual_seed(0))
    p = attn.params()
    d_k = 32 // attn.h
    full, _ = multi_head_attention(x, x, p, attn.h)
    p_no_out = type(p)(p.W_q, p.W_k, p.W_v, torch.eye(32), p.b_q, p.b_k, p.b_v, None)
    heads, _ = multi_head_attention(x, x, p_no_out, attn.h)  # concat of head outputs (1, 6, 32)
    ablated, _ = multi_head_attention(
        x, x, q17.ablate_heads(attn, torch.tensor([1.0, 0.0])), attn.h
    )
    manual = heads[..., :d_k] @ p.W_o[:d_k] + p.b_o
    torch.testing.assert_close(ablated, manual, atol=1e-5, rtol=1e-5)
    kept, _ = multi_head_attention(x, x, q17.ablate_heads(attn, torch.ones(2)), attn.h)
    torch.testing.assert_close(kept, full)


def test_rollout_demo():
    r = run_demo("attention_rollout", {"sentence": "the room was dirty and the staff were rude"})
    n_layers = r.n_heads - 1
    torch.testing.assert_close(
        r.weights[-1], attention_rollout(r.weights[:n_layers].unsqueeze(1))[-1]
    )
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(r.n_heads, len(r.query_labels)))
    assert r.extras["head_effects"].shape == (3, 2)
    assert r.extras["erasure"].shape == (len(r.key_labels) - 1,)
    assert r.facts["prediction"] == "neg"
