"""Q2 — softmax with temperature; the naive formula overflows, the stable one does not.

The seed's code computes ``np.exp(scores) / np.sum(np.exp(scores))``. exp overflows to inf
once a score passes log(finfo.max) (≈ 88.7 in float32, ≈ 709.8 in float64), and inf / inf is
NaN. Subtracting the largest score first changes nothing mathematically and fixes it.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from engine.facts import NATS, fact
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.softmax import entropy, naive_softmax, stable_softmax

DTYPES = {"float32": torch.float32, "float64": torch.float64}
LADDER = (0.25, 0.5, 1.0, 2.0, 4.0)  # temperatures shown as rows, as multiples of the chosen τ


def seed_attention(scores: np.ndarray) -> np.ndarray:
    """The seed's version, unchanged: exp(s_i) / Σ_j exp(s_j) — NaN once exp overflows."""
    exp_scores = np.exp(scores)
    sum_exp_scores = np.sum(exp_scores)
    attention_weights = exp_scores / sum_exp_scores
    return attention_weights


def make_scores(
    n: int, offset: float, spread: float, dtype: torch.dtype, device: torch.device
) -> torch.Tensor:
    """s_i = offset + spread · i for i = 1…n  (the seed's [1, 2, 3, 4, 5] is n=5, offset 0, spread 1)."""
    return offset + spread * torch.arange(1, n + 1, dtype=dtype, device=device)


FACTS = {
    "largest_exponent": fact("最大的指数", "largest exponent"),
    "overflow_limit": fact("float32 的溢出界", "float32 overflow limit"),
    "naive_is_nan": fact("朴素写法得到 NaN", "the naive formula gives NaN"),
    "seed_numpy_is_nan": fact("原文的 NumPy 写法得到 NaN", "the text's NumPy version gives NaN"),
    "stable_sum": fact("稳定写法的和", "sum of the stable softmax"),
    "entropy_at_tau": fact("当前温度下的熵", "entropy at this τ", NATS),
    "max_entropy_log_n": fact("最大熵 log n", "largest entropy, log n", NATS),
}


@demo(
    "softmax_temperature",
    title={
        "zh": "带温度的 softmax：朴素写法溢出 vs 稳定写法",
        "en": "Softmax with temperature: naive overflow vs stable",
    },
    params=(
        ParamSpec(
            "n_scores",
            "int",
            5,
            {"zh": "分数个数", "en": "Number of scores"},
            min=2,
            max=12,
            step=1,
        ),
        ParamSpec(
            "offset",
            "float",
            1000.0,
            {"zh": "分数整体平移", "en": "Offset added to every score"},
            min=0.0,
            max=2000.0,
            step=10.0,
        ),
        ParamSpec(
            "spread",
            "float",
            1.0,
            {"zh": "相邻分数间距", "en": "Gap between scores"},
            min=0.1,
            max=10.0,
            step=0.1,
        ),
        ParamSpec(
            "temperature",
            "float",
            1.0,
            {"zh": "温度 τ", "en": "Temperature τ"},
            min=0.05,
            max=10.0,
            step=0.05,
        ),
        ParamSpec(
            "dtype",
            "choice",
            "float32",
            {"zh": "浮点类型", "en": "Float type"},
            choices=tuple(DTYPES),
        ),
    ),
    shows=(seed_attention, naive_softmax, stable_softmax),
    facts=FACTS,
)
def softmax_temperature_demo(
    device: torch.device,
    n_scores: int,
    offset: float,
    spread: float,
    temperature: float,
    dtype: str,
) -> Result:
    """softmax(s/τ) three ways: the seed's numpy code, the naive torch formula, the stable one."""
    dt = DTYPES[dtype]
    scores = make_scores(n_scores, offset, spread, dt, device)  # (n,)
    naive = naive_softmax(scores / temperature)
    stable = stable_softmax(scores, temperature=temperature)
    with np.errstate(over="ignore", invalid="ignore"):
        seed_np = seed_attention(scores.cpu().numpy() / temperature)
    taus = torch.tensor([temperature * m for m in LADDER], dtype=dt, device=device)  # (5,)
    ladder = stable_softmax(scores.unsqueeze(0) / taus.unsqueeze(1))  # (5, n): one row per τ
    limit = math.log(torch.finfo(dt).max)
    facts = {
        "largest_exponent": round(float(scores.max()) / temperature, 3),
        "overflow_limit": round(limit, 2),
        "naive_is_nan": bool(torch.isnan(naive).any()),
        "seed_numpy_is_nan": bool(np.isnan(seed_np).any()),
        "stable_sum": round(float(stable.sum()), 6),
        "entropy_at_tau": round(float(entropy(stable)), 4),
        "max_entropy_log_n": round(math.log(n_scores), 4),
    }
    extras = {
        "scores": scores.cpu(),
        "naive": naive.cpu(),
        "stable": stable.cpu(),
        "seed_numpy": seed_np,
        "temperatures": taus.cpu(),
        "entropies": entropy(ladder).cpu(),
        "temperature": temperature,
    }
    keys = tuple(f"{s:g}" for s in scores.tolist())
    rows = tuple(f"τ={t:.3g}" for t in taus.tolist())
    return Result(
        ladder.float().unsqueeze(0).cpu(),
        rows,
        keys,
        facts=facts,
        extras=extras,
    )
