"""Drawing ahead: the figures one slider step away are drawn while the learner looks, in quiet
moments only, and the step they take next finds its figure in the shared cache."""

from __future__ import annotations

import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

import views.common as common
from engine.registry import get_demo
from tests.conftest import ROOT
from views import ahead, warm


@pytest.fixture(autouse=True)
def _fresh_caches():
    for f in (common.demo_run, common.demo_png, common.demo_chart):
        f.clear()
    ahead.start.clear()
    yield
    ahead.start.clear()


def test_neighbours_are_one_slider_step_either_way_within_the_range():
    d = get_demo("scaled_dot_product")  # n_tokens 2–32, d_k 1–256, window 0–16, temperature 0.05–10
    start = d.check_params({"n_tokens": 2, "temperature": 1.0})
    steps = [{k: v for k, v in n.items() if v != start[k]} for n in ahead.neighbours(d, start)]
    assert {"n_tokens": 3} in steps and {"n_tokens": 1} not in steps  # 1 is below the range
    assert {"d_k": 17} in steps and {"d_k": 15} in steps
    assert {"temperature": 1.05} in steps and {"temperature": 0.95} in steps
    assert {"seed": 1} in steps
    assert all(len(s) == 1 for s in steps)  # one parameter changed at a time
    assert all(isinstance(n["temperature"], float) for n in ahead.neighbours(d, start))
    assert [s for s in steps if "mask" in s or "sentence" in s] == []  # choices are not sliders


def test_a_float_neighbour_is_the_value_the_slider_sends():
    """The slider rounds to its step's decimals: 0.35 + 0.05 is 0.4, not 0.39999999999999997."""
    d = get_demo("scaled_dot_product")
    start = d.check_params({"temperature": 0.35})
    temps = sorted(n["temperature"] for n in ahead.neighbours(d, start) if n["temperature"] != 0.35)
    assert 0.35 + 0.05 != 0.4 and temps == [0.3, 0.4]


def test_the_queue_keeps_the_newest_requests_first_and_each_once():
    q = ahead.Queue(size=3)
    q.put([("a", "en"), ("b", "en")])
    q.put([("c", "en"), ("a", "en")])  # a again: moved to the front, not held twice
    assert list(q.items) == [("c", "en"), ("a", "en"), ("b", "en")]
    q.put([("d", "en")])  # full: the oldest request (b) is dropped
    assert list(q.items) == [("d", "en"), ("c", "en"), ("a", "en")]


def test_nothing_is_taken_while_a_page_runs_nor_right_after_it():
    q = ahead.Queue()
    q.put([("x", "en")])
    taken: list[float] = []
    with warm.busy():
        thread = threading.Thread(target=lambda: taken.append((q.take(0.3), time.monotonic())))
        thread.start()
        time.sleep(0.3)
        assert taken == []  # a page is running
        ended = time.monotonic()
    thread.join(10)
    [(item, when)] = taken
    assert item == ("x", "en") and when - ended >= 0.3  # and then only after 0.3 s of quiet


def test_the_next_step_finds_its_figure_drawn(monkeypatch):
    """A learner opens Q2; while they look, its neighbours are drawn; their next slider step draws
    nothing (the figure comes from the cache) and shows it."""
    monkeypatch.setenv("ATLAS_AHEAD", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["q"] = "2"
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    queue = ahead.start()
    d = get_demo("softmax_temperature")
    expected = min(len(ahead.neighbours(d, d.check_params({}))), ahead.AHEAD)
    deadline = time.monotonic() + 120
    while queue.drawn < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    assert queue.drawn == expected and not queue.items
    drawn = []
    real = common.draw_png
    monkeypatch.setattr(common, "draw_png", lambda *a, **k: drawn.append(a) or real(*a, **k))
    spread = next(s for s in at.slider if s.label == "Gap between scores")
    spread.set_value(round(spread.value + 0.1, 1)).run()
    assert not at.exception
    assert drawn == [] and len(at.get("image")) >= 1


def test_drawing_ahead_is_off_when_asked(monkeypatch):
    monkeypatch.setenv("ATLAS_AHEAD", "0")
    assert ahead.start() is None
    ahead.ahead(get_demo("scaled_dot_product"), {}, "cpu", "en")  # no queue: nothing to do


def test_background_threads_draw_at_the_pages_own_priority(monkeypatch):
    # a thread at a lower priority holding the GIL on busy cores holds up every page
    # (atlas bench priority), so neither the warm-up nor drawing ahead lowers its own
    import os

    seen: list[tuple[str, int]] = []

    def record(key, lang):  # the thread drawing, and its own niceness (Linux: per thread)
        nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        seen.append((threading.current_thread().name, nice))

    monkeypatch.setattr(warm, "pictures", record)
    page = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    progress = warm.Warmup(total=1)
    warm.warm([("scaled_dot_product", (), "cpu")], progress, langs=("en",))
    queue = ahead.Queue()
    queue.put([(("scaled_dot_product", (), "cpu"), "en")])
    thread = threading.Thread(target=ahead.serve, args=(queue,), name="atlas-ahead", daemon=True)
    thread.start()
    for _ in range(200):
        if any(n == "atlas-ahead" for n, _ in seen):
            break
        time.sleep(0.05)
    assert seen[0][0] == "MainThread" and "atlas-ahead" in {n for n, _ in seen}
    assert {nice for _, nice in seen} == {page}  # (an earlier test's ahead thread may draw too)
