"""Q20 — token-level self-attention for sequence labelling (a toy named-entity tagger).

Each word gets a tag (PER person, LOC place, ORG organisation, O other). Some names are
ambiguous — "jordan", "washington", "georgia" are people or places, "amazon" a company or a
place — so the tag must come from the context, and self-attention is where a word looks
for it. The tagger is one Transformer encoder layer (2 heads) and a linear tag head,
trained once on sentences generated from templates (:mod:`engine.toys.tagger`):

    H = LN(X + MHA(X)),   Z = LN(H + FFN(H)),   tag_i = argmax softmax(Z_i W_tag)

Shapes: N batch, L words, d model size, h heads.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.toys import manifest
from engine.toys.tagger import SENTENCES, TAGS, Tagger, fill, load

FACTS = {
    "tags": fact("预测的标签", "predicted tags"),
    "heldout_accuracy": fact("留出句准确率（所有词）", "held-out accuracy (all words)"),
    "heldout_accuracy_ambiguous": fact(
        "留出句准确率（歧义名字）", "held-out accuracy (ambiguous names)"
    ),
}


@demo(
    "sequence_labelling",
    title={"zh": "序列标注中的词级注意力", "en": "Token-level attention for sequence labelling"},
    params=(
        ParamSpec(
            "sentence", "choice", SENTENCES[0], {"zh": "句子", "en": "Sentence"}, choices=SENTENCES
        ),
    ),
    shows=(Tagger, fill),
    facts=FACTS,
)
def sequence_labelling_demo(device: torch.device, sentence: str) -> Result:
    """Each word (query) attends over the sentence (keys); its predicted tag is in its label."""
    model = load(device)
    words = sentence.split()
    ids = torch.tensor([model.ids(words)], device=device)  # (1, L)
    logits, w = model(ids)  # (1, L, tags), (1, h, L, L)
    pred = [TAGS[int(i)] for i in logits[0].argmax(-1)]
    metrics = manifest("tagger").metrics
    acc, acc_amb = metrics["accuracy"], metrics["accuracy_ambiguous"]
    facts = {
        "L": len(words),
        "h": model.attn.h,
        "tags": " ".join(pred),
        "heldout_accuracy": round(acc, 3),
        "heldout_accuracy_ambiguous": round(acc_amb, 3),
    }
    queries = tuple(f"{word} → {tag}" for word, tag in zip(words, pred, strict=True))
    return Result(w[0].cpu(), queries, tuple(words), facts=facts)  # heads named by the view
