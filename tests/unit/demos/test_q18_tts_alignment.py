"""Tests of the demo q18_tts_alignment: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional as F

from engine.demos import q18_tts_alignment as q18
from engine.registry import run_demo
from engine.toys import tts


def test_guided_attention_weight_worked_example() -> None:
    W = q18.guided_attention_weight(N=2, T=2, g=0.5)  # (T, N)
    expected = 1 - math.exp(-(0.5**2) / (2 * 0.25))  # |n/N − t/T| = 1/2 off the diagonal
    assert torch.allclose(W, torch.tensor([[0.0, expected], [expected, 0.0]]), atol=1e-6)
    # L_att = mean(A ⊙ W): all of row 0 off the diagonal, row 1 on it
    assert q18.guided_attention_loss(torch.tensor([[0.0, 1.0], [0.0, 1.0]]), 0.5) == pytest.approx(
        expected / 4
    )


def test_location_sensitive_energies_by_hand() -> None:
    """e_{t,n} = wᵀ tanh(W s + V h_n + U f_n + b) with f = the conv filters slid over [α_{t−1}; c_{t−1}]."""
    att = tts.load(True)
    g = torch.Generator().manual_seed(1)
    s, h, loc = (
        torch.randn(1, 32, generator=g),
        torch.randn(1, 6, 32, generator=g),
        torch.rand(1, 2, 6, generator=g),
    )
    Fw, r = att.F.weight, att.cfg.width // 2  # (K, 2, width)
    padded = F.pad(loc[0], (r, r))  # (2, N + 2r)
    f = torch.stack(
        [(Fw * padded[:, n : n + 2 * r + 1]).sum(dim=(1, 2)) for n in range(6)]
    )  # (N, K)
    ref = (
        torch.tanh(s @ att.W.weight.T + att.W.bias + h[0] @ att.V.weight.T + f @ att.U.weight.T)
        @ att.w.weight[0]
    )
    assert torch.allclose(att.energies(s, h, loc)[0], ref, atol=1e-5)


def test_location_sensitive_alignment_tracks_the_phones() -> None:
    f = run_demo(
        "tts_alignment", {"text": "attention is all you need", "seed": 77}
    ).facts  # unseen utterance
    assert f["location_mass_on_true_phone"] > 0.8
    assert f["location_backward_jumps"] == 0
    assert f["location_guided_loss"] < f["content_guided_loss"]


def test_path_stats_break_exact_ties_alike_whatever_the_rounding() -> None:
    """Repeated phones have equal keys, so their weights tie; float noise must not pick the winner."""
    from engine.speech import Utterance

    alpha = torch.tensor([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])
    noisy = alpha + torch.tensor([[0.0, 1e-7, 0.0], [0.0, 0.0, 1e-7]])  # another CPU's rounding
    utt = Utterance(torch.zeros(2, 4), ("a", "b", "c"), ((0, 1), (1, 2), (2, 2)))
    assert q18.path_stats(noisy, utt) == q18.path_stats(alpha, utt)
    assert q18.path_stats(alpha, utt)["phones_jumped_over"] == 0  # ties go to the first: 0 → 1
