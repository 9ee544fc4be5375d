"""The benchmarks count a server's memory and CPU with its drawing processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from benchmarks.serve import _rss_one, cpu_seconds, rss_mb, tree


def test_a_server_is_measured_with_its_children():
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; x = b'\\x01' * (64 << 20); time.sleep(30)"]
    )
    try:
        for _ in range(100):  # until the child holds its 64 MB
            if _rss_one(child.pid) > 60:
                break
            subprocess.run([sys.executable, "-c", "import time; time.sleep(0.1)"], check=True)
        assert child.pid in tree(os.getpid())
        assert rss_mb(os.getpid()) >= _rss_one(os.getpid()) + 60
        assert cpu_seconds(os.getpid()) > 0
    finally:
        child.kill()
        child.wait()
    assert child.pid not in tree(os.getpid())


def test_a_process_that_is_gone_measures_nothing():
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(done.stdout)
    assert rss_mb(pid) == 0.0 and cpu_seconds(pid) == 0.0


BURN = """
import sys, time
while time.process_time() < float(sys.argv[1]):
    pass
print("burnt", flush=True)
time.sleep(30)
"""


def _burner(cpu_s: float) -> subprocess.Popen:
    """A child that uses ``cpu_s`` seconds of CPU, says so, then sleeps."""
    child = subprocess.Popen(
        [sys.executable, "-c", BURN, str(cpu_s)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "burnt"
    return child


def test_the_cpu_meter_counts_what_matching_children_use_while_it_runs():
    from benchmarks.serve import CpuMeter

    before = _burner(0.4)  # used its CPU before the meter started: not counted
    try:
        with CpuMeter(os.getpid(), match=b"python", every=0.05) as meter:
            during = _burner(0.4)
        during.kill()
        during.wait()
    finally:
        before.kill()
        before.wait()
    used = meter.seconds()
    assert set(used) == {"browser", "total"}  # no --type= on the command line
    # the second child's (/proc counts in 10-ms ticks), not the first's as well
    assert 0.4 - 0.05 <= used["total"] < 0.4 + 0.3
    with CpuMeter(os.getpid(), match=b"no-such-program") as none:
        _burner(0.05).kill()
    assert none.seconds() == {"total": 0.0}


def test_a_chromium_process_is_counted_under_its_kind():
    from benchmarks.serve import _kind

    assert _kind(b"/usr/lib/chromium/chromium\0--type=renderer\0--lang=en") == "renderer"
    assert _kind(b"/usr/lib/chromium/chromium --type=gpu-process --no-sandbox") == "gpu-process"
    assert _kind(b"/usr/lib/chromium/chromium\0--headless") == "browser"


def test_a_benchmarks_child_gives_its_last_json_line_or_its_error():
    from benchmarks.serve import ChildFailed, child_json

    code = "import json, sys; print('warming'); print(json.dumps(sys.argv[1:]))"
    assert child_json(code, "a", "b") == ["a", "b"]
    with pytest.raises(ChildFailed) as failed:
        child_json("import sys; print('half', file=sys.stderr); sys.exit('no toy weights')")
    assert failed.value.tail == "no toy weights"
