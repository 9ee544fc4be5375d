"""Tiny, deterministic toy inputs: sentences split into tokens and seeded embeddings."""

from __future__ import annotations

import torch

SENTENCES = {
    "en": "the cat sat on the mat because it was tired and the dog watched it from the warm sofa "
    "while rain fell softly on the old roof of the quiet house near the river bank",
    "zh": "猫 坐 在 垫子 上 因为 它 累 了 狗 在 温暖 的 沙发 上 看着 它 雨 轻轻 地 落 在 河边 安静 小屋 的 旧 屋顶 上 夜 深 了",
}


def toy_tokens(n: int, lang: str = "en") -> list[str]:
    """The first ``n`` tokens of a fixed sentence (repeated if ``n`` is larger)."""
    words = SENTENCES[lang].split()
    return [words[i % len(words)] for i in range(n)]


def toy_embeddings(n: int, d: int, seed: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """(n, d) standard-normal embeddings drawn on the CPU from ``seed``, then moved to ``device``.

    Drawing on the CPU makes the same seed give the same numbers on every device.
    """
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g).to(device)


def word_embeddings(
    tokens: list[str], d: int, seed: int, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """One seeded vector per distinct word; equal words get equal rows.  → (len(tokens), d)."""
    vocab = sorted(set(tokens))
    table = toy_embeddings(len(vocab), d, seed, device)  # (V, d), drawn on the CPU
    ids = torch.tensor([vocab.index(t) for t in tokens], device=device)
    return table[ids]
