"""Q17 — what attention weights do and do not tell you: raw attention, rollout, ablation.

A three-layer Transformer encoder with a [CLS] token (:mod:`engine.toys.cls_encoder`, trained
once on the bundled sentiment corpus). Raw attention of one layer ignores the residual stream
and the layers below; attention rollout (Abnar & Zuidema 2020) folds both in. Then two checks
of whether attention *explains* the decision: knock out one head at a time, and erase one word
at a time, and see how much the prediction actually moves.

Shapes: N sentences, L tokens ([CLS] + words), d model size, h heads, n_layers layers.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.patterns import attention_rollout
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.toys.cls_encoder import CLS, CLSClassifier, ablate_heads, load, log_odds
from engine.toys.sentiment import CLASSES, SENTENCES, encode


def head_ablation(model: CLSClassifier, ids: torch.Tensor, cls: int) -> torch.Tensor:
    """Drop in log-odds of ``cls`` when one head is removed.  (1, L) → (n_layers, h)."""
    base = log_odds(model(ids)[0], cls)
    n_layers, h = len(model.blocks), model.h
    effects = torch.zeros(n_layers, h)
    for layer in range(n_layers):
        for head in range(h):
            keep = torch.ones(n_layers, h, device=ids.device)
            keep[layer, head] = 0
            effects[layer, head] = base - log_odds(model(ids, head_keep=keep)[0], cls)
    return effects


def erasure(model: CLSClassifier, ids: torch.Tensor, cls: int) -> torch.Tensor:
    """Drop in log-odds of ``cls`` when word j is hidden from every attention (j = 1 … L−1).  → (L−1,)."""
    base = log_odds(model(ids)[0], cls)
    out = []
    for j in range(1, ids.size(1)):
        keep = ids != 0
        keep[0, j] = False
        out.append(base - log_odds(model(ids, keep=keep)[0], cls))
    return torch.stack(out).cpu()


def spearman(a: torch.Tensor, b: torch.Tensor) -> float:
    """Rank correlation of two vectors (ties broken by position)."""
    ra, rb = (x.argsort().argsort().double() for x in (a, b))
    ra, rb = ra - ra.mean(), rb - rb.mean()
    return float((ra @ rb) / (ra.norm() * rb.norm()).clamp_min(1e-12))


FACTS = {
    "p": fact("所预测类别的概率", "probability of the prediction"),
    "top_word_raw_last_layer": fact(
        "末层原始注意力最高的词", "top word, raw attention of the last layer"
    ),
    "top_word_rollout": fact("注意力展开最高的词", "top word, rollout"),
    "top_word_erasure": fact("删去后影响最大的词", "top word, erasure"),
    "spearman_raw_vs_erasure": fact(
        "原始注意力与删词效应的秩相关", "rank correlation, raw vs erasure"
    ),
    "spearman_rollout_vs_erasure": fact(
        "注意力展开与删词效应的秩相关", "rank correlation, rollout vs erasure"
    ),
    "largest_head_effect_log_odds": fact(
        "单头消融的最大效应（对数几率）", "largest effect of one head (log-odds)"
    ),
    "log_odds": fact("对数几率", "log-odds"),
}


@demo(
    "attention_rollout",
    title={
        "zh": "原始注意力、注意力展开与头消融",
        "en": "Raw attention, attention rollout and head ablation",
    },
    params=(
        ParamSpec(
            "sentence", "choice", SENTENCES[0], {"zh": "句子", "en": "Sentence"}, choices=SENTENCES
        ),
    ),
    shows=(attention_rollout, ablate_heads, head_ablation, erasure),
    facts=FACTS,
)
def attention_rollout_demo(device: torch.device, sentence: str) -> Result:
    """Each layer's head-averaged attention and the rollout; which heads and words really matter."""
    model, vocab = load(device)
    tokens = (CLS, *sentence.split())
    ids = encode([" ".join(tokens)], vocab).to(device)  # (1, L)
    logits, maps = model(ids)  # maps: (1, n_layers, h, L, L)
    cls = int(logits.argmax(-1))
    raw = maps[0].mean(1)  # average over heads: (n_layers, L, L)
    rollout = attention_rollout(maps[0])  # averages the heads itself
    heads, erase = head_ablation(model, ids, cls), erasure(model, ids, cls)
    cls_raw, cls_roll = raw[-1, 0, 1:].cpu(), rollout[-1, 0, 1:].cpu()  # [CLS] → words
    words = tokens[1:]
    facts = {
        "prediction": CLASSES[cls],
        "p": round(torch.softmax(logits, -1)[0, cls].item(), 4),
        "top_word_raw_last_layer": words[int(cls_raw.argmax())],
        "top_word_rollout": words[int(cls_roll.argmax())],
        "top_word_erasure": words[int(erase.argmax())],
        "spearman_raw_vs_erasure": round(spearman(cls_raw, erase), 3),
        "spearman_rollout_vs_erasure": round(spearman(cls_roll, erase), 3),
        "largest_head_effect_log_odds": round(float(heads.abs().max()), 4),
        "log_odds": round(float(log_odds(logits, cls)), 4),
    }
    n_layers = raw.size(0)
    labels = (*(f"layer {i + 1} raw" for i in range(n_layers)), f"rollout (layers 1–{n_layers})")
    weights = torch.cat([raw, rollout[-1:]]).cpu()  # (n_layers + 1, L, L)
    extras = {"head_effects": heads, "erasure": erase, "cls_raw": cls_raw, "cls_rollout": cls_roll}
    return Result(weights, tokens, tokens, labels, facts=facts, extras=extras)
