"""Q11 — global vs local attention (Luong et al. 2015), in trained GRU encoder–decoders.

Global attention scores every source state at every step; local-p attention predicts a centre
p_t and scores only the 2D + 1 states in [p_t − D, p_t + D], weighted by a Gaussian around p_t.
Both models (Luong *general* score) are trained on the same toy task — reversing a word — so
local-p has to learn that the centre moves right to left.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.toys.gru_seq2seq import (
    SCORE_NAMES,
    WORDS,
    RNNConfig,
    accuracy,
    alignment,
    load,
    local_p_attention,
    luong_attention,
    with_window,
)
from engine.toys.seq2seq import transform

TRAINED_D = RNNConfig().window


def score_counts(T: int, S: int, D: int) -> dict[str, int]:
    """Scores computed per sentence: global T·S, local at most T·(2D + 1)."""
    return {"global": T * S, "local": T * min(2 * D + 1, S)}


FACTS = {
    "output_{score}": fact(
        "{score}注意力模型的输出", "output, {score} attention", names=SCORE_NAMES
    ),
    "accuracy_{score}": fact(
        "{score}注意力模型的留出准确率", "held-out accuracy, {score} attention", names=SCORE_NAMES
    ),
    "trained_D": fact("训练时的窗口半宽 D", "half-width D it was trained with"),
    "scores_global": fact("全局注意力的分数个数", "scores, global"),
    "scores_local_window": fact("局部窗口内的分数个数", "scores inside the local windows"),
    "scores_global_at_1000": fact(
        "S = T = 1000 时全局的分数个数", "scores at S = T = 1000, global"
    ),
    "scores_local_at_1000": fact("S = T = 1000 时局部的分数个数", "scores at S = T = 1000, local"),
}


@demo(
    "global_vs_local",
    title={
        "zh": "全局注意力与局部注意力（Luong 2015）",
        "en": "Global vs local attention (Luong 2015)",
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
            "D", "int", TRAINED_D, {"zh": "窗口半宽 D", "en": "Half-width D"}, min=1, max=4, step=1
        ),
    ),
    shows=(luong_attention, local_p_attention, score_counts),
    facts=FACTS,
    hover_head=1,  # the local-p head: the one D changes
)
def global_vs_local_demo(device: torch.device, word: str, D: int) -> Result:
    """Weights of the global model and of the local-p model (window [p_t − D, p_t + D]) on ``word``."""
    glob = load("general", device)
    local = with_window(load("local_p", device), D)
    w_global, _, out_global = alignment(glob, word)
    w_local, centres, out_local = alignment(local, word)
    T, S = w_global.shape
    j = torch.arange(S).unsqueeze(0)  # (1, S)
    kept = int(((j - centres.unsqueeze(1)).abs() <= D).sum())  # scores inside the windows
    facts = {
        "source": word,
        "target": transform(word, "reverse"),
        "output_global": out_global,
        "output_local": out_local,
        "accuracy_global": accuracy("general"),
        "accuracy_local": accuracy("local_p", D),
        "trained_D": TRAINED_D,
        "scores_global": T * S,
        "scores_local_window": kept,
        "scores_global_at_1000": score_counts(1000, 1000, D)["global"],
        "scores_local_at_1000": score_counts(1000, 1000, D)["local"],
    }
    extras = {"centres": centres, "D": D, "counts": {"global": T * S, "local": kept}}
    heads = ("global: softmax over all S", f"local-p: window p_t ± {D}")
    targets = (*transform(word, "reverse"), "</s>")
    weights = torch.stack([w_global, w_local])
    return Result(weights, targets, tuple(word), heads, facts=facts, extras=extras)
