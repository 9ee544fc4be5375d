"""A three-layer Transformer encoder with a [CLS] token, trained on the sentiment corpus and
shipped as ``cls_encoder``; its heads can be knocked out one at a time (Q17).

Shapes: N sentences, L tokens ([CLS] + words), d model size, h heads, n_layers layers.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import torch
from torch import nn

from engine import toys
from engine.attention import multi_head_attention
from engine.layers import Attention, FeedForward
from engine.toys.sentiment import CLASSES, build_vocab, encode, labelled, load_corpus, split

CLS = "[CLS]"


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


def log_odds(logits: torch.Tensor, cls: int) -> torch.Tensor:
    """log p(cls) − log p(other) of the first sentence: unlike p, it does not saturate near 1."""
    return logits[0, cls] - logits[0, 1 - cls]


@dataclass(frozen=True)
class EncoderConfig:
    """Model size and full-batch training schedule (AdamW)."""

    d: int = 32
    h: int = 2
    n_layers: int = 3
    max_len: int = 32
    epochs: int = 120
    lr: float = 3e-3
    weight_decay: float = 1e-2
    seed: int = 0


VARIANTS = {"cls_encoder": EncoderConfig()}


def _texts(pairs: list[tuple[str, str]]) -> tuple[list[str], torch.Tensor]:
    texts, y = labelled(pairs)
    return [f"{CLS} {t}" for t in texts], y


@functools.cache
def vocabulary() -> dict[str, int]:
    """Vocabulary of the training sentences with [CLS] in front (rebuilt from the corpus)."""
    return build_vocab(_texts(split(load_corpus())[0])[0])


def _build(cfg: EncoderConfig) -> CLSClassifier:
    return CLSClassifier(len(vocabulary()), cfg.d, cfg.h, cfg.n_layers, cfg.max_len)


def train(cfg: EncoderConfig) -> tuple[CLSClassifier, dict[str, float]]:
    """Full-batch AdamW on cross-entropy over the training half of the corpus."""
    train_pairs, test_pairs = split(load_corpus())
    texts, y = _texts(train_pairs)
    ids = encode(texts, vocabulary())

    def step(model: nn.Module, g: torch.Generator) -> torch.Tensor:
        return nn.functional.cross_entropy(model(ids)[0], y)

    options = {"weight_decay": cfg.weight_decay, "decoupled": True}
    model = toys.fit(lambda: _build(cfg), step, cfg.epochs, cfg.seed, cfg.lr, **options)
    metrics = {}
    for name, pairs in (("train_accuracy", train_pairs), ("heldout_accuracy", test_pairs)):
        t, yy = _texts(pairs)
        metrics[name] = (model(encode(t, vocabulary()))[0].argmax(-1) == yy).float().mean().item()
    return model, metrics


def load(device: torch.device | str = "cpu") -> tuple[CLSClassifier, dict[str, int]]:
    """The shipped encoder on ``device``, and its vocabulary."""
    return toys.load_state("cls_encoder", _build(VARIANTS["cls_encoder"]), device), vocabulary()
