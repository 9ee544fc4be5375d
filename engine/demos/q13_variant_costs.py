"""Q13 — how to evaluate an attention variant: what it costs and how it spreads its weights.

Seven variants run as one self-attention layer (projections, attention, output projection) on
the same tokens. For each: the floating-point operations of its matrix products worked out
from the shapes (2 per multiply–add), parameters, the bytes of the score matrix and of the
key/value cache it keeps, the median time, and the mean entropy of its attention rows (a
measure of how spread out the weights are; log L is uniform).

Shapes: N batch, L tokens, d model size, h query heads, g key/value heads, d_k = d / h.
"""

from __future__ import annotations

import contextlib
import math

import torch

from engine import efficient as ef
from engine.attention import MHAParams, init_mha_params, scaled_dot_product_attention
from engine.devices import median_ms
from engine.facts import NATS, fact
from engine.i18n import bi
from engine.layers import sinusoidal_positions
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.softmax import entropy
from engine.text import toy_embeddings, toy_tokens

VARIANTS = ("MHA", "GQA", "MQA", "sliding_window", "strided", "low_rank", "additive")


# head i uses key/value head ⌊i · g / h⌋:  MHA is g = h, multi-query attention (MQA) is g = 1
def grouped_query_attention(
    x: torch.Tensor, p: MHAParams, h: int, g: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Grouped-query attention.  x (N, L, d); p.W_k, p.W_v are (d, g·d_k).  → (N, L, d), (N, h, L, L)."""
    N, L, d = x.shape
    d_k = d // h
    q = (x @ p.W_q).view(N, L, h, d_k).transpose(1, 2)  # (N, h, L, d_k)
    k = (x @ p.W_k).view(N, L, g, d_k).transpose(1, 2)  # (N, g, L, d_k)
    v = (x @ p.W_v).view(N, L, g, d_k).transpose(1, 2)  # (N, g, L, d_k)
    k, v = k.repeat_interleave(h // g, dim=1), v.repeat_interleave(h // g, dim=1)  # (N, h, L, d_k)
    out, weights = scaled_dot_product_attention(q, k, v)
    return out.transpose(1, 2).reshape(N, L, d) @ p.W_o, weights  # concat heads, then W_o


# e_ij = vᵀ tanh(x_i W_1 + x_j W_2),  α_i = softmax_j(e_ij),  out_i = (Σ_j α_ij x_j W_v) W_o
def additive_self_attention(
    x: torch.Tensor,
    W_1: torch.Tensor,
    W_2: torch.Tensor,
    v: torch.Tensor,
    W_v: torch.Tensor,
    W_o: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Bahdanau-style scores between every pair.  x (N, L, d), W_1, W_2 (d, d_a), v (d_a,).

    → (N, L, d), weights (N, 1, L, L).  The (N, L, L, d_a) tanh tensor is what makes it costly.
    """
    e = (
        torch.tanh((x @ W_1).unsqueeze(2) + (x @ W_2).unsqueeze(1)) @ v
    )  # (N, L, L, d_a) → (N, L, L)
    weights = torch.softmax(e, dim=-1)
    return (weights @ (x @ W_v)) @ W_o, weights.unsqueeze(1)


def split_heads(x: torch.Tensor, p: MHAParams, h: int) -> tuple[torch.Tensor, ...]:
    """Q, K, V of every head.  (N, L, d) → three (N, h, L, d_k)."""
    N, L, d = x.shape
    return tuple((x @ W).view(N, L, h, d // h).transpose(1, 2) for W in (p.W_q, p.W_k, p.W_v))


def merge_heads(out: torch.Tensor, p: MHAParams) -> torch.Tensor:
    """(N, h, L, d_k) → concat heads (N, L, d) → W_o."""
    N, h, L, d_k = out.shape
    return out.transpose(1, 2).reshape(N, L, h * d_k) @ p.W_o


def variant_runs(
    x: torch.Tensor, p: MHAParams, v_a: torch.Tensor, h: int, window: int, stride: int, rank: int
) -> dict:
    """Each variant as a pair ``(run, weights)``: ``run() → out (N, L, d)`` is what is measured,
    ``weights() → (N, heads, L, L)`` is what is drawn.  All share the projections in ``p``.

    Sliding window and strided run the blocked kernels (only allowed scores are computed);
    their dense weights come from the teaching versions, which tests prove equal.
    """
    L, d = x.shape[-2:]
    d_k, g = d // h, max(1, h // 2)

    def narrow(groups: int) -> MHAParams:  # key/value projections for ``groups`` heads only
        return MHAParams(p.W_q, p.W_k[:, : groups * d_k], p.W_v[:, : groups * d_k], p.W_o)

    def gqa(groups: int) -> tuple:
        return (
            lambda: grouped_query_attention(x, narrow(groups), h, groups)[0],
            lambda: grouped_query_attention(x, narrow(groups), h, groups)[1],
        )

    def sparse(fast, teach, arg) -> tuple:
        return (
            lambda: merge_heads(fast(*split_heads(x, p, h), arg)[0], p),
            lambda: teach(*split_heads(x, p, h), arg)[1],
        )

    E = ef.segment_mean_projection(L, rank, x.device)  # (k, L); Linformer learns E and F
    return {
        "MHA": gqa(h),
        "GQA": gqa(g),
        "MQA": gqa(1),
        "sliding_window": sparse(
            ef.sliding_window_attention_blocked, ef.sliding_window_attention, window
        ),
        "strided": sparse(ef.strided_attention_blocked, ef.strided_attention, stride),
        "low_rank": (
            lambda: merge_heads(ef.linformer_attention(*split_heads(x, p, h), E, E)[0], p),
            lambda: ef.linformer_attention(*split_heads(x, p, h), E, E)[1] @ E,
        ),
        "additive": (
            lambda: additive_self_attention(x, p.W_q, p.W_k, v_a, p.W_v, p.W_o)[0],
            lambda: additive_self_attention(x, p.W_q, p.W_k, v_a, p.W_v, p.W_o)[1],
        ),
    }


# FLOPs of a product (m × n) @ (n × p): 2·m·n·p (one multiply and one add per term)
def flop_counts(L: int, d: int, h: int, window: int, stride: int, rank: int) -> dict[str, int]:
    """FLOPs of each variant's matrix products for one sequence of L tokens (h·d_k = d).

    Projections x W_q, x W_k, x W_v, W_o: 2·L·d² each (GQA: x W_k, x W_v 2·L·d·g·d_k each);
    scores Q Kᵀ and sums P V: 2·L·S·d each over all heads, S = keys each query is scored
    against (the zero-padded blocks of the blocked kernels included).
    """
    d_k, g = d // h, max(1, h // 2)
    proj = 8 * L * d * d  # x W_q, x W_k, x W_v, (concat heads) W_o
    b = max(window, 1)  # sliding window: ⌈L/b⌉ blocks of b queries, each scored against 3b keys
    nb = math.ceil(L / b)
    ns = math.ceil(L / stride)  # strided: 3s local keys + ⌈L/s⌉ keys of the same residue

    def gqa(groups: int) -> int:  # x W_q, W_o: 2·L·d²; x W_k, x W_v: 2·L·d·groups·d_k; Q Kᵀ, P V
        return 4 * L * d * d + 4 * L * d * groups * d_k + 4 * L * L * d

    return {
        "MHA": gqa(h),
        "GQA": gqa(g),
        "MQA": gqa(1),
        "sliding_window": proj + 4 * (nb * b) * (3 * b) * d,
        "strided": proj + 4 * (ns * stride) * (3 * stride + ns) * d,
        # E K and F V: 2·k·L·d each; then Q (E K)ᵀ and P (F V): 2·L·k·d each
        "low_rank": proj + 8 * rank * L * d,
        # x W_1, x W_2, x W_v, W_o (d_a = d): 8·L·d²; e = tanh(·) v: 2·L²·d; P (x W_v): 2·L²·d
        "additive": proj + 4 * L * L * d,
    }


def static_costs(
    L: int, d: int, h: int, window: int, stride: int, rank: int
) -> dict[str, dict[str, int]]:
    """Parameters, score elements and key/value elements kept, from the shapes of each variant.

    Keys/values kept: what the layer holds to attend with — a rolling buffer of w + 1 tokens for
    causal sliding-window decoding, the k projected rows for Linformer.
    """
    d_k, g = d // h, max(1, h // 2)
    band, strided, lr = (
        ef.score_bytes(n, L, window, stride, rank, 1)
        for n in ("sliding_window", "strided", "low_rank")
    )
    return {
        "MHA": {"params": 4 * d * d, "scores": h * L * L, "kv": 2 * L * d},
        "GQA": {"params": 2 * d * d + 2 * d * g * d_k, "scores": h * L * L, "kv": 2 * L * g * d_k},
        "MQA": {"params": 2 * d * d + 2 * d * d_k, "scores": h * L * L, "kv": 2 * L * d_k},
        "sliding_window": {
            "params": 4 * d * d,
            "scores": h * band,
            "kv": 2 * min(window + 1, L) * d,
        },
        "strided": {"params": 4 * d * d, "scores": h * strided, "kv": 2 * L * d},
        "low_rank": {"params": 4 * d * d + 2 * rank * L, "scores": h * lr, "kv": 2 * rank * d},
        "additive": {"params": 4 * d * d + d, "scores": L * L * d, "kv": 2 * L * d},
    }


def measure(run, device: torch.device, repeats: int = 3) -> float:
    """Median time of ``run`` over ``repeats`` runs after one warm-up run (ms)."""
    return median_ms(run, device, repeats, warmup=True)


def cost_table(
    runs: dict, costs: dict, flops: dict[str, int], device: torch.device
) -> tuple[list[dict], list[torch.Tensor]]:
    """One row per variant (FLOPs, parameters, ms, memory, entropy) and its head-averaged weights (L, L)."""
    rows, pictures = [], []
    for name, (run, weights) in runs.items():
        ms = measure(run, device)
        w = weights()[0]  # (heads, L, L)
        pictures.append(w.mean(0))
        c = costs[name]
        rows.append(
            {
                "variant": name,
                "flops": flops[name],
                "params": c["params"],
                "ms": round(ms, 3),
                "score_kib": c["scores"] * 4 / 1024,
                "kv_kib": c["kv"] * 4 / 1024,
                "entropy": round(float(entropy(w).mean()), 4),
            }
        )
    return rows, pictures


VARIANT_NAMES = {
    "MHA": bi("MHA 多头", "MHA"),
    "GQA": bi("GQA 分组查询", "GQA"),
    "MQA": bi("MQA 多查询", "MQA"),
    "sliding_window": bi("滑动窗口", "sliding window"),
    "strided": bi("跨步稀疏", "strided"),
    "low_rank": bi("低秩", "low rank"),
    "additive": bi("加性", "additive"),
}
FACTS = {
    "uniform_entropy": fact("均匀分布的熵", "entropy of the uniform", NATS),
    "gflops_{variant}": fact(
        "{variant} 的计算量", "{variant}", ("GFLOPs", "GFLOPs"), VARIANT_NAMES
    ),
}


@demo(
    "variant_costs",
    title={
        "zh": "注意力变体的代价：FLOPs、参数、内存与熵",
        "en": "Costs of attention variants: FLOPs, parameters, memory, entropy",
    },
    params=(
        ParamSpec(
            "n_tokens", "int", 64, {"zh": "词元数 L", "en": "Tokens L"}, min=16, max=256, step=16
        ),
        ParamSpec(
            "d_model",
            "choice",
            "64",
            {"zh": "模型维度 d", "en": "Model size d"},
            choices=("32", "64", "128"),
        ),
        ParamSpec(
            "heads", "choice", "4", {"zh": "头数 h", "en": "Heads h"}, choices=("2", "4", "8")
        ),
        ParamSpec(
            "window", "int", 4, {"zh": "滑动窗口 w", "en": "Window w"}, min=1, max=32, step=1
        ),
        ParamSpec("stride", "int", 8, {"zh": "步长 s", "en": "Stride s"}, min=2, max=16, step=1),
        ParamSpec("rank", "int", 8, {"zh": "低秩 k", "en": "Rank k"}, min=1, max=16, step=1),
        SEED,
    ),
    shows=(
        grouped_query_attention,
        additive_self_attention,
        flop_counts,
        static_costs,
        entropy,
        measure,
        cost_table,
    ),
    facts=FACTS,
)
def variant_costs_demo(
    device: torch.device,
    n_tokens: int,
    d_model: str,
    heads: str,
    window: int,
    stride: int,
    rank: int,
    seed: int,
) -> Result:
    """One layer of each variant on the same L tokens: a table of costs and the head-averaged weights."""
    L, d, h = n_tokens, int(d_model), int(heads)
    x = (
        (toy_embeddings(L, d, seed) + sinusoidal_positions(L, d)).unsqueeze(0).to(device)
    )  # (1, L, d)
    p = init_mha_params(d, seed + 1, device)
    v_a = toy_embeddings(1, d, seed + 2, device)[0] / math.sqrt(d)  # (d,)
    threads = ef.one_cpu_thread() if device.type == "cpu" else contextlib.nullcontext()
    with torch.no_grad(), threads:  # one CPU thread: steadier timings on a shared machine
        runs = variant_runs(x, p, v_a, h, window, stride, rank)
        costs = static_costs(L, d, h, window, stride, rank)
        rows, pictures = cost_table(runs, costs, flop_counts(L, d, h, window, stride, rank), device)
    facts = {
        "L": L,
        "d": d,
        "h": h,
        "uniform_entropy": round(math.log(L), 4),
        **{f"gflops_{r['variant']}": round(r["flops"] / 1e9, 5) for r in rows},
    }
    tokens = tuple(toy_tokens(L))
    weights = torch.stack(pictures).cpu()  # (7, L, L), each averaged over heads
    return Result(weights, tokens, tokens, VARIANTS, facts=facts, extras={"rows": rows})
