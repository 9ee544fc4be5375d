"""Speech demos: Q14 speech_alignment, Q18 tts_alignment, Q25 tts_failure_modes, Q30 streaming_asr."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from engine.demos import q14_speech_alignment as q14
from engine.demos import q18_tts_alignment as q18
from engine.demos import q25_tts_failure_modes as q25
from engine.demos import q30_streaming_asr as q30
from engine.registry import run_demo
from visuals import render, to_png

NAMES = ("speech_alignment", "tts_alignment", "tts_failure_modes", "streaming_asr")


def images(fig) -> list[np.ndarray]:
    """Every image array drawn in the figure."""
    return [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]


# ---------------------------------------------------------------- the synthesizer


def test_synthesized_vowel_has_its_first_formant() -> None:
    """The spectrum of a synthesized AA peaks at the harmonic of F0 nearest its F1 = 730 Hz."""
    x = q14.synth_phone("AA", 8000, np.random.default_rng(0))
    spec = np.abs(np.fft.rfft(x))
    f = np.fft.rfftfreq(x.size, 1 / q14.SR)
    peak = f[spec.argmax()]
    assert abs(peak - 720.0) <= 1.0  # 6 × 120 Hz is the harmonic closest to 730 Hz


def test_utterance_spans_tile_the_frames() -> None:
    utt = q14.synthesize("hello world", seed=3)
    assert utt.logmel.shape == (utt.spans[-1][1], q14.N_MELS)
    assert utt.spans[0][0] == 0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(utt.spans))
    assert len(utt.spans) == len(utt.phones) == 10
    assert torch.isfinite(utt.logmel).all()


def test_mel_filterbank_centres_rise() -> None:
    fb = q14.mel_filterbank()
    assert fb.shape == (q14.N_MELS, q14.N_FFT // 2 + 1)
    centres = fb.argmax(1)
    assert (centres[1:] > centres[:-1]).all()


# ---------------------------------------------------------------- Q14


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
    utt = q14.synthesize("she sells sea shells", seed=1)
    k, q = q14.normalise(utt.logmel), q14.token_queries(utt.phones, torch.device("cpu"))
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
        assert f["windowed: mass_in_true_span"] > f["global: mass_in_true_span"] + 0.2
        assert f["windowed: backward_jumps"] < f["global: backward_jumps"]


def test_window_medians_never_move_back_when_left_width_is_zero() -> None:
    """With w_l = 0 step i sees only frames ≥ m_{i−1}, so its median m_i ≥ m_{i−1}."""
    for text in q14.UTTERANCES:
        medians = run_demo("speech_alignment", {"text": text, "window_left": 0}).extras["medians"]
        assert medians == sorted(medians)


# ---------------------------------------------------------------- Q18


def test_guided_attention_weight_worked_example() -> None:
    W = q18.guided_attention_weight(N=2, T=2, g=0.5)  # (T, N)
    expected = 1 - math.exp(-(0.5**2) / (2 * 0.25))  # |n/N − t/T| = 1/2 off the diagonal
    assert torch.allclose(W, torch.tensor([[0.0, expected], [expected, 0.0]]), atol=1e-6)
    # L_att = mean(A ⊙ W): all of row 0 off the diagonal, row 1 on it
    assert q18.guided_attention_loss(torch.tensor([[0.0, 1.0], [0.0, 1.0]]), 0.5) == pytest.approx(
        expected / 4
    )


def test_location_sensitive_energies_by_hand() -> None:
    """e_{t,n} = wᵀ tanh(W s + V h_n + U f_n + b) with f = the conv filters slid over [α_{t−1}; c_{t−1}]."""
    att = q18.trained_attention(True)
    g = torch.Generator().manual_seed(1)
    s, h, loc = (
        torch.randn(1, 32, generator=g),
        torch.randn(1, 6, 32, generator=g),
        torch.rand(1, 2, 6, generator=g),
    )
    Fw, r = att.F.weight, att.cfg.width // 2  # (K, 2, width)
    padded = F.pad(loc[0], (r, r))  # (2, N + 2r)
    f = torch.stack(
        [(Fw * padded[:, n : n + 2 * r + 1]).sum(dim=(1, 2)) for n in range(6)]
    )  # (N, K)
    ref = (
        torch.tanh(s @ att.W.weight.T + att.W.bias + h[0] @ att.V.weight.T + f @ att.U.weight.T)
        @ att.w.weight[0]
    )
    assert torch.allclose(att.energies(s, h, loc)[0], ref, atol=1e-5)


def test_location_sensitive_alignment_tracks_the_phones() -> None:
    f = run_demo(
        "tts_alignment", {"text": "attention is all you need", "seed": 77}
    ).facts  # unseen utterance
    assert f["location: mass_on_true_phone"] > 0.8
    assert f["location: backward_jumps"] == 0
    assert f["location: guided loss L_att"] < f["content: guided loss L_att"]


# ---------------------------------------------------------------- Q25


def test_forward_attention_worked_example() -> None:
    y = torch.tensor([[0.5, 0.5], [0.2, 0.8]])
    # t=0: (α + shifted α) = [1, 1] · y₀ = [.5, .5]  → [.5, .5]
    # t=1: [.5, .5 + .5] · [.2, .8] = [.1, .8]        → [1/9, 8/9]
    expected = torch.tensor([[0.5, 0.5], [1 / 9, 8 / 9]])
    assert torch.allclose(q25.forward_attention(y), expected, atol=1e-6)


def test_forward_attention_never_moves_back_or_more_than_one_phone() -> None:
    y = torch.softmax(torch.randn(40, 9, generator=torch.Generator().manual_seed(2)) * 3, -1)
    a = q25.forward_attention(y)
    assert torch.allclose(a.sum(-1), torch.ones(40))
    first = [int(torch.nonzero(r > 0)[0]) for r in a]
    last = [int(torch.nonzero(r > 0)[-1]) for r in a]
    assert first == sorted(first)  # mass never returns to a phone it left
    assert all(last[t] <= t + 1 for t in range(40))  # at most one phone further per step


def test_failure_counts_worked_example() -> None:
    utt = q14.Utterance(torch.zeros(6, 2), ("a", "b", "c", "d"), ((0, 1), (1, 2), (2, 3), (3, 6)))
    path = torch.tensor(
        [0, 2, 0, 3, 3, 3]
    )  # jumps back by 2 once; "b" never visited; "d" stays its 3 frames
    counts = q25.failure_counts(F.one_hot(path, 4).float(), utt)
    assert counts == {"repeats": 1, "skipped_phones": 1, "overstay_frames": 0, "frames_behind": 1}


@pytest.mark.parametrize(
    ("failure", "fails", "key"),
    [
        ("repeating", "content", "repeats"),
        ("skipping", "content", "skipped_phones"),
        ("stuck", "location", "overstay_frames"),
    ],
)
def test_each_scenario_shows_its_failure_and_forward_attention_avoids_it(
    failure: str, fails: str, key: str
) -> None:
    f = run_demo("tts_failure_modes", {"failure": failure}).facts
    assert f[f"{fails}: {key}"] >= 3
    assert f[f"forward: {key}"] <= 1
    assert f["forward: skipped_phones"] == 0


# ---------------------------------------------------------------- Q30


def test_chunk_mask_worked_example() -> None:
    # T = 5, C = 2 → chunks 0 0 1 1 2; L = 0: own chunk only, up to its end
    expected = torch.tensor(
        [[1, 1, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 1, 1, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 1]],
        dtype=torch.bool,
    )
    assert torch.equal(q30.chunk_mask(5, 2, 0), expected)
    assert q30.lookahead(expected) == pytest.approx((1 + 0 + 1 + 0 + 0) / 5)


@pytest.mark.parametrize("variant", q30.VARIANTS)
def test_streaming_masks_match_torch(variant: str) -> None:
    r = run_demo("streaming_asr", {"chunk": 6, "left_chunks": 1, "window": 9, "beta": 12.0})
    utt = q14.synthesize("hello world", 0)
    x = q14.normalise(utt.logmel)
    T = x.size(0)
    mask = q30.streaming_mask(variant, T, 9, 6, 1, torch.device("cpu"))
    ref = F.scaled_dot_product_attention(x, x, torch.eye(T), attn_mask=mask, scale=12.0)
    h = q30.VARIANTS.index(variant)
    assert torch.allclose(r.weights[h], ref, atol=1e-6)


def test_chunked_outputs_ignore_the_future() -> None:
    """Changing frames after a chunk ends leaves that chunk's encoder outputs unchanged."""
    x = q14.normalise(q14.synthesize("hello world", 0).logmel)
    T, C = x.size(0), 8
    mask = q30.chunk_mask(T, C, 2)
    y = x.clone()
    y[3 * C :] = torch.randn(T - 3 * C, x.size(1))
    out_x = q30.scaled_dot_product_attention(x, x, x, attn_mask=mask, scale=10.0)[0]
    out_y = q30.scaled_dot_product_attention(y, y, y, attn_mask=mask, scale=10.0)[0]
    assert torch.allclose(out_x[: 3 * C], out_y[: 3 * C], atol=1e-6)
    assert not torch.allclose(out_x[3 * C :], out_y[3 * C :])


def test_streaming_latency_and_cost_facts() -> None:
    f = run_demo("streaming_asr", {"chunk": 10, "left_chunks": 1}).facts
    T = f["frames T"]
    assert f["causal: look-ahead (ms)"] == 0 == f["causal window: look-ahead (ms)"]
    assert f["full: look-ahead (ms)"] == pytest.approx((T - 1) / 2 * 10, abs=0.1)
    assert f["causal: attended pairs"] == T * (T + 1) // 2
    assert f["full: drift from full (1 − cos)"] == 0


# ---------------------------------------------------------------- all four


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_render_draws_the_weights(name: str, lang: str) -> None:
    r = run_demo(name)
    fig = render(r, lang)
    drawn = images(fig)
    for h in range(r.n_heads):
        w = r.weights[h].numpy()
        assert any(a.shape == w.shape and np.allclose(a, w) for a in drawn) or any(
            a.shape == w.T.shape and np.allclose(a, w.T) for a in drawn
        ), f"head {h} not drawn"
    assert to_png(fig)[:4] == b"\x89PNG"


@pytest.mark.parametrize("name", NAMES)
def test_rows_sum_to_one_and_seed_determinism(name: str) -> None:
    a, b = run_demo(name, {"seed": 5}), run_demo(name, {"seed": 5})
    assert torch.equal(a.weights, b.weights)
    assert torch.allclose(a.weights.sum(-1), torch.ones(a.weights.shape[:2]), atol=1e-5)
