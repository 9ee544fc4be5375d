"""Shared by the figure tests: each demo is run once per test session (some load trained toys)."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from engine.registry import run_demo
from engine.result import Result


@functools.cache
def _run(name: str, params: tuple[tuple[str, Any], ...]) -> Result:
    return run_demo(name, dict(params))


@pytest.fixture(scope="session")
def demo_result():
    """``demo_result(name, **params)``: the demo's result, computed once per session."""

    def get(name: str, **params: Any) -> Result:
        return _run(name, tuple(sorted(params.items())))

    return get
