"""Q5 — the real attention heads of a pretrained BERT (all-MiniLM-L6-v2) on the learner's text."""

from __future__ import annotations

import torch

from engine.bert import bert_forward, default_bert
from engine.facts import fact
from engine.lab import HEAD, LAYER, TEXT, lab_result
from engine.registry import demo
from engine.result import Result

FACTS = {
    "model": fact("模型", "model"),
    "layer": fact("层", "layer"),
    "head": fact("头", "head"),
    "pattern": fact("模式", "pattern"),
    "type": fact("类型", "type"),
}


@demo(
    "pretrained_heads",
    title={"zh": "预训练模型的真实注意力头", "en": "Real heads of a pretrained model"},
    params=(TEXT, LAYER, HEAD),
    shows=(lab_result, bert_forward),
    facts=FACTS,
)
def pretrained_heads_demo(device: torch.device, text: str, layer: int, head: int) -> Result:
    """all-MiniLM-L6-v2 (6 layers × 12 heads) on ``text``: the chosen head's attention probabilities."""
    return lab_result(default_bert(device), text, layer, head)
