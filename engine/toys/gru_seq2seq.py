"""A GRU encoder–decoder with a choice of attention score, trained on the letter task and shipped.

One model per score: Bahdanau's additive score, Luong's dot and general scores, and Luong's
local-p attention — weight files ``gru_additive``, ``gru_dot``, ``gru_general``,
``gru_local_p`` — so every alignment a page draws is one a trained model actually uses
(Q11, Q22).

Shapes: N batch, S source length, T target length, d_h encoder state size (2 × GRU size,
both directions), d_s decoder state size (= d_h), d_a attention size.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass

import torch
from torch import nn

from engine import toys
from engine.i18n import bi
from engine.softmax import stable_softmax
from engine.toys.seq2seq import BOS, PAD, VOCAB, decode_ids, make_batch, random_words, transform

SCORES = ("additive", "dot", "general", "local_p")
SCORE_NAMES = {  # the words for the score functions and attention kinds facts are named after
    "additive": bi("加性", "additive"),
    "dot": bi("点积", "dot"),
    "general": bi("一般式", "general"),
    "global": bi("全局", "global"),
    "local": bi("局部", "local"),
}
WORDS = (
    "ATTENTION",
    "BAHDANAU",
    "ALIGN",
    "ENCODER",
    "GRU",
    "WINDOW",
    "SOFTMAX",
)  # words the demos reverse
WINDOWS = (1, 2, 3, 4)  # local-p half-widths D whose accuracy the manifest records


# Bahdanau et al. 2015:  e_tj = vᵀ tanh(W_s s_{t−1} + W_h h_j),  α_t = softmax_j(e_tj),  c_t = Σ_j α_tj h_j
def additive_attention(
    s: torch.Tensor,
    H: torch.Tensor,
    W_s: torch.Tensor,
    W_h: torch.Tensor,
    v: torch.Tensor,
    keep: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Additive attention.  s (N, d_s), H (N, S, d_h), W_s (d_s, d_a), W_h (d_h, d_a), v (d_a,).

    ``keep`` (N, S) bool, True = a real source token.  → context (N, d_h), weights (N, S).
    """
    e = torch.tanh((s @ W_s).unsqueeze(1) + H @ W_h) @ v  # (N, 1, d_a) + (N, S, d_a) → (N, S)
    alpha = stable_softmax(e, mask=keep)
    return (alpha.unsqueeze(1) @ H).squeeze(1), alpha  # (N, 1, S) @ (N, S, d_h) → (N, d_h)


# Luong et al. 2015:  score(s_t, h_j) = s_tᵀ h_j  (dot)   or   s_tᵀ W_a h_j  (general)
def luong_scores(s: torch.Tensor, H: torch.Tensor, W_a: torch.Tensor | None = None) -> torch.Tensor:
    """Multiplicative scores.  s (N, d_s), H (N, S, d_h), W_a (d_s, d_h) or None for dot.  → (N, S)."""
    query = s if W_a is None else s @ W_a  # (N, d_h)
    return (H @ query.unsqueeze(-1)).squeeze(-1)  # (N, S, d_h) @ (N, d_h, 1) → (N, S)


def luong_attention(
    s: torch.Tensor,
    H: torch.Tensor,
    W_a: torch.Tensor | None = None,
    keep: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Global attention: α_t = softmax_j(score(s_t, h_j)), c_t = Σ_j α_tj h_j.  → (N, d_h), (N, S)."""
    alpha = stable_softmax(luong_scores(s, H, W_a), mask=keep)
    return (alpha.unsqueeze(1) @ H).squeeze(1), alpha


# Luong local-p:  p_t = (S−1)·sigmoid(v_pᵀ tanh(W_p s_t)),  a_tj ∝ exp(score_tj) · exp(−(j − p_t)²/(2σ²)),
# only for |j − p_t| ≤ D,  σ = D/2  (normalised here, so the weights still sum to 1)
def local_p_attention(
    s: torch.Tensor,
    H: torch.Tensor,
    W_a: torch.Tensor,
    W_p: torch.Tensor,
    v_p: torch.Tensor,
    D: int,
    lengths: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Local attention around a predicted position.  lengths (N,) true source lengths.

    → context (N, d_h), weights (N, S), predicted centre p (N,).
    """
    S = H.size(1)
    p = (lengths - 1) * torch.sigmoid(torch.tanh(s @ W_p) @ v_p)  # (N,)
    j = torch.arange(S, device=H.device).unsqueeze(0)  # (1, S)
    dist = j - p.unsqueeze(1)  # (N, S)
    keep = (dist.abs() <= D) & (j < lengths.unsqueeze(1))  # the window [p − D, p + D]
    sigma = D / 2
    scores = luong_scores(s, H, W_a) - dist**2 / (2 * sigma**2)  # log of the Gaussian factor
    alpha = stable_softmax(scores, mask=keep)
    return (alpha.unsqueeze(1) @ H).squeeze(1), alpha, p


@dataclass(frozen=True)
class RNNConfig:
    """Sizes and training schedule; one config + seed names one trained model."""

    score: str = "additive"
    task: str = "reverse"
    emb: int = 16
    hidden: int = 24  # per direction; d_h = d_s = 2 · hidden
    attn: int = 32
    window: int = 2  # D of local-p
    min_len: int = 3
    max_len: int = 9
    steps: int = 200
    batch: int = 64
    lr: float = 1.5e-2
    seed: int = 0


class Encoder(nn.Module):
    """h_j = [GRU→(x)_j ; GRU←(x)_j], x_j = E[src_j]: a bidirectional GRU.  (N, S) → (N, S, d_h), (N,)."""

    def __init__(self, cfg: RNNConfig):
        super().__init__()
        self.embed = nn.Embedding(len(VOCAB), cfg.emb, padding_idx=PAD)
        self.gru = nn.GRU(cfg.emb, cfg.hidden, batch_first=True, bidirectional=True)

    def forward(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        lengths = (src != PAD).sum(1)  # (N,)
        packed = nn.utils.rnn.pack_padded_sequence(
            self.embed(src), lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        H, _ = nn.utils.rnn.pad_packed_sequence(
            self.gru(packed)[0], batch_first=True, total_length=src.size(1)
        )
        return H, lengths


class AttnDecoder(nn.Module):
    """A GRU decoder that attends over the encoder states with the configured scoring function.

    Bahdanau: c_t from s_{t−1}, then s_t = GRU([y_{t−1}; c_t], s_{t−1}).
    Luong:    s_t = GRU(y_{t−1}, s_{t−1}), then c_t from s_t.
    Both:     h̃_t = tanh(W_c [c_t; s_t]),  p(y_t) = softmax(W_o h̃_t).
    """

    def __init__(self, cfg: RNNConfig):
        super().__init__()
        d, a = 2 * cfg.hidden, cfg.attn
        self.cfg = cfg
        self.embed = nn.Embedding(len(VOCAB), cfg.emb)
        self.init = nn.Linear(d, d)
        self.cell = nn.GRUCell(cfg.emb + (d if cfg.score == "additive" else 0), d)
        self.combine, self.out = nn.Linear(2 * d, d), nn.Linear(d, len(VOCAB))
        shapes = {
            "additive": {"W_s": (d, a), "W_h": (d, a), "v": (a,)},
            "dot": {},
            "general": {"W_a": (d, d)},
        }
        shapes["local_p"] = {"W_a": (d, d), "W_p": (d, a), "v_p": (a,)}
        self.w = nn.ParameterDict(
            {
                k: nn.Parameter(torch.randn(*s) / math.sqrt(s[0]))
                for k, s in shapes[cfg.score].items()
            }
        )

    def start(self, H: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """s_0 = tanh(W_i · mean_j h_j).  → (N, d_s)."""
        keep = (torch.arange(H.size(1), device=H.device) < lengths.unsqueeze(1)).unsqueeze(
            -1
        )  # (N, S, 1)
        return torch.tanh(self.init((H * keep).sum(1) / lengths.unsqueeze(1)))

    def attend(self, s: torch.Tensor, H: torch.Tensor, lengths: torch.Tensor):
        """Context (N, d_h), weights (N, S) and — for local-p — the predicted centre (N,)."""
        w = self.w
        keep = torch.arange(H.size(1), device=H.device) < lengths.unsqueeze(1)  # (N, S)
        if self.cfg.score == "additive":
            return (*additive_attention(s, H, w["W_s"], w["W_h"], w["v"], keep), None)
        if self.cfg.score == "local_p":
            return local_p_attention(s, H, w["W_a"], w["W_p"], w["v_p"], self.cfg.window, lengths)
        return (*luong_attention(s, H, w.get("W_a"), keep), None)

    def step(
        self, y_prev: torch.Tensor, s_prev: torch.Tensor, H: torch.Tensor, lengths: torch.Tensor
    ):
        """One step → logits (N, V), state s_t (N, d_s), weights (N, S), centre (N,) or None."""
        x = self.embed(y_prev)  # (N, emb)
        if self.cfg.score == "additive":
            c, alpha, p = self.attend(s_prev, H, lengths)
            s = self.cell(torch.cat([x, c], dim=-1), s_prev)
        else:
            s = self.cell(x, s_prev)
            c, alpha, p = self.attend(s, H, lengths)
        h_tilde = torch.tanh(self.combine(torch.cat([c, s], dim=-1)))
        return self.out(h_tilde), s, alpha, p


class RNNSeq2Seq(nn.Module):
    """Bidirectional GRU encoder + attentive GRU decoder."""

    def __init__(self, cfg: RNNConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder, self.decoder = Encoder(cfg), AttnDecoder(cfg)

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor):
        """Teacher-forced.  (N, S), (N, T) → logits (N, T, V), weights (N, T, S), centres (N, T) or None."""
        H, lengths = self.encoder(src)
        s = self.decoder.start(H, lengths)
        logits, weights, centres = [], [], []
        for t in range(tgt_in.size(1)):
            out, s, alpha, p = self.decoder.step(tgt_in[:, t], s, H, lengths)
            logits.append(out), weights.append(alpha), centres.append(p)
        cs = torch.stack(centres, 1) if centres[0] is not None else None
        return torch.stack(logits, 1), torch.stack(weights, 1), cs

    def greedy(self, src: torch.Tensor, steps: int) -> torch.Tensor:
        """Greedy decoding for ``steps`` steps.  (N, S) → ids (N, steps)."""
        H, lengths = self.encoder(src)
        s, y, ids = (
            self.decoder.start(H, lengths),
            torch.full((src.size(0),), BOS, device=src.device),
            [],
        )
        for _ in range(steps):
            out, s, _, _ = self.decoder.step(y, s, H, lengths)
            y = out.argmax(-1)
            ids.append(y)
        return torch.stack(ids, 1)


def sequence_accuracy(model: RNNSeq2Seq, n: int = 200, seed: int = 12345) -> float:
    """Share of ``n`` fresh random words (not the training draws) that greedy decoding gets exactly right."""
    cfg = model.cfg
    words = random_words(torch.Generator().manual_seed(seed), n, cfg.min_len, cfg.max_len)
    src = make_batch(words, cfg.task, cfg.max_len)[0].to(next(model.parameters()).device)
    ids = model.greedy(src, cfg.max_len + 1).tolist()
    return (
        sum(decode_ids(row) == transform(w, cfg.task) for row, w in zip(ids, words, strict=True))
        / n
    )


def with_window(model: RNNSeq2Seq, D: int) -> RNNSeq2Seq:
    """The same trained local-p model run with window half-width D instead of the trained one."""
    if model.cfg.window == D:
        return model
    other = copy.deepcopy(model)
    other.cfg = other.decoder.cfg = dataclasses.replace(model.cfg, window=D)
    return other


def alignment(model: RNNSeq2Seq, word: str) -> tuple[torch.Tensor, torch.Tensor | None, str]:
    """Teacher-forced weights of ``word`` → (T, S) with T = S + 1 (the last row emits </s>),
    the local-p centres (T,) or None, and the greedy output."""
    device = next(model.parameters()).device
    src, tgt_in, _ = make_batch([word], model.cfg.task, len(word))  # (1, S), (1, S + 1)
    _, weights, centres = model(src.to(device), tgt_in.to(device))  # (1, T, S), (1, T)
    predicted = decode_ids(model.greedy(src.to(device), len(word) + 1)[0].tolist())
    return weights[0].cpu(), None if centres is None else centres[0].cpu(), predicted


VARIANTS = {f"gru_{score}": RNNConfig(score=score) for score in SCORES}


def train(cfg: RNNConfig) -> tuple[RNNSeq2Seq, dict[str, float]]:
    """Adam (one-cycle schedule, gradients clipped at norm 1) on cross-entropy, fresh words each step."""

    def step(model: nn.Module, g: torch.Generator) -> torch.Tensor:
        words = random_words(g, cfg.batch, cfg.min_len, cfg.max_len)
        src, tgt_in, tgt_out = make_batch(words, cfg.task, cfg.max_len)
        logits = model(src, tgt_in)[0]  # (N, T, V)
        return nn.functional.cross_entropy(
            logits.flatten(0, 1), tgt_out.flatten(), ignore_index=PAD
        )

    build = lambda: RNNSeq2Seq(cfg)  # noqa: E731
    model = toys.fit(build, step, cfg.steps, cfg.seed, cfg.lr, one_cycle=True, clip=1.0)
    metrics = {"accuracy": sequence_accuracy(model)}
    if cfg.score == "local_p":
        metrics |= {
            f"accuracy_window_{D}": sequence_accuracy(with_window(model, D)) for D in WINDOWS
        }
    return model, metrics


def accuracy(score: str, window: int | None = None) -> float:
    """Held-out sequence accuracy of the shipped model (local-p: run with ``window``), from its manifest."""
    metrics = toys.manifest(f"gru_{score}").metrics
    if window is None or score != "local_p" or window == RNNConfig().window:
        return metrics["accuracy"]
    return metrics[f"accuracy_window_{window}"]


def load(score: str, device: torch.device | str = "cpu") -> RNNSeq2Seq:
    """The shipped GRU encoder–decoder trained with ``score`` attention, on ``device``."""
    if score not in SCORES:
        raise ValueError(f"unknown score {score!r}; choose one of: {', '.join(SCORES)}")
    name = f"gru_{score}"
    return toys.load_state(name, RNNSeq2Seq(VARIANTS[name]), device)
