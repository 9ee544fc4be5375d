"""``atlas bench demos``: every demo at its defaults and over a sweep of its parameters, timed
as the Study page pays for it.

Per demo: its first call in a fresh process, its warm compute time (median of repeats), and the
two pictures a slider change costs the server —

- **live**: compute + the Vega-Lite spec of the hover chart (:func:`visuals.hover.hover_spec`),
  the picture that follows the slider; the learner's browser draws it from the numbers. A
  demo whose matrix is too large to send as data (:func:`visuals.hover.fits`) has no live
  chart: its PNG is its picture, and its live columns are empty.
- **figure**: compute + every panel drawn by matplotlib and encoded as the page's PNG
  (:func:`visuals.render_png`), shown below the live chart.

Each is reported as the median at the defaults and the p95 over the sweep (:func:`sweep_values`:
5 values of every number, every choice, both booleans; text stays at its default).

Each demo runs in its own Python process, so the first call pays for everything a learner's
first visit pays for (reading shipped toy weights, building tables) except importing the
packages, which is measured apart as ``import_s``. Nothing may train on a first call: the toy
models are loaded from ``engine/toys/weights/``.
After the first call and the first picture the process freezes its heap, as the server does
once its warm-up is done (:func:`views.warm.freeze_heap`), so the garbage collector's full
collections, which would otherwise walk every object PyTorch and matplotlib loaded, weigh on
the timings as they do on the server's.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from engine.registry import Demo, ParamSpec

# Runs in the child process: argv = demo name, device, repeats, sweep (0/1); prints one JSON object.
CHILD = """
import json, sys, time
start = time.perf_counter()
from engine.devices import median_ms, resolve_device, timed
from engine.registry import get_demo, run_demo
from benchmarks.demos import figure_ms, live_ms, p95, sweep_points
spec = get_demo(sys.argv[1])
imported = time.perf_counter()
name, device, repeats, sweep = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
dev = resolve_device(device)
result, first_ms = timed(lambda: run_demo(name, device=device), dev)
warm = median_ms(lambda: run_demo(name, device=device), dev, repeats, warmup=False)
row = {"demo": name, "import_s": round(imported - start, 3), "first_call_s": round(first_ms / 1000, 3),
       "warm_ms": round(warm, 2)}
med = lambda xs: sorted(xs)[len(xs) // 2]
figure_ms(name, {}, device)  # the first figure loads fonts and builds colour maps: not a slider step
live_ms(name, {}, device)  # the first chart imports Altair and validates its skeleton
from views.warm import freeze_heap
freeze_heap()  # as the server does after its warm-up: collections walk only what is new
live = [live_ms(name, {}, device) for _ in range(repeats)]
row["live_ms"] = None if None in live else round(med(live), 1)
row["figure_ms"] = round(med([figure_ms(name, {}, device) for _ in range(repeats)]), 1)
if sweep:
    lives, figures, refused = [], [], 0
    for p in sweep_points(spec):
        try:
            lives.append(live_ms(name, p, device))
            figures.append(figure_ms(name, p, device))
        except ValueError:  # a combination the demo refuses (d_model not divisible by h, ...)
            refused += 1
    shown = [t for t in lives if t is not None]
    row["live_p95_ms"] = round(p95(shown), 1) if shown else None
    row["live_n"] = len(shown)
    row["figure_p95_ms"] = round(p95(figures), 1)
    row["sweep_n"], row["sweep_refused"] = len(figures), refused
print(json.dumps(row))
"""
SWEEP_VALUES = 5  # values per numeric parameter, its bounds included


def sweep_values(p: ParamSpec) -> list[Any]:
    """The values a parameter is swept over: 5 evenly spaced numbers (bounds included), every
    choice, both booleans; a text parameter stays at its default."""
    if p.kind in ("int", "float") and p.min is not None and p.max is not None:
        xs = [p.min + (p.max - p.min) * i / (SWEEP_VALUES - 1) for i in range(SWEEP_VALUES)]
        if p.kind == "int":  # on the widget's step grid, as a slider can set them
            step = p.slider_step()
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


def live_ms(name: str, params: dict[str, Any], device: str = "cpu") -> float | None:
    """Wall time (ms) of one ``run_demo`` + the hover chart's spec, as JSON text for the browser;
    ``None`` when the matrix is too large for a live chart (the PNG is then the picture)."""
    from engine.registry import run_demo
    from visuals.hover import fits, hover_spec

    start = time.perf_counter()
    result = run_demo(name, params, device)
    if not fits(result):
        return None
    json.dumps(hover_spec(result, "en"))  # what the server sends: the spec, serialised
    return (time.perf_counter() - start) * 1000


def figure_ms(name: str, params: dict[str, Any], device: str = "cpu") -> float:
    """Wall time (ms) of one ``run_demo`` + the full figure as the page's PNG bytes."""
    from engine.registry import run_demo
    from visuals import render_png

    start = time.perf_counter()
    render_png(run_demo(name, params, device), "en")
    return (time.perf_counter() - start) * 1000


def p95(xs: list[float]) -> float:
    """The 95th percentile (nearest rank) of ``xs``; 0 when empty."""
    if not xs:
        return 0.0
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def measure(name: str, device: str = "cpu", repeats: int = 5, sweep: bool = True) -> dict:
    """One demo in a fresh interpreter: first call, warm compute, the live chart's and the full
    figure's medians at the defaults and (``sweep``) their p95 over the sweep."""
    from benchmarks.serve import ChildFailed, child_json

    try:
        return child_json(CHILD, name, device, str(repeats), "1" if sweep else "0")
    except ChildFailed as e:
        return {"demo": name, "error": e.tail}


def run(device: str = "cpu", quick: bool = False, names: list[str] | None = None) -> list[dict]:
    """A row per demo (all registered demos unless ``names``); ``quick``: 2 repeats, no sweep."""
    from engine.registry import all_demos

    return [measure(n, device, 2 if quick else 5, not quick) for n in names or list(all_demos())]


def _ms(v: float | None, width: int) -> str:
    return f"{v:>{width}.1f}" if isinstance(v, (int, float)) else f"{'—':>{width}}"


def table(rows: list[dict]) -> str:
    """The rows as a fixed-width text table, slowest full figure first, then a summary line."""
    head = (
        f"{'demo':<30} {'first call s':>12} {'warm ms':>9} {'live p50':>9} {'live p95':>9}"
        f" {'figure p50':>10} {'figure p95':>10} {'points':>6}"
    )
    lines = [head, "-" * len(head)]
    for r in sorted(rows, key=lambda r: -r.get("figure_ms", float("inf"))):
        if "error" in r:
            lines.append(f"{r['demo']:<30} error: {r['error']}")
            continue
        lines.append(
            f"{r['demo']:<30} {r['first_call_s']:>12.3f} {r['warm_ms']:>9.2f} "
            f"{_ms(r.get('live_ms'), 9)} {_ms(r.get('live_p95_ms'), 9)} "
            f"{_ms(r.get('figure_ms'), 10)} {_ms(r.get('figure_p95_ms'), 10)} {r.get('sweep_n', 0):>6}"
        )
    lines.append(summary(rows))
    return "\n".join(lines)


def summary(rows: list[dict]) -> str:
    """Medians across demos and how many meet 100 ms (defaults) and 250 ms (sweep p95)."""
    ok = [r for r in rows if "error" not in r]
    parts = []
    for col, limit in (("live_ms", 100), ("live_p95_ms", 250), ("figure_ms", 100),
                       ("figure_p95_ms", 250), ("first_call_s", 1)):  # fmt: skip
        xs = sorted(r[col] for r in ok if isinstance(r.get(col), (int, float)))
        if xs:
            meet = sum(x <= limit for x in xs)
            parts.append(f"{col}: median {xs[len(xs) // 2]:g}, {meet}/{len(xs)} ≤ {limit}")
    return "summary — " + "; ".join(parts)


if __name__ == "__main__":
    print(table(run(quick=True)))
