"""Former home of the shared layers and the toy Transformer seq2seq; import from
:mod:`engine.layers` and :mod:`engine.toys.seq2seq` instead (kept so older imports resolve)."""

from __future__ import annotations

from engine.layers import Attention, FeedForward, sinusoidal_positions
from engine.toys.seq2seq import (
    BOS,
    EOS,
    PAD,
    TASKS,
    VOCAB,
    Seq2Seq,
    Seq2SeqConfig,
    clean_source,
    decode_ids,
    encode_letters,
    greedy_decode,
    make_batch,
    random_words,
    transform,
)

__all__ = [
    "BOS", "EOS", "PAD", "TASKS", "VOCAB", "Attention", "FeedForward", "Seq2Seq",
    "Seq2SeqConfig", "clean_source", "decode_ids", "encode_letters", "greedy_decode",
    "make_batch", "random_words", "sinusoidal_positions", "transform",
]  # fmt: skip
