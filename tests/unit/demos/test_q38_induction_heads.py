from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from engine.registry import ParamError, run_demo
from engine.toys import induction as ind
from quiz.grading import grade
from quiz.items import INDUCTION_ITEM, INDUCTION_ROLES, LIVE, induction_item, live_ids
from tests.unit.toys.test_induction import sdpa_reference


def _layer_weights_by_sdpa(tokens: torch.Tensor) -> torch.Tensor:
    """Each layer's attention weights rebuilt from the raw shipped weights: softmax(QKᵀ/√d + causal)."""
    state = ind.load().state_dict()
    x = state["embed.weight"][tokens] + state["pos.weight"][: tokens.numel()]  # (L, d)
    L, d = x.shape
    out = []
    for layer in range(2):
        q, k, v = (x @ state[f"blocks.{layer}.W_qkv.weight"].T).split(d, -1)
        causal = torch.ones(L, L, dtype=torch.bool).tril()
        bias = torch.zeros(L, L).masked_fill(~causal, float("-inf"))
        out.append(torch.softmax(q @ k.T / d**0.5 + bias, -1))
        o = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=True)[0]
        x = x + o @ state[f"blocks.{layer}.W_o.weight"].T
    return torch.stack(out)


def test_demo_weights_equal_a_torch_reimplementation_per_layer():
    r = run_demo("induction_heads", {"period": 9, "seed": 5})
    tokens = r.extras["tokens"]  # (2T + 1,): the model reads 2T, the last is a target
    torch.testing.assert_close(r.weights, _layer_weights_by_sdpa(tokens[:-1]), rtol=1e-4, atol=1e-5)
    logits = sdpa_reference(ind.load().state_dict(), tokens[None, :-1], 1)[0]
    ref = F.cross_entropy(logits, tokens[1:], reduction="none")
    torch.testing.assert_close(r.extras["losses"], ref, rtol=1e-4, atol=1e-5)


def test_shipped_heads_previous_token_then_induction_and_the_loss_drop():
    r = run_demo("induction_heads")
    f = r.facts
    assert f["prev_token_score_l1"] > 0.8 and f["induction_score_l2"] > 0.8
    assert f["loss_repeat"] < 0.1 * f["loss_first_period"]
    assert (
        min(f["loss_repeat_no_layer1"], f["loss_repeat_no_layer2"]) > 10 * f["loss_repeat_intact"]
    )
    w = r.weights
    T = 12
    assert torch.all(w[0, torch.arange(1, T), torch.arange(T - 1)] > 0.5)  # layer 1: i → i−1
    assert torch.all(
        w[1, torch.arange(T, 2 * T), torch.arange(1, T + 1)] > 0.5
    )  # layer 2: i → i−T+1


def test_rows_sum_to_one_causal_and_deterministic():
    a, b = run_demo("induction_heads", {"seed": 3}), run_demo("induction_heads", {"seed": 3})
    assert a.weights.shape == (2, 24, 24) and torch.equal(a.weights, b.weights)
    torch.testing.assert_close(a.weights.sum(-1), torch.ones(2, 24))
    assert torch.all(torch.triu(a.weights, 1) == 0)
    assert a.query_labels[0].startswith("0:") and len(set(a.query_labels)) == 24


@pytest.mark.parametrize("period", [6, 12])
@pytest.mark.parametrize("ablate", ["none", "layer1", "layer2"])
def test_every_period_and_ablation_runs(period, ablate):
    r = run_demo("induction_heads", {"period": period, "ablate": ablate})
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(2, 24))
    expect = {
        "none": "loss_repeat_intact",
        "layer1": "loss_repeat_no_layer1",
        "layer2": "loss_repeat_no_layer2",
    }
    assert r.facts["loss_repeat"] == r.facts[expect[ablate]]


@pytest.mark.parametrize("bad", [{"period": 5}, {"period": 13}, {"ablate": "both"}, {"seed": -1}])
def test_parameters_out_of_bounds_are_refused(bad):
    with pytest.raises(ParamError):
        run_demo("induction_heads", bad)


def test_predict_the_induction_pattern_item_keys_the_heads_real_target():
    assert INDUCTION_ITEM in LIVE and INDUCTION_ITEM in live_ids()
    answers = set()
    for seed in range(12):
        item = induction_item(seed)
        w = item.results[0].weights[0]  # (L, L): the head that was asked about
        i, layer = item.results[0].facts["query"], item.results[0].facts["layer"]
        role = list(INDUCTION_ROLES)[item.answer]
        assert role == ("previous" if layer == 1 else "after_copy")
        P = int(item.prompt["en"].split("P = ")[1].split(")")[0])
        assert int(w[i].argmax()) == INDUCTION_ROLES[role][1](i, P)
        assert grade(item, item.answer).correct and not grade(item, (item.answer + 1) % 4).correct
        answers.add(item.answer)
    assert answers == {0, 1}  # both heads are asked about
    assert item.tags == ("induction-heads",) and not item.live  # a single-choice item, drawn live
    a, b = induction_item(4), induction_item(4)
    assert (a.prompt, a.answer, a.options) == (b.prompt, b.answer, b.options)
    assert torch.equal(a.results[0].weights, b.results[0].weights)
