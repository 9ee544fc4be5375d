"""Q20 — token-level self-attention for sequence labelling (a toy named-entity tagger).

Each word gets a tag (PER person, LOC place, ORG organisation, O other). Some names are
ambiguous — "jordan", "washington", "georgia" are people or places, "amazon" a company or a
place — so the tag must come from the context, and self-attention is where a word looks
for it. The tagger is one Transformer encoder layer (2 heads) and a linear tag head,
trained in seconds on sentences generated from templates:

    H = LN(X + MHA(X)),   Z = LN(H + FFN(H)),   tag_i = argmax softmax(Z_i W_tag)

Shapes: N batch, L words, d model size, h heads.
"""

from __future__ import annotations

import copy
import functools
import math
from dataclasses import dataclass

import torch
from torch import nn

from engine.devices import one_cpu_thread, seeded
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.seq2seq import Attention, FeedForward, sinusoidal_positions

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
PAD, UNK = "<pad>", "<unk>"


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


@functools.cache
@one_cpu_thread()
def _trained_cpu(cfg: TaggerConfig) -> Tagger:
    """Adam on per-word cross-entropy over minibatches of ``cfg.sentences`` generated sentences."""
    g = torch.Generator().manual_seed(cfg.seed)
    with seeded(cfg.seed):  # nn init draws from the global generator
        model = Tagger(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    all_ids, all_tags = batch(cfg.sentences, model.vocab, g, cfg.max_len)  # generated once
    for _ in range(cfg.steps):
        pick = torch.randint(0, cfg.sentences, (cfg.batch,), generator=g)
        ids, tags = all_ids[pick], all_tags[pick]
        logits = model(ids)[0]
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), tags.flatten(), ignore_index=-1)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval().requires_grad_(False)


def trained_tagger(device: torch.device | str = "cpu") -> Tagger:
    """The trained tagger (trained once on the CPU, cached), copied to ``device``."""
    return copy.deepcopy(_trained_cpu(TaggerConfig())).to(device)


@functools.cache
def held_out_accuracy(cfg: TaggerConfig, n: int = 400) -> tuple[float, float]:
    """Tag accuracy over all words, and over ambiguous names only, on fresh generated sentences."""
    model = _trained_cpu(cfg)
    ids, tags = batch(n, model.vocab, torch.Generator().manual_seed(10_000), cfg.max_len)
    pred = model(ids)[0].argmax(-1)
    real = tags >= 0
    amb = real & torch.isin(ids, torch.tensor(model.ids(list(AMBIGUOUS))))
    return float((pred == tags)[real].float().mean()), float((pred == tags)[amb].float().mean())


@demo(
    "sequence_labelling",
    title={"zh": "序列标注中的词级注意力", "en": "Token-level attention for sequence labelling"},
    params=(
        ParamSpec(
            "sentence", "choice", SENTENCES[0], {"zh": "句子", "en": "Sentence"}, choices=SENTENCES
        ),
    ),
    shows=(Tagger, fill),
)
def sequence_labelling_demo(device: torch.device, sentence: str) -> Result:
    """Each word (query) attends over the sentence (keys); its predicted tag is in its label."""
    model = trained_tagger(device)
    words = sentence.split()
    ids = torch.tensor([model.ids(words)], device=device)  # (1, L)
    logits, w = model(ids)  # (1, L, tags), (1, h, L, L)
    pred = [TAGS[int(i)] for i in logits[0].argmax(-1)]
    acc, acc_amb = held_out_accuracy(TaggerConfig())
    facts = {
        "words L": len(words),
        "heads h": model.attn.h,
        "tags": " ".join(pred),
        "held-out accuracy (all words)": round(acc, 3),
        "held-out accuracy (ambiguous names)": round(acc_amb, 3),
    }
    queries = tuple(f"{word} → {tag}" for word, tag in zip(words, pred, strict=True))
    return Result(
        w[0].cpu(), queries, tuple(words), view="grid", facts=facts
    )  # heads named by the view
