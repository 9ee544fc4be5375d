"""The Quiz and Progress pages in a real Chromium: a learner answers three live items — one of
them by ticking the cells of a mask — reloads, types their resume code and finds their progress;
and every authored item type is shown and answered once."""

from __future__ import annotations

import math
import re

import pytest

from ..unit.test_quiz_items import reference_mask
from .conftest import wait_for_app

pytestmark = pytest.mark.browser
CODE = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}")
CELL, HEADER, SMALL_COLUMN = 35, 35, 75  # the data editor's row and header height, "small" width


def main(page):
    return page.locator('[data-testid="stMain"]')


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def prompt(page) -> str:
    return main(page).locator("h4").first.inner_text()


def submit_and_wait(page) -> None:
    main(page).get_by_role("button", name="Submit").click()
    main(page).get_by_role("button", name=re.compile("^(Next|See the summary)$")).wait_for()
    wait_for_app(page)


def next_item(page, number: int, total: int) -> None:
    main(page).get_by_role("button", name=re.compile("^(Next|See the summary)$")).click()
    if number <= total:
        main(page).get_by_text(f"Item {number} of {total}").wait_for()
    else:
        main(page).get_by_text("Session summary").wait_for()
    wait_for_app(page)


def tick_mask(page, grid: list[list[bool]]) -> None:
    """Click every cell that should be ticked in the data editor (a canvas: click by position)."""
    editor = main(page).locator('[data-testid="stDataFrame"]').first
    box = editor.bounding_box()
    n = len(grid)
    index_width = box["width"] - 2 - n * SMALL_COLUMN
    for i, row in enumerate(grid):
        for j, on in enumerate(row):
            if on:
                x = box["x"] + 1 + index_width + SMALL_COLUMN * (j + 0.5)
                y = box["y"] + 1 + HEADER + CELL * (i + 0.5)
                page.mouse.click(x, y)
                page.wait_for_timeout(60)


def compute_by_hand(text: str) -> float:
    """The compute-it answer from the numbers in its prompt: softmax(q·k/√4), or Σ w v."""
    vecs = [[int(x) for x in v.split(",")] for v in re.findall(r"= \[([-\d, ]+)\]", text)]
    q, ks = vecs[0], vecs[1:4]
    e = [math.exp(sum(a * b for a, b in zip(q, k, strict=True)) / 2) for k in ks]
    w = [x / sum(e) for x in e]
    if "values v" in text:
        return sum(wi * vi for wi, vi in zip(w, vecs[4], strict=True))
    return w[int(re.search(r"weight on k(\d)", text).group(1)) - 1]


def test_learner_answers_three_items_reloads_and_finds_progress(
    app_server, browser_page, artifacts
):
    page = browser_page
    page.goto(f"{app_server}/quiz?lang=en")
    wait_for_app(page)
    assert sidebar(page).get_by_text("progress is kept only for this visit").is_visible()

    # take a name: the resume code is shown once
    sidebar(page).get_by_label("Display name").fill("Lin")
    sidebar(page).get_by_role("button", name="Keep my progress").click()
    sidebar(page).get_by_text("shown only once").wait_for()
    wait_for_app(page)
    code = CODE.search(sidebar(page).locator('[data-testid="stCode"]').inner_text()).group(0)

    # a session from the tag "live": which heatmap, draw the mask, compute it
    main(page).get_by_text("A tag").click()
    wait_for_app(page)
    main(page).get_by_label(re.compile("^Tag")).click()
    page.keyboard.type("live")  # the list of tags is long: filter it to bring the option in view
    page.get_by_role("option", name="live", exact=True).click()
    wait_for_app(page)
    main(page).get_by_role("button", name="Start").click()
    main(page).get_by_text("Item 1 of 3").wait_for()
    wait_for_app(page)

    # 1. which heatmap is it? — four pictures, pick one
    assert "Which one is" in prompt(page)
    main(page).locator('[data-testid="stImage"] img').nth(3).wait_for()
    page.screenshot(path=str(artifacts / "quiz-which-heatmap.png"), full_page=True)
    main(page).get_by_text("B", exact=True).first.click()
    submit_and_wait(page)
    page.screenshot(path=str(artifacts / "quiz-which-heatmap-feedback.png"), full_page=True)
    next_item(page, 2, 3)

    # 2. draw the mask — tick exactly the cells the described mask allows
    text = prompt(page)
    n = int(re.search(r"n = (\d+)", text).group(1))
    grid = reference_mask(text, n)
    tick_mask(page, grid)
    page.screenshot(path=str(artifacts / "quiz-draw-mask.png"), full_page=True)
    submit_and_wait(page)
    assert main(page).get_by_text("Correct: every cell is right.").is_visible()
    page.screenshot(path=str(artifacts / "quiz-draw-mask-feedback.png"), full_page=True)
    next_item(page, 3, 3)

    # 3. compute it — from the engine's live run
    text = prompt(page)
    main(page).get_by_label("Your answer (a number)").fill(f"{compute_by_hand(text):.3f}")
    page.screenshot(path=str(artifacts / "quiz-compute.png"), full_page=True)
    submit_and_wait(page)
    assert main(page).get_by_text(re.compile("^Correct: ")).first.is_visible()
    next_item(page, 4, 3)
    main(page).locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    wait_for_app(page)
    assert re.fullmatch(
        r"[23] / 3", main(page).locator('[data-testid="stMetricValue"]').nth(1).inner_text()
    )
    page.screenshot(path=str(artifacts / "quiz-summary.png"), full_page=True)

    # reload: a new session knows nothing until the code is typed
    page.goto(f"{app_server}/quiz?lang=en")
    wait_for_app(page)
    assert sidebar(page).get_by_text("progress is kept only for this visit").is_visible()
    sidebar(page).get_by_label("Have a resume code?").fill(code.lower().replace("-", " "))
    sidebar(page).get_by_role("button", name="Continue").click()
    sidebar(page).get_by_text("Learner: Lin").wait_for()
    wait_for_app(page)
    sidebar(page).get_by_role("link", name="Progress").click()
    main(page).get_by_role("heading", name="Progress").wait_for()
    main(page).locator('[data-testid="stVegaLiteChart"]').nth(
        2
    ).wait_for()  # forecast, tags, over time
    wait_for_app(page)
    metrics = main(page).locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics[2] == "3" and metrics[3].startswith("3 · ")  # items studied; answers · accuracy
    assert (
        main(page)
        .get_by_role("button", name=re.compile(r"Export my answers \(CSV, 3 rows\)"))
        .is_visible()
    )
    page.screenshot(path=str(artifacts / "progress.png"), full_page=True)
    main(page).get_by_role(
        "button", name=re.compile("Export my answers")
    ).scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "progress-settings-export.png"), full_page=True)


def test_every_authored_item_type_in_a_browser(app_server, browser_page, artifacts):
    page = browser_page
    page.goto(f"{app_server}/quiz?lang=en")
    wait_for_app(page)
    main(page).get_by_text("One question").click()
    wait_for_app(page)
    main(page).get_by_role("button", name="Start").click()
    main(page).get_by_text(re.compile(r"^Item 1 of \d+$")).wait_for()
    wait_for_app(page)
    total = int(
        re.search(
            r"of (\d+)", main(page).get_by_text(re.compile(r"^Item 1 of")).inner_text()
        ).group(1)
    )
    seen = []
    for k in range(1, total + 1):
        form = main(page).locator('[data-testid="stForm"]')
        if main(page).get_by_role("button", name="Show the answer").count():
            kind = "flashcard"
            main(page).get_by_role("button", name="Show the answer").click()
            main(page).get_by_role("button", name="Good").wait_for()
            wait_for_app(page)
            page.screenshot(path=str(artifacts / f"quiz-{kind}.png"), full_page=True)
            main(page).get_by_role("button", name="Good").click()
            main(page).get_by_role("button", name=re.compile("^(Next|See the summary)$")).wait_for()
            wait_for_app(page)
        else:
            if form.locator('[data-testid="stCheckbox"]').count():
                kind = "multiple"
                form.locator('[data-testid="stCheckbox"]').first.click()
            elif form.locator('[data-testid="stTextInput"]').count():
                kind = "numeric"
                form.get_by_label("Your answer (a number)").fill("0.5")
            elif form.get_by_text("True", exact=True).count():
                kind = "true_false"
                form.get_by_text("True", exact=True).click()
            else:
                kind = "single"
                form.locator('[role="radiogroup"] label').first.click()
            page.screenshot(path=str(artifacts / f"quiz-{kind}.png"), full_page=True)
            submit_and_wait(page)
        assert main(page).locator('[data-testid="stAlert"]').count() >= 1  # feedback shown
        assert main(page).get_by_role("link", name=re.compile("Study question")).is_visible()
        page.screenshot(path=str(artifacts / f"quiz-{kind}-feedback.png"), full_page=True)
        seen.append(kind)
        next_item(page, k + 1, total)
    assert {"single", "multiple", "true_false", "numeric", "flashcard"} <= set(seen)


def choice_labels(page) -> list[str]:
    """The option texts of the single- or multiple-choice item on screen, top to bottom; [] if none."""
    form = main(page).locator('[data-testid="stForm"]')
    boxes = form.locator('[data-testid="stCheckbox"]')
    if boxes.count():
        return boxes.all_inner_texts()
    labels = form.locator('[role="radiogroup"] label').all_inner_texts()
    return [] if labels in ([], ["True", "False"]) else labels


def test_a_reload_shows_the_same_option_order(app_server, browser_page, artifacts):
    page = browser_page
    page.goto(f"{app_server}/quiz?lang=en")
    wait_for_app(page)
    main(page).get_by_text("One question").click()
    wait_for_app(page)
    main(page).get_by_role("button", name="Start").click()
    first = main(page).get_by_text(re.compile(r"^Item 1 of \d+$"))
    first.wait_for()
    wait_for_app(page)
    total = int(re.search(r"of (\d+)", first.inner_text()).group(1))
    for k in range(1, total + 1):  # "I don't know" past the items that are not choices
        before = choice_labels(page)
        if before:
            break
        main(page).get_by_role("button", name="I don't know — show me").click()
        next_item(page, k + 1, total)
    assert len(before) >= 2, "question 1 has no single- or multiple-choice item"
    shown_prompt = prompt(page)
    assert re.search(r"[?&]seed=\d+", page.url) and "item=" in page.url

    # answer it: pick the first option shown
    form = main(page).locator('[data-testid="stForm"]')
    target = form.locator('[data-testid="stCheckbox"], [role="radiogroup"] label').first
    target.click()
    submit_and_wait(page)
    page.screenshot(path=str(artifacts / "quiz-before-reload.png"), full_page=True)

    page.reload()
    main(page).get_by_text("before the page reloaded").wait_for()
    wait_for_app(page)
    page.screenshot(path=str(artifacts / "quiz-after-reload.png"), full_page=True)
    assert prompt(page) == shown_prompt
    assert choice_labels(page) == before
