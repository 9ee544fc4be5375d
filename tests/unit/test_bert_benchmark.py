"""The model benchmark: its peak-memory counter on a hand-made example, and one quick run."""

from __future__ import annotations

import torch

from benchmarks.model_forward import N_TOKENS, LiveTensorPeak, run


def test_live_tensor_peak_counts_storages_once_and_frees_them():
    with LiveTensorPeak() as mode:
        a = torch.zeros(1024)  # 4 KiB
        b = torch.zeros(2048)  # 8 KiB: 12 KiB live
        v = b.view(2, 1024)  # a view shares b's storage: nothing new
        del a  # 8 KiB live
        c = torch.zeros(512)  # 2 KiB: 10 KiB live
        assert mode.live == 8192 + 2048
        del b, v, c
    assert mode.peak == 4096 + 8192
    assert mode.live == 0


def test_live_tensor_peak_does_not_count_views_of_tensors_made_before_it():
    weight = torch.zeros(4096)  # 16 KiB, made before the mode (like the model's weights)
    with LiveTensorPeak() as mode:
        t = weight.view(64, 64).T  # views of it: no new memory
        assert mode.live == 0
        out = t + 1  # a new 16 KiB tensor
        assert mode.live == 16384
    assert mode.peak == 16384
    del out


def test_quick_run_reports_times_ratio_and_memory():
    row = run("cpu", repeats=3)
    assert row["tokens"] == N_TOKENS == 20
    assert row["engine_ms"] > 0 and row["transformers_ms"] > 0
    assert row["ratio_engine_over_transformers"] == round(
        row["engine_ms"] / row["transformers_ms"], 3
    )
    # at least the outputs: 7 hidden states (20 × 384) and 6 × 12 attention maps (20 × 20), float32
    outputs = (7 * 20 * 384 + 6 * 12 * 20 * 20) * 4 / 2**20
    assert row["engine_memory"]["peak_live_tensors_mib"] >= outputs


def test_the_lab_benchmark_times_new_texts_only():
    from benchmarks.lab import TARGET_MS, texts
    from benchmarks.lab import run as run_lab
    from engine.bert import default_bert
    from engine.tokenize import encode

    many = texts(30)
    assert len(set(many)) == 30  # every timed call gets a text not seen before
    lengths = [len(encode(default_bert().tokenizer, t)) for t in many]
    assert min(lengths) >= 12 and max(lengths) <= 128
    out = run_lab("cpu", n=2)
    assert out["texts"] == 2
    for kind in ("forward", "live", "figure"):
        assert 0 < out[f"{kind}_ms"] <= out[f"{kind}_p95_ms"]
    assert out["live_meets_target"] == (out["live_ms"] <= TARGET_MS)
