"""The small kit every figure is built from: canvas, matrix, head grid, bars, curves, overlay.

Text sizes come from :func:`visuals.style.style` (pixels as the page shows the figure), so
the kit never writes absolute font sizes; relative ones (``"small"`` ≈ 10 px) are used where
a figure needs smaller text. Tick labels are thinned to what fits in the panel.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from visuals.style import BLUE, CMAP, DISPLAY_PX, SIGNED, SMALL_PX, style, text_colour

ANNOTATE_MAX = 8  # values are written into cells only up to 8 × 8
CELL_TEXT_PX = 34  # …and only when a cell is at least this wide on the page
LABEL_PITCH_PX = 1.3 * SMALL_PX  # room one tick label needs along its axis


@contextlib.contextmanager
def canvas(width: float, height: float, layout: str | None = "constrained") -> Iterator[Figure]:
    """A ``Figure(figsize=(width, height))`` built with the page-sized text of :func:`style`."""
    with style(width):
        yield Figure(figsize=(width, height), layout=layout)


_MISSING = object()


def fact(result: Any, key: str, default: Any = _MISSING) -> Any:
    """The value of ``result.facts[key]`` (bare or an ``engine.i18n.Fact``); ``default`` if given.

    A missing fact without a default is a ``KeyError`` naming the facts the result has, so a
    renamed fact breaks its figure's test instead of drawing "None".
    """
    if key not in result.facts:
        if default is _MISSING:
            raise KeyError(f"no fact {key!r}; this result has: {', '.join(sorted(result.facts))}")
        return default
    v = result.facts[key]
    return getattr(v, "value", v)


def _step(n: int, room: float) -> int:
    """Every how many labels to show so that ``n`` fit in ``room`` of the page's width."""
    fits = max(1, int(DISPLAY_PX * 0.8 * room / LABEL_PITCH_PX))
    return max(1, math.ceil(n / fits))


def ticks(
    ax: Axes,
    rows: Sequence[str] | None,
    cols: Sequence[str] | None,
    room: float = 1.0,
    rotation: float = 90,
    rows_room: float | None = None,
) -> None:
    """Label an image's rows and columns (``None``: no ticks), thinned to fit ``room``.

    ``room`` is the share of the page's width the panel takes (1 for a lone panel);
    ``rows_room`` the same for its height where that differs.
    """
    spans = (room, room if rows_room is None else rows_room)
    for labels, setter, span in zip(
        (cols, rows), (ax.set_xticks, ax.set_yticks), spans, strict=True
    ):
        if not labels:
            setter([])
            continue
        s = _step(len(labels), span)
        kw = {"rotation": rotation, "ha": "right" if 0 < rotation < 90 else "center"}
        kw = kw if setter == ax.set_xticks else {}
        setter(range(0, len(labels), s), labels=list(labels)[::s], **kw)
    ax.tick_params(length=0)


def _cell_values(ax: Axes, m: np.ndarray, vmax: float, signed: bool, fmt: str) -> None:
    """Write each value of a small matrix into its cell, black or white for contrast."""
    for (i, j), v in np.ndenumerate(m):
        dark = abs(v) > 0.6 * vmax if signed else text_colour(v, vmax) == "white"
        colour = "white" if dark else "black"
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize="small", color=colour)


def matrix(
    ax: Axes,
    m: np.ndarray,
    rows: Sequence[str] | None = None,
    cols: Sequence[str] | None = None,
    *,
    room: float = 1.0,
    signed: bool = False,
    vmax: float | None = None,
    values: bool | None = None,
    fmt: str = "{:.2f}",
    rotation: float = 90,
    rows_room: float | None = None,
    **imshow: Any,
) -> AxesImage:
    """A (rows × cols) matrix with labelled axes; ``signed`` centres a diverging map on 0.

    Values are written in the cells when the matrix is at most 8 × 8 and the cells are wide
    enough on the page (``values`` forces it on or off). Returns the image (for a colour bar).
    """
    m = np.asarray(m, dtype=float)
    top = float(np.nanmax(np.abs(m))) if m.size else 1.0
    vmax = (vmax if vmax is not None else top) or 1.0
    lim = {"vmin": -vmax, "vmax": vmax} if signed else {"vmin": 0.0, "vmax": vmax}
    if "norm" in imshow:
        lim = {}
    opts = {"cmap": SIGNED if signed else CMAP, "interpolation": "nearest", **lim, **imshow}
    im = ax.imshow(m, **opts)
    ticks(ax, rows, cols, room, rotation, rows_room)
    small = max(m.shape) <= ANNOTATE_MAX
    wide = DISPLAY_PX * 0.8 * room / max(m.shape[1], 1) >= CELL_TEXT_PX
    if values if values is not None else (small and wide):
        _cell_values(ax, m, vmax, signed, fmt)
    return im


def colorbar(fig: Figure, im: AxesImage, ax: Axes | Sequence[Axes], label: str = "") -> None:
    """A colour bar for ``im`` beside ``ax`` (one axes or several sharing the scale)."""
    target = list(np.ravel(ax)) if not isinstance(ax, Axes) else ax
    fig.colorbar(im, ax=target, fraction=0.046, pad=0.03, label=label, shrink=0.9)


def as_grid(items: Any, cols: int) -> list[list[Any]]:
    """H items (e.g. the (L, S) heads of an (H, L, S) array, or titles) → ``rows × cols``
    nested list, padded with ``None``: the ``(rows, cols, …)`` layout of d2l's head grid."""
    heads = [np.asarray(w) if hasattr(w, "shape") else w for w in items]
    rows = math.ceil(len(heads) / cols)
    flat: list[Any] = heads + [None] * (rows * cols - len(heads))
    return [flat[r * cols : (r + 1) * cols] for r in range(rows)]


def head_grid(
    fig: Figure,
    mats: Sequence[Sequence[np.ndarray | None]],
    rows: Sequence[str],
    cols: Sequence[str],
    titles: Sequence[Sequence[str]] | None = None,
    *,
    xlabel: str = "",
    ylabel: str = "",
    bar_label: str = "",
    vmax: float | None = None,
    **imshow: Any,
) -> np.ndarray:
    """d2l's ``show_heatmaps``: a ``(R, C)`` grid of (queries × keys) panels, one colour scale.

    ``mats[r][c]`` is an (L, S) array or ``None`` (an empty cell). Token labels sit on the
    outer panels only. Returns the (R, C) array of axes.
    """
    R, C = len(mats), max(len(r) for r in mats)
    axes = fig.subplots(R, C, squeeze=False)
    drawn = [m for r in mats for m in r if m is not None]
    top = vmax if vmax is not None else max(float(np.max(m)) for m in drawn) or 1.0
    im = None
    for (r, c), ax in np.ndenumerate(axes):
        m = mats[r][c] if c < len(mats[r]) else None
        if m is None:
            ax.set_axis_off()
            continue
        below = r + 1 < R and c < len(mats[r + 1]) and mats[r + 1][c] is not None
        im = matrix(
            ax, m, rows if c == 0 else None, None if below else cols, room=1 / C, vmax=top,
            values=False, **imshow,
        )  # fmt: skip
        if titles and titles[r][c]:
            ax.set_title(titles[r][c])
        if not below and xlabel:
            ax.set_xlabel(xlabel)
        if c == 0 and ylabel:
            ax.set_ylabel(ylabel)
    if im is not None:
        fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8, label=bar_label)
    return axes


def bars(
    ax: Axes,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    horizontal: bool = True,
    colour: str | Sequence[str] = BLUE,
    fmt: str = "{:.2f}",
    log: bool = False,
) -> BarContainer:
    """One bar per label (top to bottom when horizontal), each with its value written beside it."""
    pos = np.arange(len(labels))
    if horizontal:
        b = ax.barh(pos, values, color=colour)
        ax.set_yticks(pos, labels=list(labels))
        ax.invert_yaxis()
        ax.set_xscale("log" if log else "linear")
        ax.margins(x=0.22)
    else:
        b = ax.bar(pos, values, color=colour)
        ax.set_xticks(pos, labels=list(labels), rotation=35 if len(labels) > 4 else 0, ha="right")
        ax.set_yscale("log" if log else "linear")
        ax.margins(y=0.15)
    if len(labels) <= 12:
        ax.bar_label(b, labels=[fmt.format(v) for v in values], padding=2, fontsize="small")
    return b


def grouped_bars(
    ax: Axes,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    horizontal: bool = False,
    colours: Sequence[str] | None = None,
) -> list[BarContainer]:
    """Groups of bars, one group per label and one bar per series (named in the legend)."""
    width = 0.8 / len(series)
    pos = np.arange(len(labels))
    out = []
    for i, (name, vals) in enumerate(series.items()):
        shift = pos + (i - (len(series) - 1) / 2) * width
        kw = {"color": colours[i]} if colours else {}
        draw = ax.barh if horizontal else ax.bar
        out.append(draw(shift, np.asarray(vals, dtype=float), width, label=name, **kw))
    if horizontal:
        ax.set_yticks(pos, labels=list(labels))
        ax.invert_yaxis()
    else:
        rot = 35 if len(labels) > 4 else 0
        ax.set_xticks(pos, labels=list(labels), rotation=rot, ha="right" if rot else "center")
    ax.legend()
    return out


def curves(
    ax: Axes,
    x: Sequence[float],
    series: Mapping[str, Sequence[float]],
    *,
    styles: Sequence[str] | None = None,
    colours: Sequence[str] | None = None,
    logx: int | None = None,
    logy: bool = False,
) -> None:
    """One line per series against ``x``, named in the legend; ``logx`` is a log base."""
    for i, (name, y) in enumerate(series.items()):
        fmt = styles[i] if styles else "o-"
        kw = {"color": colours[i]} if colours else {}
        ax.plot(x, np.asarray(y, dtype=float), fmt, label=name, markersize=4, **kw)
    if logx:
        ax.set_xscale("log", base=logx)
    if logy:
        ax.set_yscale("log")
    ax.legend()


def overlay(
    ax: Axes, gray: np.ndarray, amap: np.ndarray, vmax: float, alpha: float = 0.6, **imshow: Any
) -> AxesImage:
    """A coarse attention map stretched over a grey image; returns the map's image."""
    ax.imshow(gray, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    H, W = gray.shape
    no_ticks(ax)
    return ax.imshow(
        amap, cmap=CMAP, alpha=alpha, vmin=0, vmax=max(vmax, 1e-12), interpolation="nearest",
        extent=(-0.5, W - 0.5, H - 0.5, -0.5), **imshow,
    )  # fmt: skip


def box(ax: Axes, row: int, col: int, size: int = 1, **kw: Any) -> None:
    """Outline the size × size cell (row, col) of an image."""
    ax.add_patch(Rectangle((col * size - 0.5, row * size - 0.5), size, size, fill=False, **kw))


def no_ticks(*axes: Axes) -> None:
    """Remove both axes' ticks and tick labels."""
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
