"""Q19 — ``nn.MultiheadAttention`` used correctly, checked against the engine's own multi-head attention.

The details that trip people up: ``batch_first=True`` for (N, L, d) inputs; ``need_weights=True``
with ``average_attn_weights=False`` for per-head weights (N, h, L, S); and PyTorch's masks
mean the *opposite* of the engine's — in ``key_padding_mask`` and a boolean ``attn_mask``,
True means "may NOT attend". With the same weights copied over, both give the same numbers.
"""

from __future__ import annotations

import torch
from torch import nn

from engine.attention import MHAParams, multi_head_attention
from engine.devices import seeded
from engine.facts import fact
from engine.masks import causal_mask, padding_mask
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.text import toy_embeddings, toy_tokens


def seeded_mha(d_model: int, h: int, seed: int, device: torch.device) -> nn.MultiheadAttention:
    """``nn.MultiheadAttention`` with weights drawn from ``seed`` on the CPU (Xavier-uniform, small biases)."""
    with seeded(seed):  # a forked global generator: nn's own init (overwritten below) draws here
        mha = nn.MultiheadAttention(d_model, h, batch_first=True)
    g = torch.Generator().manual_seed(seed)
    bound = (6.0 / (4 * d_model)) ** 0.5  # Xavier-uniform for the stacked (3d, d) in_proj_weight
    with torch.no_grad():
        for p, b in ((mha.in_proj_weight, bound), (mha.out_proj.weight, (3.0 / d_model) ** 0.5)):
            p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * b)
        mha.in_proj_bias.copy_(0.1 * torch.randn(3 * d_model, generator=g))
        mha.out_proj.bias.copy_(0.1 * torch.randn(d_model, generator=g))
    return mha.eval().to(device)


def params_from_torch(mha: nn.MultiheadAttention) -> MHAParams:
    """The same projections in paper notation (x @ W + b): PyTorch stores them as y = x Wᵀ + b."""
    W_q, W_k, W_v = mha.in_proj_weight.chunk(3, dim=0)  # each (d, d), rows = outputs
    b_q, b_k, b_v = mha.in_proj_bias.chunk(3)
    W_o, b_o = mha.out_proj.weight, mha.out_proj.bias
    return MHAParams(W_q.T, W_k.T, W_v.T, W_o.T, b_q, b_k, b_v, b_o)


def torch_mha_call(
    mha: nn.MultiheadAttention, x: torch.Tensor, keep: torch.Tensor, allowed: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Self-attention through PyTorch.  x (N, L, d), keep (N, L), allowed (L, L) → (N, L, d), (N, h, L, L).

    ``keep``/``allowed`` are the engine's masks (True = may attend); PyTorch wants the opposite.
    """
    return mha(
        x,
        x,
        x,
        key_padding_mask=~keep,  # PyTorch: True = padding, ignore this key
        attn_mask=None if allowed is None else ~allowed,  # PyTorch: True = NOT allowed
        need_weights=True,
        average_attn_weights=False,  # per-head weights (N, h, L, S), not their mean
    )


FACTS = {
    "N": fact("批量 N", "batch N"),
    "length_sentence_2": fact("第 2 句的长度", "length of sentence 2"),
    "causal": fact("因果掩码", "causal mask"),
    "max_diff_output": fact(
        "与 nn.MultiheadAttention 输出的最大差",
        "max difference of outputs from nn.MultiheadAttention",
    ),
    "max_diff_weights": fact(
        "与 nn.MultiheadAttention 权重的最大差",
        "max difference of weights from nn.MultiheadAttention",
    ),
    "weight_on_padding_max": fact("填充位上的最大权重", "largest weight on padding"),
    "torch_weights_shape": fact("PyTorch 权重的形状", "shape of PyTorch's weights"),
}


@demo(
    "torch_mha",
    title={
        "zh": "正确使用 nn.MultiheadAttention，并与自写实现对照",
        "en": "nn.MultiheadAttention used correctly, vs the engine's own",
    },
    params=(
        ParamSpec("n_tokens", "int", 8, {"zh": "词元数", "en": "Tokens"}, min=2, max=16, step=1),
        ParamSpec(
            "pad",
            "int",
            3,
            {"zh": "第二句的填充数", "en": "Padding in sentence 2"},
            min=0,
            max=8,
            step=1,
        ),
        ParamSpec(
            "heads", "choice", "4", {"zh": "头数 h", "en": "Heads h"}, choices=("1", "2", "4", "8")
        ),
        ParamSpec(
            "d_model",
            "int",
            32,
            {"zh": "模型维度 d_model", "en": "Model size d_model"},
            min=16,
            max=128,
            step=16,
        ),
        ParamSpec("causal", "bool", False, {"zh": "因果掩码 attn_mask", "en": "Causal attn_mask"}),
        ParamSpec(
            "sentence", "choice", "en", {"zh": "句子语言", "en": "Sentence"}, choices=("en", "zh")
        ),
        SEED,
    ),
    shows=(torch_mha_call, params_from_torch),
    facts=FACTS,
)
def torch_mha_demo(
    device: torch.device,
    n_tokens: int,
    pad: int,
    heads: str,
    d_model: int,
    causal: bool,
    sentence: str,
    seed: int,
) -> Result:
    """A batch of two sentences (the second padded) through both implementations; show sentence 2."""
    h, L = int(heads), n_tokens
    length_2 = max(1, L - pad)
    x = toy_embeddings(2 * L, d_model, seed, device).view(2, L, d_model)  # (N=2, L, d)
    keep = padding_mask(torch.tensor([L, length_2], device=device), L)[:, 0]  # (2, L), True = real
    allowed = causal_mask(L, device=device) if causal else None  # (L, L), True = may attend
    mha = seeded_mha(d_model, h, seed + 1, device)
    with torch.no_grad():
        out_t, w_t = torch_mha_call(mha, x, keep, allowed)
        out_e, w_e = multi_head_attention(
            x, x, params_from_torch(mha), h, attn_mask=allowed, key_padding_mask=keep
        )
    facts = {
        "N": 2,
        "L": L,
        "length_sentence_2": length_2,
        "heads": h,
        "d_model": d_model,
        "causal": causal,
        "max_diff_output": float((out_t - out_e).abs().max()),
        "max_diff_weights": float((w_t - w_e).abs().max()),
        "weight_on_padding_max": float(w_t[1, :, :, length_2:].max()) if length_2 < L else 0.0,
        "torch_weights_shape": list(w_t.shape),
    }
    tokens = tuple(toy_tokens(L, sentence)[:length_2]) + ("[PAD]",) * (L - length_2)
    extras = {"engine_weights": w_e[1].cpu(), "length": length_2}
    labels = tuple(f"H{i + 1}" for i in range(h))
    return Result(
        w_t[1].cpu(),
        tokens,
        tokens,
        head_labels=labels,
        facts=facts,
        extras=extras,
    )
