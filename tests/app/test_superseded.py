"""A full figure the learner has already moved on from is not drawn (views.common.superseded).

``superseded`` reads Streamlit's pending rerun request, which is not a public API: these tests
run it inside real Streamlit script runs (AppTest), so a Streamlit upgrade that changes what it
reads fails here instead of silently drawing every stale figure again.
"""

from __future__ import annotations

import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

import views.common as common
from views import drawing


def _page() -> None:
    """Fragment A asks for its own rerun, as a slider change inside it does; B is another
    fragment; the page records what ``superseded`` answered at each point."""
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
    from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

    from views.common import superseded

    seen = st.session_state.setdefault("seen", {})
    requests = get_script_run_ctx().script_requests

    @st.fragment
    def a() -> None:
        if "a_before" in seen:
            return
        seen["a_before"] = superseded()
        requests.request_rerun(RerunData(fragment_id=ThreadState.get().fragment_id))
        seen["a_after_its_own_rerun_is_asked"] = superseded()

    @st.fragment
    def b() -> None:
        seen.setdefault("b_while_a_rerun_is_pending", superseded())

    a()
    b()
    if st.session_state.get("ask_page_rerun"):
        st.session_state.ask_page_rerun = False
        requests.request_rerun(RerunData())
        seen["page_after_a_page_rerun_is_asked"] = superseded()
    st.write(repr(sorted(seen.items())))


def test_superseded_answers_from_streamlits_pending_request():
    at = AppTest.from_function(_page, default_timeout=30).run()
    assert not at.exception, at.exception
    seen = at.session_state["seen"]
    assert seen["a_before"] is False
    assert seen["a_after_its_own_rerun_is_asked"] is True
    assert seen["b_while_a_rerun_is_pending"] is False  # another fragment's figure is still wanted
    at.session_state["ask_page_rerun"] = True
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["seen"]["page_after_a_page_rerun_is_asked"] is True


def test_outside_a_page_run_nothing_is_superseded():
    assert common.superseded() is False


@pytest.fixture
def slot_taken(monkeypatch):
    """Figures drawn on the page threads, and the drawing slot held by "another learner" until
    the test lets it go (tests/app/test_drawing.py does the same with a drawing process)."""
    monkeypatch.setenv(drawing.WORKERS_ENV, "0")
    _, turns = drawing.current()
    assert turns.acquire(timeout=5)
    yield turns
    turns.release()


def test_a_waiting_figure_gives_up_once_superseded(slot_taken, monkeypatch):
    moved_on = threading.Event()
    monkeypatch.setattr(common, "superseded", moved_on.is_set)
    threading.Timer(0.2, moved_on.set).start()
    key = ("scaled_dot_product", common.frozen({"temperature": 0.7}), "cpu")
    start = time.monotonic()
    assert common.wanted_png(*key, "en") is None  # the slot is held: not drawn, given up
    assert moved_on.is_set() and time.monotonic() - start < 5
    assert not slot_taken.acquire(blocking=False)  # still the other learner's


def test_the_warm_up_and_a_download_wait_for_the_slot(slot_taken, monkeypatch):
    """Callers that did not allow giving up (the warm-up, a PNG download) always get the figure."""
    monkeypatch.setattr(common, "superseded", lambda: True)
    threading.Timer(0.2, slot_taken.release).start()
    key = ("scaled_dot_product", common.frozen({"temperature": 0.8}), "cpu")
    assert common.demo_png(*key, "en").startswith(b"\x89PNG")
    assert slot_taken.acquire(timeout=5)  # handed back after drawing (the fixture releases it)


def test_wanted_png_is_the_cached_png_when_nothing_supersedes_it():
    key = ("scaled_dot_product", common.frozen({}), "cpu")
    png = common.wanted_png(*key, "en")
    assert png is not None and png.startswith(b"\x89PNG")
    assert png == common.demo_png(*key, "en")
