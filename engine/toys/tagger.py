"""A toy named-entity tagger (one Transformer encoder layer, 2 heads), shipped as ``tagger`` (Q20).

Each word gets a tag (PER person, LOC place, ORG organisation, O other). Some names are
ambiguous — "jordan", "washington", "georgia" are people or places, "amazon" a company or a
place — so the tag must come from the context. Trained on sentences generated from templates:

    H = LN(X + MHA(X)),   Z = LN(H + FFN(H)),   tag_i = argmax softmax(Z_i W_tag)

Shapes: N batch, L words, d model size, h heads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from engine import toys
from engine.layers import Attention, FeedForward, sinusoidal_positions

TAGS = ("O", "PER", "LOC", "ORG")


NAMES = {
    "PER": ("alice", "bob", "maria", "chen", "omar", "priya"),
    "LOC": ("paris", "london", "tokyo", "cairo", "lima", "oslo"),
    "ORG": ("google", "unesco", "toyota", "oxfam", "nasa"),
}


AMBIGUOUS = {
    "jordan": ("PER", "LOC"),
    "washington": ("PER", "LOC"),
    "georgia": ("PER", "LOC"),
    "amazon": ("ORG", "LOC"),
}


TEMPLATES = (  # {PER}, {LOC}, {ORG} are slots; every other word is tagged O
    "{PER} lives in {LOC}",
    "{PER} works for {ORG}",
    "{PER} said that {ORG} will open an office in {LOC}",
    "we flew to {LOC} with {PER}",
    "{ORG} hired {PER} last year",
    "the river near {LOC} is long",
    "{PER} met {PER} in {LOC}",
    "{ORG} is based in {LOC}",
    "yesterday {PER} visited {LOC}",
    "{PER} and {PER} founded {ORG}",
)


SENTENCES = (
    "jordan lives in jordan",
    "we flew to georgia with georgia",
    "washington said that amazon will open an office in washington",
    "amazon hired jordan last year",
    "the river near amazon is long",
)


PAD = "<pad>"


UNK = "<unk>"


def vocabulary() -> tuple[str, ...]:
    """Every word the templates and names can produce, after <pad> and <unk>."""
    words = {w for t in TEMPLATES for w in t.split() if not w.startswith("{")}
    words |= {n for ns in NAMES.values() for n in ns} | set(AMBIGUOUS)
    return (PAD, UNK, *sorted(words))


def fill(
    template: str, g: torch.Generator, p_ambiguous: float = 0.5
) -> tuple[list[str], list[str]]:
    """Words and tags of one sentence; each slot takes an ambiguous name with probability ``p_ambiguous``."""
    words, tags = [], []
    for w in template.split():
        if not w.startswith("{"):
            words.append(w)
            tags.append("O")
            continue
        tag = w[1:-1]
        fits = [a for a, ts in AMBIGUOUS.items() if tag in ts]
        pool = fits if fits and float(torch.rand(1, generator=g)) < p_ambiguous else NAMES[tag]
        words.append(pool[int(torch.randint(0, len(pool), (1,), generator=g))])
        tags.append(tag)
    return words, tags


@dataclass(frozen=True)
class TaggerConfig:
    """Sizes and training schedule."""

    d_model: int = 32
    h: int = 2
    d_ff: int = 64
    max_len: int = 12
    sentences: int = 3000
    steps: int = 600
    batch: int = 64
    lr: float = 5e-3
    seed: int = 0


class Tagger(nn.Module):
    """Embeddings + sinusoidal positions → one post-LN encoder layer → per-word tag logits."""

    def __init__(self, cfg: TaggerConfig):
        super().__init__()
        self.vocab = vocabulary()
        self.embed = nn.Embedding(len(self.vocab), cfg.d_model)
        self.register_buffer("pe", sinusoidal_positions(cfg.max_len, cfg.d_model), persistent=False)
        self.attn, self.ff = Attention(cfg.d_model, cfg.h), FeedForward(cfg.d_model, cfg.d_ff)
        self.norm1, self.norm2 = nn.LayerNorm(cfg.d_model), nn.LayerNorm(cfg.d_model)
        self.out = nn.Linear(cfg.d_model, len(TAGS))

    def ids(self, words: list[str]) -> list[int]:
        return [self.vocab.index(w) if w in self.vocab else 1 for w in words]

    def forward(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, L) word ids → tag logits (N, L, |tags|) and attention (N, h, L, L)."""
        x = (
            self.embed(ids) * math.sqrt(self.embed.embedding_dim) + self.pe[: ids.size(1)]
        )  # (N, L, d)
        a, w = self.attn(x, x, key_padding_mask=ids != 0)
        x = self.norm1(x + a)
        return self.out(self.norm2(x + self.ff(x))), w


def batch(
    n: int, vocab: tuple[str, ...], g: torch.Generator, max_len: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` generated sentences as padded ids (n, max_len) and tag ids (n, max_len; −1 = padding)."""
    ids, tags = torch.zeros(n, max_len, dtype=torch.long), torch.full((n, max_len), -1)
    for i in range(n):
        words, labels = fill(TEMPLATES[int(torch.randint(0, len(TEMPLATES), (1,), generator=g))], g)
        ids[i, : len(words)] = torch.tensor([vocab.index(w) for w in words])
        tags[i, : len(words)] = torch.tensor([TAGS.index(t) for t in labels])
    return ids, tags


VARIANTS = {"tagger": TaggerConfig()}


def train(cfg: TaggerConfig) -> tuple[Tagger, dict[str, float]]:
    """Adam on per-word cross-entropy over minibatches of ``cfg.sentences`` generated sentences."""
    data: list[torch.Tensor] = []

    def step(model: nn.Module, g: torch.Generator) -> torch.Tensor:
        if not data:  # generated once, from the same generator, after the model is built
            data.extend(batch(cfg.sentences, model.vocab, g, cfg.max_len))
        pick = torch.randint(0, cfg.sentences, (cfg.batch,), generator=g)
        logits = model(data[0][pick])[0]
        return nn.functional.cross_entropy(
            logits.flatten(0, 1), data[1][pick].flatten(), ignore_index=-1
        )

    model = toys.fit(lambda: Tagger(cfg), step, cfg.steps, cfg.seed, cfg.lr)
    acc, acc_amb = held_out_accuracy(model)
    return model, {"accuracy": acc, "accuracy_ambiguous": acc_amb}


def held_out_accuracy(model: Tagger, n: int = 400) -> tuple[float, float]:
    """Tag accuracy over all words, and over ambiguous names only, on fresh generated sentences."""
    ids, tags = batch(n, model.vocab, torch.Generator().manual_seed(10_000), model.pe.size(0))
    pred = model(ids)[0].argmax(-1)
    real = tags >= 0
    amb = real & torch.isin(ids, torch.tensor(model.ids(list(AMBIGUOUS))))
    return float((pred == tags)[real].float().mean()), float((pred == tags)[amb].float().mean())


def load(device: torch.device | str = "cpu") -> Tagger:
    """The shipped tagger, on ``device``."""
    return toys.load_state("tagger", Tagger(VARIANTS["tagger"]), device)
