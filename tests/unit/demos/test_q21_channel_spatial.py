"""Tests of the demo q21_channel_spatial: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import math

import torch

from engine.demos import q21_channel_spatial as q21
from engine.registry import run_demo
from engine.toys import channel_spatial


def test_squeeze_excitation_worked_example() -> None:
    U = torch.tensor([[[[1.0, 3.0]], [[0.0, 2.0]]]])  # (B=1, C=2, H=1, W=2): z = [2, 1]
    W1, b1 = torch.tensor([[1.0, -1.0]]), torch.tensor([0.0])  # ReLU(2 − 1) = 1
    W2, b2 = torch.tensor([[2.0], [-1.0]]), torch.tensor([0.0, 0.5])  # s = σ([2, −0.5])
    out, s = q21.squeeze_excitation(U, W1, b1, W2, b2)
    s_hand = torch.tensor([1 / (1 + math.exp(-2.0)), 1 / (1 + math.exp(0.5))])  # [0.8808, 0.3775]
    assert torch.allclose(s[0], s_hand, atol=1e-6)
    assert torch.allclose(out[0, 0, 0], torch.tensor([1.0, 3.0]) * s_hand[0])
    assert torch.allclose(out[0, 1, 0], torch.tensor([0.0, 2.0]) * s_hand[1])


def test_spatial_attention_worked_example() -> None:
    U = torch.tensor([[[[1.0, 4.0]], [[3.0, 0.0]]]])  # per pixel: mean [2, 2], max [3, 4]
    kernel, bias = (
        torch.tensor([[[[0.5]], [[-1.0]]]]),
        torch.tensor([1.0]),
    )  # 1 × 1 conv: 0.5·mean − max + 1
    out, M = q21.spatial_attention(U, kernel, bias)
    M_hand = torch.sigmoid(torch.tensor([0.5 * 2 - 3 + 1, 0.5 * 2 - 4 + 1]))
    assert torch.allclose(M[0, 0], M_hand)
    assert torch.allclose(out, M_hand * U)


def test_trained_detector_uses_both_attentions() -> None:
    net = channel_spatial.load()
    g = torch.Generator().manual_seed(123)
    y = torch.randint(0, 2, (200,), generator=g)
    imgs, masks = zip(*(q21.scene(24, bool(v), g) for v in y), strict=True)
    out = net(torch.stack(imgs))
    assert ((out["logit"] > 0).long() == y).float().mean() > 0.85
    mask = torch.stack(masks)
    assert (out["map"] * mask).sum() / mask.sum() > 3 * (out["map"] * (1 - mask)).sum() / (
        1 - mask
    ).sum()
    gates_pos, gates_neg = out["gates"][y == 1].mean(0), out["gates"][y == 0].mean(0)
    assert not torch.allclose(
        gates_pos, gates_neg, atol=0.05
    )  # the excitation depends on the input


def test_channel_weights_are_the_normalised_gates() -> None:
    r = run_demo("channel_spatial", {"red_square": False, "seed": 3})
    gates = torch.tensor(r.extras["gates"])
    assert torch.allclose(r.weights[0, 0], gates / gates.sum())
    assert ((gates > 0) & (gates < 1)).all()
