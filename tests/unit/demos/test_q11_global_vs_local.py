"""Tests of the demo q11_global_vs_local: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import torch

from engine.registry import run_demo


def test_global_vs_local_uses_only_the_window():
    r = run_demo("global_vs_local", {"word": "WINDOW", "D": 1})
    centres, (T, S) = r.extras["centres"], r.weights.shape[1:]
    j = torch.arange(S).unsqueeze(0)
    outside = (j - centres.unsqueeze(1)).abs() > 1
    assert torch.all(r.weights[1][outside] == 0)
    assert r.facts["scores_global"] == T * S
    assert r.facts["scores_local_window"] == int((~outside).sum()) <= T * 3
    assert r.facts["scores_local_at_1000"] == 3000
    assert r.facts["accuracy_global"] >= 0.9
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(2, T))
