"""Q15 — causal (decoder-style) self-attention: the upper triangle, the future, is exactly zero."""

from __future__ import annotations

import torch

from engine.attention import causal_self_attention, init_mha_params
from engine.params import N_TOKENS, SEED, SENTENCE
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings, toy_tokens


@demo(
    "causal_self_attention",
    title={"zh": "因果自注意力", "en": "Causal self-attention"},
    params=(
        N_TOKENS,
        ParamSpec(
            "heads", "choice", "2", {"zh": "头数 h", "en": "Heads h"}, choices=("1", "2", "4")
        ),
        SENTENCE,
        SEED,
    ),
    shows=(causal_self_attention,),
)
def causal_self_attention_demo(
    device: torch.device, n_tokens: int, heads: str, sentence: str, seed: int
) -> Result:
    """Decoder-style masked self-attention: the upper triangle (the future) is exactly zero."""
    h, d_model = int(heads), 32
    x = toy_embeddings(n_tokens, d_model, seed, device).unsqueeze(0)
    _, weights = causal_self_attention(x, init_mha_params(d_model, seed + 1, device), h)
    tokens = tuple(toy_tokens(n_tokens, sentence))
    labels = tuple(f"head {i + 1}" for i in range(h))
    return Result(
        weights[0].cpu(),
        tokens,
        tokens,
        head_labels=labels,
        facts={"L": n_tokens, "h": h},
    )
