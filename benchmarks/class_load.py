"""A class on one server: N learners in Chromium tabs, each on its own question, moving a slider.

``atlas bench class --learners 10,30`` starts the app and the bare reference app
(:mod:`benchmarks.bare_app`) on loopback, and for each class size drives N tabs at once
(Playwright, Debian's Chromium): each opens a question, waits for its first picture, then
moves a slider K times, waiting each time for the picture to change. It reports first-picture
and slider-step p50/p95, timeouts, the server's memory, and the ratios to the bare app.

"The picture" is what changes first on the page: on the Study page the live hover chart (drawn
by the browser from the numbers), or the image where there is none; on the bare app its image.
The Study page's full figure (the matplotlib PNG below the chart) is timed too, as ``full``.
Before the class arrives each server has one visit and is left until its CPU is idle, so the
app's warm-up (:mod:`views.warm`) is done, as it is when a teacher opens the app before a lesson.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field

from benchmarks.serve import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    CpuMeter,
    cpu_seconds,
    rss_mb,
    start_app,
    stop,
    wait_idle,
)
from views import runlog

TIMEOUT_S = 180.0  # 30 tabs booting Streamlit's front end on 2 cores take over a minute
POLL_MS = 50  # how often a tab looks for the change (the same for both apps)
IMG = '[data-testid="stImage"] img'
CHART = '[data-testid="stVegaLiteChart"]'
# In every tab: snap() is (live picture, image) as strings that change when they are redrawn.
# The chart is SVG: its cells' accessible labels carry every weight shown.
SNAP_JS = f"""
window.__snap = () => {{
  const c = document.querySelector('{CHART}'), i = document.querySelector('{IMG}');
  const img = i && i.complete ? i.src : null;
  const cells = c ? [...c.querySelectorAll('path[role="graphics-symbol"]')] : [];
  const chart = cells.length ? cells.map(p => p.getAttribute('aria-label')).join('|') : null;
  return [chart ?? img, img];
}};
"""
SHOWN_JS = "() => window.__snap()[0] !== null"
FULL_SHOWN_JS = "() => window.__snap()[1] !== null"
IDLE_JS = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"  # run over
KEEP_JS = "() => { window.__old = window.__snap(); }"
CHANGED_JS = (
    "(k) => { const s = window.__snap(); return s[k] !== null && s[k] !== window.__old[k]; }"
)


@dataclass
class Run:
    """Timings of one class size against one app, in seconds; memory in MB."""

    first: list[float] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)
    full_first: list[float] = field(default_factory=list)
    full_steps: list[float] = field(default_factory=list)
    timeouts: int = 0
    errors: list[str] = field(default_factory=list)
    rss_before: float = 0.0
    rss_after: float = 0.0
    server_runs: list[float] = field(default_factory=list)  # ms per script run, server side
    server_cpu_s: float = 0.0  # CPU the server (with its drawing processes) used meanwhile
    browser_cpu_s: dict[str, float] = field(default_factory=dict)  # the tabs' Chromium, by kind


def pct(xs: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``xs``; 0 when empty."""
    if not xs:
        return 0.0
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


@dataclass(frozen=True)
class Move:
    """How a learner moves a slider on question ``number`` so that the picture answers: slider
    ``slider`` (its place among the first demo's sliders), found on the page by its English
    ``label`` as a person finds it, one step in ``direction`` (±1) and back, and which snapshot
    changes (0: the live chart, or the image where there is none; 1: the image).

    By label, not by place: a page's sliders are not all drawn at the same moment, and the n-th
    slider found while some are still missing is another one (a learner tab once moved Q5's seed
    instead of its layer, then pressed the layer slider's left key at its minimum and waited for
    a picture that could not change)."""

    number: int
    slider: int
    direction: int
    watch: int
    label: str = "Seed"  # the bare app's only slider


def slider_moves() -> tuple[list[Move], list[int]]:
    """A :class:`Move` for every question whose first demo has a slider whose one step changes
    the picture (the weights of the head the chart starts on, else any weights: the image), and
    the numbers of the questions left out because no one step of any slider changes a weight
    (Q12's "most steps" above the length of what it generates)."""
    import torch

    from engine.registry import get_demo, run_demo
    from quiz.bank import load_bank

    bank = load_bank(os.environ.get("ATLAS_QUESTIONS_DIR", "questions"))
    moves, left_out = [], []
    for q in bank.questions:
        link = q.demo[0]
        d = get_demo(link.name)
        start = d.check_params(link.params)
        sliders = [p for p in d.params if p.kind in ("int", "float")]
        if not sliders:
            continue
        base = run_demo(d.name, start)
        head = min(d.hover_head, base.n_heads - 1)
        found: list[Move] = []
        for i, p in enumerate(sliders):
            step = p.slider_step()
            for direction in (1, -1):
                value = start[p.name] + direction * step
                if not p.min <= value <= p.max:
                    continue
                value = int(value) if p.kind == "int" else round(value, 10)
                w = run_demo(d.name, {**start, p.name: value}).weights
                # the shown head's own matrix: another head count alone can leave it as it is
                # (Q33: ALiBi's first slope is 1/2 with 8 heads and with 9)
                label = p.label["en"]
                if head >= w.size(0) or not torch.equal(w[head], base.weights[head]):
                    found.append(Move(q.number, i, direction, 0, label))
                elif not torch.equal(w, base.weights):
                    found.append(Move(q.number, i, direction, 1, label))
            if found and found[0].watch == 0:
                break
        if found:
            moves.append(min(found, key=lambda m: m.watch))
        else:
            left_out.append(q.number)
    return moves, left_out


async def learner(
    browser,
    url: str,
    steps: int,
    run: Run,
    move: Move | None = None,
    think: float = 0.0,
    walk: bool = False,
) -> None:
    """One tab: open ``url``, time the first picture, then ``steps`` moves of a slider (``move``;
    the bare app's only slider, rightwards, when None), each after looking at the full figure
    for ``think`` seconds: one step and back, or (``walk``) on in the same direction, a new
    value at every step, turning back at the slider's end."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    await context.add_init_script(SNAP_JS)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_S * 1000)  # every wait, a slider's focus included
    wait = {"timeout": TIMEOUT_S * 1000, "polling": POLL_MS}
    stage = "opening the page"
    slider = None
    try:
        t = time.perf_counter()
        await page.goto(url, timeout=TIMEOUT_S * 1000)
        stage = "waiting for the first picture"
        await page.wait_for_function(SHOWN_JS, **wait)
        run.first.append(time.perf_counter() - t)
        stage = "waiting for the first full figure"
        await page.wait_for_function(FULL_SHOWN_JS, **wait)
        run.full_first.append(time.perf_counter() - t)
        move = move or Move(0, 0, 1, 0)
        labelled = page.get_by_test_id("stSlider").filter(
            has=page.get_by_text(move.label, exact=True)
        )
        slider = labelled.first.locator('input[type="range"]')
        keys = ("ArrowRight", "ArrowLeft") if move.direction > 0 else ("ArrowLeft", "ArrowRight")
        for i in range(steps):  # one step and back (or on), so every press changes the picture
            # a learner moves the slider once the page has settled: a key pressed while the
            # previous run's elements are still arriving can be reset by them
            await asyncio.sleep(think)  # a learner reading the figure before the next move
            stage = f"step {i + 1}: waiting for the page to settle"
            await page.wait_for_function(IDLE_JS, **wait)
            await page.evaluate(KEEP_JS)
            stage = f"step {i + 1}: focusing the slider {move.label!r}"
            await slider.focus()
            if walk and await slider.evaluate(AT_END_JS, keys[0]):
                keys = keys[::-1]  # at the slider's end: walk back
            t = time.perf_counter()
            await page.keyboard.press(keys[0] if walk else keys[i % 2])
            stage = f"step {i + 1}: waiting for the picture to change"
            await page.wait_for_function(CHANGED_JS, arg=move.watch, **wait)
            run.steps.append(time.perf_counter() - t)
            stage = f"step {i + 1}: waiting for the full figure to change"
            await page.wait_for_function(CHANGED_JS, arg=1, **wait)
            run.full_steps.append(time.perf_counter() - t)
    except Exception as e:  # a timeout, or a page that never drew: counted, not fatal
        run.timeouts += 1
        first = str(e).splitlines()[0][:200] if str(e) else ""
        seen = await _page_state(page, slider)
        run.errors.append(f"{url}, {stage}: {type(e).__name__}: {first} [{seen}]")
    finally:
        await context.close()


AT_END_JS = """(s, key) => key === 'ArrowRight'
  ? Number(s.value) + Number(s.step || 1) > Number(s.max)
  : Number(s.value) - Number(s.step || 1) < Number(s.min)"""
STATE_JS = """(s) => {
  const snap = window.__snap ? window.__snap() : [null, null];
  return {slider: s ? s.value : null, focused: document.activeElement === s,
          running: !!document.querySelector('[data-testid="stStatusWidget"]'),
          changed: window.__old ? snap[0] !== window.__old[0] : null,
          charts: document.querySelectorAll('[data-testid="stVegaLiteChart"]').length};
}"""


async def _page_state(page, slider) -> str:
    """What the page shows when a wait gave up: the slider's value, whether it has the focus,
    whether a run is going on and whether the picture differs from before the key press; so a
    key press the slider never took can be told from a run that never came."""
    if slider is None:
        return "no slider looked for yet"
    try:
        handle = await slider.element_handle(timeout=1000)
        return json.dumps(await page.evaluate(STATE_JS, handle))
    except Exception as e:  # the page itself is gone
        return f"page state unreadable: {type(e).__name__}"


async def drive(
    base: str,
    pid: int,
    urls: list[str],
    steps: int,
    moves: list[Move | None] | None = None,
    think: float = 0.0,
    walk: bool = False,
) -> Run:
    """All learners at once against the server at ``base``; learner i moves as ``moves[i]``."""
    from playwright.async_api import async_playwright

    run = Run(rss_before=rss_mb(pid))
    server_before = cpu_seconds(pid)
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        moves = moves or [None] * len(urls)
        with CpuMeter(os.getpid()) as browsers:  # the tabs' browser, below our Playwright driver
            await asyncio.gather(
                *(
                    learner(browser, base + u, steps, run, m, think, walk)
                    for u, m in zip(urls, moves, strict=True)
                )
            )
        await browser.close()
    run.rss_after = rss_mb(pid)
    run.server_cpu_s = round(cpu_seconds(pid) - server_before, 2)
    run.browser_cpu_s = browsers.seconds()
    return run


def summary(run: Run) -> dict:
    """Percentiles (ms), timeouts and memory of one run."""
    return {
        "first_p50_ms": round(1000 * pct(run.first, 50)),
        "step_p50_ms": round(1000 * pct(run.steps, 50)),
        "step_p95_ms": round(1000 * pct(run.steps, 95)),
        "server_run_p50_ms": round(pct(run.server_runs, 50)),
        "server_run_p95_ms": round(pct(run.server_runs, 95)),
        "server_runs": len(run.server_runs),
        "full_first_p50_ms": round(1000 * pct(run.full_first, 50)),
        "full_step_p50_ms": round(1000 * pct(run.full_steps, 50)),
        "full_step_p95_ms": round(1000 * pct(run.full_steps, 95)),
        "steps": len(run.steps),
        "timeouts": run.timeouts,
        "rss_before_mb": round(run.rss_before),
        "rss_after_mb": round(run.rss_after),
        "server_cpu_s": run.server_cpu_s,
        "browser_cpu_s": run.browser_cpu_s,
        "errors": run.errors[:5],
    }


def run(learners: str = "10,30", steps: int = 5, think: float = 0.0, walk: bool = False) -> dict:
    """For each class size: the app's and the bare app's figures and their ratios; each learner
    looks at the full figure for ``think`` seconds before each slider step, and (``walk``) moves
    on to a new value at every step instead of one step and back."""
    data = os.environ.get("ATLAS_DATA_DIR", "artifacts/bench-data")
    env = {**os.environ, "ATLAS_DATA_DIR": data, "ATLAS_RUN_LOG": "1"}
    moves, left_out = slider_moves()
    out: dict = {}
    for n in [int(x) for x in learners.split(",")]:
        row = {}
        for name, script in (("bare", "benchmarks/bare_app.py"), ("atlas", "app.py")):
            proc, base = start_app(env, script=script)
            try:
                mine = [moves[i % len(moves)] if name == "atlas" else None for i in range(n)]
                urls = [f"/?q={m.number}" if m else "/" for m in mine]
                asyncio.run(drive(base, proc.pid, urls[:1], 0))  # the teacher's visit
                wait_idle(proc.pid)  # the app's warm-up done
                log = ARTIFACTS / f"server-{base.rsplit(':', 1)[1]}.log"
                before = len(runlog.read(log.read_text(errors="replace")))
                r = asyncio.run(drive(base, proc.pid, urls, steps, mine, think, walk))
                r.server_runs = runlog.read(log.read_text(errors="replace"))[before:]
            finally:
                stop(proc)
            row[name] = summary(r)
            row[name]["mb_per_learner"] = round((r.rss_after - r.rss_before) / max(1, n - 1), 1)
            # where the machine's time went: the server's and the browsers' CPU per learner
            row[name]["server_cpu_per_learner_s"] = round(r.server_cpu_s / n, 2)
            row[name]["browser_cpu_per_learner_s"] = round(r.browser_cpu_s.get("total", 0) / n, 2)
        a, b = row["atlas"], row["bare"]
        pairs = {k: k for k in ("first_p50_ms", "step_p50_ms", "step_p95_ms")}
        pairs |= {"full_first_p50_ms": "first_p50_ms", "full_step_p95_ms": "step_p95_ms"}
        pairs |= {"full_step_p50_ms": "step_p50_ms"}
        pairs |= {
            "server_run_p50_ms": "server_run_p50_ms",
            "server_run_p95_ms": "server_run_p95_ms",
            "server_cpu_per_learner_s": "server_cpu_per_learner_s",
            "browser_cpu_per_learner_s": "browser_cpu_per_learner_s",
        }
        row["ratio"] = {k: round(a[k] / b[v], 2) if b[v] else None for k, v in pairs.items()}
        out[f"{n}_learners"] = row
    out["left_out"] = left_out  # questions no one slider step changes: not in the class
    return out


async def _soak(base: str, pid: int, moves: list[Move], n: int, steps: int, seconds: float):
    """``n`` learners, each going through the questions (from its own place in ``moves``) until
    ``seconds`` have passed; the server's memory sampled every ``SAMPLE_S`` seconds."""
    from playwright.async_api import async_playwright

    run, samples, start = Run(rss_before=rss_mb(pid)), [], time.monotonic()
    deadline = start + seconds

    async def sample() -> None:
        while time.monotonic() < deadline:
            samples.append((round(time.monotonic() - start), round(rss_mb(pid), 1)))
            await asyncio.sleep(SAMPLE_S)

    async def one(i: int, browser) -> None:
        visit = i
        while time.monotonic() < deadline:
            m = moves[visit % len(moves)]
            await learner(browser, f"{base}/?q={m.number}", steps, run, m)
            visit += n  # the next question no other learner is on

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        await asyncio.gather(sample(), *(one(i, browser) for i in range(n)))
        await browser.close()
    samples.append((round(time.monotonic() - start), round(rss_mb(pid), 1)))
    run.rss_after = rss_mb(pid)
    return run, samples


SAMPLE_S = 20.0
FLAT = 0.10  # memory "flat": every sample after the first minute within ±10 % of that minute's


def soak(learners: int = 10, minutes: float = 10.0, steps: int = 5) -> dict:
    """A class of ``learners`` for ``minutes``: the server's memory over time, and whether it
    stays flat once every learner has had a first visit (after the first minute)."""
    data = os.environ.get("ATLAS_DATA_DIR", "artifacts/bench-data")
    env = {**os.environ, "ATLAS_DATA_DIR": data, "ATLAS_RUN_LOG": "1"}
    moves, _ = slider_moves()
    proc, base = start_app(env)
    try:
        asyncio.run(drive(base, proc.pid, [f"/?q={moves[0].number}"], 0))  # the teacher's visit
        wait_idle(proc.pid)
        run, samples = asyncio.run(_soak(base, proc.pid, moves, learners, steps, minutes * 60))
    finally:
        stop(proc)
    settled = [mb for t, mb in samples if t >= 60] or [samples[-1][1]]
    ref = settled[0]
    return {
        "learners": learners,
        "minutes": minutes,
        "visits": len(run.first) + run.timeouts,
        "steps": len(run.steps),
        "step_p50_ms": round(1000 * pct(run.steps, 50)),
        "step_p95_ms": round(1000 * pct(run.steps, 95)),
        "timeouts": run.timeouts,
        "errors": run.errors[:5],
        "rss_start_mb": round(run.rss_before),
        "rss_at_1_min_mb": round(ref),
        "rss_max_mb": round(max(settled)),
        "rss_end_mb": round(run.rss_after),
        "change_after_1_min_pct": round(100 * (max(settled) - ref) / ref, 1),
        "flat": all(abs(mb - ref) <= FLAT * ref for mb in settled),
        "samples": samples,
    }


def table(result: dict) -> str:
    """The result as a Markdown table ("full": the Study page's PNG figure below its live chart)."""
    lines = [
        "| learners | app | first p50 | step p50 | step p95 | full first p50 | full step p95 "
        "| server run p50 / p95 | CPU s per learner: server / browser | timeouts | RSS MB "
        "| MB/learner |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, row in result.items():
        if not key.endswith("_learners"):
            continue
        n = key.split("_")[0]
        for name in ("bare", "atlas"):
            r = row[name]
            lines.append(
                f"| {n} | {name} | {r['first_p50_ms']} ms | {r['step_p50_ms']} ms "
                f"| {r['step_p95_ms']} ms | {r['full_first_p50_ms']} ms | {r['full_step_p95_ms']} ms "
                f"| {r['server_run_p50_ms']} / {r['server_run_p95_ms']} ms ({r['server_runs']} runs) "
                f"| {r['server_cpu_per_learner_s']} / {r['browser_cpu_per_learner_s']} "
                f"| {r['timeouts']} | {r['rss_before_mb']} → {r['rss_after_mb']} "
                f"| {r['mb_per_learner']} |"
            )
        x = row["ratio"]
        lines.append(
            f"| {n} | ratio | {x['first_p50_ms']}× | {x['step_p50_ms']}× | {x['step_p95_ms']}× "
            f"| {x['full_first_p50_ms']}× | {x['full_step_p95_ms']}× "
            f"| {x['server_run_p50_ms']}× / {x['server_run_p95_ms']}× "
            f"| {x['server_cpu_per_learner_s']}× / {x['browser_cpu_per_learner_s']}× | | | |"
        )
    if result.get("left_out"):
        lines.append(
            "\nLeft out (no one step of any slider changes a weight): "
            + ", ".join(f"Q{n}" for n in result["left_out"])
        )
    return "\n".join(lines)


if __name__ == "__main__":
    res = run()
    print(table(res))
