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
    Utterance,
    normalise,
    phone_templates,
    synthesize,
    synthesize_phones,
    utterance_param,
)
from engine.devices import one_cpu_thread, seeded
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


def phone_keys(phones: tuple[str, ...]) -> torch.Tensor:
    """h_n = the normalised template of phone n (a fixed, lookup-table text encoder).  → (N, M)."""
    t = phone_templates()
    return normalise(torch.stack([t[p] for p in phones]))


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


def guided_attention_weight(
    N: int, T: int, g: float, device: torch.device | None = None
) -> torch.Tensor:
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


@functools.cache
@one_cpu_thread()
def _trained_cpu(cfg: AlignConfig) -> LocationSensitiveAttention:
    """Fit the attention to the known alignments: minimise −log α_{t, n*(t)} with Adam.

    Teacher forcing: α_{t−1} and c_{t−1} come from the true alignment, so all steps train in parallel.
    """
    s, h, target, loc, keep = _batch(training_set(cfg))
    B, T, N = target.size(0), target.size(1), h.size(1)
    with seeded(cfg.seed):  # nn init draws from the global generator
        att = LocationSensitiveAttention(cfg, s.size(-1))
    opt = torch.optim.Adam(att.parameters(), lr=cfg.lr)
    hh = h.unsqueeze(1).expand(B, T, N, -1).reshape(B * T, N, -1)  # (B·T, N, M)
    mask = keep.unsqueeze(1).expand(B, T, N).reshape(B * T, N)
    for _ in range(cfg.steps):
        e = att.energies(s.reshape(B * T, -1), hh, loc.reshape(B * T, 2, N))  # (B·T, N)
        e = e.masked_fill(~mask, -torch.finfo(e.dtype).max)
        loss = nn.functional.cross_entropy(e, target.reshape(-1), ignore_index=-1)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return att.eval().requires_grad_(False)


def trained_attention(
    location: bool, device: torch.device | str = "cpu"
) -> LocationSensitiveAttention:
    """The trained module (trained once on the CPU, cached), copied to ``device``."""
    return copy.deepcopy(_trained_cpu(AlignConfig(location=location))).to(device)


def path_stats(alpha: torch.Tensor, utt: Utterance) -> dict[str, float | int]:
    """Mass on the true phone (mean over frames), backward jumps and forward jumps of the argmax path.

    alpha: (T, N). ``phones_jumped_over`` adds up, over steps, how many phones the argmax
    passes over when it moves forward by more than one.
    """
    true = utt.frame_phone().to(alpha.device)
    peaks = alpha.argmax(1)  # (T,)
    step = peaks[1:] - peaks[:-1]
    return {
        "mass_on_true_phone": round(float(alpha[torch.arange(alpha.size(0)), true].mean()), 3),
        "backward_jumps": int((step < 0).sum()),
        "phones_jumped_over": int((step - 1).clamp_min(0).sum()),
    }


@demo(
    "tts_alignment",
    title={
        "zh": "语音合成：文本到频谱的对齐",
        "en": "Text-to-speech: text-to-spectrogram alignment",
    },
    params=(
        utterance_param("la la land"),
        ParamSpec(
            "g",
            "float",
            0.2,
            {"zh": "引导注意力宽度 g", "en": "Guided-attention width g"},
            min=0.05,
            max=0.5,
            step=0.05,
        ),
        ParamSpec(
            "rate", "float", 1.0, {"zh": "语速", "en": "Speaking rate"}, min=0.6, max=1.6, step=0.1
        ),
        ParamSpec(
            "seed",
            "int",
            0,
            {"zh": "随机种子（语句）", "en": "Random seed (utterance)"},
            min=0,
            max=9999,
        ),
    ),
    shows=(LocationSensitiveAttention, align, guided_attention_weight, guided_attention_loss),
)
def tts_alignment_demo(device: torch.device, text: str, g: float, rate: float, seed: int) -> Result:
    """Each decoder step (frame, query) attends over the phones (keys): content-only vs location-sensitive."""
    utt = synthesize(text, seed, rate)
    s, h = decoder_queries(utt).to(device), phone_keys(utt.phones).to(device)  # (T, M), (N, M)
    heads = [align(trained_attention(loc, device), s, h) for loc in (False, True)]
    weights = torch.stack(heads).cpu()  # (2, T, N)
    T, N = s.size(0), h.size(0)
    facts: dict[str, float | int] = {"frames T": T, "phones N": N, "g": g}
    for name, w in zip(("content", "location"), weights, strict=True):
        facts[f"{name}: guided loss L_att"] = round(guided_attention_loss(w, g), 4)
        facts.update({f"{name}: {k}": v for k, v in path_stats(w, utt).items()})
    extras = {
        "logmel": utt.logmel.numpy().copy(),
        "spans": utt.spans,
        "guided_W": guided_attention_weight(N, T, g).numpy(),  # (T, N)
    }
    return Result(
        weights,
        tuple(str(t) for t in range(T)),
        tuple(utt.phones),
        head_labels=("content-based (additive)", "location-sensitive (Chorowski 2015)"),
        view="q18_tts",
        facts=facts,
        extras=extras,
    )
