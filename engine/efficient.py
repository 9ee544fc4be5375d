"""Cheaper attention: sliding window, strided sparse, low rank (Linformer) and the fused kernel.

Each variant has a *teaching* version that builds its mask with :mod:`engine.masks` and calls the
plain :func:`~engine.attention.scaled_dot_product_attention` — easy to read, but it still fills the
whole L × L score matrix — and, where the pattern allows, a *blocked* version that computes only
the allowed scores. Tests prove every fast version equal to its teaching version.

Shapes: q, k, v are (..., L, E), (..., L, E), (..., L, Ev) (self-attention, so S = L); the output
is (..., L, Ev).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from engine import masks
from engine.attention import scaled_dot_product_attention
from engine.devices import median_ms, one_cpu_thread
from engine.softmax import stable_softmax

Attn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


# ── teaching versions ─────────────────────────────────────────────────────────────────────────


def full_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(Q Kᵀ/√E) V — every query scores every key: L² scores.  → (..., L, Ev), (..., L, L)."""
    return scaled_dot_product_attention(q, k, v)


def sliding_window_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(Q Kᵀ/√E + M) V with M allowing |i − j| ≤ w.  → (..., L, Ev), (..., L, L)."""
    mask = masks.sliding_window_mask(q.size(-2), window, k.size(-2), device=q.device)
    return scaled_dot_product_attention(q, k, v, attn_mask=mask)


def strided_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, stride: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sparse Transformer pattern: |i − j| < s  or  i ≡ j (mod s).  → (..., L, Ev), (..., L, L)."""
    mask = masks.strided_mask(q.size(-2), stride, k.size(-2), device=q.device)
    return scaled_dot_product_attention(q, k, v, attn_mask=mask)


def segment_mean_projection(n: int, rank: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """E[s, j] = 1/|seg_s| if key j lies in segment s (rank contiguous segments), else 0.  → (rank, n).

    Every row sums to 1, so E K is a set of ``rank`` averaged keys; rank = n gives E = I.
    """
    if not 1 <= rank <= n:
        raise ValueError(f"rank must be between 1 and n={n}, got {rank}")
    seg = torch.arange(n, device=device) * rank // n  # segment of each key: (n,)
    onehot = (seg.unsqueeze(0) == torch.arange(rank, device=device).unsqueeze(1)).float()
    return onehot / onehot.sum(dim=1, keepdim=True)  # (rank, n)


# Linformer (Wang et al. 2020):  softmax(Q (E K)ᵀ / √E) (F V),  E, F ∈ ℝ^{k×n}
def linformer_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, E: torch.Tensor, F_: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Keys and values projected along the sequence to rank k: L·k scores, not L².

    (..., L, E), (..., n, E), (..., n, Ev), E (k, n), F (k, n) → (..., L, Ev), weights (..., L, k).
    The weights over the original n values are ``weights @ F``.
    """
    return scaled_dot_product_attention(q, E @ k, F_ @ v)  # E @ k: (..., k, E)


def fused_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """PyTorch's fused kernel (flash / memory-efficient / math backend, chosen by PyTorch).

    Same numbers as :func:`full_attention`, but the L × L weights are never handed back.
    """
    return F.scaled_dot_product_attention(q, k, v)


# ── blocked versions: only the allowed scores are computed ──────────────────────────────────


def _query_blocks(x: torch.Tensor, b: int, nb: int) -> torch.Tensor:
    """(..., L, E) zero-padded to nb·b rows and cut into blocks → (..., nb, b, E)."""
    return F.pad(x, (0, 0, 0, nb * b - x.size(-2))).unflatten(-2, (nb, b))


def _key_blocks(x: torch.Tensor, b: int, nb: int) -> torch.Tensor:
    """Rows (c−1)b … (c+2)b − 1 of x for every block c (zeros outside) → (..., nb, E, 3b)."""
    padded = F.pad(x, (0, 0, b, b + nb * b - x.size(-2)))  # (..., (nb + 2) b, E)
    return padded.unfold(-2, 3 * b, b)  # a view: window c starts at row c·b of the padded rows


def _band_positions(nb: int, b: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Query positions (nb, b, 1) and key positions (nb, 1, 3b) of the blocked band layout."""
    qpos = torch.arange(nb * b, device=device).view(nb, b, 1)
    kpos = (torch.arange(nb, device=device).view(nb, 1, 1) - 1) * b
    return qpos, kpos + torch.arange(3 * b, device=device).view(1, 1, 3 * b)


def sliding_window_attention_blocked(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Same numbers as :func:`sliding_window_attention`, computing L · 3b scores instead of L².

    Queries in block c (size b = max(w, 1)) can only reach key blocks c−1, c, c+1.
    → (..., L, Ev), band weights (..., ⌈L/b⌉, b, 3b).
    """
    L, E = q.shape[-2:]
    b = max(window, 1)
    nb = math.ceil(L / b)
    qb = _query_blocks(q, b, nb)  # (..., nb, b, E)
    kb, vb = _key_blocks(k, b, nb), _key_blocks(v, b, nb)  # (..., nb, E, 3b), (..., nb, Ev, 3b)
    qpos, kpos = _band_positions(nb, b, q.device)
    allowed = ((qpos - kpos).abs() <= window) & (kpos >= 0) & (kpos < L)  # the rule of the mask
    scores = (qb @ kb) / math.sqrt(E)  # (..., nb, b, 3b)
    weights = stable_softmax(scores, mask=allowed.expand_as(scores))
    out = weights @ vb.transpose(-2, -1)  # (..., nb, b, Ev)
    return out.flatten(-3, -2)[..., :L, :], weights


def strided_attention_blocked(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, stride: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Same numbers as :func:`strided_attention`, computing L · (3s + L/s) scores (≈ L^1.5 at s ≈ √L).

    One softmax over two score sets: the local band |i − j| < s (blocks of s), and the keys
    j ≡ i (mod s) found by grouping queries and keys by residue (j = i is counted once, locally).
    → (..., L, Ev), weights (..., ⌈L/s⌉, s, 3s + ⌈L/s⌉).
    """
    L, E = q.shape[-2:]
    s, nb = stride, math.ceil(L / stride)
    qb = _query_blocks(q, s, nb)  # (..., nb, s, E): query a·s + r
    kb, vb = _key_blocks(k, s, nb), _key_blocks(v, s, nb)  # (..., nb, E, 3s)
    qpos, kpos = _band_positions(nb, s, q.device)
    local_ok = ((qpos - kpos).abs() < s) & (kpos >= 0) & (kpos < L)  # (nb, s, 3s)
    kg, vg = _query_blocks(k, s, nb), _query_blocks(v, s, nb)  # (..., nb, s, ·): key m·s + r
    by_residue = qb.transpose(-3, -2) @ kg.transpose(-3, -2).transpose(-2, -1)  # (..., s, nb, nb)
    strided_ok = _residue_allowed(nb, s, L, q.device)  # (nb, s, nb)
    scores = torch.cat([qb @ kb, by_residue.transpose(-3, -2)], dim=-1) / math.sqrt(E)
    allowed = torch.cat([local_ok, strided_ok], dim=-1)  # (nb, s, 3s + nb)
    weights = stable_softmax(scores, mask=allowed.expand_as(scores))
    w_local, w_strided = weights.split([3 * s, nb], dim=-1)
    out_strided = w_strided.transpose(-3, -2) @ vg.transpose(-3, -2)  # (..., s, nb, Ev)
    out = w_local @ vb.transpose(-2, -1) + out_strided.transpose(-3, -2)  # (..., nb, s, Ev)
    return out.flatten(-3, -2)[..., :L, :], weights


def _residue_allowed(nb: int, s: int, L: int, device: torch.device) -> torch.Tensor:
    """Query a·s + r may use key m·s + r when m ≠ a and the key exists.  → (nb, s, nb) bool."""
    a = torch.arange(nb, device=device).view(nb, 1, 1)
    r = torch.arange(s, device=device).view(1, s, 1)
    m = torch.arange(nb, device=device).view(1, 1, nb)
    return (m != a) & (r + m * s < L)


# ── how good can any rank-k method be? ──────────────────────────────────────────────────────


def best_rank_k(P: torch.Tensor, rank: int) -> torch.Tensor:
    """P_k = U_k Σ_k V_kᵀ, the truncated SVD.  (L, S) → (L, S).

    Eckart–Young: no matrix of rank ≤ k is closer to P in Frobenius norm, so
    ‖P − P_k‖_F = √(Σ_{i>k} σ_i²) is a floor for every rank-k method (Linformer's P' F included).
    """
    U, sigma, Vh = torch.linalg.svd(P, full_matrices=False)
    return U[:, :rank] @ torch.diag(sigma[:rank]) @ Vh[:rank]


# ── measuring: the same inputs, time, memory and error per variant ────────────────────────────

VARIANTS = ("full", "sliding_window", "strided", "low_rank", "fused")


def structured_inputs(
    n: int, d: int, seed: int, sharpness: float = 1.0, device: torch.device | str = "cpu"
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """q = k = sharpness · (PE + 0.5 · noise), v = noise: attention that favours nearby tokens.

    PE are the sinusoidal positions of the 2017 paper, so PE_i · PE_j falls with |i − j|.
    Drawn on the CPU from ``seed``, then moved.  → (n, d) each.
    """
    g = torch.Generator().manual_seed(seed)
    pos = torch.arange(n, dtype=torch.float32).unsqueeze(1)  # (n, 1)
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2, dtype=torch.float32) / d)
    pe = torch.cat([torch.sin(pos * freq), torch.cos(pos * freq)], dim=1)[:, :d]  # (n, d)
    x = sharpness * (pe + 0.5 * torch.randn(n, d, generator=g))
    v = torch.randn(n, d, generator=g)
    return x.to(device), x.to(device), v.to(device)


def variant_functions(window: int, stride: int, rank: int) -> dict[str, Attn]:
    """Each variant as ``(q, k, v) → out``, using the blocked kernels where they exist."""

    def low_rank(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        E = segment_mean_projection(k.size(-2), min(rank, k.size(-2)), k.device)  # (k, n)
        return linformer_attention(q, k, v, E, E)[0]

    return {
        "full": lambda q, k, v: full_attention(q, k, v)[0],
        "sliding_window": lambda q, k, v: sliding_window_attention_blocked(q, k, v, window)[0],
        "strided": lambda q, k, v: strided_attention_blocked(q, k, v, stride)[0],
        "low_rank": low_rank,
        "fused": fused_attention,
    }


def score_bytes(
    variant: str, n: int, window: int, stride: int, rank: int, itemsize: int = 4
) -> int:
    """Bytes of the score matrix a variant materialises (0 for the fused kernel, which tiles)."""
    b = max(window, 1)
    counts = {
        "full": n * n,
        "sliding_window": math.ceil(n / b) * b * 3 * b,
        "strided": math.ceil(n / stride) * stride * (3 * stride + math.ceil(n / stride)),
        "low_rank": n * min(rank, n),
        "fused": 0,
    }
    return counts[variant] * itemsize


def peak_mib(fn: Callable[[], object], device: torch.device) -> float:
    """CUDA only: peak memory allocated while ``fn`` runs, above what was allocated before, MiB."""
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    before = torch.cuda.memory_allocated(device)
    fn()
    torch.cuda.synchronize(device)
    return (torch.cuda.max_memory_allocated(device) - before) / 2**20


def measure_variants(
    n: int,
    device: torch.device,
    window: int,
    stride: int,
    rank: int,
    repeats: int,
    seed: int = 0,
    sharpness: float = 1.5,
) -> list[dict]:
    """Time, memory and error of every variant at sequence length ``n`` (d = 64).

    Memory: measured peak on CUDA (``memory`` = "measured"); elsewhere the bytes of the
    materialised score matrix, computed from the shapes (``memory`` = "score matrix").
    CPU timings run on one thread (see :func:`one_cpu_thread`).
    """
    q, k, v = structured_inputs(n, 64, seed, sharpness, device)
    threads = one_cpu_thread() if device.type == "cpu" else contextlib.nullcontext()
    with torch.no_grad(), threads:
        reference = full_attention(q, k, v)[0]
        rows = []
        for name, fn in variant_functions(window, stride, rank).items():
            run = lambda fn=fn: fn(q, k, v)  # noqa: E731
            ms = median_ms(run, device, repeats)
            if device.type == "cuda":
                mib, how = peak_mib(run, device), "measured"
            else:
                mib, how = score_bytes(name, n, window, stride, rank) / 2**20, "score matrix"
            err = (run() - reference).abs().max().item()
            rows.append(
                {
                    "variant": name,
                    "n": n,
                    "median_ms": round(ms, 4),
                    "peak_mib": round(mib, 4),
                    "memory": how,
                    "max_abs_err": err,
                }
            )
    return rows
