"""Tests of the demo q12_greedy_decoding: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import torch

from engine.registry import run_demo


def test_greedy_decoding_demo():
    r = run_demo("greedy_decoding", {"source": "HELLO"})
    assert r.facts["output"] == "OLLEH" and r.facts["stopped_at_eos"]
    assert r.query_labels[0] == "1: O" and r.query_labels[-1] == "6: </s>"
    assert [row[0] for row in r.extras["top_tokens"]] == ["O", "L", "L", "E", "H", "</s>"]
    torch.testing.assert_close(r.weights[0], r.extras["per_head"].mean(0))
    assert r.facts["decoder_positions_computed"] == 21
    short = run_demo("greedy_decoding", {"source": "HELLO", "max_steps": 1})
    assert short.weights.shape == (1, 1, 5) and not short.facts["stopped_at_eos"]
