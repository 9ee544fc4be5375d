"""``atlas bench demos``: every demo at its defaults — its first call in a fresh process, its warm
compute time (median of repeats) and the time its figure takes to draw (``visuals.render``).

Each demo runs in its own Python process, so the first call pays for everything a learner's
first visit pays for (reading shipped toy weights, building tables) except importing the
packages, which is measured apart as ``import_s``. Nothing may train on a first call: the toy
models are loaded from ``engine/toys/weights/``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs in the child process: argv = demo name, device, repeats; prints one JSON object.
CHILD = """
import json, sys, time
start = time.perf_counter()
from engine.devices import median_ms, resolve_device, timed
from engine.registry import get_demo, run_demo
import visuals
get_demo(sys.argv[1])
imported = time.perf_counter()
name, device, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
dev = resolve_device(device)
result, first_ms = timed(lambda: run_demo(name, device=device), dev)
first = first_ms / 1000
warm = median_ms(lambda: run_demo(name, device=device), dev, repeats, warmup=False)
render = median_ms(lambda: visuals.render(result, "en"), dev, repeats)
print(json.dumps({"demo": name, "import_s": round(imported - start, 3), "first_call_s": round(first, 3),
                  "warm_ms": round(warm, 2), "render_ms": round(render, 1)}))
"""


def measure(name: str, device: str = "cpu", repeats: int = 5) -> dict:
    """One demo in a fresh interpreter: ``{demo, import_s, first_call_s, warm_ms, render_ms}``."""
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, name, device, str(repeats)],
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
    """A row per demo (all registered demos unless ``names``); ``quick`` uses 2 repeats, not 5."""
    from engine.registry import all_demos

    return [measure(n, device, 2 if quick else 5) for n in names or list(all_demos())]


def table(rows: list[dict]) -> str:
    """The rows as a fixed-width text table, slowest first call first."""
    head = f"{'demo':<30} {'first call s':>12} {'warm ms':>9} {'render ms':>10} {'import s':>9}"
    lines = [head, "-" * len(head)]
    for r in sorted(rows, key=lambda r: -r.get("first_call_s", float("inf"))):
        if "error" in r:
            lines.append(f"{r['demo']:<30} error: {r['error']}")
            continue
        lines.append(
            f"{r['demo']:<30} {r['first_call_s']:>12.3f} {r['warm_ms']:>9.2f} "
            f"{r['render_ms']:>10.1f} {r['import_s']:>9.2f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run(quick=True)))
