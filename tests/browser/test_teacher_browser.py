"""The Teacher page in a real Chromium, on a server started with TEACHER_PASSWORD set.

A wrong password is refused; the right one (after the wait) opens the dashboard of the
five-learner class of the unit tests; the item-analysis CSV downloads with a BOM and the
hand-computed numbers; screenshots of each view go to artifacts/.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz.store import Store

from ..unit.test_reports import CLASS, FIRST, HAND_ROSTER, LATER, T0, record, write_class_bank
from .conftest import start_app, wait_for_app

pytestmark = pytest.mark.browser
PASSWORD = "classroom-42"


@pytest.fixture(scope="module")
def teacher_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with a teacher password, class mode, the class bank and the class's answers."""
    data = tmp_path_factory.mktemp("teacher-data")
    bank = tmp_path_factory.mktemp("teacher-bank")
    write_class_bank(bank)
    (bank / "q09-broken.yaml").write_text("id: q09-broken\nnumber: nine\n", encoding="utf-8")
    store = Store(f"sqlite:///{data / 'atlas.db'}")
    ids = {name: store.create_learner(name, class_code=CLASS)[0].id for name in HAND_ROSTER}
    record(store, ids, FIRST, T0)
    record(store, ids, LATER, T0 + timedelta(days=1))
    store.close()
    env = {
        **os.environ,
        "ATLAS_DATA_DIR": str(data),
        "ATLAS_QUESTIONS_DIR": str(bank),
        "TEACHER_PASSWORD": PASSWORD,
        "CLASS_CODE": CLASS,
    }
    env.pop("DATABASE_URL", None)
    proc, base = start_app(env)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_for_tables(page) -> None:
    """Wait until the visible tab's tables have drawn their grid (a canvas) before a screenshot."""
    wait_for_app(page)
    page.locator('[data-testid="stDataFrame"] canvas').first.wait_for()
    page.wait_for_timeout(500)


def sign_in(page, password: str) -> None:
    page.get_by_label("Teacher password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)


def test_teacher_signs_in_and_downloads_the_item_analysis(
    teacher_server, browser_page, artifacts: Path
):
    page = browser_page
    page.goto(f"{teacher_server}/teacher?lang=en")
    wait_for_app(page)
    page.get_by_role("heading", name="Teacher dashboard").wait_for()
    sign_in(page, "not-it")
    page.get_by_text("Wrong password").first.wait_for()
    page.screenshot(path=str(artifacts / "teacher-wrong-password.png"), full_page=True)
    page.wait_for_timeout(1200)  # the one-second wait after a first failure
    sign_in(page, PASSWORD)
    page.get_by_role("tab", name="Roster & activity").wait_for()
    wait_for_app(page)
    expect(page.get_by_text("Wrong password")).to_have_count(0)
    wait_for_tables(page)
    page.screenshot(path=str(artifacts / "teacher-roster-en.png"), full_page=True)

    page.get_by_role("tab", name="Item analysis").click()
    button = page.get_by_role("button", name="Download CSV: items")
    button.wait_for()
    wait_for_tables(page)
    page.screenshot(path=str(artifacts / "teacher-items-en.png"), full_page=True)
    with page.expect_download() as info:
        button.click()
    raw = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename == "atlas-items.csv"
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Q,Item,Prompt,Learners,Facility index %,Discrimination index %,"
        "Most-chosen wrong answers (learners/times),SD %,Answers,Type,Question"
    )
    assert (
        lines[1]
        == "1,s,Scale of QKᵀ?,5,40.0,16.1,B. d_k (2/3); C. 1 (1/1),54.8,8,single,q01-sample"
    )

    page.get_by_role("tab", name="Progress").click()
    page.get_by_role("button", name="Download CSV: progress of every learner").wait_for()
    wait_for_tables(page)
    page.screenshot(path=str(artifacts / "teacher-progress-en.png"), full_page=True)

    page.get_by_role("tab", name="Question bank").click()
    page.get_by_text("q09-broken.yaml").first.wait_for()
    page.screenshot(path=str(artifacts / "teacher-bank-en.png"), full_page=True)
    page.get_by_role("tab", name="Class mode").click()
    page.get_by_text("Class code:").first.wait_for()
    page.screenshot(path=str(artifacts / "teacher-class-en.png"), full_page=True)


def test_teacher_page_in_chinese(teacher_server, browser_page, artifacts: Path):
    page = browser_page
    page.goto(f"{teacher_server}/teacher?lang=zh")
    wait_for_app(page)
    page.get_by_role("heading", name="教师面板").wait_for()
    page.get_by_label("教师密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    wait_for_app(page)
    page.get_by_role("tab", name="题目分析").click()
    page.get_by_role("button", name="下载 CSV：题目").wait_for()
    wait_for_tables(page)
    page.screenshot(path=str(artifacts / "teacher-items-zh.png"), full_page=True)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
