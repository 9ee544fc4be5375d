"""Tests of the demo q14_speech_alignment: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from engine import speech
from engine.demos import q14_speech_alignment as q14
from engine.demos import q25_tts_failure_modes as q25
from engine.demos import q30_streaming_asr as q30
from engine.registry import run_demo


def test_synthesized_vowel_has_its_first_formant() -> None:
    """The spectrum of a synthesized AA peaks at the harmonic of F0 nearest its F1 = 730 Hz."""
    x = speech.synth_phone("AA", 8000, np.random.default_rng(0))
    spec = np.abs(np.fft.rfft(x))
    f = np.fft.rfftfreq(x.size, 1 / speech.SR)
    peak = f[spec.argmax()]
    assert abs(peak - 720.0) <= 1.0  # 6 × 120 Hz is the harmonic closest to 730 Hz


def test_utterance_spans_tile_the_frames() -> None:
    utt = speech.synthesize("hello world", seed=3)
    assert utt.logmel.shape == (utt.spans[-1][1], speech.N_MELS)
    assert utt.spans[0][0] == 0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(utt.spans))
    assert len(utt.spans) == len(utt.phones) == 10
    assert torch.isfinite(utt.logmel).all()


def test_mel_filterbank_centres_rise() -> None:
    fb = speech.mel_filterbank()
    assert fb.shape == (speech.N_MELS, speech.N_FFT // 2 + 1)
    centres = fb.argmax(1)
    assert (centres[1:] > centres[:-1]).all()


def test_content_attention_matches_torch() -> None:
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(5, 8, generator=g), torch.randn(20, 8, generator=g)
    ref = F.scaled_dot_product_attention(
        q, k, torch.eye(20), scale=7.0
    )  # with V = I the output is the weights
    assert torch.allclose(q14.content_attention(q, k, 7.0), ref, atol=1e-6)


def test_median_frame_worked_example() -> None:
    # cumulative sums 0.1, 0.3, 0.6, 1.0: the first to reach 1/2 is index 2
    assert q14.median_frame(torch.tensor([0.1, 0.2, 0.3, 0.4])) == 2
    assert q14.median_frame(torch.tensor([0.6, 0.4])) == 0


def test_windowed_attention_matches_torch_row_by_row() -> None:
    utt = speech.synthesize("she sells sea shells", seed=1)
    k, q = speech.normalise(utt.logmel), speech.phone_keys(utt.phones, torch.device("cpu"))
    w, medians = q14.windowed_attention(q, k, 30.0, left=2, right=15)
    T, center = k.size(0), 0
    t = torch.arange(T)
    for i in range(q.size(0)):
        allowed = (t >= center - 2) & (t <= center + 15)
        ref = F.scaled_dot_product_attention(
            q[i : i + 1], k, torch.eye(T), attn_mask=allowed[None], scale=30.0
        )[0]
        assert torch.allclose(w[i], ref, atol=1e-6)
        assert w[i][~allowed].abs().max() == 0
        center = int(
            np.searchsorted(np.cumsum(w[i].numpy()), 0.5)
        )  # the median, computed another way
        assert medians[i] == center


def test_windowed_beats_global_on_repeated_phones() -> None:
    for text in ("hello world", "she sells sea shells"):
        f = run_demo("speech_alignment", {"text": text}).facts
        assert f["windowed_mass_in_true_span"] > f["global_mass_in_true_span"] + 0.2
        assert f["windowed_backward_jumps"] < f["global_backward_jumps"]


def test_window_medians_never_move_back_when_left_width_is_zero() -> None:
    """With w_l = 0 step i sees only frames ≥ m_{i−1}, so its median m_i ≥ m_{i−1}."""
    for text in speech.UTTERANCES:
        medians = run_demo("speech_alignment", {"text": text, "window_left": 0}).extras["medians"]
        assert medians == sorted(medians)


def test_failure_counts_worked_example() -> None:
    utt = speech.Utterance(
        torch.zeros(6, 2), ("a", "b", "c", "d"), ((0, 1), (1, 2), (2, 3), (3, 6))
    )
    path = torch.tensor(
        [0, 2, 0, 3, 3, 3]
    )  # jumps back by 2 once; "b" never visited; "d" stays its 3 frames
    counts = q25.failure_counts(F.one_hot(path, 4).float(), utt)
    assert counts == {"repeats": 1, "skipped_phones": 1, "overstay_frames": 0, "frames_behind": 1}


@pytest.mark.parametrize("variant", q30.VARIANTS)
def test_streaming_masks_match_torch(variant: str) -> None:
    r = run_demo("streaming_asr", {"chunk": 6, "left_chunks": 1, "window": 9, "beta": 12.0})
    utt = speech.synthesize("hello world", 0)
    x = speech.normalise(utt.logmel)
    T = x.size(0)
    mask = q30.streaming_mask(variant, T, 9, 6, 1, torch.device("cpu"))
    ref = F.scaled_dot_product_attention(x, x, torch.eye(T), attn_mask=mask, scale=12.0)
    h = q30.VARIANTS.index(variant)
    assert torch.allclose(r.weights[h], ref, atol=1e-6)


def test_chunked_outputs_ignore_the_future() -> None:
    """Changing frames after a chunk ends leaves that chunk's encoder outputs unchanged."""
    x = speech.normalise(speech.synthesize("hello world", 0).logmel)
    T, C = x.size(0), 8
    mask = q30.chunk_mask(T, C, 2)
    y = x.clone()
    y[3 * C :] = torch.randn(T - 3 * C, x.size(1))
    out_x = q30.scaled_dot_product_attention(x, x, x, attn_mask=mask, scale=10.0)[0]
    out_y = q30.scaled_dot_product_attention(y, y, y, attn_mask=mask, scale=10.0)[0]
    assert torch.allclose(out_x[: 3 * C], out_y[: 3 * C], atol=1e-6)
    assert not torch.allclose(out_x[3 * C :], out_y[3 * C :])
