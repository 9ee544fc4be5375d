"""Real-browser fixtures: a running ``streamlit run app.py`` and a Playwright page in Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.serve import ARTIFACTS, CHROMIUM_ARGS, ROOT, start_app, stop

CHROMIUM = os.environ.get("ATLAS_CHROMIUM", "/usr/bin/chromium")
__all__ = ["ROOT", "start_app"]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app served from the repo, with learner data in a temporary directory.

    One server per test module, so that work a previous module left running (a closed tab's
    script still finishing) does not slow the next module's pages on a 2-core machine.
    """
    env = {**os.environ, "ATLAS_DATA_DIR": str(tmp_path_factory.mktemp("browser-data"))}
    env.pop("DATABASE_URL", None)
    proc, base = start_app(env)
    yield base
    stop(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser_page(browser) -> Iterator[object]:
    """A fresh page (1280×900) in a fresh context; closed after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(45_000)
    page.set_default_navigation_timeout(60_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def wait_for_app(page, selector: str = "h1") -> None:
    """Wait until ``selector`` is drawn and Streamlit has finished running the script."""
    page.wait_for_selector(selector, timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_timeout(300)


def choose(page, label: str, option: str, tries: int = 3) -> None:
    """Pick ``option`` in the select box labelled ``label`` (reopening it if a rerun closed it)."""
    for attempt in range(tries):
        page.get_by_label(label).first.click()
        target = page.get_by_role("option", name=option, exact=True)
        try:
            target.wait_for(timeout=10_000)
            target.click()
            return
        except Exception:
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")
            wait_for_app(page)
