"""Real-browser fixtures: a running ``streamlit run app.py`` and a Playwright page in Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ATLAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    """Poll ``/_stcore/health`` until the server answers ``ok``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{base} did not become healthy in {timeout:.0f} s")


def start_app(
    env: dict[str, str], cwd: Path = ROOT, command: list[str] | None = None
) -> tuple[subprocess.Popen, str]:
    """Start the app on a free loopback port; return the process and its base URL once healthy.

    The server's output goes to a log file under ``artifacts/`` (never to an undrained pipe,
    whose full buffer would block the server mid-test); its tail is shown if it fails to start.
    """
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"server-{port}.log"
    cmd = command or [sys.executable, "-m", "streamlit", "run", "app.py"]
    cmd = [
        *cmd,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
    except Exception as exc:
        proc.kill()
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the app did not start ({exc}); its log ends:\n{tail}") from exc
    return proc, base


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
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


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
