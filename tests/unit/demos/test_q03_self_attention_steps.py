"""Tests of the demo q03_self_attention_steps: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from engine.demos.q03_self_attention_steps import self_attention_steps, word_embeddings
from engine.registry import run_demo


def test_self_attention_steps_worked_example():
    # X = I₂, W = I₂: q = k = v = I, scores = I, scaled = I/√2, row 0 ∝ (e^{1/√2}, 1)
    eye = torch.eye(2)
    s = self_attention_steps(eye, eye, eye, eye)
    a = math.exp(1 / math.sqrt(2))
    np.testing.assert_allclose(s.scaled.numpy(), (eye / math.sqrt(2)).numpy())
    np.testing.assert_allclose(s.weights[0].numpy(), [a / (a + 1), 1 / (a + 1)], rtol=1e-6)
    np.testing.assert_allclose(s.out.numpy(), s.weights.numpy())


def test_self_attention_steps_matches_torch():
    g = torch.Generator().manual_seed(3)
    x, W_q, W_k, W_v = (
        torch.randn(*shape, generator=g) for shape in ((7, 12), (12, 5), (12, 5), (12, 3))
    )
    s = self_attention_steps(x, W_q, W_k, W_v)
    ref = F.scaled_dot_product_attention(x @ W_q, x @ W_k, x @ W_v)
    np.testing.assert_allclose(s.out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        s.weights.numpy(),
        torch.softmax((x @ W_q) @ (x @ W_k).T / math.sqrt(5), -1).numpy(),
        rtol=1e-5,
        atol=1e-6,
    )


def test_self_attention_demo_steps_chain_and_equal_words_share_rows():
    r = run_demo("self_attention_steps", {"n_tokens": 6, "d_k": 9})
    e = r.extras
    np.testing.assert_allclose(e["scaled"].numpy(), e["scores"].numpy() / 3.0, rtol=1e-6)
    np.testing.assert_allclose(
        r.weights[0].numpy(), torch.softmax(e["scaled"], -1).numpy(), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        e["out"].numpy(), (r.weights[0] @ e["v"]).numpy(), rtol=1e-5, atol=1e-6
    )
    assert r.query_labels[0] == r.query_labels[4] == "the"
    np.testing.assert_allclose(r.weights[0, 0].numpy(), r.weights[0, 4].numpy())


def test_word_embeddings_equal_words_equal_rows():
    x = word_embeddings(["a", "b", "a"], 4, seed=1)
    assert torch.equal(x[0], x[2]) and not torch.equal(x[0], x[1])
