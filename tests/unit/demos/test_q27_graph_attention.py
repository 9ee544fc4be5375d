"""Tests of the demo q27_graph_attention: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional as F

from engine.demos import q27_graph_attention as q27
from engine.registry import run_demo


def test_gat_worked_example() -> None:
    """Path graph 0 — 1 — 2 with self-loops, F = F' = 2, one head, W = I, a = [1, 0, 0, 1]."""
    h = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    adj = torch.tensor([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=torch.bool)
    W, a = torch.eye(2).unsqueeze(0), torch.tensor([[1.0, 0.0, 0.0, 1.0]])
    out, alpha = q27.gat_layer(h, adj, W, a, slope=0.2)
    # e_ij = LeakyReLU(h_i[0] + h_j[1]); all arguments ≥ 0 here, so e_ij = h_i[0] + h_j[1]
    # node 0 (h_i[0] = 1): neighbours 0, 1 → e = [1 + 0, 1 + 1] = [1, 2]
    # node 1 (h_i[0] = 0): neighbours 0, 1, 2 → e = [0, 1, 1]
    # node 2 (h_i[0] = 1): neighbours 1, 2 → e = [2, 2]
    s0 = [math.exp(1) / (math.exp(1) + math.exp(2)), math.exp(2) / (math.exp(1) + math.exp(2))]
    s1 = [1 / (1 + 2 * math.e), math.e / (1 + 2 * math.e), math.e / (1 + 2 * math.e)]
    expected = torch.tensor([[s0[0], s0[1], 0.0], s1, [0.0, 0.5, 0.5]])
    assert torch.allclose(alpha[0], expected, atol=1e-6)
    assert torch.allclose(out, F.elu(expected @ h), atol=1e-6)


def test_gat_negative_slope_by_hand() -> None:
    h = torch.tensor([[1.0], [-2.0]])
    adj = torch.ones(2, 2, dtype=torch.bool)
    _, alpha = q27.gat_layer(h, adj, torch.ones(1, 1, 1), torch.tensor([[1.0, 1.0]]), slope=0.2)
    # e_00 = 2, e_01 = LeakyReLU(1 − 2) = −0.2
    assert alpha[0, 0, 0].item() == pytest.approx(
        math.exp(2) / (math.exp(2) + math.exp(-0.2)), abs=1e-6
    )


def test_gat_matches_concatenation_form() -> None:
    """e_ij = LeakyReLU(aᵀ [W h_i ‖ W h_j]) written literally, per head, per edge."""
    h, adj = q27.node_features(), q27.adjacency(True)
    W, a = q27.glorot_params(3, h.size(1), 8, seed=4)
    _, alpha = q27.gat_layer(h, adj, W, a, 0.2)
    N = h.size(0)
    for k in range(3):
        Wh = h @ W[k]
        e = torch.tensor(
            [
                [float(F.leaky_relu(a[k] @ torch.cat([Wh[i], Wh[j]]), 0.2)) for j in range(N)]
                for i in range(N)
            ]
        )
        e = e.masked_fill(~adj, -math.inf)
        assert torch.allclose(alpha[k], torch.softmax(e, -1), atol=1e-6)


def test_gat_zero_off_graph_and_relations_symmetric() -> None:
    r = run_demo("graph_attention", {"heads": "4", "self_loops": False})
    adj = torch.tensor(r.extras["adjacency"])
    assert torch.equal(adj, adj.T) and not adj.diagonal().any()
    assert (r.weights[:, ~adj] == 0).all()
    assert r.facts["directed_edges"] == 2 * len(q27.RELATIONS)
