"""The figure machinery: render finds a figure by demo name, the kit draws the data it is given,
text sizes are set for the page, figures are not kept by pyplot, a CJK font is installed."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.registry import run_demo
from visuals import kit, render
from visuals.style import DISPLAY_PX, MIN_PX, has_cjk_font, pt, shown_px, sizes


def test_render_refuses_a_result_without_a_demo_name():
    r = dataclasses.replace(run_demo("scaled_dot_product"), demo="")
    with pytest.raises(ValueError, match="names no demo"):
        render(r)


def test_render_refuses_a_demo_without_a_figure():
    r = dataclasses.replace(run_demo("scaled_dot_product"), demo="hologram")
    with pytest.raises(KeyError, match="no figure draws demo 'hologram'.*qNN_hologram.py"):
        render(r)


def test_points_and_page_pixels_are_inverse():
    for width in (4.0, 7.4, 12.0):
        assert shown_px(pt(MIN_PX, width), width) == pytest.approx(MIN_PX)
    # a 7-inch figure shown 700 px wide: 100 px per inch, so 72 pt (1 inch) is 100 px
    assert shown_px(72.0, DISPLAY_PX / 100) == pytest.approx(100.0)
    assert min(sizes(7.4).values()) >= pt(MIN_PX, 7.4)


def test_head_grid_lays_out_rows_cols_and_draws_each_panel():
    rng = np.random.default_rng(0)
    mats = rng.random((5, 3, 4))
    with kit.canvas(7.0, 5.0) as fig:
        axes = kit.head_grid(fig, kit.as_grid(mats, 3), list("abc"), list("wxyz"))
    assert axes.shape == (2, 3)
    drawn = [np.asarray(ax.get_images()[0].get_array()) for ax in axes.ravel()[:5]]
    for got, want in zip(drawn, mats, strict=True):
        np.testing.assert_array_equal(got, want)
    assert not axes[1, 2].axison  # the sixth cell is empty
    assert [t.get_text() for t in axes[0, 2].get_xticklabels()] == list("wxyz")  # nothing below it
    assert axes[0, 1].get_yticklabels() == []


def test_matrix_writes_values_only_in_small_matrices_and_thins_long_labels():
    with kit.canvas(7.0, 5.0) as fig:
        a, b = fig.subplots(1, 2)
        kit.matrix(a, np.eye(3), list("abc"), list("abc"), room=0.5)
        labels = [str(i) for i in range(100)]
        kit.matrix(b, np.eye(100), labels, labels, room=0.5)
    assert [t.get_text() for t in a.texts] == [
        "1.00",
        "0.00",
        "0.00",
        "0.00",
        "1.00",
        "0.00",
        "0.00",
        "0.00",
        "1.00",
    ]
    assert len(b.texts) == 0
    shown = [t.get_text() for t in b.get_xticklabels()]
    step = int(shown[1])
    assert step > 1 and shown == labels[::step] and len(shown) >= 10  # every step-th, in order


def test_fact_reads_bare_values_and_fact_objects():
    from engine.i18n import Fact

    r = dataclasses.replace(
        run_demo("scaled_dot_product"), facts={"a": 3, "b": Fact("b", 2.5, {"en": "b"})}
    )
    assert kit.fact(r, "a") == 3 and kit.fact(r, "b") == 2.5 and kit.fact(r, "c", 0) == 0
    with pytest.raises(KeyError, match="no fact 'c'; this result has: a, b"):
        kit.fact(r, "c")  # a renamed fact breaks its figure, it does not draw "None"


def test_figures_are_not_kept_by_pyplot():
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    for name in ("scaled_dot_product", "multi_head", "softmax_temperature"):
        render(run_demo(name), "en")
    assert len(plt.get_fignums()) == before


def test_a_cjk_font_is_installed():
    assert has_cjk_font(), "a CJK font must be installed (make test installs fonts-wqy-microhei)"


def test_a_cjk_font_installed_after_matplotlibs_font_cache_was_built_is_found(monkeypatch):
    from matplotlib import font_manager

    from visuals import style

    manager = font_manager.fontManager
    style.font_families()  # the CJK font listed, by the cache or by this lookup
    cjk_files = {f.fname for f in manager.ttflist if f.name in style.FONTS[1:]}
    stale = [f for f in manager.ttflist if f.fname not in cjk_files]  # as cached before
    assert len(stale) < len(manager.ttflist), "no CJK font here to hide from the cache"
    monkeypatch.setattr(manager, "ttflist", stale)
    style.font_families.cache_clear()
    try:
        assert style.font_families()[1:] and style.has_cjk_font()
    finally:
        style.font_families.cache_clear()


def test_to_png_draws_the_same_pixels_as_matplotlibs_savefig():
    """One laid-out draw (visuals.style.to_png) against matplotlib's own two-pass savefig, on a
    multi-panel, constrained-layout figure with Chinese labels and a colour bar."""
    import io

    from PIL import Image

    from visuals.style import style, to_png

    def pixels(png: bytes) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))

    result = run_demo("multi_head")
    ours = pixels(to_png(render(result, "zh")))
    reference = render(result, "zh")
    buf = io.BytesIO()
    with style(reference.get_figwidth()):
        reference.savefig(buf, format="png", dpi=110)
    theirs = pixels(buf.getvalue())
    assert ours.shape == theirs.shape
    assert ours.shape[1] == round(reference.get_figwidth() * 110)
    assert np.array_equal(ours, theirs)
