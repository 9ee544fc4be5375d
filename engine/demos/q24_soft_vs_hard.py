"""Q24 — soft vs hard attention, and the tricks that let hard choices learn.

Soft attention averages every value with weights softmax(s); hard attention picks one position
j ~ Categorical(softmax(s)) — cheaper to apply but not differentiable, so it is trained with
REINFORCE (score-function gradients) or relaxed with Gumbel-softmax. Top-k keeps the k best
positions and renormalises. All of them read the same scores of one self-attention layer, and a
small learning race shows how each one learns to select a target.

Shapes: L queries, S keys (L = S here), d size; M samples.
"""

from __future__ import annotations

import functools
import math

import torch

from engine.facts import fact
from engine.i18n import bi
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.softmax import stable_softmax
from engine.text import toy_embeddings, toy_tokens


def sample_categorical(probs: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Inverse-CDF sampling: j = #{i : Σ_{k≤i} p_k < u}.  probs (..., S), u (...) uniform → (...) long.

    The uniforms come from the caller (drawn on the CPU), so every device samples the same j.
    """
    cdf = probs.cumsum(-1)
    return (cdf < u.unsqueeze(-1)).sum(-1).clamp_max(probs.size(-1) - 1)


def hard_attention(scores: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """One-hot of j ~ Categorical(softmax(s)): each query reads exactly one value.  (L, S), (L,) → (L, S)."""
    j = sample_categorical(stable_softmax(scores), u)
    return torch.nn.functional.one_hot(j, scores.size(-1)).to(scores.dtype)


def top_k_attention(scores: torch.Tensor, k: int) -> torch.Tensor:
    """softmax over the k largest scores of each row, 0 elsewhere.  (L, S) → (L, S)."""
    kth = scores.topk(k, dim=-1).values[..., -1:]  # (L, 1): the k-th largest score
    return stable_softmax(scores, mask=scores >= kth)


# Gumbel-softmax (Jang et al. 2017):  y = softmax((s + G) / τ),  G = −log(−log U),  U ~ Uniform(0, 1)
def gumbel_softmax(
    scores: torch.Tensor, tau: float, u: torch.Tensor, hard: bool = False
) -> torch.Tensor:
    """A differentiable sample: argmax_j (s_j + G_j) ~ Categorical(softmax(s)); τ → 0 makes y one-hot.

    ``hard``: the forward pass is one-hot, the gradient that of y (straight-through).  u has the shape of s.
    """
    tiny = torch.finfo(scores.dtype).tiny
    G = -torch.log(-torch.log(u.clamp(tiny, 1.0 - 1e-7)))
    y = stable_softmax((scores + G) / tau)
    if not hard:
        return y
    one_hot = torch.nn.functional.one_hot(y.argmax(-1), y.size(-1)).to(y.dtype)
    return one_hot + y - y.detach()  # value: one-hot; gradient: ∂y


METHODS = ("soft", "REINFORCE", "Gumbel-softmax (ST)")
METHOD_IDS = {"soft": "soft", "REINFORCE": "reinforce", "Gumbel-softmax (ST)": "gumbel_st"}


def race_loss(
    method: str,
    theta: torch.Tensor,
    V: torch.Tensor,
    target: int,
    u: torch.Tensor,
    tau: float,
    baseline: float,
):
    """Loss whose gradient each method follows, and the reward of a sampled choice (or None).

    soft:       ‖softmax(θ) V − v*‖²  (exact gradient)
    REINFORCE:  −(r − b) log p_j with j ~ p, r = −‖v_j − v*‖²  (unbiased, noisy)
    Gumbel ST:  ‖y V − v*‖² with y a straight-through Gumbel-softmax sample (biased, low noise)
    """
    goal = V[target]
    if method == "soft":
        return ((stable_softmax(theta) @ V - goal) ** 2).sum(), None
    if method == "REINFORCE":
        j = sample_categorical(stable_softmax(theta.detach()), u[0])
        reward = -float(((V[j] - goal) ** 2).sum())
        return -(reward - baseline) * torch.log_softmax(theta, -1)[j], reward
    return ((gumbel_softmax(theta, tau, u, hard=True) @ V - goal) ** 2).sum(), None


def learning_race(
    V: torch.Tensor, target: int, tau: float, seed: int, steps: int = 120, lr: float = 0.5
) -> dict[str, list[float]]:
    """p(target) after every SGD step, for each method, starting from uniform θ = 0.  V (S, d)."""
    return {m: race_curve(m, V, target, tau, seed, steps, lr) for m in METHODS}


def race_curve(
    method: str, V: torch.Tensor, target: int, tau: float, seed: int, steps: int = 120,
    lr: float = 0.5,
) -> list[float]:  # fmt: skip
    """p(target) after every SGD step of one method, from uniform θ = 0.  V (S, d)."""
    U = torch.rand(steps, V.size(0), generator=torch.Generator().manual_seed(seed)).to(V.device)
    theta = torch.zeros(V.size(0), device=V.device, requires_grad=True)
    baseline, curve = 0.0, []
    for t in range(steps):
        loss, reward = race_loss(method, theta, V, target, U[t], tau, baseline)
        (grad,) = torch.autograd.grad(loss, theta)
        with torch.no_grad():
            theta.sub_(lr * grad)  # one plain SGD step: θ ← θ − η ∇θ loss
        baseline = baseline if reward is None else 0.9 * baseline + 0.1 * reward
        curve.append(float(stable_softmax(theta.detach())[target]))
    return curve


def _layer(n_tokens: int, seed: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """The scores (L, S) of one self-attention layer on the toy sentence, and its values (S, d)."""
    d = 16
    x = toy_embeddings(n_tokens, 3 * d, seed, device)  # (L, 3d)
    q, k, v = x.split(d, dim=-1)  # (L, d) each
    return q @ k.T / math.sqrt(d), v


@functools.lru_cache(maxsize=128)
def _race(method: str, n_tokens: int, tau: float, seed: int, device: torch.device) -> list[float]:
    """One method's race on the demo's layer, kept: the race reads neither k nor the number of
    samples, and only Gumbel-softmax reads τ (the others are keyed with τ = 0), so moving
    those sliders does not run it again."""
    scores, v = _layer(n_tokens, seed, device)
    target = int(stable_softmax(scores)[0].argmin())
    return race_curve(method, v / v.norm(dim=-1, keepdim=True), target, tau, seed)


def five_ways(scores: torch.Tensor, tau: float, k: int, samples: int, seed: int) -> torch.Tensor:
    """Soft, one hard sample, frequencies of ``samples`` hard samples, top-k, Gumbel-softmax.  → (5, L, S).

    All uniforms are drawn on the CPU from ``seed``, so every device samples the same positions.
    """
    L, S = scores.shape
    g = torch.Generator().manual_seed(seed)
    u_hard, u_gumbel = torch.rand(L, generator=g), torch.rand(L, S, generator=g)
    u_many = torch.rand(samples, L, generator=g).to(scores.device)  # (M, L)
    soft = stable_softmax(scores)
    picks = sample_categorical(soft.expand(samples, L, S), u_many)  # (M, L)
    freq = torch.nn.functional.one_hot(picks, S).to(scores.dtype).mean(0)  # (L, S)
    hard = hard_attention(scores, u_hard.to(scores.device))
    gumbel = gumbel_softmax(scores, tau, u_gumbel.to(scores.device))
    return torch.stack([soft, hard, freq, top_k_attention(scores, k), gumbel])


FACTS = {
    "samples": fact("采样次数", "samples"),
    "max_abs_freq_minus_softmax": fact("采样频率与 softmax 的最大差", "max |frequency − softmax|"),
    "race_target": fact("学习竞赛的目标词", "target of the learning race"),
    "p_target_after_race_{method}": fact(
        "{method}训练后的目标概率",
        "P(target) after the race, {method}",
        names={
            "soft": bi("软注意力", "soft"),
            "reinforce": bi("REINFORCE ", "REINFORCE"),
            "gumbel_st": bi("Gumbel-softmax（直通）", "Gumbel-softmax (ST)"),
        },
    ),
}


@demo(
    "soft_vs_hard",
    title={
        "zh": "软注意力与硬注意力、Top-k、Gumbel-softmax",
        "en": "Soft vs hard attention, top-k and Gumbel-softmax",
    },
    params=(
        ParamSpec("n_tokens", "int", 8, {"zh": "词元数", "en": "Tokens"}, min=4, max=12, step=1),
        ParamSpec(
            "temperature",
            "float",
            0.5,
            {"zh": "Gumbel 温度 τ", "en": "Gumbel temperature τ"},
            min=0.1,
            max=5.0,
            step=0.1,
        ),
        ParamSpec(
            "top_k", "int", 2, {"zh": "Top-k 的 k", "en": "k of top-k"}, min=1, max=4, step=1
        ),
        ParamSpec(
            "samples",
            "int",
            2000,
            {"zh": "硬注意力采样次数", "en": "Hard samples"},
            min=100,
            max=5000,
            step=100,
        ),
        SEED,
    ),
    shows=(
        five_ways,
        hard_attention,
        sample_categorical,
        top_k_attention,
        gumbel_softmax,
        race_loss,
    ),
    facts=FACTS,
)
def soft_vs_hard_demo(
    device: torch.device, n_tokens: int, temperature: float, top_k: int, samples: int, seed: int
) -> Result:
    """Five ways to turn one layer's scores into weights, and a race to learn a selection."""
    L = n_tokens
    scores, _ = _layer(n_tokens, seed, device)  # (L, S)
    weights = five_ways(scores, temperature, top_k, samples, seed + 1)  # (5, L, S)
    soft, freq = weights[0], weights[2]
    target = int(soft[0].argmin())  # the key query 0 likes least
    curves = {  # learning_race(v / ‖v‖, target, τ, seed), one method at a time, kept (_race)
        m: list(_race(m, n_tokens, temperature if m == METHODS[2] else 0.0, seed, device))
        for m in METHODS
    }
    facts = {
        "samples": samples,
        "max_abs_freq_minus_softmax": round(float((freq - soft).abs().max()), 4),
        "race_target": toy_tokens(L)[target],
        **{f"p_target_after_race_{METHOD_IDS[m]}": round(c[-1], 3) for m, c in curves.items()},
    }
    tokens = tuple(toy_tokens(L))
    heads = (
        "soft",
        "hard (one sample)",
        f"hard: {samples} samples",
        f"top-{top_k}",
        "Gumbel-softmax",
    )
    extras = {
        "curves": curves,
        "target": target,
        "tau": temperature,
        "samples": samples,
        "k": top_k,
    }
    return Result(weights.cpu(), tokens, tokens, heads, facts=facts, extras=extras)
