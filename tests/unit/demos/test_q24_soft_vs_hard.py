"""Tests of the demo q24_soft_vs_hard: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.demos import q24_soft_vs_hard as q24
from engine.registry import run_demo


def test_sample_categorical_by_hand():
    probs = torch.tensor([0.2, 0.5, 0.3])
    u = torch.tensor([0.1, 0.3, 0.75, 0.71, 0.999])  # cdf = [0.2, 0.7, 1.0]
    assert q24.sample_categorical(probs.expand(5, 3), u).tolist() == [0, 1, 2, 2, 2]


def test_gumbel_softmax_formula_by_hand():
    s = torch.tensor([[1.0, 2.0, 0.5]], dtype=torch.float64)
    u = torch.tensor([[0.3, 0.6, 0.9]], dtype=torch.float64)
    g = -torch.log(-torch.log(u))
    want = torch.softmax((s + g) / 0.7, -1)
    torch.testing.assert_close(q24.gumbel_softmax(s, 0.7, u), want)
    hard = q24.gumbel_softmax(s, 0.7, u, hard=True)
    one_hot = F.one_hot(want.argmax(-1), 3).double()
    torch.testing.assert_close(hard, one_hot)  # argmax_j (s_j + G_j), as a one-hot


def test_gumbel_statistics_match_softmax_and_pytorch():
    logits = torch.tensor([1.0, 0.2, -0.5, 2.0])
    probs = torch.softmax(logits, -1)
    M = 40_000
    u = torch.rand(M, 4, generator=torch.Generator().manual_seed(0))
    ours_hard = q24.gumbel_softmax(logits.expand(M, 4), 0.5, u, hard=True)
    ours_soft = q24.gumbel_softmax(logits.expand(M, 4), 0.5, u)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        ref_hard = F.gumbel_softmax(logits.expand(M, 4), tau=0.5, hard=True)
        ref_soft = F.gumbel_softmax(logits.expand(M, 4), tau=0.5)
    tol = 4 * float((probs * (1 - probs) / M).sqrt().max())  # four standard errors
    torch.testing.assert_close(ours_hard.mean(0), probs, atol=tol, rtol=0)
    torch.testing.assert_close(ref_hard.mean(0), probs, atol=tol, rtol=0)
    torch.testing.assert_close(ours_soft.mean(0), ref_soft.mean(0), atol=0.01, rtol=0)


def test_straight_through_gradient_is_that_of_the_soft_sample():
    s = torch.tensor([0.3, -1.0, 2.0], requires_grad=True)
    u = torch.tensor([0.4, 0.8, 0.2])
    target = torch.tensor([1.0, 2.0, 3.0])
    (q24.gumbel_softmax(s, 0.5, u, hard=True) @ target).backward()
    grad_hard = s.grad.clone()
    s.grad = None
    (q24.gumbel_softmax(s, 0.5, u) @ target).backward()
    torch.testing.assert_close(grad_hard, s.grad)


def test_top_k_keeps_k_and_renormalises():
    s = torch.tensor([[0.1, 3.0, 2.0, -1.0]])
    w = q24.top_k_attention(s, 2)
    want = torch.softmax(torch.tensor([3.0, 2.0]), -1)
    torch.testing.assert_close(w, torch.tensor([[0.0, want[0], want[1], 0.0]]))


def test_soft_vs_hard_demo():
    r = run_demo("soft_vs_hard", {"samples": 4000, "n_tokens": 6})
    soft, hard, freq, topk, gumbel = r.weights
    assert torch.all((hard == 0) | (hard == 1)) and torch.all(hard.sum(-1) == 1)
    assert (freq - soft).abs().max() < 0.05  # hard samples average to the soft weights
    assert torch.all((topk > 0).sum(-1) == 2)
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(5, 6))
    assert r.facts["p_target_after_race_soft"] > 0.5
    assert r.facts["p_target_after_race_reinforce"] > 0.5


def test_the_kept_race_is_the_race_run_afresh_and_k_or_samples_do_not_rerun_it():
    from engine.demos import q24_soft_vs_hard as m

    r = run_demo("soft_vs_hard", {"temperature": 0.7, "seed": 3})
    scores, v = m._layer(8, 3, torch.device("cpu"))
    target = int(torch.softmax(scores, -1)[0].argmin())
    fresh = m.learning_race(v / v.norm(dim=-1, keepdim=True), target, 0.7, 3)
    assert r.extras["curves"].keys() == fresh.keys()
    for method, curve in fresh.items():  # one thread there, the default here: compare with care
        torch.testing.assert_close(torch.tensor(r.extras["curves"][method]), torch.tensor(curve))
    runs = m._race.cache_info().misses
    run_demo("soft_vs_hard", {"temperature": 0.7, "seed": 3, "top_k": 3, "samples": 500})
    assert m._race.cache_info().misses == runs  # nothing the race reads changed
    run_demo("soft_vs_hard", {"temperature": 0.9, "seed": 3})
    assert m._race.cache_info().misses == runs + 1  # τ: only the Gumbel-softmax race again
