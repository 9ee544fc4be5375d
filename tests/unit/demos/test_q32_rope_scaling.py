"""Q32 demo: RoPE's rotation against complex multiplication, the relative-position property,
and the PI / NTK-aware / YaRN frequencies against their published formulas and transformers' code."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.demos.q32_rope_scaling import (
    angle_overshoot,
    offset_curve,
    rope_frequencies,
    rope_scores,
    rotate,
    scaled_frequencies,
)
from engine.registry import ParamError, get_demo, run_demo


def test_rotation_equals_complex_multiplication():
    # RoFormer, eq. (12)-(13): pair (x_2i, x_2i+1) as the complex number x_2i + i x_2i+1, times e^{i m θ_i}
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 7, 16, generator=g, dtype=torch.float64)
    pos = torch.arange(7, dtype=torch.float64) * 3
    theta = rope_frequencies(16)
    z = torch.view_as_complex(x.reshape(3, 7, 8, 2).contiguous())
    ref = torch.view_as_real(
        z * torch.polar(torch.ones(7, 8, dtype=torch.float64), pos[:, None] * theta)
    )
    torch.testing.assert_close(rotate(x, pos, theta), ref.reshape(3, 7, 16), rtol=1e-12, atol=1e-12)


def test_rotation_keeps_the_norm():
    x = torch.randn(5, 32, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    r = rotate(x, torch.arange(5.0) * 1000, rope_frequencies(32))
    torch.testing.assert_close(r.norm(dim=-1), x.norm(dim=-1), rtol=1e-12, atol=0)


@settings(derandomize=True, max_examples=40, deadline=None)
@given(
    m=st.integers(0, 5000),
    n=st.integers(0, 5000),
    shift=st.integers(-3000, 3000),
    d=st.sampled_from([8, 32, 64]),
)
def test_score_depends_on_positions_only_through_their_difference(m, n, shift, d):
    shift = max(shift, -min(m, n))  # keep positions non-negative
    g = torch.Generator().manual_seed(d)
    q, k = (
        torch.randn(1, d, generator=g, dtype=torch.float64),
        torch.randn(1, d, generator=g, dtype=torch.float64),
    )
    theta = rope_frequencies(d)

    def score(a: int, b: int) -> torch.Tensor:
        return rope_scores(q, k, torch.tensor([float(a)]), torch.tensor([float(b)]), theta)

    torch.testing.assert_close(score(m, n), score(m + shift, n + shift), rtol=1e-9, atol=1e-9)


def test_frequencies_are_the_published_ones():
    # θ_i = 10000^(−2i/d): d = 4 → (1, 1/100)
    torch.testing.assert_close(rope_frequencies(4), torch.tensor([1.0, 0.01], dtype=torch.float64))


def test_position_interpolation_divides_positions_by_s():
    # PI (Chen et al. 2023): f'(x, m) = f(x, m L / L'), so θ' = θ / s and position s·m lands on m's angle
    theta0, s = rope_frequencies(64), 4.0
    theta, a = scaled_frequencies("pi", 64, 10000.0, s, 512)
    x = torch.randn(1, 64, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(
        rotate(x, torch.tensor([2048.0]), theta), rotate(x, torch.tensor([512.0]), theta0)
    )
    assert a == 1.0


def test_ntk_aware_base_and_its_end_points():
    # NTK-aware (bloc97, 2023): base' = base · s^{d/(d−2)}; the fastest pair is unchanged, the slowest is θ/s
    d, s = 64, 8.0
    theta, _ = scaled_frequencies("ntk", d, 10000.0, s, 4096)
    ref = (10000.0 * s ** (d / (d - 2))) ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    torch.testing.assert_close(theta, ref)
    theta0 = rope_frequencies(d)
    assert theta[0] == theta0[0]
    assert theta[-1].item() == pytest.approx(theta0[-1].item() / s, rel=1e-12)


@pytest.mark.parametrize(
    ("d", "L", "s"), [(64, 4096, 8.0), (128, 4096, 4.0), (64, 2048, 16.0), (128, 512, 2.5)]
)
def test_yarn_equals_transformers(d, L, s):
    from transformers import LlamaConfig
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

    cfg = LlamaConfig(
        hidden_size=d * 4,
        num_attention_heads=4,
        max_position_embeddings=int(L * s),
        rope_parameters={
            "rope_type": "yarn",
            "rope_theta": 10000.0,
            "factor": s,
            "original_max_position_embeddings": L,
        },
    )
    inv_freq, attention_factor = ROPE_INIT_FUNCTIONS["yarn"](cfg, "cpu")
    theta, a = scaled_frequencies("yarn", d, 10000.0, s, L)
    torch.testing.assert_close(theta.float(), inv_freq, rtol=1e-5, atol=0)
    assert (
        a == pytest.approx(attention_factor) == pytest.approx(0.1 * math.log(s) + 1)
    )  # √(1/t) = 0.1 ln s + 1


def test_yarn_keeps_fast_pairs_and_interpolates_slow_ones():
    d, L, s = 128, 4096, 8.0
    theta0 = rope_frequencies(d)
    theta, _ = scaled_frequencies("yarn", d, 10000.0, s, L)
    turns = L * theta0 / (2 * math.pi)  # r_i = L / λ_i
    torch.testing.assert_close(theta[turns > 32], theta0[turns > 32])  # r > β: unchanged
    torch.testing.assert_close(theta[turns < 1], theta0[turns < 1] / s)  # r < α: interpolated as PI


def test_angle_overshoot_of_each_method():
    d, L, s = 64, 512, 4.0
    theta0 = rope_frequencies(d)
    over = {
        m: angle_overshoot(scaled_frequencies(m, d, 10000.0, s, L)[0], theta0, s, L)
        for m in ("none", "pi", "ntk", "yarn")
    }
    assert (
        over["none"] == pytest.approx(s)
        and over["pi"] == pytest.approx(1.0)
        and over["yarn"] == pytest.approx(1.0)
    )
    # NTK: the first pair short of a turn in training is i0; its θ shrinks by s^{-2 i0/(d−2)} only
    i0 = int(torch.nonzero(L * theta0 < 2 * math.pi)[0])
    assert over["ntk"] == pytest.approx(s ** (1 - 2 * i0 / (d - 2)))


def test_offset_curve_is_the_mean_cosine():
    theta = rope_frequencies(8)
    c = offset_curve(theta, torch.tensor([0, 3]), 1.0)
    assert c[0] == 1.0
    assert c[1].item() == pytest.approx(sum(math.cos(3 * t) for t in theta.tolist()) / 4)


def test_demo_rows_sum_to_one_and_is_deterministic():
    a, b = run_demo("rope_scaling", {"scale": 2.5}), run_demo("rope_scaling", {"scale": 2.5})
    assert a.weights.shape == (4, 12, 12)
    torch.testing.assert_close(a.weights.sum(-1), torch.ones(4, 12))
    torch.testing.assert_close(a.weights, b.weights, rtol=0, atol=0)
    assert torch.triu(a.weights, 1).abs().max() == 0  # causal
    assert a.facts["angle_overshoot_pi"] == 1.0 and a.facts["stretched_len"] == 1280


def test_scale_one_changes_nothing():
    r = run_demo("rope_scaling", {"scale": 1.0})
    for m in ("pi", "ntk", "yarn"):
        torch.testing.assert_close(r.weights[0], r.weights[("none", "pi", "ntk", "yarn").index(m)])


@pytest.mark.parametrize(
    "bad",
    [
        {"head_dim": 8},
        {"head_dim": 144},
        {"base": "1000"},
        {"train_len": 32},
        {"train_len": 8192},
        {"scale": 0.5},
        {"scale": 17},
        {"n_tokens": 3},
        {"n_tokens": 25},
    ],
)
def test_bounds_of_every_parameter(bad):
    with pytest.raises(ParamError):
        run_demo("rope_scaling", bad)
    assert {p.name for p in get_demo("rope_scaling").params} == {
        "head_dim",
        "base",
        "train_len",
        "scale",
        "n_tokens",
    }
