"""Figures drawn by a separate process (views.drawing): the same PNG, off the page's thread,
given up while still queued, and drawn anyway when the process dies."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

from engine.registry import run_demo
from views import drawing
from visuals import render_png


@pytest.fixture
def one_worker(monkeypatch):
    monkeypatch.setenv(drawing.WORKERS_ENV, "1")
    pool = drawing.pool()
    assert pool is not None
    pool.submit(int).result(timeout=120)  # started and warmed before the test's clock runs
    return pool


def test_a_drawing_process_makes_the_same_png_as_the_page_thread(one_worker):
    result = run_demo("multi_head", {"n_tokens": 7})
    assert drawing.draw_png(result, "zh") == render_png(result, "zh")


def test_figures_are_drawn_in_another_process_at_a_lower_priority(one_worker):
    pid, nice = one_worker.submit(os.getpid).result(), one_worker.submit(os.nice, 0).result()
    assert pid != os.getpid()
    assert nice >= os.nice(0) + drawing.NICE or nice == 19


def test_a_drawing_process_freezes_what_it_loaded_at_start(one_worker):
    import gc

    assert one_worker.submit(gc.get_freeze_count).result() > 10_000  # torch, matplotlib, fonts


def test_a_figure_still_waiting_for_its_turn_is_given_up_and_never_drawn(one_worker):
    _, turns = drawing.current()
    assert turns.acquire(timeout=5)  # the only worker draws another learner's figure
    try:
        moved_on = threading.Event()
        threading.Timer(0.2, moved_on.set).start()
        with pytest.raises(drawing.GaveUp) as gave_up:
            drawing.draw_png(run_demo("scaled_dot_product", {}), "en", moved_on.is_set)
        assert moved_on.is_set() and gave_up.value.cancelled
    finally:
        turns.release()


def test_a_figure_given_up_while_drawing_frees_the_turn_when_done(one_worker):
    _, turns = drawing.current()
    asked = []
    with pytest.raises(drawing.GaveUp) as gave_up:  # asked after the first wait for the PNG
        drawing.draw_png(run_demo("variant_costs", {}), "en", lambda: asked.append(1) or True)
    assert asked and not gave_up.value.cancelled
    assert turns.acquire(timeout=60)  # the worker finished it and handed the turn back
    turns.release()


def test_a_figure_error_reaches_the_page_as_itself(one_worker):
    bad = run_demo("scaled_dot_product", {})
    object.__setattr__(bad, "demo", "no_such_demo")
    with pytest.raises(KeyError, match="no figure draws demo 'no_such_demo'"):
        drawing.draw_png(bad, "en")


def test_when_the_drawing_process_dies_the_figure_is_still_drawn(one_worker):
    for pid in list(one_worker._processes):  # killed for memory, say
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    result = run_demo("scaled_dot_product", {"temperature": 2.0})
    assert drawing.draw_png(result, "en") == render_png(result, "en")
    fresh = drawing.pool()
    assert fresh is not one_worker  # replaced for the next figure
    assert drawing.draw_png(result, "en") == render_png(result, "en")


def test_no_workers_draws_on_the_page_thread(monkeypatch):
    monkeypatch.setenv(drawing.WORKERS_ENV, "0")
    assert drawing.pool() is None
    result = run_demo("scaled_dot_product", {})
    assert drawing.draw_png(result, "en") == render_png(result, "en")


@pytest.mark.parametrize(
    ("raw", "says"), [("two", "whole number"), ("-1", "between 0"), ("999", "between 0")]
)
def test_a_bad_worker_count_is_refused_by_name(monkeypatch, raw, says):
    monkeypatch.setenv(drawing.WORKERS_ENV, raw)
    with pytest.raises(
        ValueError, match=rf"ATLAS_DRAW_WORKERS={raw!r}.*{says}|ATLAS_DRAW_WORKERS={raw}: .*{says}"
    ):
        drawing.workers()


def test_any_module_level_figure_is_drawn_by_name(one_worker):
    """The Model lab sends its views (visuals.model) the same way."""
    from visuals.heatmap import heads
    from visuals.style import to_png

    result = run_demo("multi_head", {"n_tokens": 6})
    assert drawing.draw_png(result, "en", figure=heads) == to_png(heads(result, "en"))


def test_a_server_starts_its_drawing_process_before_the_first_figure(monkeypatch):
    monkeypatch.setenv(drawing.WORKERS_ENV, "1")
    drawing.start()
    executor = drawing.pool()
    assert executor is not None and len(executor._processes) == 1  # spawned, importing
    monkeypatch.setenv(drawing.WORKERS_ENV, "0")
    drawing.start()  # nothing to start
    assert drawing.pool() is None


def _page_that_starts_a_drawing_process() -> None:
    """A page run (Streamlit's ``__main__`` is this script) that starts the drawing process."""
    import os
    from pathlib import Path

    import streamlit as st

    from engine.registry import run_demo
    from views import drawing

    with Path(os.environ["PAGE_RUNS"]).open("a") as runs:
        runs.write(f"{os.getpid()}\n")
    os.environ[drawing.WORKERS_ENV] = "1"
    png = drawing.draw_png(run_demo("scaled_dot_product", {}), "en")
    st.session_state["pid"] = drawing.pool().submit(os.getpid).result(timeout=120)
    st.session_state["png"] = png[:4]


def test_a_drawing_process_started_by_a_page_never_runs_the_page(monkeypatch, tmp_path):
    """A spawned process re-runs its parent's ``__main__``; in a page run that is the page."""
    from streamlit.testing.v1 import AppTest

    runs = tmp_path / "runs.txt"
    monkeypatch.setenv("PAGE_RUNS", str(runs))
    monkeypatch.setenv(drawing.WORKERS_ENV, "0")
    drawing.current()  # no process yet: the page starts it
    at = AppTest.from_function(_page_that_starts_a_drawing_process, default_timeout=180).run()
    assert not at.exception, at.exception
    assert at.session_state["png"] == b"\x89PNG" and at.session_state["pid"] != os.getpid()
    time.sleep(1)
    assert runs.read_text().split() == [str(os.getpid())]  # the page ran once, here only


def test_any_submit_to_the_pool_spawns_without_the_main_script(monkeypatch, tmp_path):
    """Whoever submits (here a plain ``submit``, as after an AppTest left its script as
    ``__main__``), the new process does not run that script."""
    import types

    ran = tmp_path / "ran.txt"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(ran)!r}, 'a').write('ran')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setenv(drawing.WORKERS_ENV, "1")
    drawing.current()
    monkeypatch.setitem(sys.modules, "__main__", page)
    assert drawing.pool().submit(os.getpid).result(timeout=120) != os.getpid()
    assert sys.modules["__main__"] is page  # put back
    assert not ran.exists()


def test_by_default_figures_are_drawn_on_the_page_thread(monkeypatch):
    monkeypatch.delenv(drawing.WORKERS_ENV, raising=False)
    assert drawing.workers() == 0 and drawing.pool() is None
