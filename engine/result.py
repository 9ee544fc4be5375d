"""What a demo returns: tensors on the CPU, labels and measured facts — never a figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass(frozen=True)
class Result:
    """Attention weights ``(heads, queries, keys)`` plus what a visual needs to draw them.

    ``extras`` holds further CPU tensors, arrays or tables a figure uses (curves, images, …).
    ``facts`` holds measured numbers (device, milliseconds, sizes) keyed by identifiers whose
    bilingual labels and units the demo declares (:mod:`engine.facts`); the registry adds
    ``device`` and ``ms`` after timing the run, and ``demo``: the name of the demo that
    produced it (its figure is found by that name, see :mod:`visuals.figures`).
    """

    weights: torch.Tensor
    query_labels: tuple[str, ...]
    key_labels: tuple[str, ...]
    head_labels: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    demo: str = ""

    def __post_init__(self) -> None:
        w = self.weights
        if w.dim() != 3:
            raise ValueError(f"weights must be (heads, queries, keys), got shape {tuple(w.shape)}")
        if w.device.type != "cpu":
            raise ValueError("weights must be moved to the CPU before they leave the engine")
        H, L, S = w.shape
        if len(self.query_labels) != L or len(self.key_labels) != S:
            raise ValueError(
                f"labels do not match weights {tuple(w.shape)}: "
                f"{len(self.query_labels)} query labels, {len(self.key_labels)} key labels"
            )
        if self.head_labels and len(self.head_labels) != H:
            raise ValueError(f"{len(self.head_labels)} head labels for {H} heads")

    @property
    def n_heads(self) -> int:
        return self.weights.size(0)
