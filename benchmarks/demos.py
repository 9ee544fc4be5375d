"""``atlas bench demos``: every demo at its defaults — its first call in a fresh process, its warm
compute time (median of repeats) and the time its figure takes to draw (``visuals.render``) —
and a sweep over each parameter's range (:func:`sweep_values`: 5 values of every number, every
choice, both booleans; text stays at its default): the p95 of warm compute + render over the
sweep, next to the defaults' median of compute + render.

Each demo runs in its own Python process, so the first call pays for everything a learner's
first visit pays for (reading shipped toy weights, building tables) except importing the
packages, which is measured apart as ``import_s``. Nothing may train on a first call: the toy
models are loaded from ``engine/toys/weights/``.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from engine.registry import Demo, ParamSpec

ROOT = Path(__file__).resolve().parent.parent

# Runs in the child process: argv = demo name, device, repeats, sweep (0/1); prints one JSON object.
CHILD = """
import json, sys, time
start = time.perf_counter()
from engine.devices import median_ms, resolve_device, timed
from engine.registry import get_demo, run_demo
import visuals
from benchmarks.demos import compute_and_render_ms, p95, sweep_points
spec = get_demo(sys.argv[1])
imported = time.perf_counter()
name, device, repeats, sweep = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
dev = resolve_device(device)
result, first_ms = timed(lambda: run_demo(name, device=device), dev)
first = first_ms / 1000
warm = median_ms(lambda: run_demo(name, device=device), dev, repeats, warmup=False)
render = median_ms(lambda: visuals.render(result, "en"), dev, repeats)
row = {"demo": name, "import_s": round(imported - start, 3), "first_call_s": round(first, 3),
       "warm_ms": round(warm, 2), "render_ms": round(render, 1)}
both = [compute_and_render_ms(name, {}, device) for _ in range(repeats)]
row["default_ms"] = round(sorted(both)[len(both) // 2], 1)
if sweep:
    times, refused = [], 0
    for p in sweep_points(spec):
        try:
            times.append(compute_and_render_ms(name, p, device))
        except ValueError:  # a combination the demo refuses (d_model not divisible by h, ...)
            refused += 1
    row["sweep_n"], row["sweep_p95_ms"], row["sweep_refused"] = len(times), round(p95(times), 1), refused
print(json.dumps(row))
"""
SWEEP_VALUES = 5  # values per numeric parameter, its bounds included


def sweep_values(p: ParamSpec) -> list[Any]:
    """The values a parameter is swept over: 5 evenly spaced numbers (bounds included), every
    choice, both booleans; a text parameter stays at its default."""
    if p.kind in ("int", "float") and p.min is not None and p.max is not None:
        xs = [p.min + (p.max - p.min) * i / (SWEEP_VALUES - 1) for i in range(SWEEP_VALUES)]
        if p.kind == "int":  # on the widget's step grid, as a slider can set them
            step = p.step or 1
            return sorted({int(p.min + round((x - p.min) / step) * step) for x in xs})
        return xs
    if p.kind == "choice":
        return list(p.choices)
    if p.kind == "bool":
        return [False, True]
    return [p.default]


def sweep_points(d: Demo) -> list[dict[str, Any]]:
    """One parameter changed at a time from the defaults: ``{name: value}`` per sweep point."""
    return [{p.name: v} for p in d.params for v in sweep_values(p) if v != p.default]


def compute_and_render_ms(name: str, params: dict[str, Any], device: str = "cpu") -> float:
    """Wall time of one ``run_demo`` + ``visuals.render`` (figure drawn to pixels), in ms."""
    import visuals
    from engine.registry import run_demo

    start = time.perf_counter()
    fig = visuals.render(run_demo(name, params, device), "en")
    fig.canvas.draw()  # matplotlib lays out and rasterises only when asked: ask, as the PNG does
    return (time.perf_counter() - start) * 1000


def p95(xs: list[float]) -> float:
    """The 95th percentile (nearest rank) of ``xs``; 0 when empty."""
    if not xs:
        return 0.0
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def measure(name: str, device: str = "cpu", repeats: int = 5, sweep: bool = True) -> dict:
    """One demo in a fresh interpreter: first call, warm compute and render ms, the defaults'
    compute + render median ``default_ms`` and (``sweep``) its p95 over the sweep."""
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, name, device, str(repeats), "1" if sweep else "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"demo": name, "error": tail[0]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(device: str = "cpu", quick: bool = False, names: list[str] | None = None) -> list[dict]:
    """A row per demo (all registered demos unless ``names``); ``quick``: 2 repeats, no sweep."""
    from engine.registry import all_demos

    return [measure(n, device, 2 if quick else 5, not quick) for n in names or list(all_demos())]


def table(rows: list[dict]) -> str:
    """The rows as a fixed-width text table, slowest first call first."""
    head = (
        f"{'demo':<30} {'first call s':>12} {'warm ms':>9} {'render ms':>10} {'import s':>9}"
        f" {'default p50 ms':>14} {'sweep p95 ms':>12} {'points':>6}"
    )
    lines = [head, "-" * len(head)]
    for r in sorted(rows, key=lambda r: -r.get("first_call_s", float("inf"))):
        if "error" in r:
            lines.append(f"{r['demo']:<30} error: {r['error']}")
            continue
        lines.append(
            f"{r['demo']:<30} {r['first_call_s']:>12.3f} {r['warm_ms']:>9.2f} "
            f"{r['render_ms']:>10.1f} {r['import_s']:>9.2f} {r.get('default_ms', 0):>14.1f}"
            f" {r.get('sweep_p95_ms', float('nan')):>12.1f} {r.get('sweep_n', 0):>6}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run(quick=True)))
