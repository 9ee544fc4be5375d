"""Every registered demo has a figure module, and it renders in zh and en, legibly on the page,
within its canvas, and as a PNG."""

from __future__ import annotations

import warnings

import pytest

from engine.registry import all_demos
from tests.unit.figures.drawn import CJK, smallest_px, texts
from visuals import render, to_png
from visuals.figures import figure_for
from visuals.style import MIN_PX, overflow_px


@pytest.mark.parametrize("name", sorted(all_demos()))
def test_every_demo_has_a_figure_module(name):
    assert figure_for(name) is not None, (
        f"add visuals/figures/qNN_{name}.py with draw(result, lang)"
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(all_demos()))
def test_figure_renders_legibly_in_both_languages(demo_result, name, lang):
    r = demo_result(name)
    fig = render(r, lang)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)": tofu boxes
        out = overflow_px(fig)  # drawn as the PNG is: one draw, no tight crop
    # so a label past the canvas's edge would be cut off in the PNG
    assert out <= 2.0, f"{name} ({lang}): drawn {out:.1f} px beyond the canvas at 100 dpi"
    px, text = smallest_px(fig)
    assert px >= MIN_PX, f"{name} ({lang}): {text!r} is {px:.1f} px on a 700-px column"
    if lang == "zh":
        assert any(CJK.search(t) for t in texts(fig)), f"{name}: no Chinese in the zh figure"


def test_a_figure_becomes_png_bytes(demo_result):
    assert to_png(render(demo_result("multi_head"), "en"))[:8] == b"\x89PNG\r\n\x1a\n"


def test_one_thread_at_a_time_sets_matplotlibs_global_text_sizes():
    # Every learner's page runs on its own thread and rcParams are global: a second figure must
    # not be built or drawn while the first one's sizes are in force, nor the reverse.
    import threading

    import matplotlib

    from visuals.style import sizes, style

    inside, release, seen = threading.Event(), threading.Event(), []

    def first() -> None:
        with style(7.6):
            inside.set()
            release.wait(5)
            seen.append(("first", matplotlib.rcParams["font.size"]))

    def second() -> None:
        inside.wait(5)
        with style(3.0):
            seen.append(("second", matplotlib.rcParams["font.size"]))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    inside.wait(5)
    threads[1].join(0.3)  # the second thread is kept waiting while the first is inside…
    assert seen == []
    release.set()
    for t in threads:
        t.join(5)
    assert seen == [("first", sizes(7.6)["font.size"]), ("second", sizes(3.0)["font.size"])]
