"""The background warm-up: every question's default pictures land in the shared caches, in quiet
moments only, and a learner's first visit finds them there."""

from __future__ import annotations

import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

import views.common as common
from engine.registry import get_demo
from tests.conftest import ROOT
from views import warm


def small_keys() -> list[warm.Key]:
    keys = [
        ("scaled_dot_product", common.frozen(get_demo("scaled_dot_product").check_params({})), "cpu"),
        ("softmax_temperature", common.frozen(get_demo("softmax_temperature").check_params({})), "cpu"),
    ]  # fmt: skip
    return keys


@pytest.fixture(autouse=True)
def _fresh_caches():
    for f in (common.demo_run, common.demo_png, common.demo_chart):
        f.clear()
    warm.start.clear()
    yield
    warm.start.clear()


def test_every_question_demo_is_warmed_at_the_parameters_its_question_sets():
    bank = common.bank(str(ROOT / "questions"))
    keys = warm.default_keys(bank)
    links = {(link.name, common.frozen(get_demo(link.name).check_params(link.params)))
             for q in bank.questions for link in q.demo}  # fmt: skip
    assert {(name, params) for name, params, _ in keys} == links
    assert len(keys) == len(links) >= 40  # each once


def test_a_warmed_picture_is_served_from_the_cache(monkeypatch):
    progress = warm.Warmup(total=2)
    warm.warm(small_keys(), progress)
    assert progress.finished.is_set() and progress.done == 2 and not progress.failed
    drawn = []
    monkeypatch.setattr(common, "draw_png", lambda *a: drawn.append(a) or b"")
    monkeypatch.setattr(common, "hover_spec", lambda *a: drawn.append(a) or {})
    for key in small_keys():
        for lang in warm.LANGS:
            assert common.demo_png(*key, lang).startswith(b"\x89PNG")
            assert common.demo_chart(*key, lang, 0)["data"]["values"]
    assert drawn == []  # nothing was drawn again: every picture came from the warm-up


def test_the_warm_up_waits_while_a_page_runs():
    progress = warm.Warmup(total=2)
    with warm.busy():
        thread = threading.Thread(target=warm.warm, args=(small_keys(), progress))
        thread.start()
        time.sleep(0.5)
        assert progress.done == 0 and not warm.quiet()  # a learner's page is running: it waits
    assert progress.finished.wait(60) and progress.done == 2
    thread.join()


def test_a_failing_demo_is_logged_and_the_rest_still_warm(monkeypatch):
    keys = [("scaled_dot_product", (("no_such_param", 1),), "cpu"), *small_keys()[:1]]
    progress = warm.Warmup(total=2)
    warm.warm(keys, progress, langs=("en",))
    assert progress.failed == ["scaled_dot_product (en)"] and progress.done == 2


def test_the_app_starts_the_warm_up_once_and_never_waits_for_it(monkeypatch):
    monkeypatch.setenv("ATLAS_WARM", "1")
    started = []
    monkeypatch.setattr(warm, "default_keys", lambda bank, device="cpu": started.append(1) or [])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    at.run()
    assert started == [1]  # once per process, however many runs
    assert warm.quiet()  # the page run is over: nothing left marked busy


def test_the_heap_is_frozen_at_start_and_again_when_the_warm_up_is_done(monkeypatch):
    import gc

    monkeypatch.setenv("ATLAS_WARM", "0")
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    kept = [object() for _ in range(10)], {"a": [1]}  # objects tracked by the collector
    warm.start()
    at_start = gc.get_freeze_count()
    assert at_start > 0 and not any(o is kept[1] for o in gc.get_objects())  # no longer walked
    gc.unfreeze()
    progress = warm.Warmup(total=1)
    warm.warm(small_keys()[:1], progress, langs=("en",))
    assert progress.finished.is_set() and gc.get_freeze_count() > 0
    gc.unfreeze()  # the rest of the test process is walked as before


def test_the_warm_up_is_off_when_asked(monkeypatch):
    monkeypatch.setenv("ATLAS_WARM", "0")
    assert warm.start() is None


def test_each_run_prints_one_timing_line_when_asked(monkeypatch, capsys):
    from views import runlog

    monkeypatch.setenv("ATLAS_RUN_LOG", "1")
    with warm.busy(), warm.busy():  # a page run holding its fragment's run: one line
        time.sleep(0.01)
    with runlog.timed_run():
        pass
    [outer, alone] = runlog.read(capsys.readouterr().err)
    assert outer >= 10 and 0 <= alone < outer
    monkeypatch.delenv("ATLAS_RUN_LOG")
    with warm.busy():
        pass
    assert runlog.read(capsys.readouterr().err) == []


def test_timing_lines_are_read_even_when_other_output_shares_their_line():
    from views import runlog

    assert runlog.read("atlas-run 12.5\nlog 1559.1atlas-run 3.0\natlas-run x\n") == [12.5, 3.0]
