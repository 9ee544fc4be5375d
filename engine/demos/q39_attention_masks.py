"""Q39 — masks in practice: padding, causal alignment, prefix-LM, packed documents, FlexAttention.

Every mask here is written once as a FlexAttention ``mask_mod(b, h, q_idx, kv_idx) -> bool``
(True = may attend, as in ``F.scaled_dot_product_attention``). The same function is
materialised into an (L, S) boolean matrix for SDPA and compiled into a ``BlockMask`` that
lets FlexAttention skip whole tiles of keys that no query of the tile may see.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch

from engine.attention import scaled_dot_product_attention
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings

MaskMod = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
SQUARE = ("causal", "padding", "prefix_lm", "documents")
BLOCK_N, BLOCK = 1024, 128  # the packed batch whose block sparsity is measured


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
def distance_penalty(slope: float) -> Callable[..., torch.Tensor]:
    """A FlexAttention score_mod(score, b, h, q_idx, kv_idx) that subtracts slope · |q − k|."""
    return lambda score, b, h, q, k: score - slope * (q - k).abs()


# allowed[i, j] = mask_mod(0, 0, i, j)
def materialize(mask_mod: MaskMod, L: int, S: int) -> torch.Tensor:
    """The (L, S) boolean matrix of a mask_mod, evaluated on broadcast index grids."""
    q, k = torch.arange(L)[:, None], torch.arange(S)[None]
    zero = torch.zeros((), dtype=torch.long)
    return mask_mod(zero, zero, q, k).expand(L, S)


def flex(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask_mod: MaskMod | None, score_mod=None
) -> torch.Tensor | None:
    """FlexAttention (eager, CPU) with a BlockMask from ``mask_mod``; None where it cannot run.  (L, E) → (L, Ev)."""
    try:
        from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    except ImportError:
        return None
    L, S = q.size(0), k.size(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "without torch.compile": the unfused path, fine here
        bm = (
            create_block_mask(mask_mod, None, None, L, S, device=q.device.type)
            if mask_mod
            else None
        )
        out = flex_attention(
            q[None, None], k[None, None], v[None, None], score_mod=score_mod, block_mask=bm
        )
    return out[0, 0]


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


@demo(
    "attention_masks",
    title={"zh": "实践中的掩码", "en": "Masks in practice"},
    params=(
        ParamSpec("n_tokens", "int", 12, {"zh": "词元数 n", "en": "Tokens n"}, min=4, max=24, step=1),
        ParamSpec("n_queries", "int", 4, {"zh": "新查询数 L（L < S 时）", "en": "New queries L (when L < S)"}, min=1, max=24, step=1),
        ParamSpec("pad", "int", 3, {"zh": "填充数", "en": "Padding"}, min=0, max=8, step=1),
        ParamSpec("prefix", "int", 4, {"zh": "前缀长度", "en": "Prefix length"}, min=0, max=24, step=1),
        ParamSpec("n_docs", "int", 3, {"zh": "打包的文档数", "en": "Packed documents"}, min=1, max=4, step=1),
        ParamSpec("seed", "int", 0, {"zh": "随机种子", "en": "Random seed"}, min=0, max=9999, step=1),
    ),
    shows=(causal, padding, prefix_lm, documents, distance_penalty, materialize, flex, block_fraction),
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
    """Four masks on one sequence, top-left vs bottom-right causal for L < S, each checked by FlexAttention."""
    n, L = n_tokens, min(n_queries, n_tokens)
    pad, prefix = min(pad, n - 1), min(prefix, n)
    q, k, v = (toy_embeddings(n, 16, seed + i, device) for i in range(3))  # each (n, 16)
    mods = square_masks(n, pad, prefix, n_docs)
    facts: dict = {"n": n, "L": L, "pad": pad, "prefix": prefix, "n_docs": n_docs}
    weights = []
    for name, mod in mods.items():
        out, w = scaled_dot_product_attention(q, k, v, attn_mask=materialize(mod, n, n).to(device))
        weights.append(w)
        f = flex(q, k, v, mod)
        facts[f"flex_vs_sdpa_{name}"] = None if f is None else float((f - out).abs().max())
    rect = {}
    for name, offset in (("top_left", 0), ("bottom_right", n - L)):
        out, w = scaled_dot_product_attention(
            q[-L:], k, v, attn_mask=materialize(causal(offset), L, n).to(device)
        )
        rect[name] = w.cpu()
        f = flex(q[-L:], k, v, causal(offset))
        facts[f"flex_vs_sdpa_causal_{name}"] = None if f is None else float((f - out).abs().max())
    facts["flex_available"] = facts["flex_vs_sdpa_causal"] is not None
    facts["keys_seen_by_last_query_top_left"] = int((rect["top_left"][-1] > 0).sum())
    facts["keys_seen_by_last_query_bottom_right"] = int((rect["bottom_right"][-1] > 0).sum())
    i, j = torch.arange(n)[:, None], torch.arange(n)[None]
    bias = (-0.5 * (i - j).abs()).to(q)  # the same penalty as a float attn_mask
    f = flex(q, k, v, None, distance_penalty(0.5))
    ref = scaled_dot_product_attention(q, k, v, attn_mask=bias.to(device))[0]
    facts["flex_score_mod_vs_sdpa_bias"] = None if f is None else float((f - ref).abs().max())
    docs_mod = documents(doc_ids(BLOCK_N, 4))
    facts["tiles_computed_causal_1024"] = block_fraction(causal(), BLOCK_N, BLOCK)
    facts["tiles_computed_documents_1024"] = block_fraction(docs_mod, BLOCK_N, BLOCK)
    labels = tuple(str(i) for i in range(n))
    extras = {"rect": rect, "rect_query_labels": labels[-L:], "doc_ids": doc_ids(n, n_docs)}
    return Result(
        torch.stack(weights).cpu(), labels, labels, head_labels=SQUARE, facts=facts, extras=extras
    )
