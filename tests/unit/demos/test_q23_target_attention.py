"""Tests of the demo q23_target_attention: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from engine.demos import q23_target_attention as q23
from engine.registry import run_demo


def test_activation_unit_worked_example() -> None:
    """d = 1: e_i ∈ {2, −1}, e_c = 1 → x = [e_i, e_c, e_i − e_c, e_i·e_c]."""
    layer1 = nn.Linear(4, 2)
    act = nn.PReLU(init=0.25)
    layer2 = nn.Linear(2, 1)
    with torch.no_grad():
        layer1.weight.copy_(torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]))
        layer1.bias.zero_()
        layer2.weight.copy_(torch.tensor([[1.0, 1.0]]))
        layer2.bias.fill_(0.5)
    # e_i = 2:  x = [2, 1, 1, 2]   → h = [2, 3]            → a = 2 + 3 + 0.5 = 5.5
    # e_i = −1: x = [−1, 1, −2, −1] → pre = [−1, −3] → PReLU [−0.25, −0.75] → a = −1 + 0.5 = −0.5
    a = q23.activation_unit(
        torch.tensor([[[2.0], [-1.0]]]), torch.tensor([[1.0]]), layer1, act, layer2
    )
    assert torch.allclose(a, torch.tensor([[5.5, -0.5]]))


def test_weights_are_softmax_of_raw_activations() -> None:
    r = run_demo("target_attention")
    raw = torch.tensor(r.extras["raw"])
    assert torch.allclose(r.weights[0], torch.softmax(raw, -1), atol=1e-6)
    c = r.extras["candidate"]
    spread = float(raw[c].max() - raw[c].min())
    assert r.facts["raw_spread"] == pytest.approx(spread, abs=1e-3)


@pytest.mark.parametrize(
    ("user", "candidate", "category"),
    [
        ("new parent, keen gardener", "baby monitor", "baby"),
        ("coffee-drinking gamer", "moka pot", "coffee"),
        ("runner who reads", "e-reader", "books"),
    ],
)
def test_candidate_attends_to_its_own_category(user: str, candidate: str, category: str) -> None:
    r = run_demo("target_attention", {"user": user, "candidate": candidate})
    c = r.extras["candidate"]
    same = torch.tensor([q23.CATEGORY[q23.ITEMS.index(i)] == category for i in r.key_labels])
    assert r.weights[0, c][same].sum() > 0.5  # 3 of 8 history items: 0.375 under uniform weights
    assert same[int(r.weights[0, c].argmax())]
    # clicks: 0.85 in a favourite category, 0.1 elsewhere; the shipped model puts this one above even
    assert r.facts["p_click"] > 0.5


def test_click_probability_follows_the_history() -> None:
    r = run_demo("target_attention", {"user": "new parent, keen gardener"})
    p = torch.tensor(r.extras["p_click"])
    cats = np.array(q23.CATEGORY)
    assert (
        p[torch.tensor(np.isin(cats, ["baby", "garden"]))].min()
        > p[torch.tensor(np.isin(cats, ["books", "running"]))].max()
    )
