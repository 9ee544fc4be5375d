"""The Study page in a real Chromium: open question 4, change a parameter, the heatmap changes."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image

from engine.registry import run_demo
from visuals import render_png

from .conftest import choose, wait_for_app

pytestmark = pytest.mark.browser


def pixels(png: bytes) -> np.ndarray:
    """A PNG's RGBA pixels as signed integers (so that differences do not wrap)."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"), dtype=np.int16)


def heatmap_src(page) -> str:
    img = page.locator('[data-testid="stImage"] img').first
    img.wait_for(state="visible")
    return img.get_attribute("src")


def test_question_4_parameter_change_redraws_heatmap(app_server, browser_page, artifacts):
    page = browser_page
    page.goto(f"{app_server}/?q=4&lang=en")
    wait_for_app(page)
    page.get_by_role("heading", name="Q4.").first.wait_for()
    before = heatmap_src(page)
    page.screenshot(path=str(artifacts / "study-q4-en.png"), full_page=True)

    # change "Heads h" from 4 to 8 through the select box
    choose(page, "Heads h", "8")
    wait_for_app(page)
    page.wait_for_function(
        "(old) => { const i = document.querySelector('[data-testid=\"stImage\"] img'); return i && i.src !== old; }",
        arg=before,
        timeout=60_000,
    )
    after = heatmap_src(page)
    assert after != before
    assert page.get_by_text("h = 8").first.is_visible()
    # nothing scrolls sideways
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.screenshot(path=str(artifacts / "study-q4-heads8.png"), full_page=True)


def test_chinese_page_and_url_state(app_server, browser_page, artifacts):
    page = browser_page
    page.goto(f"{app_server}/?q=7&lang=zh")
    wait_for_app(page)
    page.get_by_role("heading", name="Q7.").first.wait_for()
    assert page.get_by_text("现场演示").first.is_visible()
    assert "lang=zh" in page.url and "q=7" in page.url
    page.screenshot(path=str(artifacts / "study-q7-zh.png"), full_page=True)


def tooltip_rows(page) -> dict[str, str]:
    """The visible vega-tooltip as {title: value}."""
    tip = page.locator("#vg-tooltip-element.visible")
    tip.wait_for(state="visible", timeout=10_000)
    rows = tip.locator("tr")
    return {
        rows.nth(i).locator("td.key").inner_text().rstrip(":"): rows.nth(i)
        .locator("td.value")
        .inner_text()
        for i in range(rows.count())
    }


def cell(chart, q: int, k: int):
    """The rect of the chart's cell (query q, key k), found by its accessible label."""
    return chart.locator(
        f'path[aria-label^="key (attended to): {k}; query (attending): {q};"]'
    ).first


def test_hovering_a_cell_shows_its_query_key_and_exact_weight(app_server, browser_page, artifacts):
    page = browser_page
    page.goto(f"{app_server}/?q=4&lang=en")
    wait_for_app(page)
    page.get_by_role("heading", name="Q4.").first.wait_for()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    result = run_demo("multi_head", {})
    q, k = 5, 2
    cell(chart, q, k).hover()
    tip = tooltip_rows(page)
    page.screenshot(path=str(artifacts / "study-q4-hover.png"), full_page=False)
    assert tip["query (attending)"] == f"{q} · {result.query_labels[q]}"
    assert tip["key (attended to)"] == f"{k} · {result.key_labels[k]}"
    assert tip["attention weight"] == f"{float(result.weights[0, q, k]):.4f}"
    # the hovered query's row is highlighted: full opacity there, dimmed elsewhere
    opacity = chart.evaluate(
        """(el) => [...el.querySelectorAll('path[role="graphics-symbol"]')].map(p => [
            Number(p.getAttribute('aria-label').match(/query \\(attending\\): (\\d+)/)[1]),
            Number(p.getAttribute('opacity') ?? 1)])"""
    )
    assert len(opacity) == len(result.query_labels) * len(result.key_labels)
    assert all(o == 1 for row, o in opacity if row == q)
    assert all(o < 1 for row, o in opacity if row != q)


def test_keys_pressed_faster_than_figures_end_on_the_last_values_figure(
    app_server, browser_page, artifacts
):
    """Four presses of a slider's key while the first step's figure is still being drawn: the
    figures of the steps left behind may be skipped (views.common.superseded), but the page
    ends with the last value's caption, live chart and full figure: the PNG this process
    draws for that value, to within colour-map rounding (the server computes on one thread,
    and another BLAS or thread count may round a weight differently)."""
    page = browser_page
    page.goto(f"{app_server}/?q=4&lang=en")
    wait_for_app(page)
    before = heatmap_src(page)
    tokens = run_demo("multi_head").facts["L"]
    last = pixels(render_png(run_demo("multi_head", {"n_tokens": tokens + 4}), "en"))

    def is_last(src: str) -> bool:
        got = page.request.get(src)
        if not got.ok:  # replaced by a newer image since its address was read: look again
            return False
        shown = pixels(got.body())
        return shown.shape == last.shape and np.abs(shown - last).mean() <= 1.0  # of 255

    slider = page.get_by_role("slider", name="Tokens")
    slider.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.get_by_text(f"L = {tokens + 4}").first.wait_for()
    assert slider.input_value() == str(tokens + 4)
    deadline = time.monotonic() + 90
    while (shown := heatmap_src(page)) == before or not is_last(shown):
        assert time.monotonic() < deadline, "the last value's full figure was never drawn"
        page.wait_for_timeout(250)
    wait_for_app(page)
    assert page.locator('[data-testid="stVegaLiteChart"]').first.is_visible()
    assert not page.locator('[data-testid="stException"]').count()
    page.screenshot(path=str(artifacts / "study-q4-fast-keys.png"), full_page=True)
