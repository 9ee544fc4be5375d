"""Every registered demo: runs at defaults and at each parameter bound, valid weights, deterministic."""

from __future__ import annotations

import math

import pytest
import torch

from engine.registry import ParamError, ParamSpec, UnknownDemo, all_demos, get_demo, run_demo

DEMOS = list(all_demos())


def bound_cases() -> list[tuple[str, dict]]:
    """(demo, params) at the defaults and at every min/max/choice of every parameter."""
    cases = []
    for name, d in all_demos().items():
        cases.append((name, {}))
        for p in d.params:
            if p.kind in ("int", "float"):
                cases += [(name, {p.name: p.min}), (name, {p.name: p.max})]
            elif p.kind == "choice":
                cases += [(name, {p.name: c}) for c in p.choices if c != p.default]
            elif p.kind == "bool":
                cases.append((name, {p.name: not p.default}))
    return cases


def check_weights(w: torch.Tensor) -> None:
    assert w.dim() == 3 and w.device.type == "cpu"
    assert torch.isfinite(w).all(), "weights must be finite"
    assert (w >= 0).all()
    sums = w.sum(-1)
    ok = torch.isclose(sums, torch.ones_like(sums), atol=1e-4) | (sums == 0)
    assert ok.all(), f"rows must sum to 1 (or 0 when fully masked), got {sums[~ok][:5].tolist()}"


def test_at_least_the_core_demos_are_registered():
    assert {"scaled_dot_product", "multi_head", "causal_self_attention"} <= set(DEMOS)


@pytest.mark.parametrize("name,params", bound_cases(), ids=lambda v: str(v))
def test_demo_runs_at_defaults_and_bounds(name, params):
    r = run_demo(name, params, "cpu")
    check_weights(r.weights)
    assert r.facts["device"] == "cpu" and r.facts["ms"] >= 0
    assert len(r.query_labels) == r.weights.size(1) and len(r.key_labels) == r.weights.size(2)


@pytest.mark.parametrize("name", DEMOS)
def test_same_parameters_same_numbers(name):
    a, b = run_demo(name, {}, "cpu"), run_demo(name, {}, "cpu")
    torch.testing.assert_close(a.weights, b.weights, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", DEMOS)
def test_every_parameter_has_bilingual_label_and_valid_default(name):
    d = get_demo(name)
    assert d.title["zh"] and d.title["en"]
    for p in d.params:
        assert p.label["zh"] and p.label["en"], p.name
        assert p.check(p.default) == p.default
        if p.kind in ("int", "float"):
            assert p.min is not None and p.max is not None and p.min <= p.default <= p.max


def test_masked_variants_respect_their_mask():
    from engine import masks

    r = run_demo("scaled_dot_product", {"mask": "causal", "n_tokens": 9})
    assert torch.all(r.weights[0][~masks.causal_mask(9)] == 0)
    r = run_demo("scaled_dot_product", {"mask": "sliding_window", "window": 1, "n_tokens": 9})
    assert torch.all(r.weights[0][~masks.sliding_window_mask(9, 1)] == 0)


def test_unknown_demo_lists_known_names():
    with pytest.raises(UnknownDemo, match="scaled_dot_product"):
        run_demo("no_such_demo")


@pytest.mark.parametrize(
    "params,fragment",
    [
        ({"n_tokens": 33}, "n_tokens: 33 is not allowed; expected int from 2 to 32"),
        ({"n_tokens": 2.5}, "n_tokens"),
        ({"n_tokens": True}, "n_tokens"),
        ({"temperature": math.nan}, "temperature"),
        ({"temperature": "inf"}, "temperature"),
        ({"mask": "diagonal"}, "one of 'none', 'causal'"),
        ({"colour": "red"}, "colour: unknown parameter"),
    ],
)
def test_bad_parameters_are_refused_with_what_is_allowed(params, fragment):
    with pytest.raises(ParamError) as e:
        run_demo("scaled_dot_product", params)
    assert fragment in str(e.value)


def test_every_problem_is_reported():
    with pytest.raises(ParamError) as e:
        run_demo("scaled_dot_product", {"n_tokens": 0, "d_k": 0})
    assert len(e.value.problems) == 2


def test_unavailable_device_is_refused():
    with pytest.raises(ValueError, match="choose one of: cpu"):
        run_demo("multi_head", {}, "cuda:7")


def test_text_param_refuses_control_characters_and_overlong():
    spec = ParamSpec("text", "text", "hi", {"zh": "文本", "en": "Text"}, max_length=10)
    assert spec.check("héllo 你好") == "héllo 你好"
    for bad in ["", "   ", "x" * 11, "a\x00b", "a\x1bb"]:
        with pytest.raises(ValueError):
            spec.check(bad)


def test_strings_from_the_command_line_are_parsed():
    d = get_demo("multi_head")
    values = d.check_params({"n_tokens": "12", "causal": "true", "heads": 2})
    assert values["n_tokens"] == 12 and values["causal"] is True and values["heads"] == "2"


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", DEMOS)
def test_cuda_matches_cpu(name):
    a, b = run_demo(name, {}, "cpu"), run_demo(name, {}, "cuda:0")
    diff = (a.weights - b.weights).abs().max().item()
    print(f"{name}: max |cpu - cuda| = {diff:.2e}")
    assert diff < 1e-4


@pytest.mark.parametrize(
    "name", [n for n in DEMOS if any(p.kind in ("int", "float") for p in get_demo(n).params)]
)
def test_a_slider_moves_the_head_the_hover_chart_starts_on(name):
    """The page's live chart starts on ``hover_head``: some slider, at one of its bounds, must
    change that head's weights, or the learner moves it and the chart never answers."""
    d = get_demo(name)
    base = run_demo(name, {}, "cpu")
    assert 0 <= d.hover_head < base.n_heads
    for p in (p for p in d.params if p.kind in ("int", "float")):
        for bound in (p.min, p.max):
            if bound == p.default:
                continue
            w = run_demo(name, {p.name: bound}, "cpu").weights
            if d.hover_head >= w.size(0) or not torch.equal(
                w[d.hover_head], base.weights[d.hover_head]
            ):
                return  # (another head count alone does not change the head shown)
    pytest.fail(f"{name}: no slider changes head {d.hover_head}, where the hover chart starts")
