"""Q39 — masks in practice: padding, causal alignment, prefix-LM, packed documents, FlexAttention.

Every mask here is written once as a FlexAttention ``mask_mod(b, h, q_idx, kv_idx) -> bool``
(True = may attend, as in ``F.scaled_dot_product_attention``) and a score change as a
``score_mod(score, b, h, q_idx, kv_idx)``. The demo evaluates the same functions on index
grids: a mask_mod becomes an (L, S) boolean ``attn_mask`` for SDPA, a score_mod a float bias,
and the tiles a FlexAttention ``BlockMask`` would compute are counted from the boolean mask.
(FlexAttention itself gives the same outputs and tile counts; it is not run here because it
loads its compiler machinery on first use, which takes seconds.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import torch

from engine.attention import scaled_dot_product_attention
from engine.facts import fact
from engine.i18n import bi
from engine.params import N_TOKENS, SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings

MaskMod = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
ScoreMod = Callable[..., torch.Tensor]
SQUARE = ("causal", "padding", "prefix_lm", "documents")
BLOCK_N, BLOCK = 1024, 128  # the packed batch whose block sparsity is measured
SLOPE = 0.5  # the distance penalty's slope m


def causal(offset: int = 0) -> MaskMod:
    """k ≤ q + offset: offset 0 is top-left alignment (``is_causal``), S − L is bottom-right."""
    return lambda b, h, q, k: k <= q + offset


def padding(length: int) -> MaskMod:
    """k < length: keys past a sequence's true length are padding (any query may not read them)."""
    return lambda b, h, q, k: k < length


def prefix_lm(prefix: int) -> MaskMod:
    """k < prefix or k ≤ q: the prefix is read bidirectionally, the rest causally (T5, UniLM)."""
    return lambda b, h, q, k: (k < prefix) | (k <= q)


def documents(doc_id: torch.Tensor) -> MaskMod:
    """doc(q) = doc(k) and k ≤ q: packed sequences never attend across a document boundary."""
    return lambda b, h, q, k: (doc_id[q] == doc_id[k]) & (k <= q)


def doc_ids(n: int, n_docs: int) -> torch.Tensor:
    """Document index of each of n packed positions, n_docs documents of near-equal length.  → (n,)"""
    return torch.arange(n) * n_docs // n


# score'_ij = score_ij − m · |i − j|   (an ALiBi-style distance penalty, Press et al. 2022)
def distance_penalty(slope: float) -> ScoreMod:
    """A FlexAttention score_mod(score, b, h, q_idx, kv_idx) that subtracts slope · |q − k|."""
    return lambda score, b, h, q, k: score - slope * (q - k).abs()


def _grids(L: int, S: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return torch.zeros((), dtype=torch.long), torch.arange(L)[:, None], torch.arange(S)[None]


# allowed[i, j] = mask_mod(0, 0, i, j)
def materialize(mask_mod: MaskMod, L: int, S: int) -> torch.Tensor:
    """The (L, S) boolean matrix of a mask_mod, evaluated on broadcast index grids."""
    zero, q, k = _grids(L, S)
    return mask_mod(zero, zero, q, k).expand(L, S)


# bias[i, j] = score_mod(0, 0, 0, i, j): softmax(s + bias) = softmax(score_mod(s)) when additive
def score_bias(score_mod: ScoreMod, L: int, S: int) -> torch.Tensor:
    """The (L, S) float bias an additive score_mod adds to the scores, as an SDPA attn_mask."""
    zero, q, k = _grids(L, S)
    return score_mod(torch.zeros(()), zero, zero, q, k).expand(L, S).float()


def block_fraction(mask_mod: MaskMod, n: int, block: int) -> float:
    """Share of (query tile, key tile) pairs with at least one allowed cell: the tiles computed."""
    allowed = materialize(mask_mod, n, n).view(n // block, block, n // block, block)
    return float(allowed.any(dim=(1, 3)).float().mean())


def square_masks(n: int, pad: int, prefix: int, n_docs: int) -> dict[str, MaskMod]:
    """The four n × n masks shown, by name."""
    return {
        "causal": causal(),
        "padding": padding(n - pad),
        "prefix_lm": prefix_lm(prefix),
        "documents": documents(doc_ids(n, n_docs)),
    }


MASKS = {
    "causal": bi("因果", "causal"),
    "padding": bi("填充", "padding"),
    "prefix_lm": bi("前缀 LM", "prefix-LM"),
    "documents": bi("打包文档", "packed documents"),
}
FACTS = {
    "pad": fact("填充的键数", "padded keys"),
    "prefix": fact("前缀长度", "prefix length"),
    "n_docs": fact("打包的文档数", "packed documents"),
    "allowed_{mask}": fact(
        "{mask}掩码允许的格子数（共 n² 个）",
        "cells allowed by the {mask} mask (of n²)",
        names=MASKS,
    ),
    "keys_seen_by_last_query_top_left": fact(
        "左上对齐时最后一个查询看到的键数", "keys the last query sees, top-left"
    ),
    "keys_seen_by_last_query_bottom_right": fact(
        "右下对齐时最后一个查询看到的键数", "keys the last query sees, bottom-right"
    ),
    "mean_distance_plain": fact(
        "无惩罚时的平均注意距离 Σ a_ij |i − j|", "mean attended distance Σ a_ij |i − j|, no penalty"
    ),
    "mean_distance_penalty": fact(
        "距离惩罚 score_mod（m = 0.5）下的平均注意距离",
        "mean attended distance, distance-penalty score_mod (m = 0.5)",
    ),
    "tiles_computed_causal_1024": fact(
        "1,024 个词元、128 × 128 块：因果掩码需计算的块占比",
        "share of 128 × 128 tiles computed, causal, 1,024 tokens",
    ),
    "tiles_computed_documents_1024": fact(
        "1,024 个词元、128 × 128 块：4 篇打包文档需计算的块占比",
        "share of 128 × 128 tiles computed, 4 packed documents, 1,024 tokens",
    ),
}


def mean_distance(w: torch.Tensor) -> float:
    """Σ_ij a_ij |i − j| / L: how far, on average, a query's attention reaches.  (L, S) → float."""
    i, j = torch.arange(w.size(0))[:, None], torch.arange(w.size(1))[None]
    return float((w * (i - j).abs().to(w)).sum() / w.size(0))


@demo(
    "attention_masks",
    title={"zh": "实践中的掩码", "en": "Masks in practice"},
    params=(
        dataclasses.replace(N_TOKENS, default=12, min=4, max=24),
        ParamSpec("n_queries", "int", 4, {"zh": "新查询数 L（L < S 时）", "en": "New queries L (when L < S)"}, min=1, max=24, step=1),
        ParamSpec("pad", "int", 3, {"zh": "填充数", "en": "Padding"}, min=0, max=8, step=1),
        ParamSpec("prefix", "int", 4, {"zh": "前缀长度", "en": "Prefix length"}, min=0, max=24, step=1),
        ParamSpec("n_docs", "int", 3, {"zh": "打包的文档数", "en": "Packed documents"}, min=1, max=4, step=1),
        SEED,
    ),
    shows=(causal, padding, prefix_lm, documents, distance_penalty, materialize, score_bias, block_fraction),
    facts=FACTS,
)  # fmt: skip
def attention_masks_demo(
    device: torch.device,
    n_tokens: int,
    n_queries: int,
    pad: int,
    prefix: int,
    n_docs: int,
    seed: int,
) -> Result:
    """Four masks on one sequence, top-left vs bottom-right causal for L < S, a score_mod, tile counts."""
    n, L = n_tokens, min(n_queries, n_tokens)
    pad, prefix = min(pad, n - 1), min(prefix, n)
    q, k, v = (toy_embeddings(n, 16, seed + i, device) for i in range(3))  # each (n, 16)
    facts: dict = {"n": n, "L": L, "pad": pad, "prefix": prefix, "n_docs": n_docs}
    weights = []
    for name, mod in square_masks(n, pad, prefix, n_docs).items():
        allowed = materialize(mod, n, n)
        weights.append(scaled_dot_product_attention(q, k, v, attn_mask=allowed.to(device))[1])
        facts[f"allowed_{name}"] = int(allowed.sum())
    rect = {}
    for name, offset in (("top_left", 0), ("bottom_right", n - L)):
        allowed = materialize(causal(offset), L, n).to(device)
        rect[name] = scaled_dot_product_attention(q[-L:], k, v, attn_mask=allowed)[1].cpu()
        facts[f"keys_seen_by_last_query_{name}"] = int((rect[name][-1] > 0).sum())
    bias = score_bias(distance_penalty(SLOPE), n, n).to(q)  # (n, n)
    facts["mean_distance_plain"] = mean_distance(scaled_dot_product_attention(q, k, v)[1].cpu())
    w_pen = scaled_dot_product_attention(q, k, v, attn_mask=bias)[1].cpu()
    facts["mean_distance_penalty"] = mean_distance(w_pen)
    docs_mod = documents(doc_ids(BLOCK_N, 4))
    facts["tiles_computed_causal_1024"] = block_fraction(causal(), BLOCK_N, BLOCK)
    facts["tiles_computed_documents_1024"] = block_fraction(docs_mod, BLOCK_N, BLOCK)
    labels = tuple(str(i) for i in range(n))
    extras = {"rect": rect, "rect_query_labels": labels[-L:], "doc_ids": doc_ids(n, n_docs)}
    extras["penalty_weights"] = w_pen
    return Result(
        torch.stack(weights).cpu(), labels, labels, head_labels=SQUARE, facts=facts, extras=extras
    )
