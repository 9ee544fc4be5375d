"""One bilingual mechanism for every layer: a ``Text`` is ``{"zh": …, "en": …}``.

Tables of words are ``dict[str, Text]`` keyed by identifiers (never by prose or by the
position of something another module produces); :func:`tr` picks a language and fills in
``{placeholders}``. Facts a demo measures are :class:`Fact` values: an identifier, a value,
a bilingual label and an optional unit, so every page can show them in its own language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LANGS = ("zh", "en")
Text = Mapping[str, str]  # {"zh": …, "en": …}


def bi(zh: str, en: str) -> dict[str, str]:
    """A ``Text`` from its two languages."""
    return {"zh": zh, "en": en}


def tr(text: Text, lang: str, **values: Any) -> str:
    """``text`` in ``lang`` (English where it has none), with ``{name}`` filled from ``values``."""
    s = text.get(lang) or text["en"]
    return s.format(**values) if values else s


def lookup(table: Mapping[str, Text], key: str, lang: str, **values: Any) -> str:
    """``tr(table[key], lang, **values)``; ``KeyError`` naming the table's keys if absent."""
    if key not in table:
        raise KeyError(f"no text for {key!r}; known: {', '.join(sorted(table))}")
    return tr(table[key], lang, **values)


YES, NO = bi("是", "yes"), bi("否", "no")


@dataclass(frozen=True)
class Fact:
    """One measured fact: identifier, value, bilingual label and unit (``None`` if unitless)."""

    id: str
    value: Any
    label: Text
    unit: Text | None = None

    def show(self, lang: str) -> str:
        """``label = value unit`` in ``lang``; floats with four significant digits, booleans as words."""
        v = self.value
        if isinstance(v, bool):
            text = tr(YES if v else NO, lang)
        else:
            text = f"{v:.4g}" if isinstance(v, float) else str(v)
        unit = f" {tr(self.unit, lang)}" if self.unit else ""
        return f"{tr(self.label, lang)} = {text}{unit}"
