"""Devices a demo may run on: ``cpu`` always, ``cuda:N`` and ``mps`` when present."""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import torch

T = TypeVar("T")


def available_devices() -> list[str]:
    """Names of the devices present on this machine, ``cpu`` first."""
    names = ["cpu"]
    if torch.cuda.is_available():
        names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        names.append("mps")
    return names


def resolve_device(name: str) -> torch.device:
    """``torch.device`` for ``name``; ``ValueError`` naming the devices present if absent."""
    present = available_devices()
    if name not in present:
        raise ValueError(
            f"device {name!r} is not available here; choose one of: {', '.join(present)}"
        )
    return torch.device(name)


def synchronize(device: torch.device) -> None:
    """Wait for queued kernels so that a timing covers the work, not just its launch."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def timed(fn: Callable[[], T], device: torch.device) -> tuple[T, float]:
    """Run ``fn`` once on ``device``; return its value and the wall time in milliseconds."""
    synchronize(device)
    start = time.perf_counter()
    value = fn()
    synchronize(device)
    return value, (time.perf_counter() - start) * 1000.0


def median_ms(
    fn: Callable[[], object], device: torch.device, repeats: int, warmup: bool = True
) -> float:
    """Median wall time of ``repeats`` runs of ``fn`` (after one warm-up run), in milliseconds."""
    if warmup:
        fn()
    return statistics.median(timed(fn, device)[1] for _ in range(repeats))


@contextlib.contextmanager
def one_cpu_thread() -> Iterator[None]:
    """Run CPU work on one thread, then restore the thread count (also usable as a decorator).

    Tiny matrices gain nothing from more threads, and on a busy shared CPU a parallel region
    waits for its slowest thread: one thread trains toy models faster and times more steadily.
    """
    before = torch.get_num_threads()
    if before == 1:  # already (a server sets it once: serve_threads), nothing to restore
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


THREADS_ENV = "ATLAS_TORCH_THREADS"


def serve_threads() -> int:
    """Set PyTorch's intra-op threads for a server, once: ``$ATLAS_TORCH_THREADS``, default 1.

    A server's concurrency comes from its learners — each session computes on its own thread —
    and its calls are small, so one intra-op thread per call keeps every core busy with useful
    work instead of threads waiting for each other; it also makes :func:`one_cpu_thread` a no-op,
    so concurrent calls never race to set and restore the process-wide thread count.
    """
    raw = os.environ.get(THREADS_ENV, "1")
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(f"{THREADS_ENV}={raw!r}: give a whole number of threads, e.g. 1") from None
    if not 1 <= n <= (os.cpu_count() or 1) * 4:
        raise ValueError(f"{THREADS_ENV}={n}: choose between 1 and {(os.cpu_count() or 1) * 4}")
    torch.set_num_threads(n)
    return n


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Seed the global generator (``nn.Module`` initialisation draws from it), restoring it after."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
