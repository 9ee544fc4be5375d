"""Parametric numeric items: each draw makes fresh numbers, and the engine computes the answer.

A bank names a generator by its name here (never by import path) with parameters checked
against the generator's specs, exactly like a demo link.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch

from engine import masks
from engine.registry import ParamSpec, param_name
from engine.sanitize import preview
from engine.softmax import stable_softmax

Text = dict[str, str]


@dataclass(frozen=True)
class Drawn:
    """One concrete instance of a parametric item."""

    prompt: Text
    answer: float
    tolerance: float
    explanation: Text


@dataclass(frozen=True)
class Generator:
    name: str
    params: tuple[ParamSpec, ...]
    draw: Callable[..., Drawn]

    def check(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        values, problems = {p.name: p.default for p in self.params}, []
        for key, value in raw.items():
            spec = next((p for p in self.params if p.name == key), None)
            if spec is None:
                names = ", ".join(p.name for p in self.params) or "none"
                problems.append(
                    f"generator {self.name!r}: {param_name(key)}: unknown parameter; it takes: {names}"
                )
                continue
            try:
                values[key] = spec.check(value)
            except ValueError as e:
                problems.append(f"generator {self.name!r}: {e}")
        return values, problems


def _softmax_weight(rng: random.Random, n: int) -> Drawn:
    """softmax(s)_i = exp(s_i) / Σ_j exp(s_j), computed by the engine's stable softmax."""
    scores = [rng.randint(-2, 4) for _ in range(n)]
    i = rng.randrange(n)
    w = stable_softmax(torch.tensor(scores, dtype=torch.float64))[i].item()
    s = ", ".join(map(str, scores))
    return Drawn(
        {
            "zh": f"分数 s = [{s}]。softmax(s) 的第 {i + 1} 个分量是多少？（保留三位小数）",
            "en": f"Scores s = [{s}]. What is component {i + 1} of softmax(s)? (3 decimals)",
        },
        round(w, 6),
        0.0015,
        {
            "zh": f"exp({scores[i]}) / Σ_j exp(s_j) = {w:.4f}",
            "en": f"exp({scores[i]}) / Σ_j exp(s_j) = {w:.4f}",
        },
    )


def _scaled_score(rng: random.Random, d_k: int) -> Drawn:
    """score = q · k / √d_k for small-integer q, k of length 4 (the rest of d_k zero-padded)."""
    q = [rng.randint(-2, 3) for _ in range(4)]
    k = [rng.randint(-2, 3) for _ in range(4)]
    dot = sum(a * b for a, b in zip(q, k, strict=True))
    value = dot / math.sqrt(d_k)
    return Drawn(
        {
            "zh": f"q = {q}，k = {k}（其余维度为 0），d_k = {d_k}。缩放点积 q·k/√d_k 是多少？",
            "en": f"q = {q}, k = {k} (other dimensions 0), d_k = {d_k}. What is the scaled score q·k/√d_k?",
        },
        round(value, 6),
        0.01,
        {
            "zh": f"q·k = {dot}，√{d_k} = {math.sqrt(d_k):g}，所以 {dot}/{math.sqrt(d_k):g} = {value:.3f}",
            "en": f"q·k = {dot}, √{d_k} = {math.sqrt(d_k):g}, so {dot}/{math.sqrt(d_k):g} = {value:.3f}",
        },
    )


def _score_count(rng: random.Random, mode: str) -> Drawn:
    """Allowed query–key pairs of an n × n mask, counted from the engine's own mask functions."""
    n = rng.choice([8, 10, 12, 16, 20, 32, 50, 64])
    w = rng.randint(1, 4)
    if mode == "full":
        mask, what_en, what_zh = (
            torch.ones(n, n, dtype=torch.bool),
            "full self-attention",
            "完整自注意力",
        )
    elif mode == "causal":
        mask, what_en, what_zh = (
            masks.causal_mask(n),
            "causal (masked) self-attention",
            "因果自注意力",
        )
    elif mode == "window":
        mask = masks.sliding_window_mask(n, w)
        what_en, what_zh = (
            f"sliding-window attention with |i − j| ≤ {w}",
            f"滑动窗口注意力（|i − j| ≤ {w}）",
        )
    else:
        c = rng.choice([2, 4, 8])
        n = c * rng.randint(2, 8)
        mask = _chunk_mask(n, c)
        what_en, what_zh = (
            f"chunked attention (chunks of {c}, each sees its own and earlier chunks)",
            f"分块注意力（块大小 {c}，每块可见本块及之前的块）",
        )
    count = int(mask.sum())
    return Drawn(
        {
            "zh": f"序列长度 n = {n}，{what_zh}。需要计算多少个查询–键分数？",
            "en": f"Sequence length n = {n}, {what_en}. How many query–key scores are computed?",
        },
        float(count),
        0.0,
        {
            "zh": f"数一数掩码中允许的位置：{count}（完整注意力为 n² = {n * n}）。",
            "en": f"Count the allowed cells of the mask: {count} (full attention would be n² = {n * n}).",
        },
    )


def _chunk_mask(n: int, c: int) -> torch.Tensor:
    """allowed[i, j] = ⌊j/c⌋ ≤ ⌊i/c⌋ — streaming chunks that see their own and earlier chunks."""
    block = torch.arange(n) // c
    return block.unsqueeze(0) <= block.unsqueeze(1)


def _mha_param_count(rng: random.Random, bias: bool) -> Drawn:
    """Parameters of one MHA layer: W_Q, W_K, W_V, W_O ∈ ℝ^{d×d} (+ 4 biases of size d) = 4d² (+ 4d)."""
    d = rng.choice([64, 128, 256, 512, 768, 1024])
    h = rng.choice([h for h in (4, 8, 12, 16) if d % h == 0])
    count = 4 * d * d + (4 * d if bias else 0)
    with_b = ("含偏置", "with biases") if bias else ("不含偏置", "without biases")
    return Drawn(
        {
            "zh": f"d_model = {d}，h = {h} 个头，{with_b[0]}。一层多头注意力有多少参数？",
            "en": f"d_model = {d}, h = {h} heads, {with_b[1]}. How many parameters does one multi-head attention layer have?",
        },
        float(count),
        0.0,
        {
            "zh": f"4·d² {'+ 4·d ' if bias else ''}= {count:,}；头数 h 不改变参数量（每个头是 d/h 维子空间）。",
            "en": f"4·d² {'+ 4·d ' if bias else ''}= {count:,}; the number of heads does not change it (each head is a d/h subspace).",
        },
    )


def _attention_memory(rng: random.Random, dtype: str) -> Drawn:
    """Bytes of the (h × n × n) weight matrix = h · n² · bytes_per_element."""
    n = rng.choice([1024, 2048, 4096, 8192])
    h = rng.choice([8, 12, 16])
    size = 4 if dtype == "float32" else 2
    mib = h * n * n * size / 2**20
    return Drawn(
        {
            "zh": f"n = {n}，h = {h} 个头，{dtype}，批大小 1。存下全部注意力权重 (h × n × n) 需要多少 MiB？",
            "en": f"n = {n}, h = {h} heads, {dtype}, batch size 1. How many MiB hold all attention weights (h × n × n)?",
        },
        mib,
        mib * 0.01,
        {
            "zh": f"{h} × {n}² × {size} 字节 = {mib:,.0f} MiB —— 随 n 平方增长。",
            "en": f"{h} × {n}² × {size} bytes = {mib:,.0f} MiB — it grows with n².",
        },
    )


GENERATORS: dict[str, Generator] = {
    g.name: g
    for g in (
        Generator(
            "softmax_weight",
            (ParamSpec("n", "int", 4, {"zh": "分数个数", "en": "Scores"}, min=3, max=6),),
            _softmax_weight,
        ),
        Generator(
            "scaled_score",
            (
                ParamSpec(
                    "d_k", "choice", "4", {"zh": "d_k", "en": "d_k"}, choices=("4", "16", "64")
                ),
            ),
            lambda rng, d_k: _scaled_score(rng, int(d_k)),
        ),
        Generator(
            "score_count",
            (
                ParamSpec(
                    "mode",
                    "choice",
                    "full",
                    {"zh": "模式", "en": "Mode"},
                    choices=("full", "causal", "window", "chunked"),
                ),
            ),
            _score_count,
        ),
        Generator(
            "mha_param_count",
            (ParamSpec("bias", "bool", True, {"zh": "偏置", "en": "Biases"}),),
            _mha_param_count,
        ),
        Generator(
            "attention_memory",
            (
                ParamSpec(
                    "dtype",
                    "choice",
                    "float32",
                    {"zh": "数据类型", "en": "dtype"},
                    choices=("float32", "float16"),
                ),
            ),
            _attention_memory,
        ),
    )
}


def check_generator(name: str, params: Mapping[str, Any]) -> list[str]:
    """Problems with a bank's generator link (unknown name, bad parameters); empty if fine."""
    if name not in GENERATORS:
        return [f"unknown generator {preview(name)}; known generators: {', '.join(GENERATORS)}"]
    return GENERATORS[name].check(params)[1]


def draw(name: str, params: Mapping[str, Any], seed: int) -> Drawn:
    """A fresh instance of generator ``name`` from ``seed``."""
    gen = GENERATORS[name]
    values, problems = gen.check(params)
    if problems:
        raise ValueError("; ".join(problems))
    return gen.draw(random.Random(seed), **values)
