"""The figures of a learner's next slider step, drawn while they look at the present one.

After the Study page shows a demo's figure, :func:`ahead` queues the parameters one slider step
away on either side (:func:`neighbours`); a background thread draws their result, hover chart and
PNG into the shared caches of :mod:`views.common`, so the step the learner takes next finds its
full figure there instead of waiting the 0.2–1.5 s matplotlib takes to draw it.

It stays out of the pages' way by when it works, not by a lower priority: it starts a figure only
once no page script has run for ``QUIET_S`` (a learner reading, not a class moving sliders), one
figure at a time, at the pages' own priority (:func:`serve` says why). The queue holds the
``AHEAD`` newest requests (older ones are dropped: that learner has moved on), and what it
draws goes into the same bounded caches as every learner's pictures.
``ATLAS_AHEAD=0`` turns it off (the test suite does).
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import streamlit as st

from engine.registry import Demo
from views import warm
from views.common import frozen

log = logging.getLogger("atlas")

AHEAD = 12  # figures waiting to be drawn ahead, newest first; older requests are dropped
QUIET_S = 0.5  # no page run for this long: a learner is reading
Ahead = tuple[warm.Key, str]  # (demo, parameters, device), language


def _decimals(x: float) -> int:
    """Decimal places of ``x`` as written (0.05 → 2): the slider rounds its values to its step's."""
    exponent = Decimal(repr(float(x))).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def neighbours(d: Demo, values: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameters one slider step away from ``values`` (each number, down and up, within its
    range), in the order of the demo's sliders; values the demo refuses are left out."""
    out = []
    for p in d.params:
        if p.kind not in ("int", "float") or p.min is None or p.max is None:
            continue
        step = p.slider_step()
        for direction in (1, -1):
            value = values[p.name] + direction * step
            value = int(value) if p.kind == "int" else round(value, _decimals(step))
            if p.min <= value <= p.max:
                with contextlib.suppress(ValueError):
                    out.append(d.check_params({**values, p.name: value}))
    return out


class Queue:
    """The newest ``AHEAD`` requests, newest first, each once; a thread draws them."""

    def __init__(self, size: int = AHEAD) -> None:
        self.items: collections.deque[Ahead] = collections.deque(maxlen=size)
        self.ready = threading.Condition()
        self.drawn = 0

    def put(self, items: Iterable[Ahead]) -> None:
        with self.ready:
            for item in reversed(list(items)):  # the first given ends up first in line
                with contextlib.suppress(ValueError):
                    self.items.remove(item)
                self.items.appendleft(item)
            self.ready.notify()

    def take(self, quiet_s: float = QUIET_S, poll_s: float = warm.POLL_S) -> Ahead:
        """The next request, once there is one and no page has run for ``quiet_s``."""
        while True:
            with self.ready:
                while not self.items:
                    self.ready.wait()
            if not warm.quiet(quiet_s):
                time.sleep(poll_s)
                continue
            with self.ready:
                if self.items:
                    return self.items.popleft()


def serve(queue: Queue) -> None:
    """Draw what is queued, forever, in quiet moments (the body of the background thread)."""
    # At the pages' own priority: it yields to them by starting only in quiet moments. A thread
    # at nice 19 holding the GIL on cores that others keep busy is rarely scheduled, and every
    # page of the process waits for it (atlas bench priority: a page run took about 5× as long).
    while True:
        item = queue.take()
        try:
            warm.pictures(*item)
            queue.drawn += 1
        except Exception:  # the page that asks for it shows the error; this thread goes on
            log.exception("drawing ahead %s (%s) failed", item[0][0], item[1])


def enabled() -> bool:
    return os.environ.get("ATLAS_AHEAD", "1") != "0"


@st.cache_resource(show_spinner=False)
def start() -> Queue | None:
    """The process's queue and its thread (started once; ``None`` when ``ATLAS_AHEAD=0``)."""
    if not enabled():
        return None
    queue = Queue()
    threading.Thread(target=serve, args=(queue,), name="atlas-ahead", daemon=True).start()
    return queue


def ahead(d: Demo, values: dict[str, Any], device: str, lang: str) -> None:
    """Queue the figures one slider step away from ``values`` (nothing when turned off)."""
    queue = start()
    if queue is not None:
        queue.put(((d.name, frozen(v), device), lang) for v in neighbours(d, values))
