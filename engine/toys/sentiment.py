"""The sentiment corpus and an attention-pooling classifier trained on it, shipped as ``sentiment``.

A learned query u scores every word; the sentence vector is the attention-weighted sum of the
word vectors, and a linear layer classifies it. Trained on the bundled corpus
``engine/data/sentiment.tsv``; every fifth sentence is held out to measure accuracy. The
corpus helpers here (vocabulary, padding, the split) are shared by the other text toys.

Shapes: N sentences, L words (padded), d model size.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from engine import toys
from engine.attention import scaled_dot_product_attention

CORPUS = Path(__file__).resolve().parent.parent / "data" / "sentiment.tsv"
PAD, UNK = 0, 1
CLASSES = ("neg", "pos")


@functools.cache
def load_corpus() -> tuple[tuple[str, str], ...]:
    """(label, sentence) pairs from the bundled TSV; labels are pos, neg and neu."""
    lines = CORPUS.read_text(encoding="utf-8").splitlines()[1:]  # skip the header
    return tuple(
        (label, text) for label, text in (line.split("\t") for line in lines if line.strip())
    )


def split(pairs: tuple[tuple[str, str], ...]) -> tuple[list, list]:
    """Every fifth pair held out for testing, the rest for training."""
    return [p for i, p in enumerate(pairs) if i % 5], [p for i, p in enumerate(pairs) if i % 5 == 0]


def build_vocab(sentences: list[str]) -> dict[str, int]:
    """Word → id, with <pad> = 0 and <unk> = 1, words in order of first appearance."""
    vocab = {"<pad>": PAD, "<unk>": UNK}
    for s in sentences:
        for w in s.split():
            vocab.setdefault(w, len(vocab))
    return vocab


def encode(sentences: list[str], vocab: dict[str, int]) -> torch.Tensor:
    """Word ids padded with <pad> to the longest sentence.  → (N, L)."""
    rows = [[vocab.get(w, UNK) for w in s.split()] for s in sentences]
    ids = torch.full((len(rows), max(map(len, rows))), PAD)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
    return ids


# α = softmax(K u / √d) with K = H W_k;   sentence vector z = Σ_i α_i h_i
def attention_pool(
    H: torch.Tensor, u: torch.Tensor, W_k: torch.Tensor, keep: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """One learned query u attends over the words.  H (N, L, d), u (d,), W_k (d, d), keep (N, L).

    → z (N, d), α (N, L).  It is scaled dot-product attention with a single query.
    """
    q = u.expand(H.size(0), 1, -1)  # the same query for every sentence: (N, 1, d)
    z, alpha = scaled_dot_product_attention(q, H @ W_k, H, attn_mask=keep.unsqueeze(1))
    return z.squeeze(1), alpha.squeeze(1)


class PoolingClassifier(nn.Module):
    """h_i = tanh(E[w_i] W_e + b);  z = attention_pool(h);  p(class) = softmax(W_o z + b_o)."""

    def __init__(self, vocab_size: int, d: int = 32):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d, padding_idx=PAD)
        self.word = nn.Linear(d, d)
        self.u = nn.Parameter(torch.randn(d) / math.sqrt(d))
        self.W_k = nn.Parameter(torch.randn(d, d) / math.sqrt(d))
        self.out = nn.Linear(d, len(CLASSES))

    def forward(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, L) ids → logits (N, 2), word weights (N, L)."""
        H = torch.tanh(self.word(self.embed(ids)))  # (N, L, d)
        z, alpha = attention_pool(H, self.u, self.W_k, ids != PAD)
        return self.out(z), alpha


def labelled(pairs: list[tuple[str, str]]) -> tuple[list[str], torch.Tensor]:
    """Sentences and class ids of the pos/neg pairs."""
    kept = [(lab, s) for lab, s in pairs if lab in CLASSES]
    return [s for _, s in kept], torch.tensor([CLASSES.index(lab) for lab, _ in kept])


def accuracy(
    model: PoolingClassifier, vocab: dict[str, int], pairs: list[tuple[str, str]]
) -> float:
    """Share of the pos/neg ``pairs`` classified correctly."""
    texts, y = labelled(pairs)
    ids = encode(texts, vocab).to(model.u.device)
    return (model(ids)[0].argmax(-1).cpu() == y).float().mean().item()


@dataclass(frozen=True)
class SentimentConfig:
    """Model size and full-batch training schedule."""

    d: int = 32
    epochs: int = 150
    lr: float = 0.02
    weight_decay: float = 1e-4
    seed: int = 0


VARIANTS = {"sentiment": SentimentConfig()}


@functools.cache
def vocabulary() -> dict[str, int]:
    """The vocabulary of the training sentences (deterministic, rebuilt from the corpus)."""
    return build_vocab(labelled(split(load_corpus())[0])[0])


def train(cfg: SentimentConfig) -> tuple[PoolingClassifier, dict[str, float]]:
    """Full-batch Adam (L2 weight decay) on cross-entropy over the training sentences."""
    train_pairs, test_pairs = split(load_corpus())
    texts, y = labelled(train_pairs)
    vocab = vocabulary()
    ids = encode(texts, vocab)

    def step(model: nn.Module, g: torch.Generator) -> torch.Tensor:
        return nn.functional.cross_entropy(model(ids)[0], y)

    build = lambda: PoolingClassifier(len(vocab), cfg.d)  # noqa: E731
    model = toys.fit(build, step, cfg.epochs, cfg.seed, cfg.lr, weight_decay=cfg.weight_decay)
    return model, {
        "train_sentences": len(texts),
        "train_accuracy": accuracy(model, vocab, train_pairs),
        "heldout_accuracy": accuracy(model, vocab, test_pairs),
    }


def load(device: torch.device | str = "cpu") -> tuple[PoolingClassifier, dict[str, int]]:
    """The shipped classifier on ``device``, and its vocabulary."""
    vocab = vocabulary()
    cfg = VARIANTS["sentiment"]
    return toys.load_state("sentiment", PoolingClassifier(len(vocab), cfg.d), device), vocab


SENTENCES = (
    "the waiter was friendly but the soup was cold",
    "a brilliant cast and a clever script",
    "the room was dirty and the staff were rude",
    "the coffee was excellent",
    "a boring film with a silly ending",
    "the laptop is fast and the screen is bright",
)
