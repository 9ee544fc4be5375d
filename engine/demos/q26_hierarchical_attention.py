"""Q26 — hierarchical attention (Yang et al. 2016): words within sentences, sentences within a document.

A word-level bidirectional GRU and attention turn each sentence into a vector; a sentence-level
GRU and attention turn those into a document vector, which is classified. Trained (once, on the
CPU) on short "reviews" assembled from the bundled corpus: one or two opinion sentences of the
same polarity hidden among neutral ones, labelled by that polarity — so the model must find the
sentences that carry the opinion and, inside them, the words.

Shapes: N documents, S sentences, W words per sentence, d size (2 × GRU size).
"""

from __future__ import annotations

import copy
import functools

import torch
from torch import nn

from engine.demos.q08_attention_pooling_classifier import (
    CLASSES,
    PAD,
    build_vocab,
    load_corpus,
    split,
)
from engine.devices import one_cpu_thread, seeded
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.softmax import stable_softmax

DOCUMENTS = {
    "hotel stay": (
        "we arrived at the hotel on a tuesday",
        "the room is on the third floor",
        "the beds were hard and the breakfast was awful",
        "we stayed for three nights",
    ),
    "dinner out": (
        "the restaurant is next to the station",
        "my sister chose the fish",
        "the waiter was friendly and the wine was excellent",
        "we paid by card at the desk",
        "the dessert was sweet and wonderful",
    ),
    "new laptop": (
        "the laptop has two ports on the side",
        "the keyboard feels cheap and keys stick",
        "i bought it last winter",
    ),
    "city trip": (
        "the museum opens at nine in the morning",
        "the museum was fascinating and well organised",
        "we took a taxi from the airport",
        "the guide spoke english and french",
    ),
}


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


@functools.cache
def _trained_cpu(seed: int = 0, steps: int = 150, batch: int = 32) -> tuple[HAN, dict[str, int]]:
    """Adam on cross-entropy over documents built from the training sentences; cached."""
    train, _ = split(load_corpus())
    vocab = build_vocab([s for _, s in train])
    g = torch.Generator().manual_seed(seed)
    with seeded(seed), one_cpu_thread():
        model = HAN(len(vocab))
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        for _ in range(steps):
            docs, y, _ = sample_documents(train, g, batch)
            loss = nn.functional.cross_entropy(model(encode_documents(docs, vocab))[0], y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval().requires_grad_(False), vocab


def trained_han(device: torch.device | str = "cpu") -> tuple[HAN, dict[str, int]]:
    """The trained network (trained once on the CPU) copied to ``device``, and its vocabulary."""
    model, vocab = _trained_cpu()
    return copy.deepcopy(model).to(device), vocab


@functools.cache
def heldout_scores(n: int = 300, seed: int = 777) -> dict[str, float]:
    """Accuracy, and how often the top sentence is an opinion, on fresh documents built from the
    training sentences ("fresh") and from the held-out sentences ("heldout")."""
    model, vocab = _trained_cpu()
    out = {}
    for name, pairs in zip(("fresh", "heldout"), split(load_corpus()), strict=True):
        docs, y, marks = sample_documents(pairs, torch.Generator().manual_seed(seed), n)
        logits, _, beta = model(encode_documents(docs, vocab))
        top = beta.argmax(-1).tolist()
        out[f"{name}_accuracy"] = (logits.argmax(-1) == y).float().mean().item()
        out[f"{name}_top_sentence_is_opinion"] = (
            sum(m[t] for m, t in zip(marks, top, strict=True)) / n
        )
    return out


@demo(
    "hierarchical_attention",
    title={
        "zh": "层次注意力网络：词级与句级注意力",
        "en": "Hierarchical attention: words, then sentences",
    },
    params=(
        ParamSpec(
            "document",
            "choice",
            next(iter(DOCUMENTS)),
            {"zh": "文档", "en": "Document"},
            choices=tuple(DOCUMENTS),
        ),
    ),
    shows=(context_attention, AttentionLevel.forward, HAN.forward),
)
def hierarchical_attention_demo(device: torch.device, document: str) -> Result:
    """Word weights inside every sentence (rows) and the weight of each sentence in the document."""
    doc = list(DOCUMENTS[document])
    model, vocab = trained_han(device)
    logits, alpha, beta = model(encode_documents([doc], vocab).to(device))
    probs = torch.softmax(logits, -1)[0].cpu()
    W = alpha.size(-1)
    scores = heldout_scores()
    facts = {
        "prediction": CLASSES[int(probs.argmax())],
        "p_pos": round(float(probs[1]), 4),
        "top_sentence": doc[int(beta[0].argmax())],
        **{k: round(v, 3) for k, v in scores.items()},
    }
    labels = tuple(f"{i + 1}. {' '.join(s.split()[:3])} …" for i, s in enumerate(doc))
    extras = {
        "sentences": [s.split() for s in doc],
        "sentence_weights": beta[0].cpu(),
        "probs": probs,
    }
    weights = alpha.cpu()  # (1, S, W): row i = word weights inside sentence i
    return Result(
        weights,
        labels,
        tuple(f"w{j + 1}" for j in range(W)),
        view="q26_han",
        facts=facts,
        extras=extras,
    )
