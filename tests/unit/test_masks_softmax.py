"""Masks (True = may attend) and softmax: shapes, meaning, NaN safety."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import masks
from engine.softmax import naive_softmax, stable_softmax


def test_causal_mask_is_lower_triangle():
    assert torch.equal(masks.causal_mask(4), torch.ones(4, 4, dtype=torch.bool).tril())


def test_causal_mask_with_cache_aligns_to_last_keys():
    # 2 new queries over 5 keys (3 cached): query 0 is position 3, query 1 is position 4
    m = masks.causal_mask(2, 5)
    assert m.tolist() == [[True, True, True, True, False], [True] * 5]
    assert masks.causal_mask(2, 5, top_left=True).tolist() == [
        [True] + [False] * 4,
        [True, True] + [False] * 3,
    ]


def test_sliding_window_counts():
    m = masks.sliding_window_mask(6, 1)
    assert m.sum().item() == 6 + 2 * 5  # diagonal plus one neighbour each side
    assert masks.sliding_window_mask(6, 1, causal=True).sum().item() == 6 + 5


def test_strided_mask_pattern():
    m = masks.strided_mask(8, 3)
    assert m[7, 1] and m[7, 4] and m[7, 6] and not m[7, 3]  # 7-1=6, 7-4=3 multiples of 3; 7-6<3


def test_padding_mask():
    m = masks.padding_mask(torch.tensor([2, 4]), 4)
    assert m.shape == (2, 1, 4)
    assert m[0, 0].tolist() == [True, True, False, False]


def test_global_local_mask():
    m = masks.global_local_mask(8, 1, 1)
    assert m[0].all() and m[:, 0].all() and not m[5, 2]


@pytest.mark.parametrize(
    "bad", [lambda: masks.sliding_window_mask(4, -1), lambda: masks.strided_mask(4, 0)]
)
def test_bad_mask_arguments_are_refused(bad):
    with pytest.raises(ValueError):
        bad()


def test_to_additive_has_no_infinities():
    bias = masks.to_additive(masks.causal_mask(3))
    assert (
        torch.isfinite(bias).all()
        and bias[0, 1] == -torch.finfo(torch.float32).max
        and bias[1, 0] == 0
    )


def test_naive_softmax_overflows_where_stable_does_not():
    x = torch.tensor([1000.0, 1001.0, 1002.0])
    assert torch.isnan(naive_softmax(x)).any()
    expected = torch.softmax(torch.tensor([0.0, 1.0, 2.0]), -1)
    torch.testing.assert_close(stable_softmax(x), expected)


def test_softmax_worked_example():
    # softmax([1,2,3,4,5]) — the seed's own example; e^5 / Σ e^k = 0.63640865…
    w = stable_softmax(torch.arange(1.0, 6.0, dtype=torch.float64))
    assert w[-1].item() == pytest.approx(
        math.exp(5) / sum(math.exp(k) for k in range(1, 6)), rel=1e-12
    )
    assert w[-1].item() == pytest.approx(0.6364086465588308, rel=1e-12)


def test_temperature():
    x = torch.tensor([1.0, 2.0, 3.0])
    torch.testing.assert_close(stable_softmax(x, temperature=2.0), torch.softmax(x / 2, -1))
    with pytest.raises(ValueError, match="temperature"):
        stable_softmax(x, temperature=0)


def test_fully_masked_row_is_zero():
    x = torch.randn(2, 3)
    keep = torch.tensor([[True, False, True], [False, False, False]])
    w = stable_softmax(x, mask=keep)
    assert w[1].eq(0).all() and w[0].sum().item() == pytest.approx(1.0) and w[0, 1] == 0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=20), st.floats(0.1, 10))
def test_stable_softmax_is_a_distribution(values, tau):
    w = stable_softmax(torch.tensor(values, dtype=torch.float64), temperature=tau)
    assert torch.isfinite(w).all() and (w >= 0).all()
    assert w.sum().item() == pytest.approx(1.0, abs=1e-9)
    torch.testing.assert_close(
        w, torch.softmax(torch.tensor(values, dtype=torch.float64) / tau, -1)
    )
