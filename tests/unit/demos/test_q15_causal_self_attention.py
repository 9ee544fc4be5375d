"""Tests of the demo causal_self_attention: nothing above the diagonal, and the same weights as
nn.MultiheadAttention with a causal mask."""

from __future__ import annotations

import pytest
import torch

from engine.registry import run_demo

from .test_q04_multi_head import _torch_weights


@pytest.mark.parametrize("heads", ["1", "2", "4"])
def test_future_gets_exactly_zero_and_matches_torch(heads):
    r = run_demo("causal_self_attention", {"n_tokens": 7, "heads": heads, "seed": 3})
    future = torch.triu(torch.ones(7, 7, dtype=torch.bool), 1)
    assert torch.all(r.weights[:, future] == 0)
    torch.testing.assert_close(r.weights, _torch_weights(7, 32, int(heads), 3, causal=True))
    assert r.weights[:, 0, 0].eq(1).all()  # the first token can only look at itself
