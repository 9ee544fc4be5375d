"""Q1 — attention as a soft look-up: Nadaraya–Watson kernel regression.

Each query point x asks every training point x_i (a key) how close it is; a softmax turns the
closeness scores into weights, and the prediction is the weighted average of the values y_i.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.softmax import stable_softmax

KERNELS = ("gaussian", "laplace")
X_MAX = 5.0  # inputs live on [0, X_MAX]


def true_function(x: torch.Tensor) -> torch.Tensor:
    """f(x) = 2 sin(x) + x^0.8, the curve the noisy samples come from."""
    return 2 * torch.sin(x) + x**0.8


# f̂(x) = Σ_i α(x, x_i) y_i,   α(x, x_i) = softmax_i(score(x, x_i))
#   gaussian: score = -(x - x_i)² / (2h²)      laplace: score = -|x - x_i| / h
def nadaraya_watson(
    x_query: torch.Tensor, x_key: torch.Tensor, y_value: torch.Tensor, bandwidth: float, kernel: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """Kernel regression as attention.  (Q,), (K,), (K,) → prediction (Q,), weights (Q, K)."""
    diff = x_query.unsqueeze(1) - x_key.unsqueeze(0)  # (Q, K): x - x_i for every pair
    if kernel == "gaussian":
        scores = -(diff**2) / (2 * bandwidth**2)
    elif kernel == "laplace":
        scores = -diff.abs() / bandwidth
    else:
        raise ValueError(f"kernel must be one of {', '.join(KERNELS)}, got {kernel!r}")
    weights = stable_softmax(scores, dim=-1)  # each query's weights sum to 1
    return weights @ y_value, weights


def training_points(
    n: int, noise: float, seed: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """n sorted inputs on [0, X_MAX] and noisy targets y = f(x) + ε, ε ~ N(0, noise²), drawn on the CPU."""
    g = torch.Generator().manual_seed(seed)
    x = torch.sort(torch.rand(n, generator=g) * X_MAX).values
    y = true_function(x) + noise * torch.randn(n, generator=g)
    return x.to(device), y.to(device)


FACTS = {
    "n_train": fact("训练点数", "training points"),
    "n_query": fact("查询点数", "query points"),
    "bandwidth": fact("带宽 σ", "bandwidth σ"),
    "kernel": fact("核函数", "kernel"),
    "mse_vs_truth": fact("与真实函数的均方误差", "MSE against the true function"),
    "effective_keys_per_query": fact("每个查询的有效键数", "effective keys per query"),
}


@demo(
    "kernel_regression",
    title={
        "zh": "注意力即软查找：Nadaraya–Watson 核回归",
        "en": "Attention as soft look-up: Nadaraya–Watson kernel regression",
    },
    params=(
        ParamSpec(
            "n_train",
            "int",
            40,
            {"zh": "训练点数（键）", "en": "Training points (keys)"},
            min=5,
            max=100,
            step=1,
        ),
        ParamSpec(
            "n_query", "int", 40, {"zh": "查询点数", "en": "Query points"}, min=5, max=80, step=1
        ),
        ParamSpec(
            "bandwidth",
            "float",
            0.3,
            {"zh": "核宽度 h", "en": "Kernel width h"},
            min=0.02,
            max=3.0,
            step=0.02,
        ),
        ParamSpec(
            "kernel", "choice", "gaussian", {"zh": "核函数", "en": "Kernel"}, choices=KERNELS
        ),
        ParamSpec(
            "noise",
            "float",
            0.5,
            {"zh": "噪声标准差", "en": "Noise std"},
            min=0.0,
            max=2.0,
            step=0.1,
        ),
        SEED,
    ),
    shows=(nadaraya_watson,),
    facts=FACTS,
)
def kernel_regression_demo(
    device: torch.device,
    n_train: int,
    n_query: int,
    bandwidth: float,
    kernel: str,
    noise: float,
    seed: int,
) -> Result:
    """Query points on a grid attend to noisy training points; the fit is the weighted average."""
    x_key, y_value = training_points(n_train, noise, seed, device)
    x_query = torch.linspace(0, X_MAX, n_query, device=device)
    y_hat, weights = nadaraya_watson(x_query, x_key, y_value, bandwidth, kernel)
    y_true = true_function(x_query)
    mse = float(((y_hat - y_true) ** 2).mean())
    effective = float((1.0 / (weights**2).sum(-1)).mean())  # 1/Σα² ≈ how many keys each query uses
    extras = {
        "x_key": x_key.cpu(),
        "y_value": y_value.cpu(),
        "x_query": x_query.cpu(),
        "y_hat": y_hat.cpu(),
        "y_true": y_true.cpu(),
        "x_max": X_MAX,
    }
    facts = {
        "n_train": n_train,
        "n_query": n_query,
        "bandwidth": bandwidth,
        "kernel": kernel,
        "mse_vs_truth": round(mse, 4),
        "effective_keys_per_query": round(effective, 2),
    }
    return Result(
        weights.unsqueeze(0).cpu(),
        tuple(f"{v:.2f}" for v in x_query.tolist()),
        tuple(f"{v:.2f}" for v in x_key.tolist()),
        facts=facts,
        extras=extras,
    )
