"""``atlas bench gc``: the garbage collector's pauses in a server process, with the heap frozen
after start (:func:`views.warm.freeze_heap`, what the app does) and without.

Each setting runs in a fresh child process, as a server does: it imports the app's modules,
draws every demo's default figure (the warm-up), freezes the heap or not, then draws the
figures of the first ``POINTS`` sweep points of every demo (:func:`benchmarks.demos.sweep_points`)
as learners moving sliders would, timing every collection through ``gc.callbacks``. A
collection holds the GIL, so its pause is a pause of every page the server is running.
"""

from __future__ import annotations

from benchmarks.demos import p95
from benchmarks.serve import child_json

POINTS = 3  # sweep points per demo: about 130 figures

CHILD = """
import gc, json, sys, time
import views.common  # noqa: F401 — the server's modules: Streamlit, Altair, PyTorch, matplotlib
from benchmarks.demos import sweep_points
from engine.registry import all_demos, run_demo
from views.warm import freeze_heap
from visuals import render_png
freeze, points = sys.argv[1] == "1", int(sys.argv[2])
demos = all_demos()
for name in demos:
    render_png(run_demo(name), "en")
frozen = freeze_heap() if freeze else 0
pauses, started = {0: [], 1: [], 2: []}, [0.0]
def timer(phase, info):
    if phase == "start":
        started[0] = time.perf_counter()
    else:
        pauses[info["generation"]].append((time.perf_counter() - started[0]) * 1000)
gc.callbacks.append(timer)
figures, t = 0, time.perf_counter()
for name, d in demos.items():
    for p in sweep_points(d)[:points]:
        try:
            render_png(run_demo(name, p), "en")
        except ValueError:  # a combination the demo refuses
            continue
        figures += 1
wall = time.perf_counter() - t
gc.callbacks.remove(timer)
print(json.dumps({"frozen": frozen, "tracked": len(gc.get_objects()), "figures": figures,
                  "wall_s": round(wall, 2), "pauses": pauses}))
"""


def measure(freeze: bool, points: int = POINTS) -> dict:
    """One server-like process: its collections' pauses while it draws the sweep's figures."""
    return summarise(child_json(CHILD, "1" if freeze else "0", str(points)))


def summarise(raw: dict) -> dict:
    """Per generation: how many collections, their total, p95 and longest pause (ms)."""
    out = {k: raw[k] for k in ("frozen", "tracked", "figures", "wall_s")}
    for gen, ms in raw["pauses"].items():
        out[f"gen{gen}"] = {
            "collections": len(ms),
            "total_ms": round(sum(ms), 1),
            "p95_ms": round(p95(ms), 1),
            "max_ms": round(max(ms, default=0.0), 1),
        }
    return out


def run(points: int = POINTS) -> dict:
    """The pauses without and with the frozen heap, measured one after the other."""
    return {"thawed": measure(False, points), "frozen": measure(True, points)}


def table(result: dict) -> str:
    """The two settings side by side, a row per generation."""
    head = "| heap | objects walked | figures | wall s | generation | collections | total ms | p95 ms | max ms |"
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for name, r in result.items():
        walked = r["tracked"]  # gc.get_objects() leaves the permanent generation out
        for gen in ("gen0", "gen1", "gen2"):
            g = r[gen]
            lines.append(
                f"| {name} | {walked} | {r['figures']} | {r['wall_s']} | {gen[-1]} "
                f"| {g['collections']} | {g['total_ms']} | {g['p95_ms']} | {g['max_ms']} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))
