"""Q8 — attention in NLP: a sentiment classifier that pools its words with attention.

A learned query u scores every word; the sentence vector is the attention-weighted sum of the
word vectors, and a linear layer classifies it. The model (:mod:`engine.toys.sentiment`) was
trained once on the bundled corpus ``engine/data/sentiment.tsv`` and ships with the code.

Shapes: N sentences, L words (padded), d model size.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.toys import manifest
from engine.toys.sentiment import (
    CLASSES,
    SENTENCES,
    PoolingClassifier,
    attention_pool,
    encode,
    load,
)

FACTS = {
    "p_pos": fact("P(正面)", "P(positive)"),
    "top_words": fact("权重最高的词", "top-weighted words"),
    "unknown_words": fact("词表外的词", "words not in the vocabulary"),
    "train_sentences": fact("训练句数", "training sentences"),
    "train_accuracy": fact("训练集准确率", "training accuracy"),
    "heldout_accuracy": fact("留出集准确率", "held-out accuracy"),
}


@demo(
    "attention_pooling_classifier",
    title={"zh": "注意力池化情感分类器", "en": "Attention-pooling sentiment classifier"},
    params=(
        ParamSpec(
            "sentence", "choice", SENTENCES[0], {"zh": "句子", "en": "Sentence"}, choices=SENTENCES
        ),
    ),
    shows=(attention_pool, PoolingClassifier.forward),
    facts=FACTS,
)
def attention_pooling_demo(device: torch.device, sentence: str) -> Result:
    """Which words the trained classifier weighs when it reads ``sentence``."""
    model, vocab = load(device)
    words = sentence.split()
    logits, alpha = model(encode([sentence], vocab).to(device))  # (1, 2), (1, L)
    probs = torch.softmax(logits, -1)[0].cpu()
    metrics = manifest("sentiment").metrics
    order = alpha[0].argsort(descending=True).tolist()
    facts = {
        "prediction": CLASSES[int(probs.argmax())],
        "p_pos": round(float(probs[1]), 4),
        "top_words": ", ".join(words[i] for i in order[:3]),
        "unknown_words": ", ".join(w for w in words if w not in vocab) or "none",
        "train_sentences": int(metrics["train_sentences"]),
        "train_accuracy": round(metrics["train_accuracy"], 3),
        "heldout_accuracy": round(metrics["heldout_accuracy"], 3),
    }
    extras = {"probs": probs, "classes": CLASSES}
    return Result(
        alpha.unsqueeze(0).cpu(),
        ("u",),
        tuple(words),
        facts=facts,
        extras=extras,
    )
