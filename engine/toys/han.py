"""A hierarchical attention network (Yang et al. 2016), shipped as ``han`` (Q26).

A word-level bidirectional GRU and attention turn each sentence into a vector; a sentence-level
GRU and attention turn those into a document vector, which is classified. Trained on short
"reviews" assembled from the bundled sentiment corpus: one or two opinion sentences of the
same polarity hidden among neutral ones, labelled by that polarity.

Shapes: N documents, S sentences, W words per sentence, d size (2 × GRU size).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch
from torch import nn

from engine import toys
from engine.softmax import stable_softmax
from engine.toys.sentiment import CLASSES, PAD, build_vocab, load_corpus, split


# Yang et al. 2016:  u_i = tanh(W h_i + b),  α_i = softmax_i(u_iᵀ u_ctx),  s = Σ_i α_i h_i
def context_attention(
    H: torch.Tensor, W: torch.Tensor, b: torch.Tensor, u_ctx: torch.Tensor, keep: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention with a learned context vector ("which item is informative?").

    H (..., n, d), W (d, d), b (d,), u_ctx (d,), keep (..., n) bool.  → summary (..., d), α (..., n).
    """
    u = torch.tanh(H @ W + b)  # (..., n, d)
    alpha = stable_softmax(u @ u_ctx, mask=keep)  # (..., n)
    return (alpha.unsqueeze(-2) @ H).squeeze(-2), alpha  # (..., 1, n) @ (..., n, d) → (..., d)


class AttentionLevel(nn.Module):
    """One level of the hierarchy: a bidirectional GRU over items, then context attention."""

    def __init__(self, d_in: int, hidden: int):
        super().__init__()
        d = 2 * hidden
        self.gru = nn.GRU(d_in, hidden, batch_first=True, bidirectional=True)
        self.W, self.b = nn.Parameter(torch.randn(d, d) / d**0.5), nn.Parameter(torch.zeros(d))
        self.u_ctx = nn.Parameter(torch.randn(d) / d**0.5)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, n, d_in), keep (B, n) → summary (B, 2·hidden), α (B, n)."""
        H = self.gru(x * keep.unsqueeze(-1))[0]  # (B, n, 2·hidden); padding enters as zeros
        return context_attention(H, self.W, self.b, self.u_ctx, keep)


class HAN(nn.Module):
    """words → word level → sentence vectors → sentence level → document vector → class."""

    def __init__(self, vocab_size: int, emb: int = 24, hidden: int = 16):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, emb, padding_idx=PAD)
        self.words, self.sentences = AttentionLevel(emb, hidden), AttentionLevel(2 * hidden, hidden)
        self.out = nn.Linear(2 * hidden, len(CLASSES))

    def forward(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(N, S, W) ids → logits (N, 2), word weights (N, S, W), sentence weights (N, S)."""
        N, S, W = ids.shape
        word_keep = ids != PAD  # (N, S, W)
        sent_vec, alpha = self.words(
            self.embed(ids.view(N * S, W)), word_keep.view(N * S, W)
        )  # (N·S, d)
        doc, beta = self.sentences(sent_vec.view(N, S, -1), word_keep.any(-1))  # (N, d), (N, S)
        return self.out(doc), alpha.view(N, S, W), beta


def encode_documents(docs: list[list[str]], vocab: dict[str, int]) -> torch.Tensor:
    """Documents of sentences → word ids padded to (N, S, W)."""
    S, W = max(map(len, docs)), max(len(s.split()) for d in docs for s in d)
    ids = torch.full((len(docs), S, W), PAD)
    for i, doc in enumerate(docs):
        for j, sentence in enumerate(doc):
            words = [vocab.get(w, 1) for w in sentence.split()]
            ids[i, j, : len(words)] = torch.tensor(words)
    return ids


def sample_documents(
    pairs: list[tuple[str, str]], g: torch.Generator, n: int
) -> tuple[list[list[str]], torch.Tensor, list[list[bool]]]:
    """``n`` documents of 3–5 sentences: 1–2 opinions of one polarity among neutral ones.

    → documents, labels (N,), and which sentences carry the opinion.
    """
    by_label = {lab: [s for l_, s in pairs if l_ == lab] for lab in ("pos", "neg", "neu")}
    docs, labels, marks = [], [], []
    for _ in range(n):
        label = int(torch.randint(2, (1,), generator=g))
        n_sent, n_op = (
            int(torch.randint(3, 6, (1,), generator=g)),
            int(torch.randint(1, 3, (1,), generator=g)),
        )
        ops = [_pick(by_label[CLASSES[label]], g) for _ in range(n_op)]
        sentences = [(s, True) for s in ops] + [
            (_pick(by_label["neu"], g), False) for _ in range(n_sent - n_op)
        ]
        order = torch.randperm(n_sent, generator=g).tolist()
        docs.append([sentences[i][0] for i in order])
        marks.append([sentences[i][1] for i in order])
        labels.append(label)
    return docs, torch.tensor(labels), marks


def _pick(items: list[str], g: torch.Generator) -> str:
    return items[int(torch.randint(len(items), (1,), generator=g))]


@dataclass(frozen=True)
class HANConfig:
    """Sizes and training schedule."""

    emb: int = 24
    hidden: int = 16
    steps: int = 150
    batch: int = 32
    lr: float = 1e-2
    seed: int = 0


VARIANTS = {"han": HANConfig()}


@functools.cache
def vocabulary() -> dict[str, int]:
    """Vocabulary of the training sentences (rebuilt from the corpus)."""
    return build_vocab([s for _, s in split(load_corpus())[0]])


def _build(cfg: HANConfig) -> HAN:
    return HAN(len(vocabulary()), cfg.emb, cfg.hidden)


def train(cfg: HANConfig) -> tuple[HAN, dict[str, float]]:
    """Adam on cross-entropy over documents built from the training sentences."""
    train_pairs = split(load_corpus())[0]

    def step(model: nn.Module, g: torch.Generator) -> torch.Tensor:
        docs, y, _ = sample_documents(train_pairs, g, cfg.batch)
        return nn.functional.cross_entropy(model(encode_documents(docs, vocabulary()))[0], y)

    model = toys.fit(lambda: _build(cfg), step, cfg.steps, cfg.seed, cfg.lr)
    return model, heldout_scores(model)


def heldout_scores(model: HAN, n: int = 300, seed: int = 777) -> dict[str, float]:
    """Accuracy, and how often the top sentence is an opinion, on fresh documents built from the
    training sentences ("fresh") and from the held-out sentences ("heldout")."""
    out = {}
    for name, pairs in zip(("fresh", "heldout"), split(load_corpus()), strict=True):
        docs, y, marks = sample_documents(pairs, torch.Generator().manual_seed(seed), n)
        logits, _, beta = model(encode_documents(docs, vocabulary()))
        top = beta.argmax(-1).tolist()
        out[f"{name}_accuracy"] = (logits.argmax(-1) == y).float().mean().item()
        out[f"{name}_top_sentence_is_opinion"] = (
            sum(m[t] for m, t in zip(marks, top, strict=True)) / n
        )
    return out


def load(device: torch.device | str = "cpu") -> tuple[HAN, dict[str, int]]:
    """The shipped network on ``device``, and its vocabulary."""
    return toys.load_state("han", _build(VARIANTS["han"]), device), vocabulary()
