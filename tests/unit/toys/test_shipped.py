"""The shipped toy weights: every file present and verified, manifests that match the code's
configs, ``atlas toys check`` naming a tampered or missing file, and demos that refuse
instead of crashing when their weights are bad."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

import cli
import engine.toys as toys
from engine.registry import run_demo
from engine.toys import sentiment


@pytest.fixture
def weights_copy(tmp_path, monkeypatch):
    """A private copy of the shipped weights that a test may damage."""
    for path in toys.WEIGHTS.iterdir():
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(toys, "WEIGHTS", tmp_path)
    toys._state.cache_clear()
    yield tmp_path
    toys._state.cache_clear()


def test_every_toy_ships_verified_weights_made_from_its_config():
    known = toys.variants()
    assert sorted(known) == sorted(toys.names())  # one manifest per weight file, no strays
    for name, (_, cfg) in known.items():
        m = toys.check(name)
        assert m.config == dataclasses.asdict(cfg), f"{name}: config changed since training"
        assert m.seed == cfg.seed and m.metrics


def test_shipped_weights_are_small():
    total = sum(p.stat().st_size for p in toys.WEIGHTS.glob("*.safetensors"))
    assert total < 5 * 2**20


def test_atlas_toys_check_passes_on_the_shipped_files(capsys):
    assert cli.main(["toys", "check"]) == 0
    out = capsys.readouterr().out
    assert all(f"{name}: ok" in out for name in toys.variants())


def test_atlas_toys_check_names_a_tampered_and_a_missing_file(weights_copy, capsys):
    data = bytearray((weights_copy / "tagger.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (weights_copy / "tagger.safetensors").write_bytes(bytes(data))
    (weights_copy / "han.safetensors").unlink()
    assert cli.main(["toys", "check"]) == 1
    err = capsys.readouterr().err
    assert "tagger.safetensors: sha256 does not match tagger.json" in err
    assert "han.safetensors: the weights of toy 'han' are missing" in err
    assert "2 of" in err
    assert cli.main(["toys", "check", "nope"]) == 2
    assert "unknown toy nope" in capsys.readouterr().err


def test_a_demo_with_bad_weights_refuses_with_the_file_name(weights_copy):
    (weights_copy / "sentiment.safetensors").write_bytes(b"not weights")
    with pytest.raises(ValueError, match=r"sentiment\.safetensors: sha256 does not match"):
        run_demo("attention_pooling_classifier")


def test_retraining_a_toy_lands_within_a_band_of_its_manifest():
    """Training is seeded and single-threaded; another CPU may round differently, so the metric
    is checked within a band (±0.08 held-out accuracy: 2 of 26 sentences), not exactly."""
    _, metrics = sentiment.train(sentiment.VARIANTS["sentiment"])
    shipped = toys.manifest("sentiment").metrics
    assert metrics["train_sentences"] == shipped["train_sentences"]
    assert abs(metrics["heldout_accuracy"] - shipped["heldout_accuracy"]) <= 0.08
    assert abs(metrics["train_accuracy"] - shipped["train_accuracy"]) <= 0.03
