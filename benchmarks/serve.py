"""Start a Streamlit script on a loopback port and wait until it answers ``/_stcore/health``.

Shared by the browser tests and the class benchmark. The server's output goes to a log file
(never to an undrained pipe, whose full buffer would block the server mid-run).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    """Poll ``/_stcore/health`` until the server answers ``ok``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{base} did not become healthy in {timeout:.0f} s")


def start_app(
    env: dict[str, str],
    cwd: Path = ROOT,
    script: str = "app.py",
    command: list[str] | None = None,
) -> tuple[subprocess.Popen, str]:
    """Serve ``script`` (or run ``command``) on a free loopback port; return process and base URL.

    Returns once ``/_stcore/health`` answers; the log's tail is shown if the server fails to start.
    """
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"server-{port}.log"
    cmd = command or [sys.executable, "-m", "streamlit", "run", script]
    cmd = [*cmd, "--server.port", str(port), "--server.address", "127.0.0.1"]
    cmd += ["--server.headless", "true"]
    cmd += ["--browser.gatherUsageStats", "false"]
    # served as the image and `make run` serve it: two malloc arenas (see the Dockerfile)
    env = {"MALLOC_ARENA_MAX": "2", **env}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
    except Exception as exc:
        proc.kill()
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the app did not start ({exc}); its log ends:\n{tail}") from exc
    return proc, base


def stop(proc: subprocess.Popen) -> None:
    """Terminate the server, killing it if it does not stop within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def tree(pid: int) -> list[int]:
    """``pid`` and every live process below it (the app's drawing processes), from /proc."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in task.read_text().split()]
    return found


def _rss_one(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rss_mb(pid: int) -> float:
    """Resident memory in MB of process ``pid`` and its children (from /proc), 0 if gone."""
    return sum(_rss_one(p) for p in tree(pid))


def _cpu_one(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used by process ``pid`` and its live children (Linux /proc)."""
    return sum(_cpu_one(p) for p in tree(pid))


def wait_idle(pid: int, below: float = 0.05, quiet_s: float = 2.0, timeout: float = 300.0) -> float:
    """Wait until the process uses under ``below`` of a core for ``quiet_s`` seconds (its
    warm-up done); returns the seconds waited."""
    start = last = time.monotonic()
    used = cpu_seconds(pid)
    while time.monotonic() - start < timeout:
        time.sleep(quiet_s)
        now, busy = time.monotonic(), cpu_seconds(pid)
        if (busy - used) / (now - last) < below:
            return now - start
        last, used = now, busy
    raise TimeoutError(f"process {pid} still busy after {timeout:.0f} s")


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _kind(command: bytes) -> str:
    """A Chromium process's ``--type`` (renderer, gpu-process, utility, …); ``browser`` if none."""
    m = re.search(rb"--type=([a-z-]+)", command)
    return m.group(1).decode() if m else "browser"


class CpuMeter:
    """CPU seconds used by the processes below ``root`` whose command line names ``match``
    (Chromium's: the learners' browsers), by process kind, while it runs.

    Sampled every ``every`` seconds from /proc: a tab's renderer exits when its tab closes and
    takes its counters with it, so each process is counted at the last sample that saw it (a
    process's last ``every`` seconds can be missed). Use as a context manager.
    """

    def __init__(self, root: int, match: bytes = b"chromium", every: float = 0.25) -> None:
        self.root, self.match, self.every = root, match, every
        self._seen: dict[int, tuple[str, float]] = {}
        self._base: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cpu-meter", daemon=True)

    def _sample(self, base: bool = False) -> None:
        for pid in tree(self.root)[1:]:
            command = _command(pid)
            if self.match not in command.split(b"\0")[0]:
                continue
            used = _cpu_one(pid)
            if base:
                self._base[pid] = used
            self._seen[pid] = (_kind(command), used - self._base.get(pid, 0.0))

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def __enter__(self) -> CpuMeter:
        self._sample(base=True)  # what the processes already running had used is not counted
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()

    def seconds(self) -> dict[str, float]:
        """CPU seconds per process kind, and ``total``."""
        out: dict[str, float] = {}
        for kind, used in self._seen.values():
            out[kind] = out.get(kind, 0.0) + used
        out["total"] = sum(out.values())
        return {k: round(v, 2) for k, v in out.items()}


class ChildFailed(RuntimeError):
    """A benchmark's child process exited with an error; ``tail`` is its stderr's last line."""

    def __init__(self, tail: str) -> None:
        super().__init__(tail)
        self.tail = tail


def child_json(code: str, *args: str, timeout: float | None = None) -> Any:
    """Run ``code`` in a fresh interpreter (``python -c code args…``, in the project's root) and
    return the JSON of the last line it prints; :class:`ChildFailed` if it fails."""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise ChildFailed((proc.stderr.strip().splitlines()[-1:] or ["no output"])[0])
    return json.loads(proc.stdout.strip().splitlines()[-1])
