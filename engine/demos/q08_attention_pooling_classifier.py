"""Q8 — attention in NLP: a sentiment classifier that pools its words with attention.

A learned query u scores every word; the sentence vector is the attention-weighted sum of the
word vectors, and a linear layer classifies it. Trained (once, on the CPU) on the small bundled
corpus ``engine/data/sentiment.tsv``; every fifth sentence is held out to measure accuracy.

Shapes: N sentences, L words (padded), d model size.
"""

from __future__ import annotations

import copy
import functools
import math
from pathlib import Path

import torch
from torch import nn

from engine.attention import scaled_dot_product_attention
from engine.devices import one_cpu_thread, seeded
from engine.registry import ParamSpec, demo
from engine.result import Result

CORPUS = Path(__file__).resolve().parent.parent / "data" / "sentiment.tsv"
PAD, UNK = 0, 1
CLASSES = ("neg", "pos")
SENTENCES = (
    "the waiter was friendly but the soup was cold",
    "a brilliant cast and a clever script",
    "the room was dirty and the staff were rude",
    "the coffee was excellent",
    "a boring film with a silly ending",
    "the laptop is fast and the screen is bright",
)


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


def _labelled(pairs: list[tuple[str, str]]) -> tuple[list[str], torch.Tensor]:
    """Sentences and class ids of the pos/neg pairs."""
    kept = [(lab, s) for lab, s in pairs if lab in CLASSES]
    return [s for _, s in kept], torch.tensor([CLASSES.index(lab) for lab, _ in kept])


@functools.cache
def _trained_cpu(seed: int = 0, epochs: int = 150) -> tuple[PoolingClassifier, dict[str, int]]:
    """Full-batch Adam on the training sentences; cached per (seed, epochs)."""
    train, _ = split(load_corpus())
    texts, y = _labelled(train)
    vocab = build_vocab(texts)
    ids = encode(texts, vocab)
    with seeded(seed), one_cpu_thread():
        model = PoolingClassifier(len(vocab))
        opt = torch.optim.Adam(model.parameters(), lr=0.02, weight_decay=1e-4)
        for _ in range(epochs):
            loss = nn.functional.cross_entropy(model(ids)[0], y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval().requires_grad_(False), vocab


def trained_classifier(
    device: torch.device | str = "cpu",
) -> tuple[PoolingClassifier, dict[str, int]]:
    """The trained classifier (trained once on the CPU) copied to ``device``, and its vocabulary."""
    model, vocab = _trained_cpu()
    return copy.deepcopy(model).to(device), vocab


def accuracy(
    model: PoolingClassifier, vocab: dict[str, int], pairs: list[tuple[str, str]]
) -> float:
    """Share of the pos/neg ``pairs`` classified correctly."""
    texts, y = _labelled(pairs)
    ids = encode(texts, vocab).to(model.u.device)
    return (model(ids)[0].argmax(-1).cpu() == y).float().mean().item()


@demo(
    "attention_pooling_classifier",
    title={"zh": "注意力池化情感分类器", "en": "Attention-pooling sentiment classifier"},
    params=(
        ParamSpec(
            "sentence", "choice", SENTENCES[0], {"zh": "句子", "en": "Sentence"}, choices=SENTENCES
        ),
    ),
    shows=(attention_pool, PoolingClassifier.forward),
)
def attention_pooling_demo(device: torch.device, sentence: str) -> Result:
    """Which words the trained classifier weighs when it reads ``sentence``."""
    model, vocab = trained_classifier(device)
    words = sentence.split()
    logits, alpha = model(encode([sentence], vocab).to(device))  # (1, 2), (1, L)
    probs = torch.softmax(logits, -1)[0].cpu()
    train, test = split(load_corpus())
    order = alpha[0].argsort(descending=True).tolist()
    facts = {
        "prediction": CLASSES[int(probs.argmax())],
        "p_pos": round(float(probs[1]), 4),
        "top_words": ", ".join(words[i] for i in order[:3]),
        "unknown_words": ", ".join(w for w in words if w not in vocab) or "none",
        "train_sentences": len(_labelled(train)[0]),
        "train_accuracy": round(accuracy(model, vocab, train), 3),
        "heldout_accuracy": round(accuracy(model, vocab, test), 3),
    }
    extras = {"probs": probs, "classes": CLASSES}
    return Result(
        alpha.unsqueeze(0).cpu(),
        ("u",),
        tuple(words),
        view="q08_pooling",
        facts=facts,
        extras=extras,
    )
