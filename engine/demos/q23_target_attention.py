"""Q23 — target attention over a user's behaviour history (Deep Interest Network, Zhou et al. 2018).

For a candidate item c, each item i the user interacted with gets an activation from a
small MLP (the "activation unit") that sees both embeddings and their interactions:

    a_i = MLP([e_i, e_c, e_i − e_c, e_i ⊙ e_c]),   v_U(c) = Σ_i a_i · e_i

The paper deliberately does not softmax-normalise a_i: the size of Σ_i a_i keeps how
strongly the history as a whole matches the candidate. The authors' reference code does
normalise (softmax over the history) in its attention function, and so does the toy model
here, trained in a few seconds on synthesized click logs: with raw sum pooling the sign of
a_i is not identifiable (−a with a negated MLP input layer predicts the same clicks) and
the learned weights are hard to read. The weights drawn are softmax_i(a_i); the raw a_i
are kept beside them (after softmax training only their differences carry meaning, which
is exactly the intensity information the paper's un-normalised form would keep).

Shapes: B users, L history length, d embedding size, n items.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

import torch
from torch import nn

from engine.devices import one_cpu_thread, seeded
from engine.registry import ParamSpec, demo
from engine.result import Result
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
USERS = {  # name → history, oldest first
    "runner who reads": (
        "running shoes",
        "sci-fi novel",
        "energy gels",
        "history book",
        "sports watch",
        "running socks",
        "e-reader",
        "espresso beans",
    ),
    "new parent, keen gardener": (
        "diapers",
        "tomato seeds",
        "baby monitor",
        "garden hose",
        "teething toy",
        "flower pots",
        "headset",
        "baby stroller",
    ),
    "coffee-drinking gamer": (
        "moka pot",
        "game console",
        "espresso beans",
        "gaming mouse",
        "poetry collection",
        "controller",
        "coffee grinder",
        "headset",
    ),
}


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


@functools.cache
@one_cpu_thread()
def _trained_cpu(cfg: DINConfig) -> DIN:
    """Adam on binary cross-entropy over fresh synthetic click logs each step."""
    g = torch.Generator().manual_seed(cfg.seed)
    with seeded(cfg.seed):  # nn init draws from the global generator
        model = DIN(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    for _ in range(cfg.steps):
        hist, cand, y = click_log(cfg.batch, cfg, g)
        loss = nn.functional.binary_cross_entropy_with_logits(model(hist, cand)[0], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval().requires_grad_(False)


def trained_din(device: torch.device | str = "cpu") -> DIN:
    """The trained model (trained once on the CPU, cached), copied to ``device``."""
    return copy.deepcopy(_trained_cpu(DINConfig())).to(device)


@demo(
    "target_attention",
    title={"zh": "推荐系统中的目标注意力（DIN）", "en": "Target attention in recommendation (DIN)"},
    params=(
        ParamSpec(
            "user", "choice", "runner who reads", {"zh": "用户", "en": "User"}, choices=tuple(USERS)
        ),
        ParamSpec(
            "candidate",
            "choice",
            "sports watch",
            {"zh": "候选商品（柱状图）", "en": "Candidate item (bar chart)"},
            choices=ITEMS,
        ),
    ),
    shows=(activation_unit, DIN),
)
def target_attention_demo(device: torch.device, user: str, candidate: str) -> Result:
    """Every catalogue item as a candidate (query) attends over one user's history (keys)."""
    model = trained_din(device)
    history = USERS[user]
    n, L = len(ITEMS), len(history)
    hist = torch.tensor([ITEMS.index(i) for i in history], device=device).expand(n, L)  # (n, L)
    cand = torch.arange(n, device=device)  # (n,) every item as the candidate
    logits, raw = model(hist, cand)  # (n,), (n, L)
    weights = stable_softmax(raw, dim=-1)  # normalised form, rows sum to 1
    c = ITEMS.index(candidate)
    raw, p = raw.cpu(), torch.sigmoid(logits).cpu()
    facts = {
        "history length L": L,
        "candidates": n,
        "candidate": candidate,
        "P(click | candidate)": round(float(p[c]), 3),
        "raw a_i spread (max − min)": round(float(raw[c].max() - raw[c].min()), 3),
        "top history item": history[int(raw[c].argmax())],
    }
    extras = {"raw": raw.numpy(), "p_click": p.numpy(), "candidate": c, "categories": CATEGORY}
    labels = tuple(f"{i} [{k}]" for i, k in zip(ITEMS, CATEGORY, strict=True))
    return Result(
        weights.unsqueeze(0).cpu(),
        labels,
        history,
        head_labels=("softmax-normalised activations",),
        view="q23_target",
        facts=facts,
        extras=extras,
    )
