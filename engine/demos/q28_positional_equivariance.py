"""Q28 — self-attention has no sense of order until positions are added.

Without positions, self-attention is permutation-equivariant: shuffle the words and the
outputs (and the weight matrix's rows and columns) shuffle the same way — "dog bites man"
and "man bites dog" get the same weights, just re-ordered. Adding sinusoidal positional
encodings PE(pos) to the embeddings breaks this symmetry: order now changes the weights.
"""

from __future__ import annotations

import torch

from engine.attention import init_mha_params, multi_head_attention
from engine.facts import fact
from engine.layers import sinusoidal_positions
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_tokens, word_embeddings

PERMUTATIONS = ("reverse", "rotate", "shuffle")


def make_permutation(kind: str, n: int, seed: int) -> torch.Tensor:
    """Index order π of length n: reversed, rotated by one, or a seeded shuffle."""
    if kind == "reverse":
        return torch.arange(n - 1, -1, -1)
    if kind == "rotate":
        return torch.roll(torch.arange(n), 1)
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))


# equivariance:  f(P X) = P f(X)   and   A(P X) = P A(X) Pᵀ   when no position enters X
def attention_after_permuting(
    x: torch.Tensor, perm: torch.Tensor, pe: torch.Tensor | None, p, h: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Self-attention of the permuted words (+ PE of their new places), mapped back to the original order.

    x (L, d), perm (L,) → output (L, d), weights (h, L, L), rows and columns in the original word order.
    """
    xp = x[perm] if pe is None else x[perm] + pe  # word perm[i] now sits at position i
    out, w = multi_head_attention(xp[None], xp[None], p, h)  # (1, L, d), (1, h, L, L)
    inv = torch.argsort(perm)  # position of each original word after permuting
    return out[0, inv], w[0][:, inv][:, :, inv]  # un-permute rows and columns


FACTS = {
    "permutation": fact("排列", "permutation"),
    "no_pe_max_weight_change": fact(
        "无位置编码：权重的最大变化", "no positions: max change of a weight"
    ),
    "no_pe_max_output_change": fact(
        "无位置编码：输出的最大变化", "no positions: max change of an output"
    ),
    "with_pe_max_weight_change": fact(
        "有位置编码：权重的最大变化", "with positions: max change of a weight"
    ),
    "with_pe_max_output_change": fact(
        "有位置编码：输出的最大变化", "with positions: max change of an output"
    ),
}


@demo(
    "positional_equivariance",
    title={
        "zh": "置换等变性与正弦位置编码",
        "en": "Permutation equivariance and sinusoidal positions",
    },
    params=(
        ParamSpec("n_tokens", "int", 6, {"zh": "词元数", "en": "Tokens"}, min=3, max=12, step=1),
        ParamSpec(
            "d_model",
            "int",
            32,
            {"zh": "模型维度 d_model", "en": "Model size d_model"},
            min=8,
            max=128,
            step=8,
        ),
        ParamSpec(
            "permutation",
            "choice",
            "reverse",
            {"zh": "打乱方式", "en": "Permutation"},
            choices=PERMUTATIONS,
        ),
        ParamSpec(
            "sentence", "choice", "en", {"zh": "句子语言", "en": "Sentence"}, choices=("en", "zh")
        ),
        SEED,
    ),
    shows=(attention_after_permuting, sinusoidal_positions, make_permutation),
    facts=FACTS,
)
def positional_equivariance_demo(
    device: torch.device, n_tokens: int, d_model: int, permutation: str, sentence: str, seed: int
) -> Result:
    """Weights of the original and of the permuted sentence (mapped back), without and with PE."""
    tokens = toy_tokens(n_tokens, sentence)
    x = word_embeddings(tokens, d_model, seed, device)  # (L, d)
    pe = sinusoidal_positions(n_tokens, d_model).to(device)  # (L, d)
    perm = make_permutation(permutation, n_tokens, seed).to(device)
    p = init_mha_params(d_model, seed + 1, device)
    identity = torch.arange(n_tokens, device=device)
    panels = [
        attention_after_permuting(x, order, enc, p, 1)
        for enc in (None, pe)
        for order in (identity, perm)
    ]
    (o0, w0), (o1, w1), (o2, w2), (o3, w3) = panels
    facts = {
        "L": n_tokens,
        "d_model": d_model,
        "permutation": [int(i) for i in perm.tolist()],
        "no_pe_max_weight_change": float((w1 - w0).abs().max()),
        "no_pe_max_output_change": float((o1 - o0).abs().max()),
        "with_pe_max_weight_change": float((w3 - w2).abs().max()),
        "with_pe_max_output_change": float((o3 - o2).abs().max()),
    }
    extras = {"pe": pe.cpu(), "permuted_tokens": [tokens[i] for i in perm.tolist()]}
    weights = torch.cat([w0, w1, w2, w3]).cpu()  # (4, L, L)
    labels = (
        "no PE · original",
        "no PE · permuted, mapped back",
        "PE · original",
        "PE · permuted, mapped back",
    )
    return Result(
        weights,
        tuple(tokens),
        tuple(tokens),
        head_labels=labels,
        facts=facts,
        extras=extras,
    )
