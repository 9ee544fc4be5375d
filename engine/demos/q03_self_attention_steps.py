"""Q3 — single-head self-attention over a sentence, one step at a time.

Every token of the sentence is at once a query, a key and a value:
scores → scaled scores → softmax weights → weighted sum of values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from engine.facts import fact
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.softmax import stable_softmax
from engine.text import toy_tokens, word_embeddings


@dataclass(frozen=True)
class AttentionSteps:
    """Every intermediate of one self-attention pass; L tokens, d_k key size, d_v value size."""

    q: torch.Tensor  # (L, d_k)
    k: torch.Tensor  # (L, d_k)
    v: torch.Tensor  # (L, d_v)
    scores: torch.Tensor  # (L, L)  q_i · k_j
    scaled: torch.Tensor  # (L, L)  q_i · k_j / √d_k
    weights: torch.Tensor  # (L, L)  softmax over j
    out: torch.Tensor  # (L, d_v)


def projection(d_in: int, d_out: int, g: torch.Generator, device: torch.device) -> torch.Tensor:
    """A (d_in, d_out) matrix with entries ~ N(0, 1/d_in), so x @ W keeps unit variance."""
    return (torch.randn(d_in, d_out, generator=g) / math.sqrt(d_in)).to(device)


# Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V,   Q = X W_q,  K = X W_k,  V = X W_v
def self_attention_steps(
    x: torch.Tensor, W_q: torch.Tensor, W_k: torch.Tensor, W_v: torch.Tensor
) -> AttentionSteps:
    """Self-attention of X with itself, keeping each step.  (L, d_model) → AttentionSteps."""
    q, k, v = x @ W_q, x @ W_k, x @ W_v  # (L, d_k), (L, d_k), (L, d_v)
    scores = q @ k.T  # (L, L): scores[i, j] = q_i · k_j
    scaled = scores / math.sqrt(k.size(-1))  # variance ≈ 1 whatever d_k is
    weights = stable_softmax(scaled, dim=-1)  # row i: how much token i takes from each token j
    out = weights @ v  # (L, d_v): out_i = Σ_j weights[i, j] · v_j
    return AttentionSteps(q, k, v, scores, scaled, weights, out)


FACTS = {
    "score_std": fact("分数的标准差", "std of the scores"),
    "scaled_std": fact("缩放后的标准差", "std after scaling"),
    "sqrt_d_k": fact("√d_k", "√d_k"),
}


@demo(
    "self_attention_steps",
    title={"zh": "自注意力分步计算", "en": "Self-attention, step by step"},
    params=(
        ParamSpec("n_tokens", "int", 6, {"zh": "词元数", "en": "Tokens"}, min=2, max=12, step=1),
        ParamSpec(
            "d_model",
            "int",
            16,
            {"zh": "词向量维度 d_model", "en": "Embedding size d_model"},
            min=4,
            max=128,
            step=4,
        ),
        ParamSpec(
            "d_k",
            "int",
            8,
            {"zh": "查询/键维度 d_k", "en": "Query/key size d_k"},
            min=1,
            max=128,
            step=1,
        ),
        ParamSpec(
            "d_v", "int", 4, {"zh": "值维度 d_v", "en": "Value size d_v"}, min=1, max=16, step=1
        ),
        ParamSpec(
            "sentence", "choice", "en", {"zh": "句子语言", "en": "Sentence"}, choices=("en", "zh")
        ),
        SEED,
    ),
    shows=(self_attention_steps, word_embeddings),
    facts=FACTS,
)
def self_attention_steps_demo(
    device: torch.device, n_tokens: int, d_model: int, d_k: int, d_v: int, sentence: str, seed: int
) -> Result:
    """Embeddings of a toy sentence → Q, K, V → scores → scaled → softmax → output."""
    tokens = toy_tokens(n_tokens, sentence)
    x = word_embeddings(tokens, d_model, seed, device)  # (L, d_model)
    g = torch.Generator().manual_seed(seed + 1)
    W_q, W_k, W_v = (projection(d_model, d, g, device) for d in (d_k, d_k, d_v))
    s = self_attention_steps(x, W_q, W_k, W_v)
    facts = {
        "L": n_tokens,
        "d_model": d_model,
        "d_k": d_k,
        "d_v": d_v,
        "score_std": round(float(s.scores.std()), 3),
        "scaled_std": round(float(s.scaled.std()), 3),
        "sqrt_d_k": round(math.sqrt(d_k), 3),
    }
    extras = {
        "scores": s.scores.cpu(),
        "scaled": s.scaled.cpu(),
        "out": s.out.cpu(),
        "v": s.v.cpu(),
    }
    labels = tuple(tokens)
    return Result(s.weights.unsqueeze(0).cpu(), labels, labels, facts=facts, extras=extras)
