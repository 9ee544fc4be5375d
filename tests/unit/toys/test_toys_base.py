from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch
from torch import nn

import engine.toys as toys


@dataclass(frozen=True)
class LineConfig:
    d: int = 3
    steps: int = 60


def _train(cfg: LineConfig, seed: int) -> nn.Module:
    w_true = torch.tensor([1.0, -2.0, 0.5])

    def step(model: nn.Module, g: torch.Generator) -> torch.Tensor:
        x = torch.randn(16, cfg.d, generator=g)
        return ((model(x).squeeze(-1) - x @ w_true) ** 2).mean()

    return toys.fit(lambda: nn.Linear(cfg.d, 1), step, cfg.steps, seed, lr=0.1)


@pytest.fixture
def weights_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(toys, "WEIGHTS", tmp_path)
    toys._state.cache_clear()
    yield tmp_path
    toys._state.cache_clear()


def test_fit_is_reproducible_for_a_seed():
    a, b = _train(LineConfig(), 0), _train(LineConfig(), 0)
    assert torch.equal(a.weight, b.weight)
    assert not torch.equal(a.weight, _train(LineConfig(), 1).weight)


def test_saved_weights_load_back_and_match_the_manifest(weights_dir):
    model = _train(LineConfig(), 0)
    m = toys.save_state("line", model, LineConfig(), 0, {"loss": 0.01})
    assert m.config == {"d": 3, "steps": 60} and m.torch_version == torch.__version__
    loaded = toys.load_state("line", nn.Linear(3, 1))
    assert torch.equal(loaded.weight, model.weight)
    assert list(toys.names()) == ["line"]


def test_a_tampered_or_missing_file_is_named(weights_dir):
    toys.save_state("line", _train(LineConfig(), 0), LineConfig(), 0, {})
    path = weights_dir / "line.safetensors"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(toys.ToyWeightsError, match=r"line\.safetensors: sha256 does not match"):
        toys.check("line")
    path.unlink()
    with pytest.raises(toys.ToyWeightsError, match=r"line\.safetensors: the weights .* missing"):
        toys.check("line")
    with pytest.raises(toys.ToyWeightsError, match=r"nope\.json: cannot read"):
        toys.manifest("nope")


def test_weights_that_do_not_fit_the_model_are_refused(weights_dir):
    toys.save_state("line", _train(LineConfig(), 0), LineConfig(), 0, {})
    with pytest.raises(toys.ToyWeightsError, match="does not fit its model"):
        toys.load_state("line", nn.Linear(4, 1))
