"""Q22 — attention inside an RNN: a GRU encoder–decoder with Bahdanau (additive) attention.

The same small model (:mod:`engine.toys.gru_seq2seq`) was trained once with each scoring
function — Bahdanau's additive score, Luong's dot and general scores, and Luong's local-p
attention (used by Q11) — on a toy letter task (reverse a word), so every alignment drawn is
one a trained model actually uses.

Shapes: N batch, S source length, T target length, d_h encoder state size (2 × GRU size,
both directions), d_s decoder state size (= d_h), d_a attention size.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.toys.gru_seq2seq import (
    SCORE_NAMES,
    WORDS,
    AttnDecoder,
    accuracy,
    additive_attention,
    alignment,
    load,
    luong_attention,
    luong_scores,
)
from engine.toys.seq2seq import transform

HEADS = {
    "additive": "Bahdanau additive: vᵀ tanh(W_s s + W_h h)",
    "dot": "Luong dot: sᵀ h",
    "general": "Luong general: sᵀ W_a h",
}


FACTS = {
    "output_{score}": fact("{score}打分模型的输出", "output, {score} score", names=SCORE_NAMES),
    "accuracy_{score}": fact(
        "{score}打分模型的留出准确率", "held-out accuracy, {score} score", names=SCORE_NAMES
    ),
}


@demo(
    "bahdanau_additive",
    title={
        "zh": "Bahdanau 加性注意力（GRU 编码器–解码器）",
        "en": "Bahdanau additive attention in a GRU encoder–decoder",
    },
    params=(
        ParamSpec(
            "word",
            "choice",
            WORDS[0],
            {"zh": "要反转的单词", "en": "Word to reverse"},
            choices=WORDS,
        ),
        ParamSpec(
            "compare",
            "choice",
            "general",
            {"zh": "对比的 Luong 打分", "en": "Luong score to compare"},
            choices=("general", "dot"),
        ),
    ),
    shows=(additive_attention, luong_scores, luong_attention, AttnDecoder.step),
    facts=FACTS,
)
def bahdanau_additive_demo(device: torch.device, word: str, compare: str) -> Result:
    """Alignments of two trained models reversing ``word``: additive scores vs Luong's."""
    rows, facts = [], {"task": "reverse", "source": word, "target": transform(word, "reverse")}
    for score in ("additive", compare):
        model = load(score, device)
        weights, _, predicted = alignment(model, word)
        rows.append(weights)
        facts[f"output_{score}"] = predicted
        facts[f"accuracy_{score}"] = accuracy(score)
    targets = (*transform(word, "reverse"), "</s>")
    heads = (HEADS["additive"], HEADS[compare])
    return Result(
        torch.stack(rows),
        targets,
        tuple(word),
        heads,
        facts=facts,
        extras={"scores": ("additive", compare)},
    )
