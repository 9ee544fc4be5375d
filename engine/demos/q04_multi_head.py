"""Q4 — multi-head attention: h heads, each with its own d_model/h-dimensional Q, K, V subspace."""

from __future__ import annotations

import torch

from engine.attention import init_mha_params, multi_head_attention
from engine.params import N_TOKENS, SEED, SENTENCE
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings, toy_tokens


@demo(
    "multi_head",
    title={"zh": "多头注意力", "en": "Multi-head attention"},
    params=(
        N_TOKENS,
        ParamSpec(
            "heads", "choice", "4", {"zh": "头数 h", "en": "Heads h"}, choices=("1", "2", "4", "8")
        ),
        ParamSpec(
            "d_model",
            "int",
            64,
            {"zh": "模型维度 d_model", "en": "Model size d_model"},
            min=8,
            max=512,
            step=8,
        ),
        ParamSpec("causal", "bool", False, {"zh": "因果掩码", "en": "Causal mask"}),
        SENTENCE,
        SEED,
    ),
    shows=(multi_head_attention,),
)
def multi_head_demo(
    device: torch.device,
    n_tokens: int,
    heads: str,
    d_model: int,
    causal: bool,
    sentence: str,
    seed: int,
) -> Result:
    """h heads of self-attention, each with its own d_model/h-dimensional Q, K, V subspace."""
    h = int(heads)
    x = toy_embeddings(n_tokens, d_model, seed, device).unsqueeze(0)  # (1, L, d_model)
    p = init_mha_params(d_model, seed + 1, device)
    _, weights = multi_head_attention(x, x, p, h, is_causal=causal)  # (1, h, L, L)
    tokens = tuple(toy_tokens(n_tokens, sentence))
    labels = tuple(f"head {i + 1}" for i in range(h))
    facts = {"L": n_tokens, "h": h, "d_k": d_model // h}
    return Result(weights[0].cpu(), tokens, tokens, head_labels=labels, facts=facts)
