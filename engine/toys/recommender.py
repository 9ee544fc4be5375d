"""A Deep Interest Network (Zhou et al. 2018) trained on synthesized click logs, shipped as
``recommender`` (Q23).

For a candidate item c, each item i of the user's history gets an activation from a small
MLP that sees both embeddings and their interactions, a_i = MLP([e_i, e_c, e_i − e_c,
e_i ⊙ e_c]); the history is pooled with softmax_i(a_i), as the authors' reference code does.

Shapes: B users, L history length, d embedding size, n items.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from engine import toys
from engine.softmax import stable_softmax

CATALOGUE = {  # category → items
    "running": ("running shoes", "sports watch", "energy gels", "running socks"),
    "books": ("sci-fi novel", "history book", "poetry collection", "e-reader"),
    "coffee": ("espresso beans", "moka pot", "milk frother", "coffee grinder"),
    "baby": ("baby stroller", "diapers", "baby monitor", "teething toy"),
    "garden": ("garden hose", "tomato seeds", "pruning shears", "flower pots"),
    "gaming": ("game console", "gaming mouse", "headset", "controller"),
}


ITEMS = tuple(i for items in CATALOGUE.values() for i in items)


CATEGORY = tuple(c for c, items in CATALOGUE.items() for _ in items)  # category of each item


@dataclass(frozen=True)
class DINConfig:
    """Sizes and training schedule."""

    d: int = 8
    hidden: int = 16
    history: int = 8
    steps: int = 300
    batch: int = 256
    lr: float = 0.02
    weight_decay: float = 0.1
    seed: int = 0


# a_i = w₂ᵀ PReLU(W₁ [e_i, e_c, e_i − e_c, e_i ⊙ e_c] + b₁) + b₂
def activation_unit(
    e_hist: torch.Tensor, e_cand: torch.Tensor, layer1: nn.Linear, act: nn.Module, layer2: nn.Linear
) -> torch.Tensor:
    """Raw DIN activations, not normalised.  (B, L, d), (B, d) → (B, L)."""
    e_c = e_cand.unsqueeze(1).expand_as(e_hist)  # (B, L, d)
    x = torch.cat([e_hist, e_c, e_hist - e_c, e_hist * e_c], dim=-1)  # (B, L, 4d)
    return layer2(act(layer1(x))).squeeze(-1)


class DIN(nn.Module):
    """Item embeddings, the activation unit, pooling v_U = Σ softmax(a)_i e_i, and a click MLP on [v_U, e_c]."""

    def __init__(self, cfg: DINConfig):
        super().__init__()
        self.embed = nn.Embedding(len(ITEMS), cfg.d)
        self.att1, self.att_act, self.att2 = (
            nn.Linear(4 * cfg.d, cfg.hidden),
            nn.PReLU(),
            nn.Linear(cfg.hidden, 1),
        )
        self.mlp = nn.Sequential(
            nn.Linear(2 * cfg.d, cfg.hidden), nn.PReLU(), nn.Linear(cfg.hidden, 1)
        )

    def forward(self, hist: torch.Tensor, cand: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Item ids (B, L), (B,) → click logits (B,) and raw activations a (B, L)."""
        e_h, e_c = self.embed(hist), self.embed(cand)  # (B, L, d), (B, d)
        a = activation_unit(e_h, e_c, self.att1, self.att_act, self.att2)  # (B, L)
        v_u = (stable_softmax(a, dim=-1).unsqueeze(-1) * e_h).sum(1)  # (B, d)
        return self.mlp(torch.cat([v_u, e_c], -1)).squeeze(-1), a


def click_log(
    n: int, cfg: DINConfig, g: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Users with two favourite categories (75 % of their history); a candidate is clicked with
    probability 0.85 if it is in a favourite category, 0.1 otherwise.  → hist (n, L), cand (n,), y (n,)."""
    cats = torch.tensor([list(CATALOGUE).index(c) for c in CATEGORY])  # (items,)
    fav = torch.stack([torch.randperm(len(CATALOGUE), generator=g)[:2] for _ in range(n)])  # (n, 2)
    in_fav = (cats[None, :, None] == fav[:, None, :]).any(-1).float()  # (n, items)
    prefs = 0.25 / len(ITEMS) + 0.75 * in_fav / in_fav.sum(1, keepdim=True)  # (n, items)
    hist = torch.multinomial(prefs, cfg.history, replacement=True, generator=g)  # (n, L)
    cand = torch.randint(0, len(ITEMS), (n,), generator=g)
    p_click = 0.1 + 0.75 * in_fav[torch.arange(n), cand]
    return hist, cand, (torch.rand(n, generator=g) < p_click).float()


VARIANTS = {"recommender": DINConfig()}


def train(cfg: DINConfig) -> tuple[DIN, dict[str, float]]:
    """AdamW on binary cross-entropy over fresh synthetic click logs each step."""

    def step(model: nn.Module, g: torch.Generator) -> torch.Tensor:
        hist, cand, y = click_log(cfg.batch, cfg, g)
        return nn.functional.binary_cross_entropy_with_logits(model(hist, cand)[0], y)

    options = {"weight_decay": cfg.weight_decay, "decoupled": True}
    model = toys.fit(lambda: DIN(cfg), step, cfg.steps, cfg.seed, cfg.lr, **options)
    hist, cand, y = click_log(2000, cfg, torch.Generator().manual_seed(999))
    logits = model(hist, cand)[0]
    return model, {"heldout_accuracy": ((logits > 0).float() == y).float().mean().item()}


def load(device: torch.device | str = "cpu") -> DIN:
    """The shipped model, on ``device``."""
    return toys.load_state("recommender", DIN(VARIANTS["recommender"]), device)
