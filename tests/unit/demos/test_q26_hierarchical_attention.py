"""Tests of the demo q26_hierarchical_attention: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import math

import torch

from engine.demos import q26_hierarchical_attention as q26
from engine.registry import run_demo
from engine.toys import han, manifest

D = torch.float64


def test_context_attention_worked_example_by_hand():
    H = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=D)
    W, b, u = torch.eye(2, dtype=D), torch.zeros(2, dtype=D), torch.tensor([1.0, -1.0], dtype=D)
    s, alpha = q26.context_attention(H, W, b, u, torch.tensor([True, True, False]))
    t1 = math.tanh(1.0)  # u_1 = (tanh 1, 0) → score tanh 1;  u_2 = (0, tanh 1) → −tanh 1
    a0 = math.exp(t1) / (math.exp(t1) + math.exp(-t1))
    torch.testing.assert_close(alpha, torch.tensor([a0, 1 - a0, 0.0], dtype=D))
    torch.testing.assert_close(s, torch.tensor([a0, 1 - a0], dtype=D))


def test_han_finds_the_opinion_sentence():
    scores = han.heldout_scores(han.load()[0])  # the shipped model, evaluated here
    for key, shipped in manifest("han").metrics.items():
        assert abs(scores[key] - shipped) <= 0.01, key  # same weights, other rounding
    assert scores["fresh_accuracy"] >= 0.9 and scores["fresh_top_sentence_is_opinion"] >= 0.8
    r = run_demo("hierarchical_attention", {"document": "hotel stay"})
    assert r.facts["prediction"] == "neg"
    assert int(r.extras["sentence_weights"].argmax()) == 2  # "the beds were hard …"
    for i, words in enumerate(r.extras["sentences"]):
        assert torch.all(r.weights[0, i, len(words) :] == 0)
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(1, 4))
    torch.testing.assert_close(r.extras["sentence_weights"].sum(), torch.tensor(1.0))
