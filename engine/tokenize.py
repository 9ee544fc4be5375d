"""Learner text → WordPiece tokens for the pretrained model, from the model's own ``tokenizer.json``.

The bundled tokenizer pads every input to 128 tokens and silently truncates longer ones;
here padding is switched off (a heatmap of 120 ``[PAD]`` rows teaches nothing) and a text
longer than ``MAX_TOKENS`` is refused with a message instead of being cut without a word.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from tokenizers import Tokenizer

MAX_TOKENS = 128  # the length the model was trained with (its tokenizer's truncation length)
MAX_CHARS = 1000  # refused before tokenizing: 128 tokens rarely need more characters
ALLOWED_CONTROL = "\n\t"
LABEL_CHARS = 12  # an unknown word longer than this is shortened in its label


class TextRejected(ValueError):
    """Text the model cannot take; ``reason`` is a short code, ``message(lang)`` says why in zh/en."""

    def __init__(self, reason: str, en: str, zh: str):
        self.reason, self.en, self.zh = reason, en, zh
        super().__init__(en)

    def message(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


def check_text(text: object, max_chars: int = MAX_CHARS, field: str = "text") -> str:
    """``text`` unchanged if it is non-blank, at most ``max_chars`` long and free of control characters.

    Raises :class:`TextRejected` naming what was wrong and what is allowed.
    """
    if not isinstance(text, str) or not text:
        raise TextRejected(
            "empty", f"{field} is empty; type a sentence", f"{field} 为空：请输入一句话"
        )
    if not text.strip():
        raise TextRejected(
            "blank",
            f"{field} has only whitespace; type a sentence",
            f"{field} 只有空白字符：请输入一句话",
        )
    if len(text) > max_chars:
        raise TextRejected(
            "too_long",
            f"{field} has {len(text):,} characters; at most {max_chars:,} are allowed",
            f"{field} 有 {len(text):,} 个字符；最多允许 {max_chars:,} 个",
        )
    for i, c in enumerate(text):
        if unicodedata.category(c) == "Cc" and c not in ALLOWED_CONTROL:
            code = f"U+{ord(c):04X}"
            raise TextRejected(
                "control",
                f"{field} has a control character {code} at position {i + 1}; "
                "only printable characters, tabs and line breaks are allowed",
                f"{field} 第 {i + 1} 个字符是控制字符 {code}；只允许可打印字符、制表符和换行",
            )
    return text


def load_tokenizer(directory: Path) -> Tokenizer:
    """The tokenizer in ``directory/tokenizer.json`` with padding and truncation switched off."""
    path = Path(directory) / "tokenizer.json"
    if not path.is_file():
        raise FileNotFoundError(f"no tokenizer.json in {directory}")
    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.no_truncation()
    return tok


@dataclass(frozen=True)
class Encoded:
    """One tokenized input: ids, segment (token type) ids, WordPiece tokens and readable labels."""

    ids: tuple[int, ...]
    type_ids: tuple[int, ...]
    tokens: tuple[str, ...]
    labels: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.ids)


def encode(
    tok: Tokenizer, text: str, pair: str | None = None, max_tokens: int = MAX_TOKENS
) -> Encoded:
    """``[CLS] text [SEP]`` (or ``[CLS] text [SEP] pair [SEP]``), refused beyond ``max_tokens`` tokens."""
    check_text(text)
    if pair is not None:
        check_text(pair, field="second sentence")
    enc = tok.encode(text, pair) if pair is not None else tok.encode(text)
    n = len(enc.ids)
    if n > max_tokens:
        raise TextRejected(
            "too_many_tokens",
            f"the input is {n} tokens long; the model takes at most {max_tokens} "
            f"(including [CLS] and [SEP]): shorten it by {n - max_tokens} tokens",
            f"输入有 {n} 个词元；模型最多接受 {max_tokens} 个（含 [CLS] 和 [SEP]）：请删去 {n - max_tokens} 个词元",
        )
    sources = (text, pair or "")
    labels = tuple(
        _label(tok_, sources[seq or 0], span)
        for tok_, seq, span in zip(enc.tokens, enc.sequence_ids, enc.offsets, strict=True)
    )
    return Encoded(tuple(enc.ids), tuple(enc.type_ids), tuple(enc.tokens), labels)


def _label(token: str, source: str, span: tuple[int, int]) -> str:
    """A readable label: the token, or for ``[UNK]`` the original characters it stands for."""
    if token != "[UNK]":
        return token
    original = source[span[0] : span[1]]
    if not original or any(ord(c) > 0xFFFF for c in original):  # emoji have no glyph in our fonts
        return token
    short = original if len(original) <= LABEL_CHARS else original[: LABEL_CHARS - 1] + "…"
    return f"{short}(UNK)"
