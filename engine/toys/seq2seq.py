"""A tiny Transformer encoder–decoder on a toy letter task, trained once and shipped.

Tasks: ``reverse`` (HELLO → OLLEH) and ``copy`` (HELLO → HELLO). One encoder layer and one
decoder layer in the original post-LN arrangement of "Attention Is All You Need", every
attention computed by :func:`engine.attention.multi_head_attention`. One weight file per
task: ``seq2seq_reverse``, ``seq2seq_copy``.

Shapes: N batch, S source length, T target length, d model size, h heads, V vocabulary.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from engine import toys
from engine.layers import Attention, FeedForward, sinusoidal_positions

PAD, BOS, EOS = 0, 1, 2
SPECIALS = ("<pad>", "<s>", "</s>")
LETTERS = string.ascii_uppercase
VOCAB = SPECIALS + tuple(LETTERS)  # token id → symbol
TASKS = ("reverse", "copy")


@dataclass(frozen=True)
class Seq2SeqConfig:
    """Model and training sizes; one config + seed names one trained model."""

    task: str = "reverse"
    d_model: int = 32
    h: int = 2
    d_ff: int = 64
    min_len: int = 2
    max_len: int = 8
    steps: int = 400
    batch: int = 64
    lr: float = 1e-2
    seed: int = 0


def transform(letters: str, task: str) -> str:
    """The target the model must produce for ``letters`` under ``task``."""
    if task == "reverse":
        return letters[::-1]
    if task == "copy":
        return letters
    raise ValueError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)}")


def encode_letters(letters: str) -> list[int]:
    """Token ids of upper-case letters (A → 3, …, Z → 28)."""
    return [VOCAB.index(c) for c in letters]


def decode_ids(ids: list[int]) -> str:
    """Letters of token ids, stopping at the first ``</s>``; specials are dropped."""
    out = []
    for i in ids:
        if i == EOS:
            break
        if i >= len(SPECIALS):
            out.append(VOCAB[i])
    return "".join(out)


class EncoderLayer(nn.Module):
    """x ← LN(x + SelfAttn(x));  x ← LN(x + FFN(x))   (post-LN, as in the 2017 paper)."""

    def __init__(self, d_model: int, h: int, d_ff: int):
        super().__init__()
        self.self_attn, self.ff = Attention(d_model, h), FeedForward(d_model, d_ff)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)

    def forward(self, x, src_keep):
        a, w = self.self_attn(x, x, key_padding_mask=src_keep)
        x = self.norm1(x + a)
        return self.norm2(x + self.ff(x)), w


class DecoderLayer(nn.Module):
    """y ← LN(y + MaskedSelfAttn(y));  y ← LN(y + CrossAttn(y, memory));  y ← LN(y + FFN(y))."""

    def __init__(self, d_model: int, h: int, d_ff: int):
        super().__init__()
        self.self_attn, self.cross_attn = Attention(d_model, h), Attention(d_model, h)
        self.ff = FeedForward(d_model, d_ff)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(d_model) for _ in range(3))

    def forward(self, y, memory, src_keep):
        a, w_self = self.self_attn(y, y, is_causal=True)  # token t sees targets 0…t only
        y = self.norm1(y + a)
        # queries from the target, keys and values from the source (the encoder's memory)
        c, w_cross = self.cross_attn(y, memory, key_padding_mask=src_keep)
        y = self.norm2(y + c)
        return self.norm3(y + self.ff(y)), w_self, w_cross


class Seq2Seq(nn.Module):
    """Embeddings (+ sinusoidal positions) → encoder layer → decoder layer → vocabulary logits."""

    def __init__(self, cfg: Seq2SeqConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(len(VOCAB), cfg.d_model)
        self.register_buffer(
            "pe", sinusoidal_positions(cfg.max_len + 2, cfg.d_model), persistent=False
        )
        self.encoder = EncoderLayer(cfg.d_model, cfg.h, cfg.d_ff)
        self.decoder = DecoderLayer(cfg.d_model, cfg.h, cfg.d_ff)
        self.out = nn.Linear(cfg.d_model, len(VOCAB))

    def embed_ids(self, ids: torch.Tensor) -> torch.Tensor:
        """x = E[ids] + PE[:n].  (N, n) → (N, n, d)."""
        return self.embed(ids) + self.pe[: ids.size(1)]

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, S) ids → memory (N, S, d) and encoder self-attention (N, h, S, S)."""
        return self.encoder(self.embed_ids(src), src != PAD)

    def decode(self, tgt_in: torch.Tensor, memory: torch.Tensor, src: torch.Tensor):
        """(N, T) ids → logits (N, T, V), decoder self-attention (N, h, T, T), cross (N, h, T, S)."""
        y, w_self, w_cross = self.decoder(self.embed_ids(tgt_in), memory, src != PAD)
        return self.out(y), w_self, w_cross

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        memory, _ = self.encode(src)
        return self.decode(tgt_in, memory, src)[0]


def make_batch(
    words: list[str], task: str, max_len: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Source ids, decoder input ``<s> target`` and decoder output ``target </s>``, padded.  Each (N, ·)."""
    n = len(words)
    src = torch.full((n, max_len), PAD)
    tgt_in = torch.full((n, max_len + 1), PAD)
    tgt_out = torch.full((n, max_len + 1), PAD)
    for i, w in enumerate(words):
        s, t = encode_letters(w), encode_letters(transform(w, task))
        src[i, : len(s)] = torch.tensor(s)
        tgt_in[i, : len(t) + 1] = torch.tensor([BOS, *t])
        tgt_out[i, : len(t) + 1] = torch.tensor([*t, EOS])
    return src, tgt_in, tgt_out


def random_words(g: torch.Generator, n: int, min_len: int, max_len: int) -> list[str]:
    """``n`` random upper-case words with lengths in [min_len, max_len], drawn from ``g``."""
    lengths = torch.randint(min_len, max_len + 1, (n,), generator=g).tolist()
    letters = torch.randint(0, len(LETTERS), (n, max_len), generator=g).tolist()
    return ["".join(LETTERS[c] for c in row[:k]) for row, k in zip(letters, lengths, strict=True)]


def clean_source(text: str, max_len: int = Seq2SeqConfig.max_len) -> str:
    """Upper-case letters of ``text`` (spaces dropped); ``ValueError`` saying what is allowed otherwise."""
    letters = "".join(text.split()).upper()
    bad = sorted({c for c in letters if c not in LETTERS})
    if bad:
        raise ValueError(f"source: only letters A–Z are allowed, got {''.join(bad)!r}")
    if not 2 <= len(letters) <= max_len:
        raise ValueError(f"source: needs 2 to {max_len} letters, got {len(letters)}")
    return letters


@dataclass(frozen=True)
class GreedySteps:
    """What greedy decoding produced, step by step (one step per generated token)."""

    tokens: list[int]  # generated ids, ending with </s> when the model stopped itself
    probs: torch.Tensor  # (steps, V) next-token distribution at each step
    cross: torch.Tensor  # (h, steps, S) cross-attention row of each step's newest query


# y_t = argmax_y p(y | y_<t, x): feed the prefix back in, keep the most probable next token
def greedy_decode(model: Seq2Seq, src: torch.Tensor, max_steps: int) -> GreedySteps:
    """Greedy decoding of one source sequence.  src (1, S) ids → GreedySteps."""
    memory, _ = model.encode(src)  # (1, S, d): the encoder runs once
    ys = torch.tensor([[BOS]], device=src.device)  # (1, 1): decoding starts from <s>
    probs, cross = [], []
    for _ in range(max_steps):
        logits, _, w_cross = model.decode(ys, memory, src)  # the whole prefix again (no cache)
        p = logits[0, -1].softmax(-1)  # (V,): distribution of the next token
        nxt = p.argmax().view(1, 1)
        probs.append(p)
        cross.append(w_cross[0, :, -1])  # (h, S): where the newest query looked in the source
        ys = torch.cat([ys, nxt], dim=1)  # (1, t + 1)
        if nxt.item() == EOS:
            break
    return GreedySteps(ys[0, 1:].tolist(), torch.stack(probs), torch.stack(cross, dim=1))


VARIANTS = {f"seq2seq_{task}": Seq2SeqConfig(task=task) for task in TASKS}


def train(cfg: Seq2SeqConfig) -> tuple[Seq2Seq, dict[str, float]]:
    """Adam with a one-cycle schedule on cross-entropy over fresh random words (padding ignored)."""

    def step(model: nn.Module, g: torch.Generator) -> torch.Tensor:
        words = random_words(g, cfg.batch, cfg.min_len, cfg.max_len)
        src, tgt_in, tgt_out = make_batch(words, cfg.task, cfg.max_len)
        logits = model(src, tgt_in)  # (N, T, V)
        return F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=PAD)

    model = toys.fit(lambda: Seq2Seq(cfg), step, cfg.steps, cfg.seed, cfg.lr, one_cycle=True)
    return model, {"accuracy": sequence_accuracy(model)}


def sequence_accuracy(model: Seq2Seq, n: int = 200, seed: int = 12345) -> float:
    """Share of ``n`` fresh random words that greedy decoding turns into the exact target."""
    cfg = model.cfg
    words = random_words(torch.Generator().manual_seed(seed), n, cfg.min_len, cfg.max_len)
    right = 0
    for w in words:
        src = torch.tensor([encode_letters(w)])
        out = greedy_decode(model, src, len(w) + 1).tokens
        right += decode_ids(out) == transform(w, cfg.task) and out[-1] == EOS
    return right / n


def load(task: str, device: torch.device | str = "cpu") -> Seq2Seq:
    """The shipped model trained on ``task``, on ``device``."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)}")
    name = f"seq2seq_{task}"
    return toys.load_state(name, Seq2Seq(VARIANTS[name]), device)
