"""Q7 — the study text's PyTorch ``AttentionModule`` against a corrected, scaled, batch-safe one.

Without 1/√d_k the spread of q·k grows like √d, so as d grows the softmax saturates: each
row collapses towards one-hot and its entropy falls to 0. With the scale the entropy stays put.
The original also raises on a batch (N, L, d), because ``Tensor.t()`` is 2-D only.
"""

from __future__ import annotations

import functools
import math

import torch

from engine.facts import NATS, fact
from engine.params import SEED
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.seed_module import ScaledAttentionModule, SeedAttentionModule, build_pair
from engine.softmax import entropy
from engine.text import toy_embeddings, toy_tokens

D_VALUES = (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
BATCH = 4  # sentences averaged per point of the entropy curve


def compare_at(
    d: int, n_tokens: int, seed: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Weights of both modules (same weights, same inputs) on BATCH sentences.  → (BATCH, L, L) twice."""
    seed_m, fixed_m = build_pair(d, seed, device)
    seed_m.requires_grad_(False), fixed_m.requires_grad_(False)
    x = toy_embeddings(BATCH * n_tokens, d, seed + 1, device).view(BATCH, n_tokens, d)  # (N, L, d)
    w_fixed = fixed_m(x, x, x)[1]  # batch-safe: one call for all N sentences
    # the original needs one 2-D call per sentence
    w_seed = torch.stack([seed_m(s, s, s)[1] for s in x])
    return w_seed, w_fixed


@functools.lru_cache(maxsize=64)
def entropy_curve(
    n_tokens: int, seed: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean row entropy of both modules at every d of D_VALUES.  → (len(D_VALUES),) twice.

    Kept per (L, seed, device): the curve does not read the chosen d, so moving that slider
    does not build the twenty modules of the curve again."""
    curve = [compare_at(d, n_tokens, seed, device) for d in D_VALUES]
    seed_h = torch.stack([entropy(s).mean() for s, _ in curve]).cpu()
    fixed_h = torch.stack([entropy(f).mean() for _, f in curve]).cpu()
    return seed_h, fixed_h


def batch_error(d: int, device: torch.device) -> str:
    """The error the original module raises on a (2, 3, d) batch."""
    seed_m, _ = build_pair(d, 0, device)
    x = torch.zeros(2, 3, d, device=device)
    try:
        seed_m(x, x, x)
    except RuntimeError as e:
        return f"RuntimeError: {str(e).splitlines()[0]}"
    return "no error"


FACTS = {
    "entropy_seed": fact("原文模块的熵", "entropy, the text's module", NATS),
    "entropy_fixed": fact("修正模块的熵", "entropy, the fixed module", NATS),
    "entropy_uniform_log_L": fact("均匀分布的熵 log L", "entropy of the uniform, log L", NATS),
    "max_weight_seed": fact("原文模块的最大权重", "largest weight, the text's module"),
    "max_weight_fixed": fact("修正模块的最大权重", "largest weight, the fixed module"),
    "seed_module_on_batch": fact("原文模块处理批量输入", "the text's module on a batch"),
}


@demo(
    "seed_module_vs_fixed",
    title={
        "zh": "原文 AttentionModule 与修正版：缩放与批处理",
        "en": "The text's AttentionModule vs a fixed one: scaling and batches",
    },
    params=(
        ParamSpec(
            "d_model",
            "int",
            256,
            {"zh": "维度 d（热图）", "en": "Size d (heatmaps)"},
            min=2,
            max=1024,
            step=2,
        ),
        ParamSpec("n_tokens", "int", 8, {"zh": "词元数", "en": "Tokens"}, min=4, max=12, step=1),
        SEED,
    ),
    shows=(SeedAttentionModule, ScaledAttentionModule),
    facts=FACTS,
)
def seed_module_vs_fixed_demo(
    device: torch.device, d_model: int, n_tokens: int, seed: int
) -> Result:
    """Heatmaps at the chosen d, mean row entropy of both modules as d grows, the batch error."""
    w_seed, w_fixed = compare_at(d_model, n_tokens, seed, device)
    seed_h, fixed_h = entropy_curve(n_tokens, seed, device)
    facts = {
        "d_model": d_model,
        "L": n_tokens,
        "entropy_seed": round(float(entropy(w_seed).mean()), 4),
        "entropy_fixed": round(float(entropy(w_fixed).mean()), 4),
        "entropy_uniform_log_L": round(math.log(n_tokens), 4),
        "max_weight_seed": round(float(w_seed.amax(-1).mean()), 4),
        "max_weight_fixed": round(float(w_fixed.amax(-1).mean()), 4),
        "seed_module_on_batch": batch_error(d_model, device),
    }
    extras = {"d_values": list(D_VALUES), "entropy_seed": seed_h, "entropy_fixed": fixed_h}
    tokens = tuple(toy_tokens(n_tokens))
    weights = torch.stack([w_seed[0], w_fixed[0]]).cpu()  # (2, L, L): first sentence
    labels = ("seed: softmax(QKᵀ)", "fixed: softmax(QKᵀ/√d_k)")
    return Result(
        weights,
        tokens,
        tokens,
        head_labels=labels,
        facts=facts,
        extras=extras,
    )
