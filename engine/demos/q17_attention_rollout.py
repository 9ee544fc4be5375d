"""Q17 — what attention weights do and do not tell you: raw attention, rollout, ablation.

A three-layer Transformer encoder with a [CLS] token is trained (once, on the CPU) on the
bundled sentiment corpus. Raw attention of one layer ignores the residual stream and the
layers below; attention rollout (Abnar & Zuidema 2020) folds both in. Then two checks of
whether attention *explains* the decision: knock out one head at a time, and erase one word at
a time, and see how much the prediction actually moves.

Shapes: N sentences, L tokens ([CLS] + words), d model size, h heads, n_layers layers.
"""

from __future__ import annotations

import copy
import dataclasses
import functools

import torch
from torch import nn

from engine.attention import multi_head_attention
from engine.demos.q08_attention_pooling_classifier import (
    CLASSES,
    SENTENCES,
    _labelled,
    build_vocab,
    encode,
    load_corpus,
    split,
)
from engine.devices import one_cpu_thread, seeded
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.seq2seq import Attention, FeedForward

CLS = "[CLS]"


# Abnar & Zuidema 2020:  Â_l = ½ A_l + ½ I  (rows renormalised),   R_l = Â_l R_{l−1},  R_1 = Â_1
def attention_rollout(attentions: torch.Tensor) -> torch.Tensor:
    """Head-averaged attention of each layer (n_layers, L, L) → rollout after each layer (n_layers, L, L).

    The ½ I stands for the residual connection: half of each token's next state is itself.
    """
    eye = torch.eye(attentions.size(-1), dtype=attentions.dtype, device=attentions.device)
    rollout, out = eye, []
    for A in attentions:
        A_hat = 0.5 * A + 0.5 * eye
        A_hat = A_hat / A_hat.sum(-1, keepdim=True)
        rollout = A_hat @ rollout  # token i's mix of the inputs, through this layer
        out.append(rollout)
    return torch.stack(out)


def ablate_heads(attn: Attention, keep: torch.Tensor):
    """The layer's projections with the output of heads where ``keep`` (h,) is 0 removed.

    Concat(head_1 … head_h) W_o: zeroing the rows of W_o that read head i removes head i.
    """
    p = attn.params()
    d_k = p.d_model // attn.h
    rows = keep.repeat_interleave(d_k).unsqueeze(1)  # (d_model, 1)
    return dataclasses.replace(p, W_o=p.W_o * rows)


class Block(nn.Module):
    """Pre-LN layer: x ← x + MHA(LN(x));  x ← x + FFN(LN(x))."""

    def __init__(self, d: int, h: int):
        super().__init__()
        self.attn, self.ff = Attention(d, h), FeedForward(d, 2 * d)
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)

    def forward(self, x: torch.Tensor, keep: torch.Tensor, head_keep: torch.Tensor):
        y = self.norm1(x)
        a, w = multi_head_attention(
            y, y, ablate_heads(self.attn, head_keep), self.attn.h, key_padding_mask=keep
        )
        x = x + a
        return x + self.ff(self.norm2(x)), w


class CLSClassifier(nn.Module):
    """[CLS] w_1 … w_n → token + position embeddings → n_layers blocks → W_o LN(x_[CLS])."""

    def __init__(
        self, vocab_size: int, d: int = 32, h: int = 2, n_layers: int = 3, max_len: int = 32
    ):
        super().__init__()
        self.h = h
        self.embed, self.pos = nn.Embedding(vocab_size, d, padding_idx=0), nn.Embedding(max_len, d)
        self.blocks = nn.ModuleList(Block(d, h) for _ in range(n_layers))
        self.norm, self.out = nn.LayerNorm(d), nn.Linear(d, len(CLASSES))

    def forward(
        self,
        ids: torch.Tensor,
        keep: torch.Tensor | None = None,
        head_keep: torch.Tensor | None = None,
    ):
        """(N, L) ids → logits (N, 2), attention (N, n_layers, h, L, L).

        ``keep`` (N, L): keys that may be attended (default: not padding); ``head_keep`` (n_layers, h).
        """
        keep = ids != 0 if keep is None else keep
        head_keep = (
            torch.ones(len(self.blocks), self.h, device=ids.device)
            if head_keep is None
            else head_keep
        )
        x = self.embed(ids) + self.pos(torch.arange(ids.size(1), device=ids.device))
        maps = []
        for block, hk in zip(self.blocks, head_keep, strict=True):
            x, w = block(x, keep, hk)
            maps.append(w)
        return self.out(self.norm(x[:, 0])), torch.stack(maps, 1)


@functools.cache
def _trained_cpu(seed: int = 0, epochs: int = 120) -> tuple[CLSClassifier, dict[str, int]]:
    """Full-batch Adam on the training half of the corpus; cached per (seed, epochs)."""
    texts, y = _labelled(split(load_corpus())[0])
    texts = [f"{CLS} {t}" for t in texts]
    vocab = build_vocab(texts)
    ids = encode(texts, vocab)
    with seeded(seed), one_cpu_thread():
        model = CLSClassifier(len(vocab))
        opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
        for _ in range(epochs):
            loss = nn.functional.cross_entropy(model(ids)[0], y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval().requires_grad_(False), vocab


def trained_encoder(device: torch.device | str = "cpu") -> tuple[CLSClassifier, dict[str, int]]:
    """The trained classifier (trained once on the CPU) copied to ``device``, and its vocabulary."""
    model, vocab = _trained_cpu()
    return copy.deepcopy(model).to(device), vocab


def log_odds(logits: torch.Tensor, cls: int) -> torch.Tensor:
    """log p(cls) − log p(other) of the first sentence: unlike p, it does not saturate near 1."""
    return logits[0, cls] - logits[0, 1 - cls]


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
)
def attention_rollout_demo(device: torch.device, sentence: str) -> Result:
    """Each layer's head-averaged attention and the rollout; which heads and words really matter."""
    model, vocab = trained_encoder(device)
    tokens = (CLS, *sentence.split())
    ids = encode([" ".join(tokens)], vocab).to(device)  # (1, L)
    logits, maps = model(ids)  # maps: (1, n_layers, h, L, L)
    cls = int(logits.argmax(-1))
    raw = maps[0].mean(1)  # average over heads: (n_layers, L, L)
    rollout = attention_rollout(raw)
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
    return Result(weights, tokens, tokens, labels, view="q17_rollout", facts=facts, extras=extras)
