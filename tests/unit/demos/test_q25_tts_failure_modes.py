"""Tests of the demo q25_tts_failure_modes: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import pytest
import torch

from engine.demos import q25_tts_failure_modes as q25
from engine.registry import run_demo


def test_forward_attention_worked_example() -> None:
    y = torch.tensor([[0.5, 0.5], [0.2, 0.8]])
    # t=0: (α + shifted α) = [1, 1] · y₀ = [.5, .5]  → [.5, .5]
    # t=1: [.5, .5 + .5] · [.2, .8] = [.1, .8]        → [1/9, 8/9]
    expected = torch.tensor([[0.5, 0.5], [1 / 9, 8 / 9]])
    assert torch.allclose(q25.forward_attention(y), expected, atol=1e-6)


def test_forward_attention_never_moves_back_or_more_than_one_phone() -> None:
    y = torch.softmax(torch.randn(40, 9, generator=torch.Generator().manual_seed(2)) * 3, -1)
    a = q25.forward_attention(y)
    assert torch.allclose(a.sum(-1), torch.ones(40))
    first = [int(torch.nonzero(r > 0)[0]) for r in a]
    last = [int(torch.nonzero(r > 0)[-1]) for r in a]
    assert first == sorted(first)  # mass never returns to a phone it left
    assert all(last[t] <= t + 1 for t in range(40))  # at most one phone further per step


@pytest.mark.parametrize(
    ("failure", "fails", "key"),
    [
        ("repeating", "content", "repeats"),
        ("skipping", "content", "skipped_phones"),
        ("stuck", "location", "overstay_frames"),
    ],
)
def test_each_scenario_shows_its_failure_and_forward_attention_avoids_it(
    failure: str, fails: str, key: str
) -> None:
    f = run_demo("tts_failure_modes", {"failure": failure}).facts
    assert f[f"{fails}_{key}"] >= 3
    assert f[f"forward_{key}"] <= 1
    assert f["forward_skipped_phones"] == 0
