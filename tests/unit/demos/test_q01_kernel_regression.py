"""Tests of the demo q01_kernel_regression: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from engine.demos.q01_kernel_regression import nadaraya_watson
from engine.registry import run_demo


@pytest.mark.parametrize("kernel, c", [("gaussian", math.exp(-0.5)), ("laplace", math.exp(-1.0))])
def test_nadaraya_watson_worked_example(kernel, c):
    # keys 0, 1, 2 with values 1, 2, 4; query 1; width 1.
    # gaussian scores -(1-0)²/2, 0, -(1-2)²/2 → weights ∝ e^-½, 1, e^-½ ; laplace: e^-1, 1, e^-1
    y_hat, w = nadaraya_watson(
        torch.tensor([1.0]),
        torch.tensor([0.0, 1.0, 2.0]),
        torch.tensor([1.0, 2.0, 4.0]),
        1.0,
        kernel,
    )
    z = 1 + 2 * c
    np.testing.assert_allclose(w[0].numpy(), [c / z, 1 / z, c / z], rtol=1e-6)
    assert y_hat.item() == pytest.approx((c * 1 + 2 + c * 4) / z, rel=1e-6)


def test_kernel_regression_demo_is_the_gaussian_kernel_average():
    r = run_demo("kernel_regression", {"n_train": 30, "n_query": 20, "bandwidth": 0.5})
    e = r.extras
    xq, xk, y = (
        e["x_query"].double().numpy(),
        e["x_key"].double().numpy(),
        e["y_value"].double().numpy(),
    )
    k = np.exp(-((xq[:, None] - xk[None, :]) ** 2) / (2 * 0.5**2))
    expected = k / k.sum(1, keepdims=True)
    np.testing.assert_allclose(r.weights[0].numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e["y_hat"].numpy(), expected @ y, rtol=1e-5, atol=1e-5)


def test_wider_kernel_uses_more_keys():
    narrow, wide = (run_demo("kernel_regression", {"bandwidth": h}) for h in (0.1, 1.0))
    assert wide.facts["effective_keys_per_query"] > 3 * narrow.facts["effective_keys_per_query"]
