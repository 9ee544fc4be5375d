"""What a head looks at: pattern scores, pattern types, attention rollout, and grading a prediction.

Scores follow Clark et al. 2019, "What Does BERT Look At?" (previous/next token, self,
[CLS], [SEP], punctuation, and broad heads measured by entropy); types follow Kovaleva et
al. 2019, "Revealing the Dark Secrets of BERT" (vertical, diagonal, vertical+diagonal,
block, heterogeneous), here by rules on attention mass instead of their trained classifier.

Weights are ``(..., L, L)`` — any leading (layers, heads) dimensions — with rows summing to 1.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import torch

PATTERNS = ("previous", "next", "self", "cls", "sep", "punctuation", "broad")
MASS_PATTERNS = PATTERNS[:-1]  # scores that are a share of attention; "broad" is an entropy
TYPES = ("vertical", "diagonal", "vertical+diagonal", "block", "heterogeneous")
PATTERN_NAMES = {
    "previous": {"zh": "前一个词元", "en": "previous token"},
    "next": {"zh": "后一个词元", "en": "next token"},
    "self": {"zh": "自身", "en": "self"},
    "cls": {"zh": "[CLS]", "en": "[CLS]"},
    "sep": {"zh": "[SEP]", "en": "[SEP]"},
    "punctuation": {"zh": "标点", "en": "punctuation"},
    "broad": {"zh": "广泛（高熵）", "en": "broad (high entropy)"},
    "mixed": {"zh": "混合", "en": "mixed"},
}
TYPE_NAMES = {
    "vertical": {"zh": "竖条", "en": "vertical"},
    "diagonal": {"zh": "对角线", "en": "diagonal"},
    "vertical+diagonal": {"zh": "竖条+对角线", "en": "vertical+diagonal"},
    "block": {"zh": "块状", "en": "block"},
    "heterogeneous": {"zh": "混杂", "en": "heterogeneous"},
}
SPECIAL = ("[CLS]", "[SEP]")
SENTENCE_END = (".", "!", "?", "。", "！", "？")
CLEAR = 0.5  # a head's label is clear when this share of its attention follows one pattern


def is_punctuation(token: str) -> bool:
    """True for a token made only of Unicode punctuation (``,`` ``.`` ``。`` ``"`` …)."""
    return bool(token) and all(unicodedata.category(c).startswith("P") for c in token)


def _column(tokens: Sequence[str], keep, device: torch.device) -> torch.Tensor:
    return torch.tensor([bool(keep(t)) for t in tokens], dtype=torch.bool, device=device)


# prev = mean_i A[i, i−1],  next = mean_i A[i, i+1],  self = mean_i A[i, i],
# to(T) = mean_i Σ_{j ∈ T} A[i, j],   broad = mean_i H(A[i, :]) / log L
def pattern_scores(weights: torch.Tensor, tokens: Sequence[str]) -> torch.Tensor:
    """Scores of every pattern in :data:`PATTERNS`, each in [0, 1].  (..., L, L) → (..., 7)."""
    L = weights.size(-1)
    if len(tokens) != L:
        raise ValueError(f"{len(tokens)} tokens for weights with {L} keys")
    w = weights.float()

    def to(keep) -> torch.Tensor:  # mean over queries of the mass on the chosen keys
        return (w * _column(tokens, keep, w.device)).sum(-1).mean(-1)

    def band(offset: int) -> torch.Tensor:
        d = torch.diagonal(w, offset=offset, dim1=-2, dim2=-1)  # (..., L − |offset|)
        return d.mean(-1) if d.size(-1) else torch.zeros(w.shape[:-2], device=w.device)

    entropy = -(w * torch.log(w.clamp_min(1e-30))).sum(-1)  # (..., L): 0·log 0 = 0
    broad = entropy.mean(-1) / math.log(L) if L > 1 else torch.zeros(w.shape[:-2], device=w.device)
    parts = [
        band(-1), band(1), band(0),
        to(lambda t: t == "[CLS]"), to(lambda t: t == "[SEP]"), to(is_punctuation), broad,
    ]  # fmt: skip
    return torch.stack(parts, dim=-1).clamp(0.0, 1.0)


def dominant_pattern(scores: torch.Tensor) -> str:
    """The pattern a head mostly follows: the largest share ≥ CLEAR, else ``broad`` or ``mixed``.

    ``scores`` is one head's row of :func:`pattern_scores`, (7,).
    """
    mass = scores[: len(MASS_PATTERNS)]
    best = int(mass.argmax())
    if float(mass[best]) >= CLEAR:
        return MASS_PATTERNS[best]
    return "broad" if float(scores[-1]) >= 0.6 else "mixed"


def pick_clear_head(dominant: Sequence[Sequence[str]], rng: random.Random) -> tuple[int, int, str]:
    """A head whose pattern is clear: first a pattern at random, then one of its heads.

    ``dominant`` is layers × heads names from :func:`dominant_pattern`; returns (layer, head,
    pattern) with layer and head counted from 1. Drawing the pattern first keeps the rare
    ones (previous, next) from drowning among the many [CLS] and broad heads.
    """
    by_pattern: dict[str, list[tuple[int, int]]] = {}
    for a, row in enumerate(dominant):
        for b, pattern in enumerate(row):
            if pattern != "mixed":
                by_pattern.setdefault(pattern, []).append((a + 1, b + 1))
    if not by_pattern:
        raise ValueError("no head has a clear pattern on this input")
    pattern = rng.choice(sorted(by_pattern))
    layer, head = rng.choice(by_pattern[pattern])
    return layer, head, pattern


def segments_of(tokens: Sequence[str], type_ids: Sequence[int] | None = None) -> tuple[int, ...]:
    """A segment id per token: a new segment after each sentence end and at each new token type."""
    type_ids = list(type_ids) if type_ids is not None else [0] * len(tokens)
    seg, out, prev_type = 0, [], type_ids[0] if type_ids else 0
    for i in range(len(tokens)):
        if type_ids[i] != prev_type or (i and tokens[i - 1] in SENTENCE_END):
            seg += 1
        prev_type = type_ids[i]
        out.append(seg)
    return tuple(out)


@dataclass(frozen=True)
class TypeMasses:
    """Shares of attention behind a Kovaleva type, each (...,): vertical, diagonal, block."""

    vertical: torch.Tensor  # mass on [CLS], [SEP] and punctuation (the "anchor" columns)
    diagonal: torch.Tensor  # mass on the band |i − j| ≤ 1
    block: torch.Tensor  # mass inside the query's own segment, anchors excluded
    block_off: torch.Tensor  # the same, also excluding the band
    n_segments: int


# Band cells that are also anchors (e.g. the token after [CLS] looking back at it) count for
# whichever of vertical or diagonal the head shows more clearly elsewhere.
def type_masses(
    weights: torch.Tensor, tokens: Sequence[str], segments: Sequence[int]
) -> TypeMasses:
    """The attention shares that decide a head's type.  (..., L, L) → fields of shape (...)."""
    w = weights.float()
    L = w.size(-1)
    anchor = _column(tokens, lambda t: t in SPECIAL or is_punctuation(t), w.device)  # (L,)
    i = torch.arange(L, device=w.device)
    band = (i[:, None] - i[None, :]).abs() <= 1  # (L, L)
    seg = torch.tensor(list(segments), device=w.device)
    same = (seg[:, None] == seg[None, :]) & ~anchor  # (L, L)

    def share(cells: torch.Tensor) -> torch.Tensor:
        return (w * cells).sum(-1).mean(-1)

    v, d, both = share(anchor & ~band), share(band & ~anchor), share(band & anchor)
    n_seg = len({s for s, a in zip(segments, anchor.tolist(), strict=True) if not a})
    return TypeMasses(
        vertical=torch.where(v >= d, v + both, v),
        diagonal=torch.where(v >= d, d, d + both),
        block=share(same),
        block_off=share(same & ~band),
        n_segments=n_seg,
    )


def head_type(
    vertical: float, diagonal: float, block: float, block_off: float, n_segments: int
) -> str:
    """Kovaleva et al.'s type from the shares of :class:`TypeMasses` for one head."""
    if vertical >= 0.7 and diagonal < 0.2:
        return "vertical"
    if diagonal >= 0.7 and vertical < 0.2:
        return "diagonal"
    if n_segments >= 2 and block >= 0.7 and block_off >= 0.3:
        return "block"
    if vertical >= 0.2 and diagonal >= 0.2 and vertical + diagonal >= 0.7:
        return "vertical+diagonal"
    return "heterogeneous"


def head_types(
    weights: torch.Tensor, tokens: Sequence[str], type_ids: Sequence[int] | None = None
) -> list[list[str]]:
    """The type of every head.  (layers, heads, L, L) → layers × heads names from :data:`TYPES`."""
    m = type_masses(weights, tokens, segments_of(tokens, type_ids))
    return [
        [
            head_type(
                float(m.vertical[a, b]),
                float(m.diagonal[a, b]),
                float(m.block[a, b]),
                float(m.block_off[a, b]),
                m.n_segments,
            )  # fmt: skip
            for b in range(weights.size(1))
        ]
        for a in range(weights.size(0))
    ]


# Ā_l = ½ mean_h A_l + ½ I (rows renormalised),   R_l = Ā_l R_{l−1},   R_0 = I
def attention_rollout(attentions: torch.Tensor) -> torch.Tensor:
    """Abnar & Zuidema 2020: how much each token's input flows into each position after layer l.

    (layers, heads, L, L) → (layers, L, L); row i of R_l sums to 1.
    """
    L = attentions.size(-1)
    eye = torch.eye(L, dtype=attentions.dtype, device=attentions.device)
    r, out = eye, []
    for a in attentions.mean(dim=1):  # (L, L) per layer, averaged over heads
        a_bar = 0.5 * a + 0.5 * eye  # the residual connection carries the token itself
        a_bar = a_bar / a_bar.sum(dim=-1, keepdim=True)
        r = a_bar @ r
        out.append(r)
    return torch.stack(out)


# overlap(p, q) = Σ_j min(p_j, q_j) = 1 − TV(p, q)
def overlap_score(predicted: torch.Tensor, actual: torch.Tensor) -> float:
    """How much of a predicted attention row matches the real one, in [0, 1].  (S,), (S,) → float.

    ``predicted`` is normalised first, so painting keys with equal marks spreads 1 over them.
    """
    p = predicted.float().clamp_min(0.0)
    if float(p.sum()) <= 0:
        return 0.0
    p = p / p.sum()
    return float(torch.minimum(p, actual.float().to(p.device)).sum().clamp(0.0, 1.0))


def paint_prediction(n_keys: int, painted: Sequence[int]) -> torch.Tensor:
    """A predicted row: equal weight on the ``painted`` key positions.  → (n_keys,)."""
    p = torch.zeros(n_keys)
    for j in painted:
        if not 0 <= j < n_keys:
            raise ValueError(f"key position {j} is outside 0…{n_keys - 1}")
        p[j] = 1.0
    return p / p.sum() if painted else p
