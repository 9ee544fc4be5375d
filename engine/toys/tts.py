"""Text-to-spectrogram attention modules trained on synthesized speech, shipped as
``tts_content`` (content-only additive attention) and ``tts_location`` (the
location-sensitive attention of Chorowski et al. 2015 that Tacotron 2 uses) — Q18, Q25.

Shapes: T frames (decoder steps), N phones (encoder steps), M mel bands, d attention size.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from engine import toys
from engine.softmax import stable_softmax
from engine.speech import N_MELS, PHONES, Utterance, normalise, phone_keys, synthesize_phones


@dataclass(frozen=True)
class AlignConfig:
    """Sizes and full-batch training schedule; one config names one trained module."""

    location: bool = True  # location-sensitive (True) or content-only (False)
    d: int = 16  # attention size
    filters: int = 4  # location filters K
    width: int = 7  # location filter width (odd)
    utterances: int = 32
    steps: int = 150
    lr: float = 0.03
    seed: int = 0


class LocationSensitiveAttention(nn.Module):
    """e_{t,n} = wᵀ tanh(W s_t + V h_n + U f_{t,n} + b),  f_t = F ∗ [α_{t−1}; c_{t−1}/10],  α_t = softmax_n(e_t).

    s_t: decoder query, h_n: phone encoding, F: K conv filters over the phone axis applied to
    the previous alignment α_{t−1} and, as in Tacotron 2, to the cumulative alignment
    c_{t−1} = Σ_{τ<t} α_τ (in tens of frames). With ``location=False`` the U f term is
    dropped and this is plain additive (content-based) attention.
    """

    def __init__(self, cfg: AlignConfig, m: int):
        super().__init__()
        self.cfg = cfg
        self.W = nn.Linear(m, cfg.d, bias=True)  # bias plays the role of b
        self.V = nn.Linear(m, cfg.d, bias=False)
        self.F = nn.Conv1d(2, cfg.filters, cfg.width, padding=cfg.width // 2, bias=False)
        self.U = nn.Linear(cfg.filters, cfg.d, bias=False)
        self.w = nn.Linear(cfg.d, 1, bias=False)

    def energies(self, s: torch.Tensor, h: torch.Tensor, prev: torch.Tensor) -> torch.Tensor:
        """(B, M) queries, (B, N, M) phones, (B, 2, N) previous and cumulative alignments → (B, N)."""
        x = self.W(s).unsqueeze(1) + self.V(h)  # (B, N, d)
        if self.cfg.location:
            f = self.F(prev).transpose(1, 2)  # (B, 2, N) → (B, K, N) → (B, N, K)
            x = x + self.U(f)
        return self.w(torch.tanh(x)).squeeze(-1)  # (B, N)


def decoder_queries(utt: Utterance) -> torch.Tensor:
    """s_t = frame t, normalised (the teacher-forced frame the decoder is aligning).  → (T, M)."""
    return normalise(utt.logmel)


# α_t = softmax_n(e_t(s_t, h, α_{t−1})),  α_{−1} = one-hot at the first phone
def align(att: LocationSensitiveAttention, s: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """Run the attention step by step, feeding back its own alignment.  (T, M), (N, M) → (T, N)."""
    alpha = torch.zeros(1, h.size(0), device=h.device)
    alpha[0, 0] = 1.0
    cum = torch.zeros_like(alpha)
    rows = []
    for t in range(s.size(0)):
        loc = torch.stack([alpha, cum / 10], dim=1)  # (1, 2, N)
        alpha = stable_softmax(att.energies(s[t : t + 1], h.unsqueeze(0), loc), dim=-1)  # (1, N)
        cum = cum + alpha
        rows.append(alpha[0])
    return torch.stack(rows)


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
    teacher-forced location inputs (B, T, 2, N) and key mask (B, N)."""
    B, T, N = len(utts), max(u.logmel.size(0) for u in utts), max(len(u.phones) for u in utts)
    M = utts[0].logmel.size(1)
    s, h = torch.zeros(B, T, M), torch.zeros(B, N, M)
    target, keep = torch.full((B, T), -1), torch.zeros(B, N, dtype=torch.bool)
    for b, u in enumerate(utts):
        s[b, : u.logmel.size(0)] = decoder_queries(u)
        h[b, : len(u.phones)] = phone_keys(u.phones)
        target[b, : u.logmel.size(0)] = u.frame_phone()
        keep[b, : len(u.phones)] = True
    true = nn.functional.one_hot(target.clamp_min(0), N).float() * (target >= 0).unsqueeze(-1)
    first = nn.functional.one_hot(torch.zeros(B, 1, dtype=torch.long), N).float()  # α_{−1}
    prev = torch.cat([first, true[:, :-1]], 1)  # (B, T, N): true α_{t−1}
    cum = true.cumsum(1) - true  # (B, T, N): Σ_{τ<t} true α_τ
    loc = torch.stack([prev, cum / 10], dim=2)  # (B, T, 2, N)
    return s, h, target, loc, keep


VARIANTS = {"tts_content": AlignConfig(location=False), "tts_location": AlignConfig(location=True)}


def train(cfg: AlignConfig) -> tuple[LocationSensitiveAttention, dict[str, float]]:
    """Fit the attention to the known alignments: minimise −log α_{t, n*(t)} with Adam.

    Teacher forcing: α_{t−1} and c_{t−1} come from the true alignment, so all steps train in parallel.
    """
    s, h, target, loc, keep = _batch(training_set(cfg))
    B, T, N = target.size(0), target.size(1), h.size(1)
    hh = h.unsqueeze(1).expand(B, T, N, -1).reshape(B * T, N, -1)  # (B·T, N, M)
    mask = keep.unsqueeze(1).expand(B, T, N).reshape(B * T, N)

    def step(att: nn.Module, g: torch.Generator) -> torch.Tensor:
        e = att.energies(s.reshape(B * T, -1), hh, loc.reshape(B * T, 2, N))  # (B·T, N)
        e = e.masked_fill(~mask, -torch.finfo(e.dtype).max)
        return nn.functional.cross_entropy(e, target.reshape(-1), ignore_index=-1)

    build = lambda: LocationSensitiveAttention(cfg, s.size(-1))  # noqa: E731
    att = toys.fit(build, step, cfg.steps, cfg.seed, cfg.lr)
    return att, {"final_loss": float(step(att, torch.Generator()))}


def load(location: bool, device: torch.device | str = "cpu") -> LocationSensitiveAttention:
    """The shipped location-sensitive (``location``) or content-only module, on ``device``."""
    name = "tts_location" if location else "tts_content"
    return toys.load_state(name, LocationSensitiveAttention(VARIANTS[name], N_MELS), device)
