"""Teacher page and class mode under Streamlit's AppTest.

The teacher page: off without TEACHER_PASSWORD; a wrong password is refused (and the next try
must wait); the right one shows the roster, item analysis, progress, bank status and class mode
with CSV downloads. Class mode: with CLASS_CODE set the quiz page asks for the code and a name,
and starts the assigned questions in the teacher's order.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from quiz.bank import Bank, load_bank
from quiz.classes import ClassBook
from quiz.store import Store, database_url

from ..conftest import ROOT
from ..unit.test_reports import CLASS, FIRST, HAND_ROSTER, LATER, T0, record, write_class_bank

TIMEOUT = 120
TEACHER = str(ROOT / "views" / "teacher.py")
PASSWORD = "老师-s3cret"


@pytest.fixture(autouse=True)
def _fresh_server_state() -> None:
    """Each test is a fresh server: no failure counts or open stores left by the one before."""
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def bank_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "bank"
    d.mkdir()
    write_class_bank(d)
    (d / "q03-broken.yaml").write_text("id: q03-broken\nnumber: three\n", encoding="utf-8")
    monkeypatch.setenv("ATLAS_QUESTIONS_DIR", str(d))
    return d


@pytest.fixture
def class_store(bank_dir: Path) -> Store:
    """The five-learner class of the unit tests, in the page's database (``store.ids``: by name)."""
    store = Store(database_url())
    ids = {name: store.create_learner(name, class_code=CLASS)[0].id for name in HAND_ROSTER}
    record(store, ids, FIRST, T0)
    record(store, ids, LATER, T0 + timedelta(days=1))
    store.ids = ids
    yield store
    store.close()


def teacher(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(TEACHER, default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def sign_in(at: AppTest, password: str) -> AppTest:
    at.text_input(key="teacher_password").input(password)
    return at.button[0].click().run()


def table(at: AppTest, header: str):
    return next(d.value for d in at.dataframe if header in d.value.columns)


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "TEACHER_PASSWORD and restart"), ("zh", "教师面板未启用")]
)
def test_disabled_without_a_password(lang: str, words: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("TEACHER_PASSWORD", raising=False)
    at = teacher(lang)
    assert not at.exception
    assert words in at.info[0].value
    assert "TEACHER_PASSWORD=" in at.code[0].value
    assert not at.text_input and not at.dataframe


def test_wrong_password_is_refused_and_the_next_try_waits(
    monkeypatch: pytest.MonkeyPatch, class_store: Store
):
    monkeypatch.setenv("TEACHER_PASSWORD", PASSWORD)
    at = teacher()
    assert not at.exception and at.title[0].value == "Teacher dashboard"
    sign_in(at, "guess")
    assert not at.exception
    assert "Wrong password" in at.error[0].value
    assert not at.dataframe and not at.tabs
    sign_in(at, PASSWORD)  # at once: still waiting, so not even checked
    assert "Too many wrong passwords" in at.warning[0].value
    assert not at.dataframe
    assert at.session_state["teacher_password"] == ""  # the typed password is kept nowhere


def test_right_password_shows_the_dashboard(monkeypatch: pytest.MonkeyPatch, class_store: Store):
    monkeypatch.setenv("TEACHER_PASSWORD", PASSWORD)
    at = sign_in(teacher(), PASSWORD)
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == [
        "Roster & activity",
        "Item analysis",
        "Progress",
        "Question bank",
        "Class mode",
    ]
    roster = table(at, "Accuracy %")
    assert list(roster["Name"]) == list(HAND_ROSTER)
    assert list(roster["Answers"]) == [4, 4, 6, 5, 5]
    items = table(at, "Most-chosen wrong answers (learners/times)")
    assert list(items["Item"]) == ["s", "m", "n", "t"]
    assert list(items["Facility index %"]) == [40.0, 50.0, 40.0, 60.0]
    assert list(items["Discrimination index %"]) == [16.1, 87.7, 81.6, 38.5]
    assert items["Most-chosen wrong answers (learners/times)"][0] == "B. d_k (2/3); C. 1 (1/1)"
    questions = next(d.value for d in at.dataframe if "Title" in d.value.columns)
    assert list(questions["Facility index %"]) == [43.3, 60.0]
    downloads = [b.proto.label for b in at.get("download_button")]
    assert {
        "Download CSV: roster and activity",
        "Download CSV: questions",
        "Download CSV: items",
        "Download CSV: progress of every learner",
    } <= set(downloads)
    issues = table(at, "Problem")
    assert list(issues["File"]) == ["q03-broken.yaml"] * len(issues)
    assert "q03-broken.yaml" in at.error[0].value


def test_dashboard_in_chinese(monkeypatch: pytest.MonkeyPatch, class_store: Store):
    monkeypatch.setenv("TEACHER_PASSWORD", PASSWORD)
    at = sign_in(teacher("zh"), PASSWORD)
    assert not at.exception
    assert at.title[0].value == "教师面板"
    items = table(at, "最常见错误答案（人数/次数）")
    assert items["最常见错误答案（人数/次数）"][0] == "B. （中）d_k (2/3); C. （中）1 (1/1)"


def test_sign_out(monkeypatch: pytest.MonkeyPatch, class_store: Store):
    monkeypatch.setenv("TEACHER_PASSWORD", PASSWORD)
    at = sign_in(teacher(), PASSWORD)
    at.sidebar.button(key="teacher_sign_out").click().run()
    assert not at.dataframe and at.text_input(key="teacher_password")


def test_per_learner_progress(monkeypatch: pytest.MonkeyPatch, class_store: Store):
    monkeypatch.setenv("TEACHER_PASSWORD", PASSWORD)
    at = sign_in(teacher(), PASSWORD)
    at.selectbox(key="teacher_learner").set_value(class_store.ids["Cai"]).run()
    mine = next(
        d.value
        for d in at.dataframe
        if "Right at last answer" in d.value.columns and "Name" not in d.value.columns
    )
    assert list(mine["Q"]) == [1, 2]
    assert list(mine["Right at last answer"]) == [1, 1]
    assert list(mine["Accuracy %"]) == [20.0, 100.0]


def test_teacher_assigns_questions_in_order(monkeypatch: pytest.MonkeyPatch, class_store: Store):
    monkeypatch.setenv("TEACHER_PASSWORD", PASSWORD)
    monkeypatch.setenv("CLASS_CODE", CLASS)
    at = sign_in(teacher(), PASSWORD)
    assert at.sidebar.selectbox(key="teacher_class").value == CLASS
    at.multiselect(key="teacher_assign").select("q02-masks").select("q01-sample")
    at.button(key="save_assign").click().run()
    assert not at.exception
    assert "Saved: 2 question(s)." in [s.value for s in at.success]
    assert ClassBook(class_store).assignment(CLASS) == ["q02-masks", "q01-sample"]


def test_class_mode_off_says_how(monkeypatch: pytest.MonkeyPatch, class_store: Store):
    monkeypatch.setenv("TEACHER_PASSWORD", PASSWORD)
    monkeypatch.delenv("CLASS_CODE", raising=False)
    at = sign_in(teacher(), PASSWORD)
    assert any("Set the environment variable CLASS_CODE" in i.value for i in at.info)


# ── class mode on the quiz page ───────────────────────────────────────────────────────────────

QUIZ_WITH_GATE = """
import views.quiz as quiz

quiz.main()  # the page calls class_gate itself, right after opening the store
"""


@pytest.fixture
def gated_quiz(tmp_path: Path) -> str:
    """The quiz page, run from a script outside views/ (so ``quiz`` names the package)."""
    path = tmp_path / "quiz_gated.py"
    path.write_text(QUIZ_WITH_GATE, encoding="utf-8")
    return str(path)


def test_no_class_code_means_no_gate(gated_quiz: str, bank_dir: Path, monkeypatch):
    monkeypatch.delenv("CLASS_CODE", raising=False)
    at = AppTest.from_file(gated_quiz, default_timeout=TIMEOUT).run()
    assert not at.exception and at.title[0].value == "Quiz"


def test_learner_joins_with_the_code_and_gets_the_assignment(
    gated_quiz: str, bank_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CLASS_CODE", CLASS)
    store = Store(database_url())
    ClassBook(store).assign(CLASS, ["q02-masks", "q01-sample"])
    at = AppTest.from_file(gated_quiz, default_timeout=TIMEOUT).run()
    assert not at.exception and at.title[0].value == "Join your class"
    assert "start" not in [b.key for b in at.button]  # nothing of the quiz before joining
    at.text_input(key="join_code").input("8A")
    at.text_input(key="join_name").input("Fay")
    next(b for b in at.button if b.label == "Join").click().run()
    assert "That is not the class code." in at.error[0].value
    at.text_input(key="join_code").input(" 7b ")
    at.text_input(key="join_name").input("Fay")
    next(b for b in at.button if b.label == "Join").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Quiz"
    fay = store.learner(at.session_state["learner_id"])
    assert (fay.display_name, fay.class_code) == ("Fay", CLASS)
    sidebar = "\n".join(m.value for m in at.sidebar.markdown) + "\n".join(
        c.value for c in at.sidebar.caption
    )
    assert "Class: **7B**" in sidebar and "Q2 → Q1" in sidebar
    at.sidebar.button(key="start_assigned").click().run()
    assert not at.exception
    assert at.session_state["quiz"]["queue"] == ["t", "s", "m", "n"]
    assert "#### A causal mask hides the future." in [m.value for m in at.markdown]
    store.close()


def test_learner_comes_back_with_a_resume_code(
    gated_quiz: str, bank_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CLASS_CODE", CLASS)
    store = Store(database_url())
    gus, code = store.create_learner("Gus")
    at = AppTest.from_file(gated_quiz, default_timeout=TIMEOUT).run()
    at.text_input(key="back_code").input(CLASS)
    at.text_input(key="back_resume").input(code.lower())
    next(b for b in at.button if b.label == "Continue").click().run()
    assert not at.exception and at.title[0].value == "Quiz"
    assert at.session_state["learner_id"] == gus.id
    assert store.learner(gus.id).class_code == CLASS
    assert any("not assigned questions yet" in c.value for c in at.sidebar.caption)
    store.close()


def test_bank_fixture_is_valid_apart_from_the_broken_file(bank_dir: Path):
    b: Bank = load_bank(bank_dir, strict=False)
    assert [q.id for q in b.questions] == ["q01-sample", "q02-masks"]
    assert b.refused == ("q03-broken.yaml",)


def test_a_guest_who_joins_keeps_their_answers(
    gated_quiz: str, bank_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CLASS_CODE", CLASS)
    store = Store(database_url())
    guest = store.create_guest()
    record(store, {"guest": guest.id}, [("guest", "s", 0, True, 1.0)], T0)
    at = AppTest.from_file(gated_quiz, default_timeout=TIMEOUT)
    at.session_state["learner_id"] = guest.id
    at.run()
    assert at.title[0].value == "Join your class"
    at.text_input(key="join_code").input(CLASS)
    at.text_input(key="join_name").input("Hal")
    next(b for b in at.button if b.label == "Join").click().run()
    assert not at.exception and at.session_state["learner_id"] == guest.id
    hal = store.learner(guest.id)
    assert (hal.display_name, hal.class_code, hal.guest) == ("Hal", CLASS, False)
    assert len(store.answers(guest.id)) == 1
    assert at.session_state["new_code"]  # the resume code, shown once by the quiz page
    store.close()


def test_class_picker_offers_real_classes_only(monkeypatch: pytest.MonkeyPatch, class_store: Store):
    """A code a learner typed in an older version is not a class: the picker leaves it out."""
    monkeypatch.setenv("TEACHER_PASSWORD", PASSWORD)
    monkeypatch.setenv("CLASS_CODE", CLASS)
    class_store.create_learner("Stray", class_code="MADE-UP")
    ClassBook(class_store).assign("CHEM-2", ["q01-sample"])
    at = sign_in(teacher(), PASSWORD)
    assert at.sidebar.selectbox(key="teacher_class").options == ["All learners", CLASS, "CHEM-2"]
