"""The benchmarks count a server's memory and CPU with its drawing processes."""

from __future__ import annotations

import os
import subprocess
import sys

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
