"""Q18 — text-to-spectrogram alignment: content-based vs location-sensitive attention.

A text-to-speech decoder writes one spectrogram frame per step; at step t it attends over
the N input phones. Two small attention modules are trained here (seconds, on the CPU, on
synthesized utterances whose true alignment is known): a content-only additive one, and
the location-sensitive one of Chorowski et al. (2015) that Tacotron 2 uses, which also sees
where it attended at the previous step. Tachibana et al. (2017)'s guided-attention matrix
W_nt = 1 − exp(−(n/N − t/T)² / (2g²)) scores how diagonal an alignment is.

Shapes: T frames (decoder steps), N phones (encoder steps), M mel bands, d attention size.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

import torch
from torch import nn

from engine.demos.q14_speech_alignment import (
    PHONES,
    UTTERANCES,
    Utterance,
    normalise,
    phone_templates,
    synthesize,
    synthesize_phones,
)
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.softmax import stable_softmax


@dataclass(frozen=True)
class AlignConfig:
    """Sizes and training schedule; one config names one trained module."""

    location: bool = True  # location-sensitive (True) or content-only (False)
    d: int = 16  # attention size
    filters: int = 4  # location filters K
    width: int = 7  # location filter width (odd)
    utterances: int = 32
    steps: int = 150
    lr: float = 0.03
    seed: int = 0


class LocationSensitiveAttention(nn.Module):
    """e_{t,n} = wᵀ tanh(W s_t + V h_n + U f_{t,n} + b),  f_t = F ∗ α_{t−1},  α_t = softmax_n(e_t).

    s_t: decoder query (the previous frame), h_n: phone encoding, F: K conv filters over the
    phone axis, applied to the previous alignment. With ``location=False`` the U f term is
    dropped and this is plain additive (content-based) attention.
    """

    def __init__(self, cfg: AlignConfig, m: int):
        super().__init__()
        self.cfg = cfg
        self.W = nn.Linear(m, cfg.d, bias=True)  # bias plays the role of b
        self.V = nn.Linear(m, cfg.d, bias=False)
        self.F = nn.Conv1d(1, cfg.filters, cfg.width, padding=cfg.width // 2, bias=False)
        self.U = nn.Linear(cfg.filters, cfg.d, bias=False)
        self.w = nn.Linear(cfg.d, 1, bias=False)

    def energies(self, s: torch.Tensor, h: torch.Tensor, prev: torch.Tensor) -> torch.Tensor:
        """(B, M) queries, (B, N, M) phones, (B, N) previous alignments → (B, N) energies."""
        x = self.W(s).unsqueeze(1) + self.V(h)  # (B, N, d)
        if self.cfg.location:
            f = self.F(prev.unsqueeze(1)).transpose(1, 2)  # (B, 1, N) → (B, K, N) → (B, N, K)
            x = x + self.U(f)
        return self.w(torch.tanh(x)).squeeze(-1)  # (B, N)


def decoder_queries(utt: Utterance) -> torch.Tensor:
    """s_t = the previous frame (normalised), s_0 = a silent 'go' frame of zeros.  → (T, M)."""
    x = normalise(utt.logmel)
    return torch.cat([torch.zeros_like(x[:1]), x[:-1]])


def phone_keys(phones: tuple[str, ...]) -> torch.Tensor:
    """h_n = the normalised template of phone n (a fixed, lookup-table text encoder).  → (N, M)."""
    t = phone_templates()
    return normalise(torch.stack([t[p] for p in phones]))


# α_t = softmax_n(e_t(s_t, h, α_{t−1})),  α_{−1} = one-hot at the first phone
def align(att: LocationSensitiveAttention, s: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """Run the attention step by step, feeding back its own alignment.  (T, M), (N, M) → (T, N)."""
    prev = torch.zeros(1, h.size(0), device=h.device)
    prev[0, 0] = 1.0
    rows = []
    for t in range(s.size(0)):
        e = att.energies(s[t : t + 1], h.unsqueeze(0), prev)  # (1, N)
        prev = stable_softmax(e, dim=-1)
        rows.append(prev[0])
    return torch.stack(rows)


def guided_attention_weight(N: int, T: int, g: float, device: torch.device | None = None) -> torch.Tensor:
    """W_nt = 1 − exp(−(n/N − t/T)² / (2g²)) (Tachibana et al. 2017).  → (T, N), rows are frames."""
    n = torch.arange(N, device=device, dtype=torch.float32) / N
    t = torch.arange(T, device=device, dtype=torch.float32) / T
    return 1.0 - torch.exp(-((n[None, :] - t[:, None]) ** 2) / (2 * g * g))


def guided_attention_loss(alpha: torch.Tensor, g: float) -> float:
    """L_att = mean_{n,t}(A_nt · W_nt): zero for a perfectly diagonal alignment.  alpha: (T, N)."""
    T, N = alpha.shape
    return float((alpha * guided_attention_weight(N, T, g, alpha.device)).mean())


def training_set(cfg: AlignConfig) -> list[Utterance]:
    """Utterances of random phone strings (6 to 12 phones between silences), synthesized."""
    g = torch.Generator().manual_seed(cfg.seed)
    inventory = [p for p in PHONES if p != "sil"]
    out = []
    for i in range(cfg.utterances):
        n = int(torch.randint(6, 13, (1,), generator=g))
        ids = torch.randint(0, len(inventory), (n,), generator=g).tolist()
        rate = float(torch.empty(1).uniform_(0.7, 1.4, generator=g))
        phones = ("sil", *(inventory[j] for j in ids), "sil")
        out.append(synthesize_phones(phones, 1000 + cfg.seed * 100 + i, round(rate, 2)))
    return out


def _batch(utts: list[Utterance]) -> tuple[torch.Tensor, ...]:
    """Padded queries (B, T, M), keys (B, N, M), true phone per frame (B, T; −1 = padding),
    teacher-forced previous alignment (B, T, N) and key mask (B, N)."""
    B, T, N = len(utts), max(u.logmel.size(0) for u in utts), max(len(u.phones) for u in utts)
    M = utts[0].logmel.size(1)
    s, h = torch.zeros(B, T, M), torch.zeros(B, N, M)
    target, keep = torch.full((B, T), -1), torch.zeros(B, N, dtype=torch.bool)
    for b, u in enumerate(utts):
        s[b, : u.logmel.size(0)] = decoder_queries(u)
        h[b, : len(u.phones)] = phone_keys(u.phones)
        target[b, : u.logmel.size(0)] = u.frame_phone()
        keep[b, : len(u.phones)] = True
    prev_idx = torch.cat([torch.zeros(B, 1, dtype=torch.long), target[:, :-1].clamp_min(0)], 1)
    prev = nn.functional.one_hot(prev_idx, N).float()  # (B, T, N) true alignment one step back
    return s, h, target, prev, keep


@functools.cache
def _trained_cpu(cfg: AlignConfig) -> LocationSensitiveAttention:
    """Fit the attention to the known alignments: minimise −log α_{t, n*(t)} with Adam.

    Teacher forcing: α_{t−1} is the true previous alignment, so all steps train in parallel.
    """
    s, h, target, prev, keep = _batch(training_set(cfg))
    B, T, N = prev.shape
    with torch.random.fork_rng(devices=[]):  # nn init uses the global generator: seed it, restore it
        torch.manual_seed(cfg.seed)
        att = LocationSensitiveAttention(cfg, s.size(-1))
    opt = torch.optim.Adam(att.parameters(), lr=cfg.lr)
    hh = h.unsqueeze(1).expand(B, T, N, -1).reshape(B * T, N, -1)  # (B·T, N, M)
    mask = keep.unsqueeze(1).expand(B, T, N).reshape(B * T, N)
    for _ in range(cfg.steps):
        e = att.energies(s.reshape(B * T, -1), hh, prev.reshape(B * T, N))  # (B·T, N)
        e = e.masked_fill(~mask, -torch.finfo(e.dtype).max)
        loss = nn.functional.cross_entropy(e, target.reshape(-1), ignore_index=-1)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return att.eval().requires_grad_(False)


def trained_attention(location: bool, device: torch.device | str = "cpu") -> LocationSensitiveAttention:
    """The trained module (trained once on the CPU, cached), copied to ``device``."""
    return copy.deepcopy(_trained_cpu(AlignConfig(location=location))).to(device)
