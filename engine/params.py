"""Parameter specs several demos share: the random seed, the toy sentence and its length."""

from __future__ import annotations

import dataclasses

from engine.registry import ParamSpec

SEED = ParamSpec("seed", "int", 0, {"zh": "随机种子", "en": "Random seed"}, min=0, max=9999, step=1)
N_TOKENS = ParamSpec("n_tokens", "int", 8, {"zh": "词元数", "en": "Tokens"}, min=2, max=32, step=1)
SENTENCE = ParamSpec(
    "sentence", "choice", "en", {"zh": "句子语言", "en": "Sentence"}, choices=("en", "zh")
)


def seed_of(zh: str, en: str) -> ParamSpec:
    """:data:`SEED` with a label saying what the seed draws, e.g. ``seed_of("场景", "scene")``."""
    return dataclasses.replace(SEED, label={"zh": f"随机种子（{zh}）", "en": f"Random seed ({en})"})
