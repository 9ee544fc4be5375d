"""Q6 — a tiny Transformer encoder–decoder trained on a toy task: its three kinds of attention.

Encoder self-attention (source ↔ source, both directions), decoder masked self-attention
(target token t sees targets ≤ t) and cross-attention (each target query reads the source).
For ``reverse`` the cross-attention of a trained model runs along the anti-diagonal.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.registry import ParamError, ParamSpec, demo
from engine.result import Result
from engine.toys.seq2seq import (
    BOS,
    EOS,
    TASKS,
    VOCAB,
    Attention,
    DecoderLayer,
    EncoderLayer,
    clean_source,
    decode_ids,
    encode_letters,
    greedy_decode,
    load,
    transform,
)

FACTS = {
    "correct": fact("输出正确", "correct"),
    "parameters": fact("参数个数", "parameters"),
    "training_steps": fact("训练步数", "training steps"),
}


@demo(
    "encoder_decoder",
    title={
        "zh": "编码器–解码器 Transformer 的三种注意力",
        "en": "Encoder–decoder Transformer: three kinds of attention",
    },
    params=(
        ParamSpec(
            "source",
            "text",
            "ATTEND",
            {"zh": "输入（2–8 个字母 A–Z）", "en": "Source (2–8 letters A–Z)"},
            max_length=20,
            pattern=r"\s*(?:[A-Za-z]\s*){2,8}",
            accepts="only letters A–Z, 2 to 8 of them (spaces are ignored, any case)",
        ),
        ParamSpec("task", "choice", "reverse", {"zh": "任务", "en": "Task"}, choices=TASKS),
    ),
    shows=(Attention, EncoderLayer, DecoderLayer),
    facts=FACTS,
)
def encoder_decoder_demo(device: torch.device, source: str, task: str) -> Result:
    """Encode the source, decode greedily, then read all three attention maps of that run."""
    try:
        letters = clean_source(source)
    except ValueError as e:
        raise ParamError("encoder_decoder", [str(e)]) from e
    model = load(task, device)
    src = torch.tensor([encode_letters(letters)], device=device)  # (1, S)
    gen = greedy_decode(model, src, max_steps=len(letters) + 1).tokens  # ends with </s>
    tgt_in = torch.tensor([[BOS, *gen[:-1]]], device=device)  # (1, T): what the decoder read
    memory, w_enc = model.encode(src)
    _, w_dec, w_cross = model.decode(tgt_in, memory, src)
    output, expected = decode_ids(gen), transform(letters, task)
    src_labels = tuple(letters)
    tgt_labels = tuple(VOCAB[i] for i in tgt_in[0].tolist())
    h = w_cross.size(1)
    facts = {
        "task": task,
        "source": letters,
        "output": output,
        "expected": expected,
        "correct": output == expected and gen[-1] == EOS,
        "S": len(letters),
        "T": len(tgt_labels),
        "heads": h,
        "parameters": sum(p.numel() for p in model.parameters()),
        "training_steps": model.cfg.steps,
    }
    extras = {
        "encoder_self": w_enc[0].cpu(),
        "decoder_self": w_dec[0].cpu(),
        "source": src_labels,
        "target": tgt_labels,
    }
    labels = tuple(f"H{i + 1}" for i in range(h))
    return Result(
        w_cross[0].cpu(),
        tgt_labels,
        src_labels,
        head_labels=labels,
        facts=facts,
        extras=extras,
    )
