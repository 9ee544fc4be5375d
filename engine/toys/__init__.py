"""Small trained models that demos share, trained once and shipped as safetensors.

Each toy is a module here with a frozen config dataclass, a ``train(cfg)`` that goes through
:func:`fit` (seeded, single-threaded, on the CPU), and a ``load(device)`` that reads the
shipped weights through :func:`load_state`. The files live in ``engine/toys/weights/``:
``<name>.safetensors`` beside ``<name>.json``, a manifest with the file's sha256, the config,
seed, training metrics and the torch version that trained it. ``atlas toys train [NAME]``
rebuilds them; ``atlas toys check`` verifies every file against its manifest.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from engine.devices import one_cpu_thread, seeded

WEIGHTS = Path(__file__).resolve().parent / "weights"


class ToyWeightsError(RuntimeError):
    """A toy's shipped weights are missing, altered or do not fit its model; says which file."""


@dataclass(frozen=True)
class Manifest:
    """What trained a toy's weights and how well they did (read from ``<name>.json``)."""

    name: str
    sha256: str
    config: dict[str, Any]
    seed: int
    metrics: dict[str, float]
    torch_version: str


def fit(
    build: Callable[[], nn.Module],
    step: Callable[[nn.Module, torch.Generator], torch.Tensor],
    steps: int,
    seed: int,
    lr: float = 1e-2,
) -> nn.Module:
    """The one training loop: build under ``seed``, ``steps`` Adam steps on ``step``'s loss.

    ``step(model, g)`` draws its own batch from the seeded generator ``g`` and returns the
    loss. One CPU thread, so the same seed gives the same weights run after run.
    """
    g = torch.Generator().manual_seed(seed)
    with seeded(seed), one_cpu_thread():
        model = build()  # nn's initialisers draw from the (seeded) global generator
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        for _ in range(steps):
            loss = step(model, g)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval().requires_grad_(False)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_state(
    name: str, model: nn.Module, config: Any, seed: int, metrics: dict[str, float]
) -> Manifest:
    """Write ``<name>.safetensors`` and its manifest ``<name>.json``; returns the manifest."""
    WEIGHTS.mkdir(parents=True, exist_ok=True)
    path = WEIGHTS / f"{name}.safetensors"
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(path))
    cfg = dataclasses.asdict(config) if dataclasses.is_dataclass(config) else dict(config)
    manifest = Manifest(
        name,
        _sha256(path),
        cfg,
        seed,
        {k: float(v) for k, v in metrics.items()},
        torch.__version__,
    )
    text = json.dumps(dataclasses.asdict(manifest), indent=2, sort_keys=True) + "\n"
    (WEIGHTS / f"{name}.json").write_text(text, encoding="utf-8")
    return manifest


def manifest(name: str) -> Manifest:
    """The manifest of toy ``name``; ``ToyWeightsError`` naming the file if absent or unreadable."""
    path = WEIGHTS / f"{name}.json"
    try:
        return Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as e:
        raise ToyWeightsError(f"{path.name}: cannot read the manifest of toy {name!r}: {e}") from e


def check(name: str) -> Manifest:
    """Verify ``<name>.safetensors`` against its manifest's sha256; ``ToyWeightsError`` if not."""
    m = manifest(name)
    path = WEIGHTS / f"{name}.safetensors"
    if not path.is_file():
        raise ToyWeightsError(f"{path.name}: the weights of toy {name!r} are missing")
    if _sha256(path) != m.sha256:
        raise ToyWeightsError(
            f"{path.name}: sha256 does not match {name}.json; the file was altered — "
            f"rebuild it with `atlas toys train {name}`"
        )
    return m


@functools.cache
def _state(name: str) -> dict[str, torch.Tensor]:
    check(name)
    return load_file(str(WEIGHTS / f"{name}.safetensors"))


def load_state(name: str, model: nn.Module, device: torch.device | str = "cpu") -> nn.Module:
    """``model`` with toy ``name``'s checked, shipped weights, in eval mode on ``device``.

    The file is read and verified once per process; each call gets its own model.
    """
    try:
        model.load_state_dict(_state(name))
    except RuntimeError as e:  # shapes or names that do not fit the model
        raise ToyWeightsError(f"{name}.safetensors does not fit its model: {e}") from e
    return model.eval().requires_grad_(False).to(device)


def names() -> Iterator[str]:
    """Names of the toys that ship weights (one manifest each)."""
    return (p.stem for p in sorted(WEIGHTS.glob("*.json")))
