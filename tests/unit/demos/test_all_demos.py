"""Properties demos of a kind share: every row of weights sums to 1 and a seed fixes the numbers."""

from __future__ import annotations

import pytest
import torch

from engine.registry import run_demo

CASES = {  # demo → parameters (a non-default seed where the demo draws its input from one)
    "sequence_labelling": {},
    "target_attention": {},
    "graph_attention": {},
    "speech_alignment": {"seed": 5},
    "tts_alignment": {"seed": 5},
    "tts_failure_modes": {"seed": 5},
    "streaming_asr": {"seed": 5},
    "vit_patch_attention": {"seed": 9},
    "channel_spatial": {"seed": 9},
    "space_time_attention": {"seed": 9},
}


@pytest.mark.parametrize("name", CASES)
def test_rows_sum_to_one_and_seed_determinism(name: str) -> None:
    a, b = run_demo(name, CASES[name]), run_demo(name, CASES[name])
    assert torch.equal(a.weights, b.weights)
    torch.testing.assert_close(a.weights.sum(-1), torch.ones(a.weights.shape[:2]))
