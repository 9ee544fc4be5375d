"""Q21 figure of ``channel_spatial``: the image, each channel's SE gate, the CBAM map over the image."""

from __future__ import annotations

from matplotlib.figure import Figure

from engine.i18n import Text, lookup
from engine.result import Result
from visuals import kit
from visuals.style import BLUE, ORANGE

TEXT: dict[str, Text] = {
    "input": {"zh": "输入图像（P(红色方块) = {p}）", "en": "input (P(red square) = {p})"},
    "gate": {"zh": "门控 s_c ∈ (0, 1)", "en": "gate s_c in (0, 1)"},
    "share": {"zh": "归一化 s_c / Σ s", "en": "normalised s_c / Σ s"},
    "se": {"zh": "通道注意力：SE 激励", "en": "channel attention: SE excitation"},
    "cbam": {"zh": "空间注意力图 M（CBAM）", "en": "spatial attention map M (CBAM)"},
}
CHANNELS: dict[str, Text] = {  # keyed by the engine's channel names (the result's keys)
    "red": {"zh": "红", "en": "red"},
    "green": {"zh": "绿", "en": "green"},
    "blue": {"zh": "蓝", "en": "blue"},
    "brightness": {"zh": "亮度", "en": "brightness"},
    "horizontal edges": {"zh": "水平边缘", "en": "horizontal edges"},
    "vertical edges": {"zh": "垂直边缘", "en": "vertical edges"},
    "diagonal edges": {"zh": "对角边缘", "en": "diagonal edges"},
    "blobs": {"zh": "斑点", "en": "blobs"},
}


def draw(result: Result, lang: str) -> Figure:
    """The input image; gate s_c and normalised share per channel; spatial map M over the image."""
    ex = result.extras
    names = [lookup(CHANNELS, k, lang) for k in result.key_labels]
    with kit.canvas(7.4, 7.6) as fig:
        top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1])
        ax_img, ax_map = top.subplots(1, 2)
        ax_img.imshow(ex["image"], interpolation="nearest")
        kit.no_ticks(ax_img)
        ax_img.set_title(lookup(TEXT, "input", lang, p=kit.fact(result, "p_red_square")))
        im = kit.overlay(ax_map, ex["image"].mean(-1), ex["map"], 1.0, 0.7)
        ax_map.set_title(lookup(TEXT, "cbam", lang))
        kit.colorbar(top, im, ax_map)
        ax = bottom.subplots()
        series = {
            lookup(TEXT, "gate", lang): ex["gates"],
            lookup(TEXT, "share", lang): result.weights[0, 0].numpy(),
        }
        kit.grouped_bars(ax, names, series, horizontal=True, colours=[BLUE, ORANGE])
        ax.set_xlim(0, 1.05)
        ax.set_title(lookup(TEXT, "se", lang))
    return fig
