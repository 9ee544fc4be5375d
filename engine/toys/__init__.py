"""Small trained models that demos share, trained once and shipped as safetensors.

Each toy is a module here (listed in :data:`MODULES`) with a frozen config dataclass, a
``VARIANTS`` table (weight-file name → config), a ``train(cfg) -> (model, metrics)`` that goes
through :func:`fit` (seeded, single-threaded, on the CPU; its loop is :func:`descend`), and a
``load(...)`` that reads the shipped weights through :func:`load_state`. The files live in
``engine/toys/weights/``: ``<name>.safetensors`` beside ``<name>.json``, a manifest with the
file's sha256, the config, seed, training metrics and the torch version that trained it.
``atlas toys train [NAME]`` rebuilds them; ``atlas toys check`` verifies every file against its
manifest.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from engine.devices import one_cpu_thread, seeded

WEIGHTS = Path(__file__).resolve().parent / "weights"


class ToyWeightsError(ValueError):
    """A toy's shipped weights are missing, altered or do not fit its model; says which file.

    A ``ValueError``, so a page that shows a demo's refusals shows this message too instead
    of failing.
    """


@dataclass(frozen=True)
class Manifest:
    """What trained a toy's weights and how well they did (read from ``<name>.json``)."""

    name: str
    sha256: str
    config: dict[str, Any]
    seed: int
    metrics: dict[str, float]
    torch_version: str


def descend(
    params: Iterable[torch.Tensor],
    loss_fn: Callable[[], torch.Tensor],
    steps: int,
    lr: float = 1e-2,
    *,
    weight_decay: float = 0.0,
    decoupled: bool = False,
    one_cycle: bool = False,
    clip: float | None = None,
) -> None:
    """The one optimisation loop: ``steps`` Adam steps θ ← θ − lr · Adam(∇ loss_fn()).

    Options: L2 ``weight_decay`` (AdamW's decoupled form if ``decoupled``), a one-cycle
    learning-rate schedule peaking at ``lr``, and gradient-norm clipping at ``clip``.
    Parameters that get no gradient from the loss are left as they are.
    """
    params = list(params)
    make = torch.optim.AdamW if decoupled else torch.optim.Adam
    opt = make(params, lr=lr, weight_decay=weight_decay)
    sched = (
        torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
        if one_cycle
        else None
    )
    for _ in range(steps):
        loss = loss_fn()
        opt.zero_grad()
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        if sched is not None:
            sched.step()


def fit(
    build: Callable[[], nn.Module],
    step: Callable[[nn.Module, torch.Generator], torch.Tensor],
    steps: int,
    seed: int,
    lr: float = 1e-2,
    **options: Any,
) -> nn.Module:
    """Train a toy: build under ``seed``, then :func:`descend` ``steps`` times on ``step``'s loss.

    ``step(model, g)`` draws its own batch from the seeded generator ``g`` and returns the
    loss; ``options`` go to :func:`descend` (weight decay, schedule, clipping). One CPU
    thread, so the same seed gives the same weights run after run.
    """
    g = torch.Generator().manual_seed(seed)
    with seeded(seed), one_cpu_thread():
        model = build()  # nn's initialisers draw from the (seeded) global generator
        descend(model.parameters(), lambda: step(model, g), steps, lr, **options)
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


MODULES = (
    "sentiment",
    "cls_encoder",
    "seq2seq",
    "gru_seq2seq",
    "tts",
    "tagger",
    "recommender",
    "dialogue",
    "han",
    "channel_spatial",
    "induction",
)  # the toy modules of this package; each lists its weight files in ``VARIANTS``


def variants() -> dict[str, tuple[Any, Any]]:
    """Every weight file a toy module defines: name → (module, config)."""
    import importlib

    out: dict[str, tuple[Any, Any]] = {}
    for mod_name in MODULES:
        module = importlib.import_module(f"{__name__}.{mod_name}")
        for name, cfg in module.VARIANTS.items():
            out[name] = (module, cfg)
    return out


def train_and_save(name: str) -> Manifest:
    """Retrain toy ``name`` from its config (seeded, reproducible) and write its weights and manifest."""
    known = variants()
    if name not in known:
        raise KeyError(f"unknown toy {name!r}; known toys: {', '.join(known)}")
    module, cfg = known[name]
    model, metrics = module.train(cfg)
    manifest = save_state(name, model, cfg, cfg.seed, metrics)
    _state.cache_clear()
    return manifest
