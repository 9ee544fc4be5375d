"""The model lab's engine side: the real heads of a pretrained BERT (all-MiniLM-L6-v2) on a text,
and rounds of the predict-the-pattern game (used by Q5's demo, the Model lab page and the quiz)."""

from __future__ import annotations

import random

from engine.bert import Bert, run_text
from engine.patterns import (
    attention_rollout,
    dominant_pattern,
    head_types,
    pattern_scores,
    pick_clear_head,
)
from engine.registry import ParamSpec
from engine.result import Result
from engine.tokenize import MAX_CHARS

DEFAULT_TEXT = "The cat sat on the mat, and it purred softly."
TEXT = ParamSpec(
    "text", "text", DEFAULT_TEXT, {"zh": "文本（最多 128 个词元）", "en": "Text (at most 128 tokens)"},
    max_length=MAX_CHARS,
)  # fmt: skip
PAIRS = (
    ("A man is eating food.", "A man is eating a piece of bread."),
    ("The girl is carrying a baby.", "A woman is playing the violin."),
    ("Where is the train station?", "It is two blocks north of here."),
)
GAME_SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "She opened the door, looked outside, and saw nothing but fog.",
    "My brother bought three apples, two oranges, and a banana at the market.",
    "After dinner, we walked along the river and talked about our plans.",
    "Why do birds fly south for the winter?",
    "Researchers published a new study on climate change yesterday.",
)
LAYER = ParamSpec("layer", "int", 1, {"zh": "层", "en": "Layer"}, min=1, max=6, step=1)
HEAD = ParamSpec("head", "int", 3, {"zh": "头", "en": "Head"}, min=1, max=12, step=1)


def lab_result(bert: Bert, text: str, layer: int, head: int, pair: str | None = None) -> Result:
    """One real head's weights (1, L, L), with every layer's heads, rollout and pattern table in extras.

    ``layer`` and ``head`` count from 1, as the page shows them.
    """
    n_layers, n_heads = bert.config.num_hidden_layers, bert.config.num_attention_heads
    if not (1 <= layer <= n_layers and 1 <= head <= n_heads):
        raise ValueError(
            f"layer {layer}, head {head}: this model has layers 1…{n_layers}, heads 1…{n_heads}"
        )
    enc, out = run_text(bert, text, pair)
    attn = out.attentions[:, 0].float().cpu()  # (layers, heads, L, L)
    scores = pattern_scores(attn, enc.tokens)  # (layers, heads, 7)
    dominant = [[dominant_pattern(scores[a, b]) for b in range(n_heads)] for a in range(n_layers)]
    types = head_types(attn, enc.tokens, enc.type_ids)
    extras = {
        "attentions": attn, "rollout": attention_rollout(attn), "scores": scores,
        "dominant": dominant, "types": types, "layer": layer, "head": head,
        "text": text, "pair": pair, "tokens": enc.tokens, "type_ids": enc.type_ids, "model": bert.name,
    }  # fmt: skip
    facts = {
        "model": bert.name, "L": len(enc), "layer": layer, "head": head,
        "pattern": dominant[layer - 1][head - 1], "type": types[layer - 1][head - 1],
    }  # fmt: skip
    labels = enc.labels
    return Result(
        attn[layer - 1, head - 1].unsqueeze(0).clone(), labels, labels,
        head_labels=(f"L{layer} H{head}",), facts=facts, extras=extras,
    )  # fmt: skip


def game_round(bert: Bert, seed: int) -> Result:
    """One round of predict-the-pattern, drawn from ``seed``: a sentence and a head whose pattern
    is clear. Returns that head's result; ``facts["pattern"]`` is the answer to predict."""
    rng = random.Random(seed)
    text = GAME_SENTENCES[rng.randrange(len(GAME_SENTENCES))]
    dominant = lab_result(bert, text, 1, 1).extras["dominant"]
    layer, head, _ = pick_clear_head(dominant, rng)
    return lab_result(bert, text, layer, head)
