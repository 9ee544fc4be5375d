"""Q12 — greedy decoding, step by step, with the cross-attention behind each generated token.

At every step the decoder reads ``<s>`` plus everything generated so far, the last position's
logits give the next-token distribution, and the most probable token is appended. The
cross-attention row of that newest query shows which source letters the choice was based on.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.registry import ParamError, ParamSpec, demo
from engine.result import Result
from engine.toys.seq2seq import (
    EOS,
    TASKS,
    VOCAB,
    clean_source,
    decode_ids,
    encode_letters,
    greedy_decode,
    load,
    transform,
)

TOP = 3  # candidates listed per step


FACTS = {
    "steps": fact("生成步数", "steps"),
    "stopped_at_eos": fact("以 </s> 结束", "stopped at </s>"),
    "decoder_positions_computed": fact("解码器计算的位置数", "decoder positions computed"),
    "min_chosen_probability": fact("所选词元的最小概率", "smallest probability of a chosen token"),
}


@demo(
    "greedy_decoding",
    title={
        "zh": "逐步贪心解码与交叉注意力",
        "en": "Greedy decoding, step by step, with cross-attention",
    },
    params=(
        ParamSpec(
            "source",
            "text",
            "WORLD",
            {"zh": "输入（2–8 个字母 A–Z）", "en": "Source (2–8 letters A–Z)"},
            max_length=20,
            pattern=r"\s*(?:[A-Za-z]\s*){2,8}",
            accepts="only letters A–Z, 2 to 8 of them (spaces are ignored, any case)",
        ),
        ParamSpec("task", "choice", "reverse", {"zh": "任务", "en": "Task"}, choices=TASKS),
        ParamSpec(
            "max_steps", "int", 9, {"zh": "最多生成步数", "en": "Most steps"}, min=1, max=9, step=1
        ),
    ),
    shows=(greedy_decode,),
    facts=FACTS,
)
def greedy_decoding_demo(device: torch.device, source: str, task: str, max_steps: int) -> Result:
    """Generate token by token; row t of the weights is step t's cross-attention (mean of heads)."""
    try:
        letters = clean_source(source)
    except ValueError as e:
        raise ParamError("greedy_decoding", [str(e)]) from e
    model = load(task, device)
    src = torch.tensor([encode_letters(letters)], device=device)  # (1, S)
    steps = greedy_decode(model, src, max_steps)
    top_p, top_i = steps.probs.topk(TOP, dim=-1)  # (steps, TOP)
    chosen = [VOCAB[i] for i in steps.tokens]
    weights = steps.cross.mean(0, keepdim=True)  # (1, steps, S): average of the h heads
    facts = {
        "task": task,
        "source": letters,
        "output": decode_ids(steps.tokens),
        "expected": transform(letters, task),
        "steps": len(chosen),
        "stopped_at_eos": steps.tokens[-1] == EOS,
        "heads": steps.cross.size(0),
        "decoder_positions_computed": len(chosen)
        * (len(chosen) + 1)
        // 2,  # prefix re-read each step
        "min_chosen_probability": round(float(top_p[:, 0].min()), 4),
    }
    extras = {
        "per_head": steps.cross.cpu(),
        "top_tokens": [[VOCAB[i] for i in row] for row in top_i.tolist()],
        "top_probs": top_p.cpu(),
    }
    rows = tuple(f"{t + 1}: {c}" for t, c in enumerate(chosen))
    return Result(weights.cpu(), rows, tuple(letters), facts=facts, extras=extras)
