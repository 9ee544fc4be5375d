"""Q33 — position as a bias on the scores: ALiBi's per-head slopes and T5's relative buckets.

Instead of adding position vectors to the input, both add a number to each score q_i·k_j that
depends only on the distance i − j. ALiBi's number is fixed, −m_h·(i − j), with a different slope
m_h per head; T5 learns one number per head and *bucket* of distances, the buckets exact for
small distances and logarithmically wider up to ``max_distance``, where they stop growing.
"""

from __future__ import annotations

import math

import torch

from engine.facts import fact
from engine.masks import causal_mask
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.softmax import stable_softmax


# H a power of 2:  m_h = 2^(−8h/H), h = 1 … H.   Otherwise (H' = 2^⌊log₂H⌋): the H' slopes of H',
# then the odd-numbered slopes of 2H' (those not already used), until there are H.
def alibi_slopes(n_heads: int) -> torch.Tensor:
    """ALiBi's head-specific slopes, steepest first.  → (H,)."""
    if n_heads < 1:
        raise ValueError(f"n_heads must be >= 1, got {n_heads}")
    p = 2 ** math.floor(math.log2(n_heads))  # largest power of 2 ≤ H

    def geometric(n: int) -> list[float]:
        return [2 ** (-8 * h / n) for h in range(1, n + 1)]

    extra = geometric(2 * p)[0::2][: n_heads - p]  # 2^(−4/p·(2k+1)/2)… the ones between
    return torch.tensor(geometric(p) + extra, dtype=torch.float64)


# B[h, i, j] = −m_h · (i − j)  for j ≤ i  (query i, key j; added to q_i·k_j/√d before the softmax)
def alibi_bias(slopes: torch.Tensor, L: int, S: int | None = None) -> torch.Tensor:
    """Linear distance penalty per head, the query block aligned with the last L keys.  → (H, L, S)."""
    S = L if S is None else S
    i = torch.arange(L, dtype=slopes.dtype)[:, None] + (S - L)  # (L, 1) query positions
    j = torch.arange(S, dtype=slopes.dtype)[None, :]  # (1, S) key positions
    return -slopes[:, None, None] * (i - j)  # (H, L, S); future keys are masked separately


# T5: n = buckets (halved, one half per direction, if bidirectional); distances < n/2 get a bucket each;
# then bucket = n/2 + ⌊ln(r / (n/2)) / ln(max_distance / (n/2)) · (n − n/2)⌋, capped at n − 1
def t5_bucket(
    relative_position: torch.Tensor,
    bidirectional: bool = True,
    num_buckets: int = 32,
    max_distance: int = 128,
) -> torch.Tensor:
    """Bucket index of each relative position (key − query).  Integer tensor → same shape."""
    n, bucket = num_buckets, torch.zeros_like(relative_position)
    if bidirectional:
        n //= 2
        bucket = bucket + (relative_position > 0).long() * n  # keys after the query: upper half
        r = relative_position.abs()
    else:
        r = (-relative_position).clamp_min(0)  # only the past has distinct buckets
    exact = n // 2
    log_bucket = (
        exact
        + (
            torch.log(r.float().clamp_min(1) / exact) / math.log(max_distance / exact) * (n - exact)
        ).long()
    )
    log_bucket = log_bucket.clamp_max(n - 1)  # every distance ≥ max_distance shares the last bucket
    return bucket + torch.where(r < exact, r, log_bucket)


def relative_positions(L: int, S: int | None = None) -> torch.Tensor:
    """rel[i, j] = j − i (key minus query), the argument of :func:`t5_bucket`.  → (L, S) long."""
    S = L if S is None else S
    return torch.arange(S)[None, :] - torch.arange(L)[:, None]


# mass that a query at position t gives to keys more than D behind it, bias only (content scores equal)
def far_mass(slopes: torch.Tensor, t: int, D: int) -> torch.Tensor:
    """Per head: Σ_{j < t−D} softmax(−m (t − j)) over keys 0 … t.  → (H,)."""
    bias = alibi_bias(slopes, 1, t + 1)[:, 0]  # (H, t + 1): the last query's row
    w = torch.softmax(bias, dim=-1)
    return w[:, : max(t - D, 0)].sum(-1)


FACTS = {
    "slope_first": fact("第一个头的斜率 m", "slope m of the first head"),
    "slope_last": fact("最后一个头的斜率 m", "slope m of the last head"),
    "far_mass_first_head": fact(
        "第一个头落在 L 之前的权重（查询位于 2L）",
        "weight the first head puts more than L back (query at 2L)",
    ),
    "far_mass_last_head": fact(
        "最后一个头落在 L 之前的权重（查询位于 2L）",
        "weight the last head puts more than L back (query at 2L)",
    ),
    "t5_buckets_used": fact("T5 用到的桶数", "T5 buckets used"),
    "t5_bucket_at_max_distance": fact(
        "距离为最大距离时的 T5 桶号", "T5 bucket at the max distance"
    ),
}


@demo(
    "alibi_t5_bias",
    title={"zh": "ALiBi 与相对位置偏置", "en": "ALiBi and relative position biases"},
    params=(
        ParamSpec("n_heads", "int", 8, {"zh": "头数 H", "en": "Heads H"}, min=1, max=16, step=1),
        ParamSpec("n_tokens", "int", 16, {"zh": "词元数", "en": "Tokens"}, min=4, max=48, step=1),
        ParamSpec(
            "train_len",
            "int",
            512,
            {"zh": "训练长度 L", "en": "Training length L"},
            min=16,
            max=2048,
            step=16,
        ),
        ParamSpec(
            "num_buckets",
            "choice",
            "32",
            {"zh": "T5 桶数", "en": "T5 buckets"},
            choices=("8", "16", "32", "64"),
        ),
        ParamSpec(
            "max_distance",
            "int",
            128,
            {"zh": "T5 最大距离", "en": "T5 max distance"},
            min=16,
            max=512,
            step=16,
        ),
        ParamSpec("bidirectional", "bool", True, {"zh": "T5 双向", "en": "T5 bidirectional"}),
    ),
    shows=(alibi_slopes, alibi_bias, t5_bucket, far_mass),
    facts=FACTS,
)
def alibi_t5_bias_demo(
    device: torch.device,
    n_heads: int,
    n_tokens: int,
    train_len: int,
    num_buckets: str,
    max_distance: int,
    bidirectional: bool,
) -> Result:
    """ALiBi attention from the bias alone (equal content scores), slopes, far mass at 2L, T5 buckets."""
    slopes = alibi_slopes(n_heads)
    bias = alibi_bias(slopes, n_tokens).float().to(device)  # (H, n, n)
    allowed = causal_mask(n_tokens, device=device)
    w = stable_softmax(bias, dim=-1, mask=allowed.expand_as(bias))  # rows sum to 1
    nb = int(num_buckets)
    span = torch.arange(-2 * max_distance, 2 * max_distance + 1)  # relative positions key − query
    buckets = t5_bucket(span, bidirectional, nb, max_distance)
    far = far_mass(slopes, 2 * train_len, train_len)
    facts = {
        "slope_first": float(slopes[0]),
        "slope_last": float(slopes[-1]),
        "far_mass_first_head": float(far[0]),
        "far_mass_last_head": float(far[-1]),
        "t5_buckets_used": int(buckets.unique().numel()),
        "t5_bucket_at_max_distance": int(
            t5_bucket(torch.tensor(-max_distance), bidirectional, nb, max_distance)
        ),
    }
    extras = {
        "slopes": slopes.float(),
        "far_mass": far.float(),
        "relative": span,
        "buckets": buckets,
        "bucket_matrix": t5_bucket(relative_positions(n_tokens), bidirectional, nb, max_distance),
        "train_len": train_len,
        "max_distance": max_distance,
    }
    labels = tuple(str(i) for i in range(n_tokens))
    heads = tuple(f"m = 2^{math.log2(m):.3g}" for m in slopes.tolist())
    return Result(w.cpu(), labels, labels, head_labels=heads, facts=facts, extras=extras)
