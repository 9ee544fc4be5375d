"""Q38 — induction heads in a two-layer, attention-only transformer (shipped weights).

A random sequence of P distinct tokens, repeated. Layer 1's head attends to the previous
position (A¹[i, i−1] ≈ 1): it writes "my previous token was x" into position i. Layer 2's
head, at a repeated token x, matches keys that say "my previous token was x" and so attends
to the token just after the earlier occurrence (A²[i, i−P+1]), whose identity it copies to
the output: [A][B] … [A] → predict [B]. The loss drops from ≈ log V on the first period to
near 0 on the repeat; drop either layer's head and the repeat is no longer predicted.
"""

from __future__ import annotations

import math

import torch

from engine.facts import NATS, fact
from engine.i18n import bi
from engine.params import seed_of
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.toys import induction as toy

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def token_names(tokens: list[int]) -> tuple[str, ...]:
    """Vocabulary ids as letters, with the position: 0:F, 1:C, …"""
    return tuple(f"{i}:{ALPHABET[t]}" for i, t in enumerate(tokens))


# loss_t = −log p(s_{t+1} | s_≤t),  first period t < P − 1, repeat t ≥ P
def sequence_losses(
    model: toy.InductionModel, tokens: torch.Tensor, period: int, ablate: int | None = None
) -> dict[str, torch.Tensor]:
    """Per-position loss and the heads' weights.  tokens (L + 1,) → losses (L,), weights (layers, h, L, L)."""
    x = tokens[None, :-1]  # (1, L): the last token is only a target
    logits, w = model.forward_with_weights(x, ablate)  # (1, L, V), (layers, 1, h, L, L)
    logp = torch.log_softmax(logits[0], dim=-1)  # (L, V)
    losses = -logp.gather(1, tokens[1:, None])[:, 0]  # (L,)
    return {"losses": losses, "weights": w[:, 0]}


def ablation_losses(
    model: toy.InductionModel, tokens: torch.Tensor, period: int
) -> dict[str, float]:
    """Mean loss on the repeat with nothing removed, and with each layer's head removed."""
    out = {}
    for name, ablate in (("intact", None), ("no_layer1", 0), ("no_layer2", 1)):
        losses = sequence_losses(model, tokens, period, ablate)["losses"]
        out[name] = float(losses[period:].mean())
    return out


ABLATIONS = {
    "intact": bi("完整模型", "intact model"),
    "no_layer1": bi("去掉第 1 层的头", "layer 1's head removed"),
    "no_layer2": bi("去掉第 2 层的头", "layer 2's head removed"),
}
FACTS = {
    "period": fact("重复周期 P", "repeat period P"),
    "vocab": fact("词表大小 V", "vocabulary V"),
    "uniform_loss": fact("均匀猜测的损失 log V", "loss of a uniform guess, log V", NATS),
    "prev_token_score_l1": fact("第 1 层的前一词元得分", "previous-token score, layer 1"),
    "induction_score_l2": fact("第 2 层的归纳得分", "induction score, layer 2"),
    "loss_first_period": fact("第一个周期的平均损失", "mean loss, first period", NATS),
    "loss_repeat": fact("重复部分的平均损失", "mean loss, repeat", NATS),
    "loss_repeat_{ablation}": fact(
        "重复部分的平均损失（{ablation}）",
        "mean loss on the repeat, {ablation}",
        NATS,
        names=ABLATIONS,
    ),
    "manifest_prev_token_score_l1": fact(
        "训练记录：第 1 层前一词元得分", "recorded at training: previous-token score, layer 1"
    ),
    "manifest_induction_score_l2": fact(
        "训练记录：第 2 层归纳得分", "recorded at training: induction score, layer 2"
    ),
}


@demo(
    "induction_heads",
    title={"zh": "归纳头：两层纯注意力模型", "en": "Induction heads: a two-layer attention-only model"},
    params=(
        ParamSpec(
            "period", "int", 12, {"zh": "重复周期 P", "en": "Repeat period P"}, min=6, max=12, step=1,
            help={"zh": "P 个随机词元，然后重复", "en": "P random tokens, then repeated"},
        ),
        ParamSpec(
            "ablate", "choice", "none", {"zh": "去掉哪一层的头", "en": "Remove a layer's head"},
            choices=("none", "layer1", "layer2"),
        ),
        seed_of("序列", "sequence"),
    ),
    shows=(sequence_losses, toy.head_scores, toy.AttentionBlock.forward),
    facts=FACTS,
)  # fmt: skip
def induction_heads_demo(device: torch.device, period: int, ablate: str, seed: int) -> Result:
    """Both heads of the shipped toy on a repeated random sequence, its loss per position, and ablations."""
    model, cfg = toy.load(device), toy.config()
    g = torch.Generator().manual_seed(seed)
    tokens = toy.repeated_batch(cfg, 1, g, period)[0].to(device)  # (2T + 1,)
    which = {"none": None, "layer1": 0, "layer2": 1}[ablate]
    run = sequence_losses(model, tokens, period, which)
    w = run["weights"][:, 0]  # (layers, L, L): head 1 of each layer
    scores = toy.head_scores(run["weights"][:, None], period)  # each (layers, h)
    losses = run["losses"]
    facts = {
        "period": period,
        "vocab": cfg.vocab,
        "uniform_loss": round(math.log(cfg.vocab), 4),
        "prev_token_score_l1": float(scores["previous_token"][0, 0]),
        "induction_score_l2": float(scores["induction"][1, 0]),
        "loss_first_period": float(losses[: period - 1].mean()),
        "loss_repeat": float(losses[period:].mean()),
        **{f"loss_repeat_{k}": v for k, v in ablation_losses(model, tokens, period).items()},
        "manifest_prev_token_score_l1": toy.manifest_metrics()["prev_token_score_l1"],
        "manifest_induction_score_l2": toy.manifest_metrics()["induction_score_l2"],
    }
    labels = token_names(tokens[:-1].tolist())
    extras = {"losses": losses.cpu(), "tokens": tokens.cpu(), "ablate": ablate}
    return Result(
        w.cpu(), labels, labels, head_labels=("L1 H1", "L2 H1"), facts=facts, extras=extras
    )
