"""PyTorch's thread count on a server: set once from ATLAS_TORCH_THREADS, never raced per call."""

from __future__ import annotations

import threading

import pytest
import torch

from engine.devices import THREADS_ENV, one_cpu_thread, serve_threads


@pytest.fixture(autouse=True)
def _restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_a_server_runs_one_thread_per_call_by_default(monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert serve_threads() == 1 and torch.get_num_threads() == 1
    monkeypatch.setenv(THREADS_ENV, "2")
    assert serve_threads() == 2 and torch.get_num_threads() == 2


@pytest.mark.parametrize(
    ("raw", "message"),
    [("two", "give a whole number"), ("0", "choose between 1 and"), ("100000", "between 1")],
)
def test_an_absurd_thread_count_is_refused_by_name(monkeypatch, raw, message):
    monkeypatch.setenv(THREADS_ENV, raw)
    with pytest.raises(ValueError, match=message) as e:
        serve_threads()
    assert THREADS_ENV in str(e.value)


def test_one_cpu_thread_restores_the_count_and_leaves_one_alone():
    torch.set_num_threads(2)
    with one_cpu_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2
    torch.set_num_threads(1)

    def calls() -> None:
        for _ in range(200):
            with one_cpu_thread():
                assert torch.get_num_threads() == 1

    workers = [threading.Thread(target=calls) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert torch.get_num_threads() == 1  # concurrent calls at 1 thread: nothing set or restored
