from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import engine.toys as toys
from engine.toys import induction as ind


def sdpa_reference(
    state: dict[str, torch.Tensor], tokens: torch.Tensor, heads: int
) -> torch.Tensor:
    """The toy's logits rebuilt from its raw weights with F.scaled_dot_product_attention per layer."""
    N, L = tokens.shape
    x = state["embed.weight"][tokens] + state["pos.weight"][:L]  # (N, L, d)
    d = x.size(-1)
    layer = 0
    while f"blocks.{layer}.W_qkv.weight" in state:
        qkv = x @ state[f"blocks.{layer}.W_qkv.weight"].T  # nn.Linear stores (out, in)
        q, k, v = (t.reshape(N, L, heads, d // heads).transpose(1, 2) for t in qkv.split(d, -1))
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(N, L, d)
        x = x + o @ state[f"blocks.{layer}.W_o.weight"].T
        layer += 1
    return x @ state["unembed.weight"].T


@pytest.fixture(scope="module")
def model() -> ind.InductionModel:
    return ind.load()


def test_shipped_weights_verify_against_the_manifest():
    m = toys.check(ind.NAME)
    assert m.config == dict(vars(ind.InductionConfig())) and ind.NAME in list(toys.names())


def test_atlas_toys_lists_trains_and_checks_the_induction_toy(capsys):
    import cli

    module, cfg = toys.variants()[ind.NAME]
    assert module is ind and cfg == ind.InductionConfig()
    assert cli.main(["toys", "check", ind.NAME]) == 0
    assert f"{ind.NAME}: ok" in capsys.readouterr().out


def test_forward_equals_a_reimplementation_with_torch_sdpa(model):
    cfg = ind.config()
    tokens = ind.repeated_batch(cfg, 8, torch.Generator().manual_seed(42))[:, :-1]
    state = {k: v for k, v in model.state_dict().items()}
    torch.testing.assert_close(
        model(tokens), sdpa_reference(state, tokens, cfg.heads), rtol=1e-4, atol=1e-4
    )


def test_repeated_batch_is_periodic_with_distinct_tokens_in_a_period():
    cfg = ind.InductionConfig()
    s = ind.repeated_batch(cfg, 50, torch.Generator().manual_seed(0))
    assert s.shape == (50, 2 * cfg.half + 1)
    for row in s:
        P = next(p for p in range(cfg.min_period, cfg.half + 1) if torch.equal(row[p:], row[:-p]))
        assert len(set(row[:P].tolist())) == P
    halves = ind.repeated_batch(cfg, 5, torch.Generator().manual_seed(0), cfg.half)
    assert torch.equal(halves[:, : cfg.half], halves[:, cfg.half : 2 * cfg.half])


def test_head_scores_on_hand_made_patterns():
    L, P = 8, 4
    prev = torch.zeros(L, L)
    prev[0, 0] = 1
    prev[torch.arange(1, L), torch.arange(L - 1)] = 1  # every query on its previous position
    induct = torch.eye(L)
    for i in range(P, L):
        induct[i] = 0
        induct[i, i - P + 1] = 1  # on the token after the earlier copy
    s = ind.head_scores(torch.stack([prev, induct])[:, None, None], P)  # (layers=2, N=1, h=1, L, L)
    assert s["previous_token"][:, 0].tolist() == [1.0, 0.0]
    assert s["induction"][:, 0].tolist() == [0.0, 1.0]


def test_shipped_model_has_a_previous_token_head_then_an_induction_head(model):
    cfg = ind.config()
    tokens = ind.repeated_batch(cfg, 128, torch.Generator().manual_seed(123), cfg.half)[:, :-1]
    _, w = model.forward_with_weights(tokens)  # (layers, N, h, L, L)
    s = ind.head_scores(w, cfg.half)
    assert float(s["previous_token"][0, 0]) > 0.8 > float(s["previous_token"][1, 0])
    assert float(s["induction"][1, 0]) > 0.8 > float(s["induction"][0, 0])


def test_loss_on_the_repeated_half_is_far_below_the_first(model):
    m = ind.evaluate(model, ind.config())
    assert m["loss_repeated_half"] < 0.1 * m["loss_first_half"]
    assert m["loss_first_half"] > 0.9 * math.log(ind.config().vocab)  # the first half is noise


def test_retraining_lands_within_a_band_of_the_manifest():
    """Same config and seed on this machine: BLAS rounding may move the numbers, not the circuit."""
    shipped = ind.manifest_metrics()
    _, fresh = ind.train(ind.config())
    for key in ("prev_token_score_l1", "induction_score_l2"):
        assert abs(fresh[key] - shipped[key]) <= 0.1, key
    assert abs(fresh["loss_repeated_half"] - shipped["loss_repeated_half"]) <= 0.1
    assert math.isclose(fresh["loss_first_half"], shipped["loss_first_half"], rel_tol=0.05)
