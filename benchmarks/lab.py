"""``atlas bench lab``: what a new text costs in the model lab, from the text to the picture.

Every timed call gets a text the process has not seen, so nothing is served from a cache: the
server runs the model (every layer, every head), scores every head's pattern and type, and then
makes the page's two pictures of the chosen head —

- **live**: the result + the hover chart's Vega-Lite spec (:func:`visuals.hover.hover_spec`),
  the picture the page shows first; the learner's browser draws it from the numbers;
- **figure**: the result + the single-head figure drawn by matplotlib and encoded as PNG, shown
  below it and offered for download.

``forward`` is the model alone (:func:`engine.bert.run_text`). The texts are real sentences of
12 to 40 tokens; medians and the p95 over them are reported in milliseconds.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

import torch

from benchmarks.demos import p95
from engine.bert import load_bert, run_text
from engine.devices import resolve_device, serve_threads, timed
from engine.lab import GAME_SENTENCES, lab_result
from visuals import to_png
from visuals.hover import hover_spec
from visuals.model import head_view

TARGET_MS = 150  # a new text → the picture, median
LAYER, HEAD = 1, 3  # the page's default head


def texts(n: int) -> list[str]:
    """``n`` different texts: the game's sentences, each joined with another, numbered."""
    base = list(GAME_SENTENCES)
    return [
        f"{base[i % len(base)]} {base[(i * 7 + 3) % len(base)]} ({i})"
        if i % 2
        else f"{base[i % len(base)]} ({i})"
        for i in range(n)
    ]


def run(device: str = "cpu", n: int = 24) -> dict[str, Any]:
    """:func:`measure` at the thread count a server runs with, restored afterwards."""
    before = torch.get_num_threads()
    serve_threads()  # sets it
    try:
        return measure(device, n)
    finally:
        torch.set_num_threads(before)


def measure(device: str, n: int) -> dict[str, Any]:
    """Medians and p95 (ms) of forward, live and figure over ``n`` new texts, and the target."""
    dev = resolve_device(device)
    bert = load_bert(device=dev)
    warm = lab_result(bert, "A first text warms the kernels and the fonts.", LAYER, HEAD)
    to_png(head_view(warm, "en"))
    json.dumps(hover_spec(warm, "en"))
    rows: dict[str, list[float]] = {"forward": [], "live": [], "figure": []}
    tokens = []
    for i, text in enumerate(texts(3 * n)):
        kind = ("forward", "live", "figure")[i % 3]  # each text is new to every measurement
        if kind == "forward":
            rows[kind].append(timed(lambda t=text: run_text(bert, t), dev)[1])
            continue

        def picture(t: str = text, kind: str = kind) -> None:
            result = lab_result(bert, t, LAYER, HEAD)
            tokens.append(result.facts["L"])
            if kind == "live":
                json.dumps(hover_spec(result, "en"))
            else:
                to_png(head_view(result, "en"))

        rows[kind].append(timed(picture, dev)[1])
    out: dict[str, Any] = {"device": str(dev), "texts": n, "tokens": [min(tokens), max(tokens)]}
    for kind, xs in rows.items():
        out[f"{kind}_ms"] = round(statistics.median(xs), 1)
        out[f"{kind}_p95_ms"] = round(p95(xs), 1)
    out["target_live_ms"] = TARGET_MS
    out["live_meets_target"] = out["live_ms"] <= TARGET_MS
    return out


def table(out: dict[str, Any]) -> str:
    lines = [
        f"model lab, {out['texts']} new texts of {out['tokens'][0]}–{out['tokens'][1]} tokens "
        f"on {out['device']} (ms)",
        f"{'':10}{'median':>10}{'p95':>10}",
    ]
    for kind in ("forward", "live", "figure"):
        lines.append(f"{kind:10}{out[kind + '_ms']:>10}{out[kind + '_p95_ms']:>10}")
    verdict = "meets" if out["live_meets_target"] else "misses"
    lines.append(f"new text → live picture: median {out['live_ms']} ms, {verdict} ≤ {TARGET_MS}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))
