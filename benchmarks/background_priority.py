"""``atlas bench priority``: what a background thread's niceness does to a page's run when the
machine's cores are busy.

The warm-up and drawing ahead run on background threads of the server's process, in Python,
holding the GIL as matplotlib does. A page's run needs the GIL too: every few milliseconds the
two hand it over. A thread at a low priority (nice 19) on cores that other processes keep busy
(the learners' browsers on a benchmark machine, another replica, another service) is rarely
scheduled, and while it holds the GIL no other thread of the process runs. Here, in a fresh
process: one "page" task of pure Python, timed ``REPEATS`` times, with a GIL-bound background
thread at each niceness (or none), while one busy process per core keeps the cores full.
"""

from __future__ import annotations

import statistics

from benchmarks.demos import p95
from benchmarks.serve import child_json

REPEATS = 20
SETTINGS = ("none", "0", "19")  # no background thread, or one at this niceness

CHILD = """
import json, os, subprocess, sys, threading, time
setting, repeats = sys.argv[1], int(sys.argv[2])
hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
stop = threading.Event()
def background():
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), int(setting))
    while not stop.is_set():
        sum(i * i for i in range(20000))  # pure Python: holds the GIL, as a figure being drawn does
try:
    if setting != "none":
        threading.Thread(target=background, daemon=True).start()
    time.sleep(0.5)
    ms = []
    for _ in range(repeats):
        t = time.perf_counter()
        sum(i * i for i in range(1_000_000))  # the page's run: about 70 ms alone on an idle core
        ms.append((time.perf_counter() - t) * 1000)
        time.sleep(0.02)
finally:
    stop.set()
    for h in hogs:
        h.kill()
print(json.dumps(ms))
"""


def measure(setting: str, repeats: int = REPEATS) -> dict:
    """The page task's p50 / p95 / max (ms) with the background thread ``setting``."""
    return stats(child_json(CHILD, setting, str(repeats), timeout=300))


def stats(ms: list[float]) -> dict:
    """p50, p95 (nearest rank) and max of ``ms``, rounded to 0.1 ms."""
    return {
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(p95(ms), 1),
        "max_ms": round(max(ms), 1),
    }


def run() -> dict:
    """Every setting, one after the other, and the ratio of each p50 to the one without."""
    out = {s: measure(s) for s in SETTINGS}
    alone = out["none"]["p50_ms"] or 1.0
    for s in SETTINGS:
        out[s]["p50_vs_none"] = round(out[s]["p50_ms"] / alone, 2)
    return out


def table(result: dict) -> str:
    """A row per setting."""
    lines = [
        "| background thread | page p50 | p95 | max | p50 / without |",
        "|---|---|---|---|---|",
    ]
    for s, r in result.items():
        name = "none" if s == "none" else f"nice {s}"
        lines.append(
            f"| {name} | {r['p50_ms']} ms | {r['p95_ms']} ms | {r['max_ms']} ms | {r['p50_vs_none']}× |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))
