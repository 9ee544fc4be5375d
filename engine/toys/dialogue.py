"""A response-selection model over a multi-turn history, shipped as ``dialogue`` (Q16).

Each turn becomes one vector (its words averaged, plus who spoke and how many turns ago);
the reply's vector is the query of an attention over the turns, and the attended context
decides whether the reply fits. Trained on dialogues sampled from the bundled
``engine/data/dialogue.tsv``: a fitting reply continues a topic of the history, a wrong one
does not — so the model has to look back to the right turn, however long ago it was.

Shapes: N dialogues, T turns, W words per turn, d model size.
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
from engine.toys.sentiment import build_vocab

DATA = Path(__file__).resolve().parent.parent / "data" / "dialogue.tsv"


PAD = 0


UNK = 1


MAX_TURNS = 6


@functools.cache
def load_dialogue_pool() -> dict[str, dict[str, tuple[str, ...]]]:
    """{topic: {"turn": sentences, "reply": sentences}} from the bundled TSV."""
    pool: dict[str, dict[str, list[str]]] = {}
    for line in DATA.read_text(encoding="utf-8").splitlines()[1:]:
        topic, kind, text = line.split("\t")
        pool.setdefault(topic, {"turn": [], "reply": []})[kind].append(text)
    return {t: {k: tuple(v) for k, v in kinds.items()} for t, kinds in pool.items()}


def encode_turns(turns: list[list[str]], vocab: dict[str, int]) -> torch.Tensor:
    """Dialogues of turns → word ids padded to (N, T, W)."""
    T = max(map(len, turns))
    W = max(len(s.split()) for d in turns for s in d)
    ids = torch.full((len(turns), T, W), PAD)
    for i, dialogue in enumerate(turns):
        for t, sentence in enumerate(dialogue):
            words = [vocab.get(w, UNK) for w in sentence.split()]
            ids[i, t, : len(words)] = torch.tensor(words)
    return ids


# α = softmax(K q / √d) with q = r W_q (the reply), K = U W_k (the turns);  context c = Σ_t α_t u_t
def turn_attention(
    r: torch.Tensor, U: torch.Tensor, W_q: torch.Tensor, W_k: torch.Tensor, keep: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The reply attends over the turns.  r (N, d), U (N, T, d), keep (N, T).  → c (N, d), α (N, T)."""
    q = (r @ W_q).unsqueeze(1)  # (N, 1, d): one query per dialogue
    c, alpha = scaled_dot_product_attention(q, U @ W_k, U, attn_mask=keep.unsqueeze(1))
    return c.squeeze(1), alpha.squeeze(1)


class ResponseSelector(nn.Module):
    """u_t = tanh(W_u mean(E[words of turn t]) + speaker + recency);  r likewise for the reply;
    c = turn_attention(r, U);  p(fits) = σ(MLP([c; r; c ⊙ r]))."""

    def __init__(self, vocab_size: int, d: int = 32):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d, padding_idx=PAD)
        self.turn, self.reply = nn.Linear(d, d), nn.Linear(d, d)
        self.speaker, self.recency = nn.Embedding(2, d), nn.Embedding(MAX_TURNS, d)
        self.W_q, self.W_k = (nn.Parameter(torch.randn(d, d) / math.sqrt(d)) for _ in range(2))
        self.mlp = nn.Sequential(nn.Linear(3 * d, d), nn.ReLU(), nn.Linear(d, 1))

    def mean_words(self, ids: torch.Tensor) -> torch.Tensor:
        """Average of the word embeddings, padding ignored.  (..., W) → (..., d)."""
        keep = (ids != PAD).unsqueeze(-1).float()  # (..., W, 1)
        return (self.embed(ids) * keep).sum(-2) / keep.sum(-2).clamp_min(1)

    def forward(
        self, turns: torch.Tensor, reply: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """turns (N, T, W), reply (N, W) → logit (N,), turn weights (N, T)."""
        keep = (turns != PAD).any(-1)  # (N, T) real turns
        n = keep.sum(1, keepdim=True)  # (N, 1) turns per dialogue
        t = torch.arange(turns.size(1), device=turns.device).unsqueeze(0)  # (1, T)
        ago = (n - 1 - t).clamp(0, MAX_TURNS - 1)  # 0 = the latest turn
        speaker = (n - 1 - t).remainder(2)  # 0 = the other speaker, 1 = the replier
        U = torch.tanh(
            self.turn(self.mean_words(turns)) + self.speaker(speaker) + self.recency(ago)
        )
        r = torch.tanh(self.reply(self.mean_words(reply)))  # (N, d)
        c, alpha = turn_attention(r, U, self.W_q, self.W_k, keep)
        return self.mlp(torch.cat([c, r, c * r], dim=-1)).squeeze(-1), alpha


def sample_dialogues(g: torch.Generator, n: int) -> tuple[list[list[str]], list[str], torch.Tensor]:
    """``n`` histories of 3–5 turns on random topics, a reply each, and whether it fits (1) or not (0).

    A fitting reply is on the topic of one history turn; a wrong one on a topic of none.
    """
    pool = load_dialogue_pool()
    topics = sorted(pool)
    histories, replies, fits = [], [], []
    for _ in range(n):
        k = int(torch.randint(3, 6, (1,), generator=g))
        chosen = [topics[i] for i in torch.randperm(len(topics), generator=g)[:k].tolist()]
        histories.append([_pick(pool[t]["turn"], g) for t in chosen])
        fit = bool(torch.rand(1, generator=g) < 0.5)
        others = [t for t in topics if t not in chosen]
        topic = _pick(chosen, g) if fit else _pick(others, g)
        replies.append(_pick(pool[topic]["reply"], g))
        fits.append(float(fit))
    return histories, replies, torch.tensor(fits)


def _pick(items, g: torch.Generator):
    return items[int(torch.randint(len(items), (1,), generator=g))]


@dataclass(frozen=True)
class DialogueConfig:
    """Model size and training schedule."""

    d: int = 32
    steps: int = 500
    batch: int = 64
    lr: float = 5e-3
    seed: int = 0


VARIANTS = {"dialogue": DialogueConfig()}


@functools.cache
def vocabulary() -> dict[str, int]:
    """Every word of the bundled dialogue pool (rebuilt from the TSV)."""
    pool = load_dialogue_pool()
    return build_vocab([s for kinds in pool.values() for texts in kinds.values() for s in texts])


def _score(model: ResponseSelector, histories, replies) -> tuple[torch.Tensor, torch.Tensor]:
    vocab = vocabulary()
    return model(encode_turns(histories, vocab), encode_turns([[r] for r in replies], vocab)[:, 0])


def train(cfg: DialogueConfig) -> tuple[ResponseSelector, dict[str, float]]:
    """Adam on binary cross-entropy over freshly sampled dialogues."""

    def step(model: nn.Module, g: torch.Generator) -> torch.Tensor:
        histories, replies, y = sample_dialogues(g, cfg.batch)
        return nn.functional.binary_cross_entropy_with_logits(
            _score(model, histories, replies)[0], y
        )

    model = toys.fit(
        lambda: ResponseSelector(len(vocabulary()), cfg.d), step, cfg.steps, cfg.seed, cfg.lr
    )
    return model, heldout_scores(model)


def heldout_scores(model: ResponseSelector, n: int = 400, seed: int = 4242) -> dict[str, float]:
    """Accuracy on fresh dialogues, and how often the top-weighted turn shares the reply's topic."""
    histories, replies, y = sample_dialogues(torch.Generator().manual_seed(seed), n)
    logit, alpha = _score(model, histories, replies)
    pool = load_dialogue_pool()
    topic_of = {s: t for t, kinds in pool.items() for texts in kinds.values() for s in texts}
    hits = [
        topic_of[h[int(a.argmax())]] == topic_of[r]
        for h, r, a, f in zip(histories, replies, alpha, y, strict=True)
        if f
    ]
    return {
        "accuracy": ((logit > 0).float() == y).float().mean().item(),
        "top_turn_on_topic": sum(hits) / len(hits),
    }


def load(device: torch.device | str = "cpu") -> tuple[ResponseSelector, dict[str, int]]:
    """The shipped model on ``device``, and its vocabulary."""
    model = ResponseSelector(len(vocabulary()), VARIANTS["dialogue"].d)
    return toys.load_state("dialogue", model, device), vocabulary()
