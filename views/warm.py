"""Every question's default pictures, computed once per process in the background at start.

A learner's first visit to a question then finds its result, hover chart and PNG in the shared
caches of :mod:`views.common`. The work yields to learners: it runs on one background thread
and starts each picture only while no page script is running (:func:`busy` marks the runs). It
runs at the pages' own priority: a thread at a lower one holds up every page of the process
whenever it holds the GIL on busy cores (:func:`warm`). ``ATLAS_WARM=0`` turns it off (the
test suite does).

The process's long-lived objects are frozen out of the garbage collector's reach at start and
again once the warm-up is done (:func:`freeze_heap`), so that its full collections stay short.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from engine.registry import get_demo
from quiz.bank import Bank
from views.common import bank, demo_chart, demo_png, demo_run, first_head, frozen
from views.runlog import timed_run
from visuals.hover import fits

log = logging.getLogger("atlas")

LANGS = ("en", "zh")
POLL_S = 0.05  # how often a waiting warm-up looks again for a quiet moment
_active = 0  # page script runs in progress in this process
_ended = 0.0  # time.monotonic() when the last one ended
_lock = threading.Lock()


@contextlib.contextmanager
def busy() -> Iterator[None]:
    """Mark a page script run (or fragment rerun) as in progress; the warm-up waits for none."""
    global _active, _ended
    with _lock:
        _active += 1
    try:
        with timed_run():
            yield
    finally:
        with _lock:
            _active -= 1
            _ended = time.monotonic()


def quiet(for_s: float = 0.0) -> bool:
    """Whether no page script is running now (and none has for ``for_s`` seconds)."""
    return _active == 0 and time.monotonic() - _ended >= for_s


Key = tuple[str, tuple[tuple[str, Any], ...], str]


def default_keys(bank: Bank, device: str = "cpu") -> list[Key]:
    """The cache key of every demo of every question at the parameters its question sets."""
    keys: list[Key] = []
    for q in bank.questions:
        for link in q.demo:
            d = get_demo(link.name)
            key = (d.name, frozen(d.check_params(link.params)), device)
            if key not in keys:
                keys.append(key)
    return keys


@dataclass
class Warmup:
    """Progress of one process's warm-up (read by the tests and the log)."""

    total: int
    done: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    finished: threading.Event = field(default_factory=threading.Event)


def pictures(key: Key, lang: str) -> None:
    """One key's result, hover chart (where the matrix fits one) and PNG, into the shared caches."""
    result = demo_run(*key)
    if fits(result):
        demo_chart(*key, lang, first_head(result, get_demo(key[0]).hover_head))
    demo_png(*key, lang)


def warm(keys: list[Key], progress: Warmup, langs: tuple[str, ...] = LANGS) -> None:
    """Compute each key's result, hover chart and PNG in every language, in quiet moments."""
    # At the pages' own priority: it yields to them by starting only in quiet moments. A thread
    # at nice 19 holding the GIL on cores that others keep busy is rarely scheduled, and every
    # page of the process waits for it (atlas bench priority: a page run took about 5× as long).
    start = time.perf_counter()
    for key in keys:
        for lang in langs:
            while not quiet():
                time.sleep(POLL_S)
            try:
                pictures(key, lang)
            except Exception:  # one broken demo must not stop the rest; the page shows its error
                progress.failed.append(f"{key[0]} ({lang})")
                log.exception("warm-up of %s (%s) failed", key[0], lang)
        progress.done += 1
    progress.seconds = time.perf_counter() - start
    while not quiet():  # a full collection holds the GIL: not while a page runs
        time.sleep(POLL_S)
    frozen_now = freeze_heap()  # the caches' default pictures and the models are here to stay
    log.info(
        "warm-up: %d demos in %.1f s; %d objects frozen",
        progress.done,
        progress.seconds,
        frozen_now,
    )
    progress.finished.set()


def freeze_heap() -> int:
    """Collect, then move every object alive now into the collector's permanent generation
    (``gc.freeze``); returns how many objects that generation holds.

    A figure leaves some 34,000 objects in reference cycles (a matplotlib figure, its axes and
    artists point at one another), which only the cyclic collector frees. A full collection
    walks every object the process tracks — about 350,000 once PyTorch, matplotlib, Altair,
    Streamlit and the models are loaded, about 0.3 s on a small server — and holds the GIL
    throughout, so every learner's page waits. What is frozen is no longer walked. It is still
    freed by reference counting when its last reference goes (an evicted cache entry); only
    cycles among frozen objects stay, and the modules, models and caches frozen here live as
    long as the process anyway. ``atlas bench gc`` measures the pauses both ways.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def enabled() -> bool:
    return os.environ.get("ATLAS_WARM", "1") != "0"


@st.cache_resource(show_spinner=False)
def start(device: str = "cpu") -> Warmup | None:
    """Start the warm-up once per process (``None`` when ``ATLAS_WARM=0``); the bank is read
    here, once, not on every page run that calls this. Before it, the heap is frozen
    (:func:`freeze_heap`): the modules every page needs are loaded by now."""
    freeze_heap()
    if not enabled():
        return None
    keys = default_keys(bank(), device)
    progress = Warmup(total=len(keys))
    threading.Thread(target=warm, args=(keys, progress), name="atlas-warm", daemon=True).start()
    return progress
