from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch.nn.attention.bias import causal_lower_right, causal_upper_left
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

from engine import masks
from engine.demos import q39_attention_masks as qm
from engine.registry import ParamError, run_demo

ROOT = Path(__file__).resolve().parents[3]


def _qkv(L: int, S: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randn(L, 8, generator=g),
        torch.randn(S, 8, generator=g),
        torch.randn(S, 8, generator=g),
    )


def flex(q, k, v, mask_mod=None, score_mod=None):
    """FlexAttention (eager, CPU) with a BlockMask built from ``mask_mod``.  (L, E) → (L, Ev)."""
    L, S = q.size(0), k.size(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "without torch.compile": the unfused path, fine here
        bm = create_block_mask(mask_mod, None, None, L, S, device="cpu") if mask_mod else None
        out = flex_attention(
            q[None, None], k[None, None], v[None, None], score_mod=score_mod, block_mask=bm
        )
    return out[0, 0]


def _sdpa(q, k, v, **kw):
    return F.scaled_dot_product_attention(q[None, None], k[None, None], v[None, None], **kw)[0, 0]


def test_causal_offsets_match_is_causal_and_causal_lower_right():
    L, S = 3, 7
    q, k, v = _qkv(L, S)
    top = qm.materialize(qm.causal(0), L, S)
    bottom = qm.materialize(qm.causal(S - L), L, S)
    assert torch.equal(top, causal_upper_left(L, S)._materialize())
    assert torch.equal(bottom, causal_lower_right(L, S)._materialize())
    assert torch.equal(top, masks.causal_mask(L, S, top_left=True))
    assert torch.equal(bottom, masks.causal_mask(L, S))
    torch.testing.assert_close(_sdpa(q, k, v, attn_mask=top), _sdpa(q, k, v, is_causal=True))
    torch.testing.assert_close(
        _sdpa(q, k, v, attn_mask=bottom), _sdpa(q, k, v, attn_mask=causal_lower_right(L, S))
    )


def test_padding_prefix_and_document_masks_by_hand_and_against_sdpa():
    n = 6
    assert torch.equal(
        qm.materialize(qm.padding(4), n, n)[0], torch.tensor([1, 1, 1, 1, 0, 0]).bool()
    )
    assert torch.equal(
        qm.materialize(qm.padding(4), n, n),
        masks.padding_mask(torch.tensor([4]), n)[0].expand(n, n),
    )
    pre = qm.materialize(qm.prefix_lm(3), n, n)
    assert pre[0].tolist() == [True, True, True, False, False, False]  # the prefix sees itself
    assert pre[4].tolist() == [True, True, True, True, True, False]
    assert qm.doc_ids(6, 3).tolist() == [0, 0, 1, 1, 2, 2]
    doc = qm.materialize(qm.documents(qm.doc_ids(6, 3)), n, n)
    assert doc[3].tolist() == [False, False, True, True, False, False]
    q, k, v = _qkv(n, n, 1)
    for m in (pre, doc, qm.materialize(qm.padding(4), n, n)):
        _, w = qm.scaled_dot_product_attention(q, k, v, attn_mask=m)
        torch.testing.assert_close(w @ v, _sdpa(q, k, v, attn_mask=m), rtol=1e-5, atol=1e-6)
        assert torch.all(w[~m] == 0)


@pytest.mark.parametrize("name", qm.SQUARE)
def test_flex_attention_runs_each_mask_on_cpu_and_matches_sdpa(name):
    n = 10
    q, k, v = _qkv(n, n, 2)
    mod = qm.square_masks(n, pad=2, prefix=3, n_docs=3)[name]
    allowed = qm.materialize(mod, n, n)
    _, w = qm.scaled_dot_product_attention(q, k, v, attn_mask=allowed)  # what the demo computes
    torch.testing.assert_close(flex(q, k, v, mod), w @ v, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(flex(q, k, v, mod), _sdpa(q, k, v, attn_mask=allowed))


@pytest.mark.parametrize("L", [1, 3, 7])
def test_flex_attention_agrees_on_both_causal_alignments_when_l_is_less_than_s(L):
    S = 7
    q, k, v = _qkv(L, S, 6)
    for offset in (0, S - L):
        allowed = qm.materialize(qm.causal(offset), L, S)
        _, w = qm.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        torch.testing.assert_close(flex(q, k, v, qm.causal(offset)), w @ v, rtol=1e-5, atol=1e-6)


def test_score_mod_equals_a_float_bias_in_sdpa():
    n = 9
    q, k, v = _qkv(n, n, 3)
    i, j = torch.arange(n)[:, None], torch.arange(n)[None]
    by_hand = -0.25 * (i - j).abs().float()
    bias = qm.score_bias(qm.distance_penalty(0.25), n, n)  # the demo's materialised score_mod
    torch.testing.assert_close(bias, by_hand)
    ref = _sdpa(q, k, v, attn_mask=by_hand)
    out = flex(q, k, v, None, qm.distance_penalty(0.25))
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-6)
    _, w = qm.scaled_dot_product_attention(q, k, v, attn_mask=bias)
    torch.testing.assert_close(out, w @ v, rtol=1e-5, atol=1e-6)


def test_block_fraction_agrees_with_flex_block_mask_sparsity():
    for mod in (qm.causal(), qm.documents(qm.doc_ids(1024, 4))):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bm = create_block_mask(mod, None, None, 1024, 1024, device="cpu", BLOCK_SIZE=128)
        assert qm.block_fraction(mod, 1024, 128) == pytest.approx(1 - bm.sparsity() / 100)
    # causal: 8 × 9 / 2 = 36 of 64 tiles; 4 documents of 256 = 2 tiles each: 4 × 3 = 12 of 64
    assert qm.block_fraction(qm.causal(), 1024, 128) == 36 / 64
    assert qm.block_fraction(qm.documents(qm.doc_ids(1024, 4)), 1024, 128) == 12 / 64


def test_a_fully_masked_row_is_zero_in_sdpa_and_the_engine_but_nan_in_a_naive_softmax():
    q, k, v = _qkv(3, 3, 4)
    m = torch.tensor([[False, False, False], [True, False, False], [True, True, True]])
    assert torch.equal(_sdpa(q, k, v, attn_mask=m)[0], torch.zeros(8))
    _, w = qm.scaled_dot_product_attention(q, k, v, attn_mask=m)
    assert torch.equal(w[0], torch.zeros(3))
    naive = torch.softmax((q @ k.T).masked_fill(~m, float("-inf")), -1)
    assert torch.isnan(naive[0]).all()


def test_demo_rows_facts_and_determinism():
    a, b = run_demo("attention_masks"), run_demo("attention_masks")
    assert torch.equal(a.weights, b.weights) and a.weights.shape == (4, 12, 12)
    torch.testing.assert_close(a.weights.sum(-1), torch.ones(4, 12))
    f = a.facts
    assert (f["allowed_causal"], f["allowed_padding"]) == (12 * 13 // 2, 12 * 9)
    assert f["allowed_prefix_lm"] == 12 * 13 // 2 + 3 * 4 // 2  # + the prefix's upper triangle
    assert f["allowed_documents"] == 3 * (4 * 5 // 2)  # three causal blocks of 4
    assert f["tiles_computed_causal_1024"] == 36 / 64
    assert f["tiles_computed_documents_1024"] == 12 / 64
    assert f["mean_distance_penalty"] < f["mean_distance_plain"]
    assert (
        f["keys_seen_by_last_query_top_left"] == 4
        and f["keys_seen_by_last_query_bottom_right"] == 12
    )
    assert torch.all(a.weights[1][:, 9:] == 0)  # padding: the last 3 keys are never read
    rect = a.extras["rect"]
    assert rect["top_left"].shape == (4, 12) and torch.all(rect["bottom_right"][-1] > 0)


def test_parameters_are_clamped_to_the_sequence_and_bounds_refused():
    r = run_demo(
        "attention_masks", {"n_tokens": 4, "n_queries": 24, "pad": 8, "prefix": 24, "n_docs": 4}
    )
    assert (r.facts["L"], r.facts["pad"], r.facts["prefix"]) == (4, 3, 4)
    s = r.weights.sum(-1)
    assert torch.all(((s - 1).abs() < 1e-5) | (s == 0))
    for bad in ({"n_tokens": 3}, {"n_tokens": 25}, {"pad": 9}, {"n_docs": 5}, {"n_queries": 0}):
        with pytest.raises(ParamError):
            run_demo("attention_masks", bad)


def test_the_demo_never_loads_flex_attention():
    # FlexAttention loads its compiler machinery on first use (seconds): the demo must not.
    code = (
        "import sys; from engine.registry import run_demo; run_demo('attention_masks'); "
        "print('torch.nn.attention.flex_attention' in sys.modules, "
        "any(m.startswith('torch._inductor') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["False", "False"]


def test_flex_attention_called_directly_is_the_oracle_here_too():
    q, k, v = _qkv(8, 8, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = flex_attention(q[None, None], k[None, None], v[None, None])[0, 0]
    torch.testing.assert_close(out, _sdpa(q, k, v), rtol=1e-5, atol=1e-6)
