"""How long one answer takes to record: grade, FSRS review and the committed write, end to end.

Runs against a fresh SQLite store in a temporary directory (WAL, ``synchronous = FULL``, so each
answer reaches the disk before the call returns), or the database ``url`` names.
"""

from __future__ import annotations

import statistics
import tempfile
from datetime import timedelta
from pathlib import Path

import torch

from engine.devices import timed
from quiz.items import compute
from quiz.scheduler import now_utc
from quiz.session import answer, new_session_id
from quiz.store import Store

CPU = torch.device("cpu")


def run(n: int = 1000, url: str | None = None) -> dict:
    """Median, p95 and max milliseconds to record one answer, over ``n`` answers by one learner."""
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
        store = Store(url or f"sqlite:///{Path(tmp) / 'atlas.db'}")
        learner = store.create_guest()
        sid, start = new_session_id(), now_utc()
        items = [
            compute(seed) for seed in range(16)
        ]  # a handful of cards, reviewed again and again
        times = []
        for i in range(n):
            item = items[i % len(items)]
            response = f"{item.answer:.4f}" if i % 3 else "0"
            when = start + timedelta(minutes=i)
            run = lambda: answer(store, learner, sid, item, response, 5.0, when)  # noqa: B023, E731
            times.append(timed(run, CPU)[1])
        rows = store.count_answers(learner.id)
        backend = store.engine.dialect.name
        store.close()
    times.sort()
    return {
        "answers": n,
        "rows": rows,
        "backend": backend,
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(0.95 * (n - 1))], 3),
        "max_ms": round(times[-1], 3),
    }


if __name__ == "__main__":
    print(run())
