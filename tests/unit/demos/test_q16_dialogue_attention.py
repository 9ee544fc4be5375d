"""Tests of the demo q16_dialogue_attention: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.demos import q16_dialogue_attention as q16
from engine.registry import run_demo
from engine.toys import dialogue, manifest

D = torch.float64


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=D)


def test_turn_attention_is_single_query_sdpa():
    r, U, W_q, W_k = rand(2, 4), rand(2, 3, 4, seed=1), rand(4, 4, seed=2), rand(4, 4, seed=3)
    keep = torch.tensor([[True, True, True], [True, True, False]])
    c, alpha = q16.turn_attention(r, U, W_q, W_k, keep)
    ref = F.scaled_dot_product_attention(
        (r @ W_q).unsqueeze(1), U @ W_k, U, attn_mask=keep.unsqueeze(1)
    )
    torch.testing.assert_close(c, ref.squeeze(1))
    assert alpha[1, 2] == 0


def test_dialogue_model_looks_back_to_the_turn_on_topic():
    scores = dialogue.heldout_scores(dialogue.load()[0])  # the shipped model, evaluated here
    for key, shipped in manifest("dialogue").metrics.items():
        assert abs(scores[key] - shipped) <= 0.01, key  # same weights, other rounding
    assert scores["accuracy"] >= 0.9 and scores["top_turn_on_topic"] >= 0.8
    expected = {"weekend → tennis": 2, "weekend → cake": 1, "trip → rome": 0, "trip → storm": 2}
    for scenario, turn in expected.items():
        r = run_demo("dialogue_attention", {"scenario": scenario})
        assert int(r.weights[0, 0].argmax()) == turn, scenario
        assert r.facts["p_fits"] > 0.5
    assert (
        run_demo("dialogue_attention", {"scenario": "trip → football (off topic)"}).facts["p_fits"]
        < 0.5
    )
