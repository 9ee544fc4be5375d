"""Shared look: named colour-blind-safe colours, fonts with CJK fallback, text sized for the page.

Text sizes are set in pixels *as the page shows the figure*: the Study page stretches every
figure to a column about ``DISPLAY_PX`` wide, so a figure ``w`` inches wide is scaled by
``DISPLAY_PX / (72 w)`` pixels per point and its fonts are chosen so that the smallest text
there is at least ``MIN_PX`` pixels.
"""

from __future__ import annotations

import contextlib
import functools
import io
import threading
from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from engine.i18n import Text, lookup  # noqa: E402

CMAP = "viridis"  # perceptually uniform and readable with the common colour-vision deficiencies
SIGNED = "RdBu_r"  # diverging map for signed matrices (scores, outputs), centred on 0
# Okabe–Ito: distinguishable with the common colour-vision deficiencies, and in greyscale order.
BLUE, ORANGE, VERMILION, GREEN = "#0072B2", "#E69F00", "#D55E00", "#009E73"
SKY, PINK, YELLOW, GREY, BLACK = "#56B4E9", "#CC79A7", "#F0E442", "#888888", "#000000"
CYCLE = (BLUE, ORANGE, GREEN, VERMILION, PINK, SKY, YELLOW, BLACK)
FONTS = [
    "DejaVu Sans",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
]
DISPLAY_PX = 700  # the width of the Study page's figure column at a 1400-px window
MIN_PX = 9.0  # no text smaller than this on the page
BODY_PX, SMALL_PX, TITLE_PX = 12.0, 10.5, 12.5  # labels; ticks, legends, cell values; titles

WORDS: dict[str, Text] = {
    "query": {"zh": "查询（发出注意）", "en": "query (attending)"},
    "key": {"zh": "键（被注意）", "en": "key (attended to)"},
    "weight": {"zh": "注意力权重", "en": "attention weight"},
    "head": {"zh": "头", "en": "head"},
    "head_n": {"zh": "头 {n}", "en": "head {n}"},
}


def word(key: str, lang: str, **values: object) -> str:
    """An axis or legend word of ``WORDS`` in ``lang`` (zh or en)."""
    return lookup(WORDS, key, lang, **values)


def pt(px: float, width_in: float) -> float:
    """Points for text ``px`` pixels high on the page, in a figure ``width_in`` inches wide.

    px = pt · DISPLAY_PX / (72 · width_in)  ⇒  pt = px · 72 · width_in / DISPLAY_PX.
    """
    return px * 72.0 * width_in / DISPLAY_PX


def shown_px(size_pt: float, width_in: float) -> float:
    """Pixels on the page of ``size_pt``-point text in a figure ``width_in`` inches wide."""
    return size_pt * DISPLAY_PX / (72.0 * width_in)


@functools.cache
def font_families() -> list[str]:
    """The families of ``FONTS`` installed here, in order (matplotlib falls back glyph by glyph).

    matplotlib lists the system's fonts once, in a cache kept across runs: a CJK font installed
    after that (``make test`` installs one after building the venv) would be missed, and
    Chinese drawn as empty boxes. So when no CJK family of ``FONTS`` is known, the system's font
    files that the cache does not list are added first.
    """
    manager = font_manager.fontManager
    if not any(f.name in FONTS[1:] for f in manager.ttflist):
        known = {f.fname for f in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                with contextlib.suppress(Exception):  # a file FreeType cannot read: skip it
                    manager.addfont(path)
    installed = {f.name for f in manager.ttflist}
    return [name for name in FONTS if name in installed] or ["DejaVu Sans"]


def has_cjk_font() -> bool:
    """Whether a font that draws Chinese is installed."""
    return len(font_families()) > 1


def sizes(width_in: float) -> dict[str, float]:
    """rcParams font sizes (pt) for a figure ``width_in`` inches wide shown ``DISPLAY_PX`` wide."""
    body, small, title = (pt(px, width_in) for px in (BODY_PX, SMALL_PX, TITLE_PX))
    return {
        "font.size": body,
        "axes.labelsize": body,
        "axes.titlesize": title,
        "figure.titlesize": title,
        "xtick.labelsize": small,
        "ytick.labelsize": small,
        "legend.fontsize": small,
        "legend.title_fontsize": small,
    }


# matplotlib's rcParams are one global dict and every learner's page runs on its own thread: a
# figure built or drawn while another thread's ``rc_context`` is open (or closing) would take
# that figure's text sizes. So one thread at a time is inside :func:`style`; matplotlib's work
# holds the GIL anyway, so this costs the server little throughput.
_RC_LOCK = threading.RLock()


@contextlib.contextmanager
def style(width_in: float | None = None) -> Iterator[None]:
    """Fonts with per-glyph CJK fallback (and, given the figure's width, its text sizes).

    Held by one thread at a time (figures are built and drawn inside it)."""
    rc = {
        "font.family": font_families(),
        "axes.unicode_minus": False,
        "figure.dpi": 100,
        "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
        "image.cmap": CMAP,
    }
    if width_in is not None:
        rc.update(sizes(width_in))
    with _RC_LOCK, matplotlib.rc_context(rc):
        yield


def to_png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes, laid out and drawn in one pass.

    ``fig.savefig`` on a figure with a layout engine draws it twice, each time with a new
    renderer: once with drawing disabled, only to lay it out, and once for real. Text metrics
    are cached per renderer, so every label is measured twice. Here one Agg canvas lays the
    figure out and draws it with the same renderer, and Pillow (which matplotlib itself encodes
    PNGs with) writes the pixels: the same image, about a third less work.
    ``bbox_inches="tight"`` is not used either (it would draw once more to measure);
    ``tests/unit/figures/test_every_figure.py`` checks that nothing is drawn outside the canvas.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    buf = io.BytesIO()
    with style(fig.get_figwidth()):
        fig.set_dpi(dpi)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        size = canvas.get_width_height()
        Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
            buf, format="png"
        )
    return buf.getvalue()


def overflow_px(fig: Figure) -> float:
    """How far (pixels at 100 dpi) the figure's drawn content reaches beyond its canvas; ≤ 0 if
    it all fits. Draws the figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with style(fig.get_figwidth()):
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        box = fig.get_tightbbox(canvas.get_renderer())  # inches
    w, h = fig.get_size_inches()
    return 100 * max(-box.x0, -box.y0, box.x1 - w, box.y1 - h)


def text_colour(value: float, vmax: float) -> str:
    """Black on the light end of viridis, white on the dark end."""
    return "black" if value > 0.55 * vmax else "white"
