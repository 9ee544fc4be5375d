"""Labels and units of the facts demos measure, so every page shows them in its own language.

A demo returns ``Result.facts`` as ``{identifier: value}``; it declares the label and unit of
each identifier in a table of :class:`FactSpec` next to its parameters (``@demo(facts=…)``).
Facts every demo may carry (device, milliseconds, common sizes) are in :data:`COMMON`. A table
key may hold ``{placeholders}`` for identifiers made from a variant, e.g. ``ms_{variant}_at_{n}``;
the label is then filled from the matched parts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.i18n import Fact, Text, bi, tr

IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # ASCII, snake_case or paper notation (d_k, L)


@dataclass(frozen=True)
class FactSpec:
    """The bilingual label of one fact, and its unit (``None`` if it has none)."""

    label: Text
    unit: Text | None = None
    names: Mapping[str, Text] | None = None  # words for the values of {placeholders}


def fact(
    zh: str,
    en: str,
    unit: tuple[str, str] | None = None,
    names: Mapping[str, Text] | None = None,
) -> FactSpec:
    """A :class:`FactSpec` from its label in both languages, an optional ``(zh, en)`` unit and
    the words for placeholder values (``{"content": bi("内容", "content")}``)."""
    return FactSpec(bi(zh, en), bi(*unit) if unit else None, names)


MS = ("毫秒", "ms")
NATS = ("奈特", "nats")
COMMON: dict[str, FactSpec] = {
    "device": fact("设备", "device"),
    "ms": fact("用时", "time", MS),
    "L": fact("序列长度 L", "length L"),
    "S": fact("源序列长度 S", "source length S"),
    "T": fact("目标序列长度 T", "target length T"),
    "n": fact("词元数 n", "tokens n"),
    "h": fact("头数 h", "heads h"),
    "heads": fact("头数", "heads"),
    "d": fact("维度 d", "size d"),
    "d_k": fact("键维度 d_k", "key size d_k"),
    "d_v": fact("值维度 d_v", "value size d_v"),
    "d_model": fact("模型维度 d_model", "model size d_model"),
    "layers": fact("层数", "layers"),
    "task": fact("任务", "task"),
    "source": fact("输入", "source"),
    "target": fact("目标", "target"),
    "output": fact("输出", "output"),
    "expected": fact("期望输出", "expected"),
    "prediction": fact("预测", "prediction"),
    "mask": fact("掩码", "mask"),
    "seed": fact("随机种子", "seed"),
    "frames": fact("帧数 T", "frames T"),
    "phones": fact("音素数 N", "phones N"),
    "ms_per_frame": fact("每帧时长", "frame length", MS),
}


def _pattern(key: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", key)  # literal, name, literal, name, …
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)) + "$"
    )


def spec_for(key: str, table: Mapping[str, FactSpec]) -> tuple[FactSpec, dict[str, str]] | None:
    """The spec of identifier ``key`` in ``table`` (then :data:`COMMON`), with placeholder values."""
    for t in (table, COMMON):
        if key in t:
            return t[key], {}
        for pattern, spec in t.items():
            if "{" in pattern and (m := _pattern(pattern).match(key)):
                return spec, m.groupdict()
    return None


def describe(facts: Mapping[str, Any], table: Mapping[str, FactSpec]) -> list[Fact]:
    """Each fact as a :class:`~engine.i18n.Fact` with its label and unit; an unlabelled one keeps its id."""
    out = []
    for key, value in facts.items():
        found = spec_for(key, table)
        if found is None:
            out.append(Fact(key, value, bi(key, key)))
            continue
        spec, parts = found
        words = spec.names or {}
        label = {
            lang: text.format(
                **{k: tr(words[v], lang) if v in words else v for k, v in parts.items()}
            )
            for lang, text in spec.label.items()
        }
        out.append(Fact(key, value, label, spec.unit))
    return out
