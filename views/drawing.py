"""Full figures drawn in separate processes, so that drawing never holds up a learner's page.

matplotlib draws in Python and holds the GIL for nearly all of a figure's 0.3–1.5 s. Drawn on
the server's page threads, one learner's figure stalls every other learner's page run until it
is done, and a server uses one core for all its figures however many it has. With
``$ATLAS_DRAW_WORKERS`` set to N ≥ 1, N worker processes draw the figures of the Study page and
the Model lab: the page threads only wait for the PNG bytes, with the GIL free, and the pages
and N figures run side by side. The workers run at a lower priority (nice ``NICE``), so that on
a busy server the live chart, which is what follows the slider, comes first.

The default is 0: figures are drawn on the page's own thread, one at a time (a turn of
:func:`draw_png`). On a 2-core server with the learners' browsers on the same two cores, one
worker measured no better at the slider-step p95 (its runs and those without it overlapped,
2.2–5.1 × the bare app's against 3.2–4.2 ×) and cost about 250 MB (TEACHING.md §12). A worker
that dies (killed for memory, say) is replaced, and the figure it was drawing is drawn on the
page's thread instead: the learner gets it either way.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import sys
import threading
import types
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from matplotlib.figure import Figure

from engine.result import Result
from visuals import render, to_png

log = logging.getLogger("atlas")

WORKERS_ENV = "ATLAS_DRAW_WORKERS"
DEFAULT_WORKERS = 0
NICE = 5  # the workers' niceness: below the pages, well above the warm-up thread (19)
WAIT_SLICE_S = 0.05  # how often a waiting figure looks whether it is still wanted


class GaveUp(Exception):
    """The caller's ``give_up()`` said the figure is no longer wanted before it was drawn.

    ``cancelled``: it was still queued and will never be drawn (False: a worker had already
    taken it, and finishes it unread)."""

    def __init__(self, cancelled: bool = True) -> None:
        super().__init__("the figure was given up" + ("" if cancelled else " while drawing"))
        self.cancelled = cancelled


def workers() -> int:
    """``$ATLAS_DRAW_WORKERS``: how many processes draw figures (0: the page's own thread)."""
    raw = os.environ.get(WORKERS_ENV, str(DEFAULT_WORKERS))
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(
            f"{WORKERS_ENV}={raw!r}: give a whole number of drawing processes, e.g. 1 (0 draws "
            "on the page's thread)"
        ) from None
    cap = os.cpu_count() or 1
    if not 0 <= n <= cap:
        raise ValueError(f"{WORKERS_ENV}={n}: choose between 0 and {cap} (this machine's cores)")
    return n


def _start_worker() -> None:
    """In each worker: lower its priority, one torch thread, fonts and colour maps loaded, the
    heap frozen."""
    import torch

    with contextlib.suppress(OSError):
        os.nice(NICE)
    torch.set_num_threads(1)
    from visuals import kit

    with kit.canvas(2, 1) as fig:  # the first figure loads fonts: not a learner's
        fig.add_subplot().set_title("注意力 attention")
    to_png(fig)
    gc.collect()  # what is loaded now stays: out of the collector's walks, as in the server
    gc.freeze()  # (views.warm.freeze_heap)


_pool: ProcessPoolExecutor | None = None
_pool_n = -1
_turns = threading.Semaphore(1)  # figures being drawn: at most one per worker (one without)
_pool_lock = threading.Lock()


def current() -> tuple[ProcessPoolExecutor | None, threading.Semaphore]:
    """The drawing processes (started on first use; None when ``$ATLAS_DRAW_WORKERS`` is 0) and
    the turns to draw: one per process, so no figure waits inside the pool where it could no
    longer be given up."""
    global _pool, _pool_n, _turns
    n = workers()
    with _pool_lock:
        if _pool_n != n or (n and _pool is None):
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            # spawn, not fork: the server has threads (a forked child inherits their locks held)
            _pool = None
            if n:
                _pool = _Pool(
                    max_workers=n,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                )
            _pool_n, _turns = n, threading.Semaphore(max(n, 1))
        return _pool, _turns


def start() -> None:
    """Start the drawing processes now (a server's first page view), not at its first figure:
    a process takes seconds to import torch and matplotlib."""
    executor = pool()
    if executor is not None:
        executor.submit(int)


def pool() -> ProcessPoolExecutor | None:
    """The drawing processes, or None when ``$ATLAS_DRAW_WORKERS`` is 0."""
    return current()[0]


def _replace(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


_main_lock = threading.Lock()


@contextlib.contextmanager
def _no_main_script() -> Iterator[None]:
    """While a worker may be spawned: a ``__main__`` with nothing for the child to run.

    A spawned process first runs the parent's ``__main__`` file again (as ``__mp_main__``).
    During a page run Streamlit's ``__main__`` is the page script itself, so every new drawing
    process would run the app — and start drawing processes of its own. ``submit`` is where the
    executor spawns its processes; the real ``__main__`` is put back unless a new script run
    has meanwhile replaced it."""
    with _main_lock:
        saved, empty = sys.modules.get("__main__"), types.ModuleType("__main__")
        sys.modules["__main__"] = empty
        try:
            yield
        finally:
            if sys.modules.get("__main__") is empty and saved is not None:
                sys.modules["__main__"] = saved


class _Pool(ProcessPoolExecutor):
    """A process pool whose every ``submit`` (where it spawns its processes) runs under
    :func:`_no_main_script`, whoever calls it: a test, the server's start or a figure."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        with _no_main_script():
            return super().submit(fn, *args, **kwargs)


def _take_turn(turns: threading.Semaphore, give_up: Callable[[], bool]) -> None:
    while not turns.acquire(timeout=WAIT_SLICE_S):
        if give_up():
            raise GaveUp(cancelled=True)


def _wait(future: Future[bytes], give_up: Callable[[], bool]) -> bytes:
    while True:
        try:
            return future.result(timeout=WAIT_SLICE_S)
        except FutureTimeout:
            if give_up():
                raise GaveUp(cancelled=False) from None


Draw = Callable[[Result, str], Figure]


def _png(figure: Draw, result: Result, lang: str) -> bytes:
    return to_png(figure(result, lang))


def draw_png(
    result: Result,
    lang: str,
    give_up: Callable[[], bool] = lambda: False,
    figure: Draw = render,
) -> bytes:
    """The PNG of ``figure(result, lang)`` (by default the demo's own, :func:`visuals.render`),
    drawn by a worker process. ``figure`` is a module-level function (sent by name).

    While it waits for a turn, ``give_up()`` is asked every ``WAIT_SLICE_S``; once it says True
    :class:`GaveUp` is raised and the figure is never drawn. Once drawing, giving up leaves the
    worker to finish it unread. A figure's own error (say a ``KeyError`` naming a missing fact)
    is raised here as it would be on the page's thread."""
    executor, turns = current()
    _take_turn(turns, give_up)
    if executor is None:
        try:
            return _png(figure, result, lang)
        finally:
            turns.release()
    try:
        future = executor.submit(_png, figure, result, lang)
    except RuntimeError:  # broken, or shut down by another thread that found it broken
        turns.release()
        return _draw_here(executor, figure, result, lang)
    future.add_done_callback(lambda _: turns.release())
    try:
        return _wait(future, give_up)
    except BrokenProcessPool:
        return _draw_here(executor, figure, result, lang)


def _draw_here(broken: ProcessPoolExecutor, figure: Draw, result: Result, lang: str) -> bytes:
    log.warning("a drawing process died; drawing this figure here and starting a new one")
    _replace(broken)
    return _png(figure, result, lang)
