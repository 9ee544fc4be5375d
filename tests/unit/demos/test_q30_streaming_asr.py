"""Tests of the demo q30_streaming_asr: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import pytest
import torch

from engine.demos import q30_streaming_asr as q30
from engine.registry import run_demo


def test_chunk_mask_worked_example() -> None:
    # T = 5, C = 2 → chunks 0 0 1 1 2; L = 0: own chunk only, up to its end
    expected = torch.tensor(
        [[1, 1, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 1, 1, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 1]],
        dtype=torch.bool,
    )
    assert torch.equal(q30.chunk_mask(5, 2, 0), expected)
    assert q30.lookahead(expected) == pytest.approx((1 + 0 + 1 + 0 + 0) / 5)


def test_streaming_latency_and_cost_facts() -> None:
    f = run_demo("streaming_asr", {"chunk": 10, "left_chunks": 1}).facts
    T = f["frames"]
    assert f["causal_lookahead_ms"] == 0 == f["causal_window_lookahead_ms"]
    assert f["full_lookahead_ms"] == pytest.approx((T - 1) / 2 * 10, abs=0.1)
    assert f["causal_attended_pairs"] == T * (T + 1) // 2
    assert f["full_drift"] == 0
