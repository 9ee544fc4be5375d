"""What a figure drew, read back from its artists: images, texts, titles, sizes on the page."""

from __future__ import annotations

import re
import struct

import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Text

from visuals.style import DISPLAY_PX, to_png

CJK = re.compile(r"[\u3400-\u9fff]")
DPI = 110  # what visuals.to_png saves at


def images(fig: Figure) -> list[np.ndarray]:
    """Every image's data array, axes by axes (colour bars draw no images)."""
    return [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]


def _all_texts(fig: Figure) -> list[Text]:
    """Every text artist, table cells included (a table's cells do not list their text)."""
    cells = [c.get_text() for ax in fig.axes for t in ax.tables for c in t.get_celld().values()]
    return [*fig.findobj(Text), *cells]


def texts(fig: Figure) -> list[str]:
    """Every non-empty text of the figure (titles, labels, ticks, legends, cell values)."""
    return [t.get_text() for t in _all_texts(fig) if t.get_text().strip()]


def titles(fig: Figure) -> list[str]:
    """Every axes title and the figure's suptitle(s)."""
    out = [ax.get_title() for ax in fig.axes if ax.get_title()]
    for f in [fig, *fig.subfigs]:
        if f._suptitle is not None and f._suptitle.get_text():
            out.append(f._suptitle.get_text())
    return out


def has(fig: Figure, target: np.ndarray) -> bool:
    """Whether one of the figure's images is exactly ``target``."""
    return any(
        a.shape == target.shape and np.allclose(a, target, equal_nan=True) for a in images(fig)
    )


def smallest_px(fig: Figure) -> tuple[float, str]:
    """(px, text) of the smallest visible text as the page shows the saved PNG, DISPLAY_PX wide.

    px = fontsize pt · dpi / 72 · (DISPLAY_PX / PNG width in px).
    """
    png = to_png(fig, dpi=DPI)  # draws the figure: every tick label now exists
    width = struct.unpack(">I", png[16:20])[0]
    shown = [
        (t.get_fontsize() * DPI / 72 * DISPLAY_PX / width, t.get_text())
        for t in _all_texts(fig)
        if t.get_text().strip() and t.get_visible()
    ]
    return min(shown)
