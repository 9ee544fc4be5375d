"""How long each page script run takes on the server, for ``atlas bench class``.

With ``ATLAS_RUN_LOG=1`` every run (a page, or a fragment's rerun) prints one line
``atlas-run <ms>`` to the server's standard error; the class benchmark reads them from the log.
The browsers of a benchmark's class share the server's CPU, so their pictures measure both;
these lines measure the server alone. Importing this module costs nothing (the bare reference
app uses it too).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
import time
from collections.abc import Iterator

PREFIX = "atlas-run"
_depth = threading.local()  # a page run holds its fragments' runs: only the outer one is printed


@contextlib.contextmanager
def timed_run() -> Iterator[None]:
    """Time the enclosed script run and, with ``ATLAS_RUN_LOG=1``, print it."""
    start = time.perf_counter()
    _depth.n = getattr(_depth, "n", 0) + 1
    try:
        yield
    finally:
        _depth.n -= 1
        if _depth.n == 0 and os.environ.get("ATLAS_RUN_LOG") == "1":
            ms = (time.perf_counter() - start) * 1000
            sys.stderr.write(f"{PREFIX} {ms:.1f}\n")  # one write: whole lines from many threads
            sys.stderr.flush()


def read(log_text: str) -> list[float]:
    """The run times (ms) printed in a server log (found anywhere, should other output
    share their line)."""
    return [float(ms) for ms in re.findall(rf"{PREFIX} (\d+(?:\.\d+)?)", log_text)]
