"""One place where text from people is made safe to keep and show: names, codes, demo text.

``clean_text`` applies, in order: reject lone surrogates (they cannot be encoded as UTF-8),
Unicode NFC, drop invisible format characters (zero-width, bidi controls, BOM: category Cf)
and control characters (Cc, except tab/newline where allowed), collapse whitespace for one-line
fields, and bound the length. Text of only invisible characters is refused with a message that
says so. ``preview`` is a bounded, printable stand-in for any value in an error message.
"""

from __future__ import annotations

import reprlib
import unicodedata
from dataclasses import dataclass

PREVIEW_CHARS = 60
_ELLIPSIS = "…"
_repr = reprlib.Repr()
_repr.maxstring, _repr.maxother, _repr.maxlist, _repr.maxdict = PREVIEW_CHARS, PREVIEW_CHARS, 6, 6
_repr.maxlevel, _repr.maxtuple, _repr.maxset = 3, 6, 6
_repr.maxlong = PREVIEW_CHARS


class TextError(ValueError):
    """Text refused; ``en`` and ``zh`` say why, naming the field."""

    def __init__(self, en: str, zh: str):
        self.en, self.zh = en, zh
        super().__init__(en)

    def message(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class TextRule:
    """How one field is cleaned: its name, the most characters kept, and whether it may span lines."""

    field: str
    max_length: int
    multiline: bool = False
    field_zh: str | None = None  # the field's name in Chinese messages (default: ``field``)


NAME = TextRule("display name", 80, field_zh="显示名")
CLASS_CODE = TextRule("class code", 40, field_zh="班级代码")


def preview(value: object, limit: int = PREVIEW_CHARS) -> str:
    """A printable ``repr`` of ``value`` of at most ``limit`` characters (``…`` when cut).

    Built with :mod:`reprlib`, so a huge or deeply nested value is never expanded in full.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"<an integer of about {int(value.bit_length() * 0.30103) + 1:,} digits>"
    try:
        text = _repr.repr(value)
    except Exception:  # noqa: BLE001 — a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__}>"
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + _ELLIPSIS


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (U+D800–U+DFFF), e.g. from undecodable bytes."""
    return any("\ud800" <= c <= "\udfff" for c in text)


def _keep(c: str, multiline: bool) -> bool:
    cat = unicodedata.category(c)
    if cat == "Cf":
        return False  # zero-width spaces and joiners, bidi embeddings/overrides/isolates, BOM
    if cat == "Cc":
        return multiline and c in "\n\t"
    return True


def strip_invisible(text: str, multiline: bool = False) -> str:
    """NFC ``text`` without format (Cf) and control (Cc) characters; tab/newline kept if
    ``multiline``, else whitespace controls become spaces."""
    nfc = unicodedata.normalize("NFC", text)
    if not multiline:
        nfc = "".join(" " if c.isspace() else c for c in nfc)
    return "".join(c for c in nfc if _keep(c, multiline))


def clean_text(text: object, rule: TextRule) -> str:
    """``text`` normalised for ``rule``: NFC, no invisible or control characters, at most
    ``rule.max_length`` characters (one-line fields: trimmed, runs of whitespace become one space).

    Raises :class:`TextError` for a non-string, a lone surrogate, or text with nothing visible.
    """
    what, zh = rule.field, rule.field_zh or rule.field
    if not isinstance(text, str):
        raise TextError(f"{what} must be text", f"{zh} 必须是文本")
    if has_lone_surrogate(text):
        raise TextError(
            f"{what} holds an invalid character (a lone surrogate); type it again as plain text",
            f"{zh} 含有无效字符（孤立代理项）；请重新输入普通文本",
        )
    kept = strip_invisible(text, rule.multiline)
    if not rule.multiline:
        kept = " ".join(kept.split())
    if not kept.strip():
        invisible = bool(text.strip()) and not text.isspace()
        raise TextError(
            f"{what} has only invisible characters; type at least one visible character"
            if invisible
            else f"{what} is empty; type at least one visible character",
            f"{zh} 只有不可见字符：请至少输入一个可见字符"
            if invisible
            else f"{zh} 为空：请至少输入一个可见字符",
        )
    return kept[: rule.max_length]
