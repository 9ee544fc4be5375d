"""Q26 — hierarchical attention (Yang et al. 2016): words within sentences, sentences within a document.

A word-level bidirectional GRU and attention turn each sentence into a vector; a sentence-level
GRU and attention turn those into a document vector, which is classified. Trained once (:mod:`engine.toys.han`) on short "reviews" assembled from the bundled corpus: one or two opinion sentences of the
same polarity hidden among neutral ones, labelled by that polarity — so the model must find the
sentences that carry the opinion and, inside them, the words.

Shapes: N documents, S sentences, W words per sentence, d size (2 × GRU size).
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.toys import manifest
from engine.toys.han import HAN, AttentionLevel, context_attention, encode_documents, load
from engine.toys.sentiment import CLASSES

DOCUMENTS = {
    "hotel stay": (
        "we arrived at the hotel on a tuesday",
        "the room is on the third floor",
        "the beds were hard and the breakfast was awful",
        "we stayed for three nights",
    ),
    "dinner out": (
        "the restaurant is next to the station",
        "my sister chose the fish",
        "the waiter was friendly and the wine was excellent",
        "we paid by card at the desk",
        "the dessert was sweet and wonderful",
    ),
    "new laptop": (
        "the laptop has two ports on the side",
        "the keyboard feels cheap and keys stick",
        "i bought it last winter",
    ),
    "city trip": (
        "the museum opens at nine in the morning",
        "the museum was fascinating and well organised",
        "we took a taxi from the airport",
        "the guide spoke english and french",
    ),
}


FACTS = {
    "p_pos": fact("P(正面)", "P(positive)"),
    "top_sentence": fact("权重最高的句子", "top-weighted sentence"),
    "fresh_accuracy": fact(
        "新文档（训练句组成）准确率", "accuracy, fresh documents of training sentences"
    ),
    "fresh_top_sentence_is_opinion": fact(
        "新文档：最高权重句是观点句", "fresh documents: top sentence is an opinion"
    ),
    "heldout_accuracy": fact("留出句组成的文档准确率", "accuracy, documents of held-out sentences"),
    "heldout_top_sentence_is_opinion": fact(
        "留出文档：最高权重句是观点句", "held-out documents: top sentence is an opinion"
    ),
}


@demo(
    "hierarchical_attention",
    title={
        "zh": "层次注意力网络：词级与句级注意力",
        "en": "Hierarchical attention: words, then sentences",
    },
    params=(
        ParamSpec(
            "document",
            "choice",
            next(iter(DOCUMENTS)),
            {"zh": "文档", "en": "Document"},
            choices=tuple(DOCUMENTS),
        ),
    ),
    shows=(context_attention, AttentionLevel.forward, HAN.forward),
    facts=FACTS,
)
def hierarchical_attention_demo(device: torch.device, document: str) -> Result:
    """Word weights inside every sentence (rows) and the weight of each sentence in the document."""
    doc = list(DOCUMENTS[document])
    model, vocab = load(device)
    logits, alpha, beta = model(encode_documents([doc], vocab).to(device))
    probs = torch.softmax(logits, -1)[0].cpu()
    W = alpha.size(-1)
    scores = manifest("han").metrics
    facts = {
        "prediction": CLASSES[int(probs.argmax())],
        "p_pos": round(float(probs[1]), 4),
        "top_sentence": doc[int(beta[0].argmax())],
        **{k: round(v, 3) for k, v in scores.items()},
    }
    labels = tuple(f"{i + 1}. {' '.join(s.split()[:3])} …" for i, s in enumerate(doc))
    extras = {
        "sentences": [s.split() for s in doc],
        "sentence_weights": beta[0].cpu(),
        "probs": probs,
    }
    weights = alpha.cpu()  # (1, S, W): row i = word weights inside sentence i
    return Result(
        weights,
        labels,
        tuple(f"w{j + 1}" for j in range(W)),
        facts=facts,
        extras=extras,
    )
