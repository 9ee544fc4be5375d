"""Q23 — target attention over a user's behaviour history (Deep Interest Network, Zhou et al. 2018).

For a candidate item c, each item i the user interacted with gets an activation from a
small MLP (the "activation unit") that sees both embeddings and their interactions:

    a_i = MLP([e_i, e_c, e_i − e_c, e_i ⊙ e_c]),   v_U(c) = Σ_i a_i · e_i

The paper deliberately does not softmax-normalise a_i: the size of Σ_i a_i keeps how
strongly the history as a whole matches the candidate. The authors' reference code does
normalise (softmax over the history) in its attention function, and so does the toy model
here (:mod:`engine.toys.recommender`), trained once on synthesized click logs: with raw sum pooling the sign of
a_i is not identifiable (−a with a negated MLP input layer predicts the same clicks) and
the learned weights are hard to read. The weights drawn are softmax_i(a_i); the raw a_i
are kept beside them (after softmax training only their differences carry meaning, which
is exactly the intensity information the paper's un-normalised form would keep).

Shapes: B users, L history length, d embedding size, n items.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.softmax import stable_softmax
from engine.toys.recommender import CATEGORY, DIN, ITEMS, activation_unit, load

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


FACTS = {
    "candidates": fact("候选商品数", "candidates"),
    "candidate": fact("候选商品", "candidate"),
    "p_click": fact("P(点击 | 候选)", "P(click | candidate)"),
    "raw_spread": fact("原始 a_i 的极差", "raw a_i spread (max − min)"),
    "top_history_item": fact("最相关的历史商品", "top history item"),
}


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
    facts=FACTS,
)
def target_attention_demo(device: torch.device, user: str, candidate: str) -> Result:
    """Every catalogue item as a candidate (query) attends over one user's history (keys)."""
    model = load(device)
    history = USERS[user]
    n, L = len(ITEMS), len(history)
    hist = torch.tensor([ITEMS.index(i) for i in history], device=device).expand(n, L)  # (n, L)
    cand = torch.arange(n, device=device)  # (n,) every item as the candidate
    logits, raw = model(hist, cand)  # (n,), (n, L)
    weights = stable_softmax(raw, dim=-1)  # normalised form, rows sum to 1
    c = ITEMS.index(candidate)
    raw, p = raw.cpu(), torch.sigmoid(logits).cpu()
    facts = {
        "L": L,
        "candidates": n,
        "candidate": candidate,
        "p_click": round(float(p[c]), 3),
        "raw_spread": round(float(raw[c].max() - raw[c].min()), 3),
        "top_history_item": history[int(raw[c].argmax())],
    }
    extras = {"raw": raw.numpy(), "p_click": p.numpy(), "candidate": c, "categories": CATEGORY}
    labels = tuple(f"{i} [{k}]" for i, k in zip(ITEMS, CATEGORY, strict=True))
    return Result(
        weights.unsqueeze(0).cpu(),
        labels,
        history,
        head_labels=("softmax-normalised activations",),
        facts=facts,
        extras=extras,
    )
