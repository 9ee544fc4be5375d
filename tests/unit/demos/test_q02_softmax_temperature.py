"""Tests of the demo q02_softmax_temperature: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import numpy as np
import torch

from engine.demos.q02_softmax_temperature import seed_attention
from engine.registry import run_demo

SEED_SOFTMAX = [
    0.01165623,
    0.03168492,
    0.08612854,
    0.23412166,
    0.63640865,
]  # softmax([1, 2, 3, 4, 5])


def test_seed_softmax_on_its_own_example():
    np.testing.assert_allclose(seed_attention(np.array([1, 2, 3, 4, 5])), SEED_SOFTMAX, rtol=1e-6)


def test_naive_overflows_to_nan_while_stable_equals_the_unshifted_softmax():
    r = run_demo("softmax_temperature", {"offset": 1000.0, "temperature": 1.0})
    assert r.facts["naive_is_nan"] and r.facts["seed_numpy_is_nan"]
    assert torch.isnan(r.extras["naive"]).all()
    # softmax(s + c) = softmax(s): scores 1001…1005 give the seed's [1…5] answer
    np.testing.assert_allclose(r.extras["stable"].numpy(), SEED_SOFTMAX, rtol=1e-5)
    np.testing.assert_allclose(
        r.extras["stable"].numpy(), torch.softmax(r.extras["scores"], 0).numpy(), rtol=1e-6
    )


def test_overflow_limit_depends_on_dtype_and_temperature():
    r32 = run_demo("softmax_temperature", {"offset": 500.0, "dtype": "float32"})
    r64 = run_demo("softmax_temperature", {"offset": 500.0, "dtype": "float64"})
    assert r32.facts["naive_is_nan"] and not r64.facts["naive_is_nan"]  # e^505 fits in float64 only
    np.testing.assert_allclose(r64.extras["naive"].numpy(), SEED_SOFTMAX, rtol=1e-6)
    cold = run_demo("softmax_temperature", {"offset": 0.0, "temperature": 0.05})
    assert cold.facts["naive_is_nan"]  # 5 / 0.05 = 100 > 88.7: a low temperature overflows too
    assert cold.extras["stable"][-1] > 0.999


def test_temperature_ladder_rows_are_softmax_at_each_tau():
    r = run_demo("softmax_temperature", {"offset": 0.0, "spread": 2.0, "temperature": 0.5})
    s = r.extras["scores"]
    for row, tau in zip(r.weights[0], r.extras["temperatures"], strict=True):
        np.testing.assert_allclose(
            row.numpy(), torch.softmax(s / tau, 0).numpy(), rtol=1e-5, atol=1e-7
        )
    assert torch.all(r.extras["entropies"].diff() > 0)  # hotter → flatter
