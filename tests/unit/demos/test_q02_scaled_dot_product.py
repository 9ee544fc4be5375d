"""Tests of the demo scaled_dot_product: its weights against softmax(QKᵀ / (τ√d_k)) written out."""

from __future__ import annotations

import math

import pytest
import torch

from engine import masks
from engine.registry import run_demo
from engine.text import toy_embeddings


def _reference(n: int, d_k: int, seed: int, tau: float, allowed: torch.Tensor | None):
    q, k, _ = toy_embeddings(n, 3 * d_k, seed).split(d_k, dim=-1)
    scores = (q @ k.T) / (tau * math.sqrt(d_k))
    if allowed is not None:
        scores = scores.masked_fill(~allowed, -math.inf)
    return torch.softmax(scores, -1)


@pytest.mark.parametrize("tau", [0.5, 1.0, 3.0])
def test_weights_are_the_scaled_softmax_of_the_scores(tau):
    r = run_demo("scaled_dot_product", {"n_tokens": 7, "d_k": 12, "temperature": tau, "seed": 4})
    torch.testing.assert_close(r.weights[0], _reference(7, 12, 4, tau, None))


@pytest.mark.parametrize(
    ("mask", "allowed"),
    [
        ("causal", masks.causal_mask(6)),
        ("sliding_window", masks.sliding_window_mask(6, 2)),
        ("strided", masks.strided_mask(6, 2)),
    ],
)
def test_masked_weights_are_zero_where_not_allowed(mask, allowed):
    r = run_demo("scaled_dot_product", {"n_tokens": 6, "d_k": 8, "mask": mask, "window": 2})
    torch.testing.assert_close(r.weights[0], _reference(6, 8, 0, 1.0, allowed))
    assert torch.all(r.weights[0][~allowed] == 0)
    assert r.facts["mask"] == mask and r.facts["L"] == 6


def test_padding_columns_get_no_weight():
    r = run_demo("scaled_dot_product", {"n_tokens": 6, "mask": "padding", "window": 2})
    assert torch.all(r.weights[0][:, 4:] == 0)
    torch.testing.assert_close(r.weights[0].sum(-1), torch.ones(6))
