"""Shared look: colour-blind-safe colormap, fonts with CJK fallback, bilingual axis words."""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Iterator, Mapping

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

CMAP = "viridis"  # perceptually uniform and readable with the common colour-vision deficiencies
FONTS = [
    "DejaVu Sans",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
]

WORDS = {
    "query": {"zh": "查询（发出注意）", "en": "query (attending)"},
    "key": {"zh": "键（被注意）", "en": "key (attended to)"},
    "weight": {"zh": "注意力权重", "en": "attention weight"},
    "head": {"zh": "头", "en": "head"},
}


def pick(names: Mapping[str, str], lang: str) -> str:
    """The entry of a ``{"zh": ..., "en": ...}`` table in ``lang``, English when it has none."""
    return names.get(lang, names["en"])


def word(key: str, lang: str) -> str:
    """An axis or legend word in ``lang`` (zh or en)."""
    return pick(WORDS[key], lang)


@functools.cache
def font_families() -> list[str]:
    """The families of ``FONTS`` installed here, in order (matplotlib falls back glyph by glyph)."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in FONTS if name in installed] or ["DejaVu Sans"]


def has_cjk_font() -> bool:
    """Whether a font that draws Chinese is installed."""
    return len(font_families()) > 1


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Fonts with per-glyph CJK fallback, applied while a figure is built and saved."""
    with matplotlib.rc_context(
        {"font.family": font_families(), "axes.unicode_minus": False, "figure.dpi": 100}
    ):
        yield


def to_png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    with style():
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def text_colour(value: float, vmax: float) -> str:
    """Black on the light end of viridis, white on the dark end."""
    return "black" if value > 0.55 * vmax else "white"
