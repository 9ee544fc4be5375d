"""The toy speech synthesizer the speech demos share (Q14, Q18, Q25, Q30).

Each phone is a sum of sinusoids at the harmonics of a glottal pitch, shaped by formant
resonances (vowels, nasals, liquids), or band-limited noise (fricatives), or a closure and
a burst (stops). The waveform goes through a short-time Fourier transform and a triangular
mel filterbank to a log-mel spectrogram — no audio library, and the true segmentation is
known, so every alignment can be scored.

Shapes: T frames, M mel bands, N tokens (phones).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch

from engine.registry import ParamSpec

SR, N_FFT, HOP, N_MELS = 16000, 400, 160, 32  # 25 ms windows every 10 ms
F0 = 120.0  # glottal pitch (Hz)


# phone → (kind, formants or noise band in Hz, base duration in frames)
PHONES: dict[str, tuple[str, tuple[float, ...], int]] = {
    "AA": ("vowel", (730, 1090, 2440), 12),
    "AE": ("vowel", (660, 1720, 2410), 12),
    "AH": ("vowel", (520, 1190, 2390), 10),
    "AO": ("vowel", (570, 840, 2410), 12),
    "EH": ("vowel", (530, 1840, 2480), 11),
    "ER": ("vowel", (490, 1350, 1690), 12),
    "IH": ("vowel", (390, 1990, 2550), 10),
    "IY": ("vowel", (270, 2290, 3010), 12),
    "OW": ("vowel", (450, 800, 2600), 13),
    "UW": ("vowel", (300, 870, 2240), 12),
    "L": ("sonorant", (360, 1000, 2800), 8),
    "M": ("sonorant", (250, 1100, 2300), 8),
    "N": ("sonorant", (250, 1700, 2600), 8),
    "W": ("sonorant", (300, 610, 2200), 7),
    "Y": ("sonorant", (280, 2200, 2900), 7),
    "R": ("sonorant", (310, 1060, 1380), 8),
    "S": ("fricative", (4500, 7500), 10),
    "SH": ("fricative", (2200, 4500), 10),
    "Z": ("fricative", (4000, 7000), 9),
    "F": ("fricative", (1500, 7800), 9),
    "HH": ("fricative", (800, 3500), 6),
    "T": ("stop", (3500, 7000), 6),
    "D": ("stop", (2500, 5000), 6),
    "K": ("stop", (1500, 3000), 7),
    "sil": ("silence", (), 8),
}


# A few utterances as phone strings; "|" marks a word boundary.
UTTERANCES: dict[str, str] = {
    "hello world": "sil HH EH L OW | W ER L D sil",
    "she sells sea shells": "sil SH IY | S EH L Z | S IY | SH EH L Z sil",
    "la la land": "sil L AA | L AA | L AE N D sil",
    "attention is all you need": "sil AH T EH N SH AH N | IH Z | AO L | Y UW | N IY D sil",
}


def utterance_param(default: str = "hello world") -> ParamSpec:
    """The choice of synthesized utterance, shared by the speech demos."""
    return ParamSpec(
        "text", "choice", default, {"zh": "语句", "en": "Utterance"}, choices=tuple(UTTERANCES)
    )


@dataclass(frozen=True)
class Utterance:
    """A synthesized utterance: log-mel frames, its phones and each phone's frame span."""

    logmel: torch.Tensor  # (T, M)
    phones: tuple[str, ...]  # N
    spans: tuple[tuple[int, int], ...]  # N × [start, end) frames

    def frame_phone(self) -> torch.Tensor:
        """Index of the phone each frame belongs to.  → (T,) long."""
        idx = torch.zeros(self.logmel.size(0), dtype=torch.long)
        for n, (a, b) in enumerate(self.spans):
            idx[a:b] = n
        return idx


def phones_of(text: str) -> tuple[str, ...]:
    """The phone sequence of one of ``UTTERANCES`` (word boundaries dropped)."""
    return tuple(p for p in UTTERANCES[text].split() if p != "|")


def _resonance(freqs: np.ndarray, formants: tuple[float, ...]) -> np.ndarray:
    """Spectral envelope: Σ_i g_i / (1 + ((f − F_i)/B_i)²), bandwidth B_i = 60 + 0.06·F_i."""
    env = np.zeros_like(freqs)
    for i, f in enumerate(formants):
        env += 0.6**i / (1.0 + ((freqs - f) / (60.0 + 0.06 * f)) ** 2)
    return env


def _band_noise(n: int, lo: float, hi: float, rng: np.random.Generator) -> np.ndarray:
    """White noise kept between ``lo`` and ``hi`` Hz (zeroed FFT bins outside the band)."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / SR)
    spec[(f < lo) | (f > hi)] = 0.0
    x = np.fft.irfft(spec, n)
    return x / (np.abs(x).max() + 1e-9)


def synth_phone(phone: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples of one phone: harmonics of F0 shaped by formants, or band noise, or silence."""
    kind, band, _ = PHONES[phone]
    t = np.arange(n) / SR
    if kind in ("vowel", "sonorant"):
        k = np.arange(1, int(SR / 2 / F0))  # harmonic numbers below Nyquist
        amp = _resonance(k * F0, band) / k**0.5
        phase = rng.uniform(0, 2 * np.pi, k.size)
        x = (amp[:, None] * np.sin(2 * np.pi * F0 * k[:, None] * t + phase[:, None])).sum(0)
        return x / (np.abs(x).max() + 1e-9) * (1.0 if kind == "vowel" else 0.5)
    if kind == "fricative":
        return _band_noise(n, *band, rng) * (0.35 if band[0] < 1000 else 0.5)
    if kind == "stop":  # closure (silence) then a short burst
        x = np.zeros(n)
        burst = min(n // 2, int(0.02 * SR))
        x[n - burst :] = _band_noise(burst, *band, rng) * 0.6
        return x
    return np.zeros(n)


def mel_filterbank(n_mels: int = N_MELS, n_fft: int = N_FFT, sr: int = SR) -> torch.Tensor:
    """Triangular filters equally spaced on the mel scale m = 2595·log10(1 + f/700).  → (M, n_fft/2+1)."""
    mel = np.linspace(0.0, 2595 * np.log10(1 + sr / 2 / 700), n_mels + 2)
    edges = 700 * (10 ** (mel / 2595) - 1)  # (M + 2,) Hz
    f = np.fft.rfftfreq(n_fft, 1.0 / sr)  # (F,)
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up, down = (f - lo) / (mid - lo), (hi - f) / (hi - mid)
    return torch.tensor(np.clip(np.minimum(up, down), 0.0, None), dtype=torch.float32)


def log_mel(wave: np.ndarray) -> torch.Tensor:
    """log(mel · |STFT|² + ε) with a Hann window.  (samples,) → (T, M)."""
    x = torch.tensor(wave, dtype=torch.float32)
    spec = torch.stft(
        x, N_FFT, HOP, window=torch.hann_window(N_FFT), center=True, return_complex=True
    )
    power = spec.abs() ** 2  # (F, T)
    return torch.log(mel_filterbank() @ power + 1e-4).T  # (T, M)


def durations(phones: tuple[str, ...], rate: float, rng: np.random.Generator) -> list[int]:
    """Frames per phone: base duration / speaking rate, jittered by ±25 %."""
    base = np.array([PHONES[p][2] for p in phones], dtype=float) / rate
    return [max(3, int(round(d))) for d in base * rng.uniform(0.75, 1.25, len(phones))]


@functools.cache
def synthesize_phones(phones: tuple[str, ...], seed: int, rate: float = 1.0) -> Utterance:
    """Waveform of ``phones`` (one after another, 5 ms cross-fades, a faint noise floor) → log-mel.

    Drawn on the CPU from ``seed`` with NumPy, so every device sees the same spectrogram.
    """
    rng = np.random.default_rng(seed)
    frames = durations(phones, rate, rng)
    ramp = int(0.005 * SR)
    pieces = []
    for p, d in zip(phones, frames, strict=True):
        x = synth_phone(p, d * HOP, rng)
        x[:ramp] *= np.linspace(0, 1, ramp)  # fade in/out: no clicks between phones
        x[-ramp:] *= np.linspace(1, 0, ramp)
        pieces.append(x)
    wave = np.concatenate(pieces)
    wave = wave + 0.003 * rng.standard_normal(wave.size)
    logmel = log_mel(wave)[: sum(frames)]  # (T, M)
    ends = np.cumsum(frames)
    spans = tuple((int(e - d), int(e)) for e, d in zip(ends, frames, strict=True))
    return Utterance(logmel, phones, spans)


def synthesize(text: str, seed: int, rate: float = 1.0) -> Utterance:
    """The utterance ``text`` (one of ``UTTERANCES``), synthesized from ``seed``."""
    return synthesize_phones(phones_of(text), seed, rate)


@functools.cache
def phone_templates() -> dict[str, torch.Tensor]:
    """Each phone's mean log-mel frame, synthesized alone (what a decoder expects to hear).  Each (M,)."""
    rng = np.random.default_rng(12345)
    out = {}
    for p in PHONES:
        x = synth_phone(p, 20 * HOP, rng) + 0.003 * rng.standard_normal(20 * HOP)
        frames = log_mel(x)[2:-2]  # drop the edge frames of the STFT
        out[p] = frames[-6:].mean(0) if PHONES[p][0] == "stop" else frames.mean(0)
    return out


def normalise(feats: torch.Tensor) -> torch.Tensor:
    """Mean-normalised, unit-length features: x̂ = (x − μ) / ‖x − μ‖, μ = mean of all templates.  (…, M)."""
    mu = torch.stack(list(phone_templates().values())).mean(0).to(feats.device)
    x = feats - mu
    return x / x.norm(dim=-1, keepdim=True).clamp_min(1e-6)


def phone_keys(phones: tuple[str, ...], device: torch.device | str = "cpu") -> torch.Tensor:
    """The normalised template of each phone (what a decoder expects to hear).  → (N, M)."""
    t = phone_templates()
    return normalise(torch.stack([t[p] for p in phones])).to(device)
