"""A two-layer, attention-only transformer trained on repeated random sequences (induction heads).

Each training sequence is ``P`` distinct random tokens repeated to fill ``2T`` positions
(plus one more token, the target of the last position),
``s = [x_1 … x_P, x_1 … x_P, x_1 …]``, with the period ``P`` drawn from ``T/2 … T`` so that
no fixed positional offset predicts the repeat (a fixed ``P = T`` lets a head attend
"``T − 1`` positions back" by position alone, which is not induction). The demo and the
metrics use ``P = T``: two halves. The first half cannot be predicted (loss ≈ log of the
tokens not yet used); the second half can, by an *induction* circuit (Olsson et al. 2022):
a layer-1 head copies each position's previous token into it (a *previous-token head*), and
a layer-2 head whose query is the current token matches keys that hold "my previous token
was this one" — it attends to the token just after the earlier occurrence and copies it.

Model: token + learned positional embedding, ``layers`` residual blocks of causal
multi-head attention only (no MLP, no layer norm), a linear unembedding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from engine.attention import scaled_dot_product_attention
from engine.toys import fit, load_state, manifest, save_state

NAME = "induction"


@dataclass(frozen=True)
class InductionConfig:
    """Shapes and training budget of the induction toy."""

    vocab: int = 24
    half: int = 12  # T: tokens in each half; sequences are 2T long
    min_period: int = 6  # training periods P are drawn from min_period … half
    d_model: int = 32
    heads: int = 1
    layers: int = 2
    steps: int = 800
    batch: int = 32
    lr: float = 5e-3
    seed: int = 0


VARIANTS = {NAME: InductionConfig()}  # weight-file name → config (``atlas toys train induction``)


class AttentionBlock(nn.Module):
    """x + Concat_h(softmax(Q Kᵀ/√d_k + causal) V) W_O, with Q, K, V = x W_Q, x W_K, x W_V."""

    def __init__(self, d_model: int, heads: int):
        super().__init__()
        self.h = heads
        self.W_qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.W_o = nn.Linear(d_model, d_model, bias=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, L, d) → x + attention (N, L, d), weights (N, h, L, L)."""
        N, L, d = x.shape
        q, k, v = self.W_qkv(x).split(d, dim=-1)  # each (N, L, d)
        q, k, v = (t.view(N, L, self.h, d // self.h).transpose(1, 2) for t in (q, k, v))
        out, w = scaled_dot_product_attention(q, k, v, is_causal=True)  # (N, h, L, d_k)
        return x + self.W_o(out.transpose(1, 2).reshape(N, L, d)), w


class InductionModel(nn.Module):
    """Embeddings, attention-only blocks, unembedding.  tokens (N, L) → logits (N, L, V)."""

    def __init__(self, cfg: InductionConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab, cfg.d_model)
        self.pos = nn.Embedding(2 * cfg.half, cfg.d_model)
        self.blocks = nn.ModuleList(
            AttentionBlock(cfg.d_model, cfg.heads) for _ in range(cfg.layers)
        )
        self.unembed = nn.Linear(cfg.d_model, cfg.vocab, bias=False)

    def forward_with_weights(
        self, tokens: torch.Tensor, ablate: int | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """tokens (N, L) → logits (N, L, V), weights (layers, N, h, L, L).

        ``ablate=l`` drops block l's attention output (its residual update), to see what it did.
        """
        L = tokens.size(1)
        x = self.embed(tokens) + self.pos(torch.arange(L, device=tokens.device))  # (N, L, d)
        weights = []
        for layer, block in enumerate(self.blocks):
            y, w = block(x)
            x = x if layer == ablate else y
            weights.append(w)
        return self.unembed(x), torch.stack(weights)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.forward_with_weights(tokens)[0]


# s_i = x_{i mod P},  x_1 … x_P distinct, drawn uniformly from the vocabulary
def repeated_batch(
    cfg: InductionConfig, n: int, g: torch.Generator, period: int | None = None
) -> torch.Tensor:
    """n sequences of P distinct random tokens repeated to 2T + 1 positions.  → (n, 2T + 1) long.

    ``period=None`` draws each sequence's P from ``min_period … half`` (training);
    the evaluation and the demo pass ``period=half``: T tokens, then the same T again.
    """
    L = 2 * cfg.half + 1  # the model reads 2T tokens; the last one is only a target
    if period is None:
        P = torch.randint(cfg.min_period, cfg.half + 1, (n, 1), generator=g)  # (n, 1)
    else:
        P = torch.full((n, 1), period)
    first = torch.rand(n, cfg.vocab, generator=g).argsort(dim=1)  # (n, V): random orders
    return first.gather(1, torch.arange(L)[None] % P)  # (n, 2T + 1): s_i = x_{i mod P}


def token_losses(model: InductionModel, tokens: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of predicting token t+1 from tokens ≤ t.  (N, 2T + 1) → (N, 2T)."""
    logits = model(tokens[:, :-1])  # (N, 2T, V)
    return F.cross_entropy(logits.transpose(1, 2), tokens[:, 1:], reduction="none")


# prev = mean_{1 ≤ i < P} A[i, i−1],   induction = mean_{i ≥ P} Σ_{j ∈ after(i)} A[i, j]
# after(i) = {j ≤ i − P + 1 : j ≡ i + 1 (mod P)}: the tokens just after earlier copies of s_i
def head_scores(weights: torch.Tensor, period: int) -> dict[str, torch.Tensor]:
    """Previous-token and induction score of every head.  (..., N, h, L, L) → each (..., h).

    For sequences of period P. The previous-token score is taken over the first period:
    those positions are the keys an induction head reads (the token after the earlier
    occurrence), so that is where a previous-token head must copy "my previous token" in.
    With two halves (P = T) the induction score is mean_{i ≥ T} A[i, i − T + 1].
    """
    L = weights.size(-1)
    i, j = torch.arange(L)[:, None], torch.arange(L)[None]
    after = (j >= 1) & (j <= i - period + 1) & ((i + 1 - j) % period == 0)  # (L, L)
    prev = torch.diagonal(weights, offset=-1, dim1=-2, dim2=-1)[..., : period - 1].mean(
        dim=(-3, -1)
    )
    on_after = (weights * after.to(weights)).sum(-1)  # (..., N, h, L)
    induction = on_after[..., period:].mean(dim=(-3, -1))
    return {"previous_token": prev, "induction": induction}


def evaluate(model: InductionModel, cfg: InductionConfig, n: int = 256) -> dict[str, float]:
    """Losses on each half and head scores on a fixed evaluation batch (seed cfg.seed + 1)."""
    tokens = repeated_batch(cfg, n, torch.Generator().manual_seed(cfg.seed + 1), cfg.half)
    with torch.no_grad():
        losses = token_losses(model, tokens)  # (n, 2T): column t predicts token t + 1
        _, w = model.forward_with_weights(tokens[:, :-1])
    T = cfg.half
    scores = head_scores(w, T)
    return {
        "loss_first_half": float(losses[:, : T - 1].mean()),  # predicting s_1 … s_{T−1}
        "loss_repeated_half": float(losses[:, T:].mean()),  # predicting s_{T+1} … s_{2T}
        "uniform_loss": math.log(cfg.vocab),
        "prev_token_score_l1": float(scores["previous_token"][0].max()),
        "induction_score_l2": float(scores["induction"][-1].max()),
    }


def train(cfg: InductionConfig = InductionConfig()) -> tuple[InductionModel, dict[str, float]]:
    """Train through :func:`engine.toys.fit`; returns the model and its evaluation metrics."""

    def step(model: nn.Module, g: torch.Generator) -> torch.Tensor:
        return token_losses(model, repeated_batch(cfg, cfg.batch, g)).mean()

    model = fit(lambda: InductionModel(cfg), step, cfg.steps, cfg.seed, lr=cfg.lr)
    return model, evaluate(model, cfg)


def build_and_save(cfg: InductionConfig = InductionConfig()) -> dict[str, float]:
    """Train and write ``induction.safetensors`` + ``induction.json``; returns the metrics."""
    model, metrics = train(cfg)
    save_state(NAME, model, cfg, cfg.seed, metrics)
    return metrics


def config() -> InductionConfig:
    """The config that trained the shipped weights (read from the manifest)."""
    return InductionConfig(**manifest(NAME).config)


def manifest_metrics() -> dict[str, float]:
    """The metrics recorded when the shipped weights were trained."""
    return manifest(NAME).metrics


def load(device: torch.device | str = "cpu") -> InductionModel:
    """The shipped, checked model in eval mode on ``device``."""
    return load_state(NAME, InductionModel(config()), device)
