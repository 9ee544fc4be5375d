"""Q9 — making attention cheaper: sparse patterns, low rank, and a fused kernel, measured."""

from __future__ import annotations

import torch

from engine import efficient as ef
from engine.facts import MS, fact
from engine.i18n import bi
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result

N_VIEW = 64  # sequence length of the weight pictures
D_MODEL = 64  # query/key/value size used for every measurement


def rank_curve(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> dict[str, list[float]]:
    """Relative error of the effective weights P' F against P, and the SVD floor, at ranks 1, 2, 4 … n."""
    n = q.size(-2)
    P = ef.full_attention(q, k, v)[1]
    ranks, linformer, floor = [], [], []
    rank = 1
    while rank <= n:
        E = ef.segment_mean_projection(n, rank, q.device)
        effective = ef.linformer_attention(q, k, v, E, E)[1] @ E  # (n, k) @ (k, n) → (n, n)
        ranks.append(rank)
        linformer.append(((effective - P).norm() / P.norm()).item())
        floor.append(((ef.best_rank_k(P, rank) - P).norm() / P.norm()).item())
        rank *= 2
    return {"ranks": ranks, "linformer": linformer, "svd_floor": floor}


def variant_weights(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int, stride: int, rank: int
) -> torch.Tensor:
    """Weights over the n keys of full, sliding-window, strided and low-rank attention.  → (4, n, n)."""
    E = ef.segment_mean_projection(k.size(-2), min(rank, k.size(-2)), k.device)
    return torch.stack(
        [
            ef.full_attention(q, k, v)[1],
            ef.sliding_window_attention(q, k, v, window)[1],
            ef.strided_attention(q, k, v, stride)[1],
            ef.linformer_attention(q, k, v, E, E)[1] @ E,  # rows still sum to 1: rows of E do
        ]
    )


VARIANT_NAMES = {
    "full": bi("完整注意力", "full"),
    "sliding_window": bi("滑动窗口", "sliding window"),
    "strided": bi("跨步稀疏", "strided"),
    "low_rank": bi("低秩", "low rank"),
    "fused": bi("融合内核", "fused"),
}
FACTS = {
    "lengths": fact("序列长度", "lengths"),
    "memory": fact("内存的算法", "memory measured as"),
    "ms_{variant}_at_{n}": fact(
        "{variant}，n = {n} 的用时", "{variant} at n = {n}", MS, VARIANT_NAMES
    ),
    "max_err_{variant}_at_{n}": fact(
        "{variant}，n = {n} 的最大误差", "max error of {variant} at n = {n}", names=VARIANT_NAMES
    ),
}


@demo(
    "efficient_attention",
    title={
        "zh": "高效注意力：稀疏、低秩与融合内核",
        "en": "Efficient attention: sparse, low-rank, fused",
    },
    params=(
        ParamSpec(
            "max_len",
            "choice",
            "512",
            {"zh": "最长序列", "en": "Longest sequence"},
            choices=("256", "512", "1024"),
        ),
        ParamSpec(
            "window", "int", 8, {"zh": "滑动窗口 w", "en": "Window w"}, min=1, max=32, step=1
        ),
        ParamSpec("stride", "int", 8, {"zh": "步长 s", "en": "Stride s"}, min=2, max=32, step=1),
        ParamSpec("rank", "int", 16, {"zh": "低秩 k", "en": "Rank k"}, min=1, max=64, step=1),
        ParamSpec(
            "sharpness",
            "float",
            1.5,
            {"zh": "注意力尖锐度", "en": "Sharpness"},
            min=0.5,
            max=2.0,
            step=0.1,
        ),
        ParamSpec(
            "repeats",
            "int",
            3,
            {"zh": "计时重复次数", "en": "Timing repeats"},
            min=1,
            max=5,
            step=1,
        ),
        SEED,
    ),
    shows=(
        ef.sliding_window_attention,
        ef.strided_attention,
        ef.linformer_attention,
        ef.segment_mean_projection,
        ef.sliding_window_attention_blocked,
        ef.strided_attention_blocked,
        ef.fused_attention,
        ef.measure_variants,
    ),
    facts=FACTS,
)
def efficient_attention_demo(
    device: torch.device,
    max_len: str,
    window: int,
    stride: int,
    rank: int,
    sharpness: float,
    repeats: int,
    seed: int,
) -> Result:
    """Weights of each variant on a 64-token sequence; time, memory and error from 128 to max_len."""
    q, k, v = ef.structured_inputs(N_VIEW, D_MODEL, seed, sharpness, device)
    weights = variant_weights(q, k, v, window, stride, rank)
    lengths = [n for n in (128, 256, 512, 1024) if n <= int(max_len)]
    rows = [
        r
        for n in lengths
        for r in ef.measure_variants(n, device, window, stride, rank, repeats, seed, sharpness)
    ]
    longest = [r for r in rows if r["n"] == lengths[-1]]
    facts = {
        "d": D_MODEL,
        "lengths": ", ".join(map(str, lengths)),
        "memory": "measured peak (CUDA)"
        if device.type == "cuda"
        else "score-matrix bytes from shapes",
        **{f"ms_{r['variant']}_at_{r['n']}": r["median_ms"] for r in longest},
        **{
            f"max_err_{r['variant']}_at_{r['n']}": float(f"{r['max_abs_err']:.3g}") for r in longest
        },
    }
    labels = tuple(str(i) for i in range(N_VIEW))
    heads = (
        "full",
        f"sliding window w={window}",
        f"strided s={stride}",
        f"low rank k={min(rank, N_VIEW)}",
    )
    extras = {
        "rows": rows,
        "rank_curve": rank_curve(q, k, v),
        "view_rank": min(rank, N_VIEW),
        "params": {"window": window, "stride": stride, "rank": min(rank, N_VIEW)},
    }
    return Result(weights.cpu(), labels, labels, heads, facts=facts, extras=extras)
