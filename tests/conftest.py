"""Shared test setup: a headless matplotlib, the repo root, and a per-test data directory."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
# No background warm-up of every question's pictures (views.warm), nor drawing of the next slider
# step's (views.ahead), in test processes and the servers they start: they would compete with the
# tests for the CPU. tests/app/test_warm.py and tests/app/test_ahead.py run them.
os.environ.setdefault("ATLAS_WARM", "0")
os.environ.setdefault("ATLAS_AHEAD", "0")
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test writes learner data to its own temporary directory, never to ./data."""
    if "ATLAS_DATA_DIR" not in os.environ or os.environ["ATLAS_DATA_DIR"].startswith(str(ROOT)):
        monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("DATABASE_URL", raising=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``make test`` runs two workers), every browser test goes to one
    worker, so that no two Streamlit servers and Chromiums compete for a small machine's cores."""
    group = pytest.mark.xdist_group("browser")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(group)
