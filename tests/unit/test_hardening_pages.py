"""Pages under AppTest with hostile input: odd ``?q=``, a bad bank file, invisible names, typed
class codes; and the served error display."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from quiz.classes import ClassBook
from quiz.store import Store, database_url
from views.common import parse_number, show_error

from ..conftest import FIXTURES, ROOT

TIMEOUT = 180
STUDY, QUIZ, PROGRESS = (str(ROOT / "views" / p) for p in ("study.py", "quiz.py", "progress.py"))
BAD_Q = ["²", "①", "٣", "9" * 5000, "abc", "-1", "99", " 1", "1.0"]
NOTICE = "The question number in the link is not valid or does not exist"


@pytest.fixture
def bank_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample question plus a file whose ``demo`` is a number (it used to crash the page)."""
    st.cache_data.clear()  # the page's bank is cached per process
    d = tmp_path / "bank"
    d.mkdir()
    shutil.copy(FIXTURES / "bank" / "q01-sample.yaml", d / "q01-sample.yaml")
    (d / "q02-bad.yaml").write_text("id: q02-bad\nnumber: 2\ndemo: 1\n", encoding="utf-8")
    monkeypatch.setenv("ATLAS_QUESTIONS_DIR", str(d))
    return d


@pytest.mark.parametrize(
    ("raw", "number"),
    [("7", 7), ("0030", 30), ("²", None), ("①", None), ("٣", None), ("9" * 5, None), ("", None),
     (" 7", None), ("7 ", None), ("+7", None), ("-7", None), ("7.0", None), (None, None)],
)  # fmt: skip
def test_parse_number_accepts_only_short_ascii_digits(raw, number):
    assert parse_number(raw) == number


def test_study_page_survives_bad_links_and_a_bad_bank_file(bank_dir: Path):
    at = AppTest.from_file(STUDY, default_timeout=TIMEOUT)
    for raw in BAD_Q:
        at.query_params["q"] = raw
        at.run()
        assert not at.exception, (raw, at.exception)
        assert at.title[0].value.startswith("Q1."), raw
        assert any(NOTICE in i.value for i in at.info), raw
        assert at.query_params["q"] == "1"  # the link now names the question shown


def test_quiz_page_one_question_survives_bad_links(bank_dir: Path):
    for raw in ["②", "9" * 5000]:
        at = AppTest.from_file(QUIZ, default_timeout=TIMEOUT)
        at.query_params["q"] = raw
        at.run()
        at.radio(key="start_mode").set_value("question").run()
        assert not at.exception, (raw, at.exception)
        assert at.selectbox(key="start_question").value == 1
        assert any(NOTICE in i.value for i in at.info)


def test_a_name_of_only_invisible_characters_gets_a_message(bank_dir: Path):
    at = AppTest.from_file(PROGRESS, default_timeout=TIMEOUT).run()
    at.sidebar.text_input(key="learner_name_input").input("\u200b\u202e\u2066")
    next(b for b in at.sidebar.button if b.label == "Keep my progress").click().run()
    assert not at.exception, at.exception
    assert any("only invisible characters" in e.value for e in at.sidebar.error)
    assert "learner_id" not in at.session_state


def test_class_join_with_an_invisible_name(bank_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLASS_CODE", "7B-2025")
    at = AppTest.from_file(QUIZ, default_timeout=TIMEOUT).run()
    at.text_input(key="join_code").input("7b-2025")
    at.text_input(key="join_name").input("\u200d\u2069")
    next(b for b in at.button if b.label == "Join").click().run()
    assert not at.exception, at.exception
    assert any("only invisible characters" in e.value for e in at.error)


def progress_with_learner() -> tuple[AppTest, Store, int]:
    store = Store(database_url())
    learner, _ = store.create_learner("Ada")
    at = AppTest.from_file(PROGRESS, default_timeout=TIMEOUT)
    at.session_state["learner_id"] = learner.id
    return at.run(), store, learner.id


def save_class(at: AppTest, typed: str) -> AppTest:
    at.text_input(key="class_code").input(typed)
    return next(b for b in at.button if b.label == "Save settings").click().run()


def test_progress_class_code_must_name_an_existing_class(
    bank_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CLASS_CODE", "7B-2025")
    at, store, lid = progress_with_learner()
    at = save_class(at, "my own class ‮")
    assert not at.exception, at.exception
    assert any("No class has this code" in e.value for e in at.error)
    assert store.learner(lid).class_code is None  # nothing typed is stored verbatim
    at = save_class(at, " 7b\u200b-2025 ")
    assert not at.exception and store.learner(lid).class_code == "7B-2025"  # the class's own code
    ClassBook(store).assign("8A", [])  # an empty assignment: no class yet
    ClassBook(store).assign("9C", ["q01-sample"])
    at = save_class(at, "9c")
    assert store.learner(lid).class_code == "9C"
    at = save_class(at, "")
    assert store.learner(lid).class_code is None
    store.close()


def test_served_config_hides_error_details():
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    client = re.search(r"^\[client\]$(.*?)(?=^\[|\Z)", config, re.M | re.S)
    assert client is not None  # Streamlit accepts full, stacktrace, type or none
    assert re.search(r'^showErrorDetails = "none"$', client.group(1), re.M)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--client.showErrorDetails full" in readme


def test_show_error_logs_the_details_and_shows_a_short_message(caplog: pytest.LogCaptureFixture):
    try:
        raise OSError(28, "No space left on device", "/srv/data/atlas.db")
    except OSError as e:
        with caplog.at_level(logging.ERROR, logger="atlas"):
            show_error("没保存。", "Not saved.", e)
    (record,) = caplog.records
    assert record.exc_info is not None and "Not saved." in record.getMessage()
    assert "/srv/data/atlas.db" in caplog.text  # details: in the log only
